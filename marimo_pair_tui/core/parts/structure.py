"""Structures and diagrams: `mo.tree`, `mo.json`, dicts and lists as values, `application/json`, `mo.mermaid`.

marimo sends a structure as JSON whose leaves it may have written as typed
strings (marimo/_output/formatters/structures.py): `text/plain+float:1.5`,
`text/plain+tuple:[1, 2]`, a leaf with a formatter as `text/html:<span>…`, a
dict key that was no string as `text/plain+int:2`. These are decoded here the
way marimo's frontend reads them, so readers get 1.5, not the encoding. A
mermaid diagram is drawn by a browser from its source; the source is what it
says, so that is what the part holds.
"""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:  # bs4 is loaded once HTML is read (parts/html.py), not to import this
    from bs4 import Tag

from .model import DiagramPart, StructurePart

Attr = Callable[["Tag", str, Any], Any]
MarkupText = Callable[[str], str]
_PLAIN = "text/plain+"
_COLLECTIONS = {"tuple", "set", "frozenset"}


def _float(text: str) -> float | str:
    """A float leaf; NaN and infinities stay words (JSON has no number for them)."""
    try:
        number = float(text)
    except ValueError:
        return text
    return number if math.isfinite(number) else text


def _collection(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def decode_leaf(value: Any, markup_text: MarkupText) -> Any:
    """One leaf as marimo's frontend reads it (a typed string decoded; other values as they are)."""
    if not isinstance(value, str) or ":" not in value:
        return value
    head, _, body = value.partition(":")
    if head.startswith(_PLAIN):
        return _decode_plain(head[len(_PLAIN):], body, value)
    return _decode_mime(head, body, value, markup_text)


def _decode_plain(kind: str, body: str, value: str) -> Any:
    """A `text/plain+KIND:` leaf: a Python value marimo wrote as text (a float, an int, a collection, a str)."""
    if kind == "float":
        return _float(body)
    if kind in ("int", "bigint"):
        try:
            return int(body)
        except ValueError:
            return body
    if kind in _COLLECTIONS:
        return _collection(body)
    if kind == "str":
        return body
    return value


def _decode_mime(head: str, body: str, value: str, markup_text: MarkupText) -> Any:
    """A `MIMETYPE:` leaf: text as it is, markup as its text, JSON decoded, media by its kind."""
    if head == "text/plain":
        return body
    if head in ("text/html", "text/markdown"):
        return markup_text(body) if "<" in body else body
    if head == "application/json":
        return _collection(body)
    if head.startswith(("image/", "video/", "audio/", "application/")) and "/" in head:
        return f"[{head}]"
    return value


def decode_key(key: str) -> str:
    """A dict key marimo encoded because it was no string (`text/plain+int:2` is "2", a tuple "(1, 2)")."""
    if not key.startswith(_PLAIN) or ":" not in key:
        return key
    head, _, body = key.partition(":")
    kind = head[len(_PLAIN):]
    if kind == "str":
        return body
    if kind == "none":
        return "None"
    if kind in ("tuple", "frozenset"):
        items = _collection(body)
        if isinstance(items, list):
            inner = ", ".join(repr(i) for i in items)
            return f"({inner}{',' if len(items) == 1 else ''})" if kind == "tuple" else f"frozenset({{{inner}}})"
    return body


def decode(value: Any, markup_text: MarkupText, python: bool = True) -> Any:
    """A whole structure decoded (only a "python" structure carries typed strings)."""
    if isinstance(value, dict):
        return {(decode_key(k) if python else k): decode(v, markup_text, python) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v, markup_text, python) for v in value]
    return decode_leaf(value, markup_text) if python else value


def json_output_part(el: Tag, attr: Attr, markup_text: MarkupText) -> StructurePart:
    """`<marimo-json-output>`: `mo.tree`, `mo.json`, and dicts and lists shown by marimo."""
    python = attr(el, "data-value-types", "python") != "json"
    label = attr(el, "data-name", "") or ""
    return StructurePart(decode(attr(el, "data-json-data", None), markup_text, python), str(label), python)


def json_payload_part(data: Any, markup_text: MarkupText) -> StructurePart | None:
    """An `application/json` output (a dict or list as a cell's value, `_repr_json_`); None when it is no JSON."""
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except ValueError:
            return None
    return StructurePart(decode(data, markup_text))


def mermaid_part(el: Tag, attr: Attr) -> DiagramPart:
    return DiagramPart("mermaid", str(attr(el, "data-diagram", "") or ""))


def structure_text(part: StructurePart) -> str:
    """Indented JSON of the decoded value, under its label."""
    body = json.dumps(part.value, indent=2, ensure_ascii=False, default=str)
    return f"{part.label}:\n{body}" if part.label else body


def diagram_text(part: DiagramPart) -> str:
    """The source in a fenced block, as markdown writes a mermaid diagram."""
    return f"```{part.language}\n{part.source.rstrip()}\n```"
