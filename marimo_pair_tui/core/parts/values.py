"""Table values written as marimo's browser table writes them, so every door shows what a person sees.

The rules are read from marimo 0.25's frontend (its data table's cell
renderer): a number is formatted with `Intl.NumberFormat` (grouped digits,
the shortest digits that give the value back, at most 100 after the point),
and every float on a page is padded to as many fraction digits as the longest
one there (counted in JavaScript's `String(value)`); `null` is `None`, an empty
string `<empty>`, NaN and infinities `NaN`, `inf`, `-inf`; booleans `True` and
`False`; lists and objects compact JSON; leading and trailing whitespace as
visible marks (`␣`, `\\t`, `\\n`). The locale is en-US. Written by hand: no
library reproduces the browser's rules, and the exact values stay in the rows.
"""

from __future__ import annotations

import json
import math
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Iterable, Mapping

MAX_FRACTION_DIGITS = 100  # what the frontend asks Intl for in browsers that allow it (Chrome, Firefox)
NUMERIC_KINDS = ("number", "integer")
_NON_FINITE = {"NaN": "NaN", "Infinity": "inf", "-Infinity": "-inf", "inf": "inf", "-inf": "-inf"}
_WHITESPACE = {" ": "␣", "\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _shortest(value: float) -> Decimal:
    """The shortest decimal that reads back as `value` (what JavaScript and Python's repr both print)."""
    return Decimal(repr(value)).normalize()


def js_string(value: float) -> str:
    """JavaScript's `String(value)` for a finite number: fixed notation from 1e-7 up to 1e21."""
    if value == 0:
        return "0"
    sign, digits, exponent = _shortest(abs(value)).as_tuple()
    text = "".join(map(str, digits))
    k, n = len(text), len(text) + int(exponent)
    minus = "-" if value < 0 else ""
    if k <= n <= 21:
        return minus + text + "0" * (n - k)
    if 0 < n <= 21:
        return f"{minus}{text[:n]}.{text[n:]}"
    if -6 < n <= 0:
        return f"{minus}0.{'0' * -n}{text}"
    power = f"e{'+' if n - 1 >= 0 else '-'}{abs(n - 1)}"
    return minus + (text if k == 1 else f"{text[0]}.{text[1:]}") + power


def fraction_digits(value: Any) -> int:
    """Digits after the point in JavaScript's `String(value)` (the frontend's count, exponent included)."""
    if not _is_number(value) or not math.isfinite(value):
        return 0
    text = js_string(float(value)) if isinstance(value, float) else str(value)
    point = text.find(".")
    return 0 if point == -1 else len(text) - point - 1


def format_number(value: int | float, min_fraction: int = 0) -> str:
    """`Intl.NumberFormat("en-US", {minimumFractionDigits, maximumFractionDigits: 100}).format(value)`."""
    if isinstance(value, int):
        number = Decimal(value)
    elif math.isnan(value):
        return "NaN"
    elif math.isinf(value):
        return "inf" if value > 0 else "-inf"
    else:
        number = _shortest(value) if value != 0 else Decimal(repr(value))
    digits = max(0, -int(number.as_tuple().exponent))
    if digits > MAX_FRACTION_DIGITS:
        number = number.quantize(Decimal(1).scaleb(-MAX_FRACTION_DIGITS), rounding=ROUND_HALF_UP).normalize()
        digits = max(0, -int(number.as_tuple().exponent))
    return format(number, f",.{max(digits, min(min_fraction, MAX_FRACTION_DIGITS))}f")


def _marked(text: str) -> str:
    """Leading and trailing whitespace as the marks the browser draws; the middle as it is."""
    if not text or not (text[0].isspace() or text[-1].isspace()):
        return text
    middle = text.strip()
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()):] if middle else ""
    mark = "".join(_WHITESPACE.get(ch, f"\\u{ord(ch):04x}") for ch in lead)
    return mark + middle + "".join(_WHITESPACE.get(ch, f"\\u{ord(ch):04x}") for ch in trail)


def shown_value(value: Any, kind: str = "", min_fraction: int = 0) -> str:
    """One value as the browser's table cell shows it (`kind` is marimo's field kind of its column)."""
    if value is None:
        return "None"
    if isinstance(value, bool):
        return "True" if value else "False"
    if _is_number(value):
        return format_number(value, min_fraction)
    if isinstance(value, str):
        if value == "":
            return "<empty>"
        if kind in NUMERIC_KINDS and value in _NON_FINITE:
            return _NON_FINITE[value]
        return _marked(value)
    return json.dumps(value, default=str, separators=(",", ":"), ensure_ascii=False)


def page_fraction_digits(kinds: Mapping[str, str], rows: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """For each float (`number`) column, the most fraction digits any finite value on the page has:
    the browser pads every value of that column to it."""
    rows = list(rows)
    return {name: max((fraction_digits(row.get(name)) for row in rows), default=0)
            for name, kind in kinds.items() if kind == "number"}


def exact_value(value: Any) -> str:
    """A value written exactly: numbers as Python's repr (the shortest digits that read back), the rest as shown."""
    if _is_number(value):
        return repr(value)
    return shown_value(value)
