"""Reading a default `cells`/`output` document as an agent does: ids named in the text, fields left out when empty."""

from __future__ import annotations

import re
from typing import Any

_NAMED = re.compile(r"\[([A-Za-z0-9_]+-\d+)\]")
REQUIRED = ("id", "name", "code", "hash", "status")  # a cell's fields that are always there


def named_ids(text: str) -> list[str]:
    """The object ids a text names in brackets (`[Hbol-0]`), in order."""
    return _NAMED.findall(text)


def first_id(output: dict[str, Any]) -> str:
    """The first object id an output's text names (a table's, a widget's, a chart's)."""
    found = named_ids(output["text"])
    assert found, f"the output names no object id: {output['text'][-200:]!r}"
    return found[0]


def errors(cell: dict[str, Any]) -> list[dict[str, Any]]:
    """A cell's errors (none when the field is left out)."""
    return list(cell.get("errors") or [])
