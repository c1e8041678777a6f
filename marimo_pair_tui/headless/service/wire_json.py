"""JSON for the service's wire without importing `json`, which imports `re` and with it `enum`.

Those cost a one-shot call about 7 ms of its start-up, on every call, where
the whole call is about 100 ms. The parsing and the quoting are the standard
library's own C accelerator (`_json`, what `json` itself uses); only the
walk over the few plain types a message holds is written here. Where the
accelerator is missing (another Python implementation), `json` is used.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable

_accelerator: Any
try:
    import _json as _accelerator
except ImportError:  # pragma: no cover (CPython always has it)
    _accelerator = None


class _Strict:
    """The settings `json.loads` passes its scanner (NaN and Infinity refused, as `json.dumps` never sends them here)."""

    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int

    @staticmethod
    def parse_constant(name: str) -> Any:
        raise ValueError(f"{name} is not JSON")


_quote: Any = _accelerator.encode_basestring_ascii if _accelerator is not None else None
_scan: Any = _accelerator.make_scanner(_Strict()) if _accelerator is not None else None


def loads(text: str) -> Any:
    """The value `text` holds (ValueError when it is not one JSON value)."""
    if _scan is None:  # pragma: no cover
        import json

        return json.loads(text)
    start = len(text) - len(text.lstrip(" \t\n\r"))
    try:
        value, end = _scan(text, start)
    except StopIteration as stop:
        raise ValueError(f"not JSON at character {stop.value}") from None
    if text[end:].strip(" \t\n\r"):
        raise ValueError(f"extra data at character {end}")
    return value


def dumps(value: Any) -> str:
    """`value` (dicts with text keys, lists, text, numbers, booleans, None) as compact ASCII JSON."""
    if _quote is None:  # pragma: no cover
        import json

        return json.dumps(value, separators=(",", ":"), allow_nan=False)
    parts: list[str] = []
    _put(value, parts.append)
    return "".join(parts)


def _put(value: Any, put: Callable[[str], object]) -> None:
    if isinstance(value, str):
        put(_quote(value))
    elif value is None or value is True or value is False:
        put("null" if value is None else "true" if value else "false")
    elif isinstance(value, int):
        put(int.__repr__(value))
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"{value!r} is not JSON")
        put(float.__repr__(value))
    else:
        _put_container(value, put)


def _put_container(value: Any, put: Callable[[str], object]) -> None:
    if isinstance(value, dict):
        put("{")
        for number, (key, item) in enumerate(value.items()):
            if not isinstance(key, str):
                raise TypeError(f"a key of type {type(key).__name__} is not JSON")
            put("," + _quote(key) + ":" if number else _quote(key) + ":")
            _put(item, put)
        put("}")
    elif isinstance(value, (list, tuple)):
        put("[")
        for number, item in enumerate(value):
            if number:
                put(",")
            _put(item, put)
        put("]")
    else:
        raise TypeError(f"a {type(value).__name__} is not JSON")
