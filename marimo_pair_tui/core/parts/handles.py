"""An output's handles: what a reader acts on that its `text` cannot hold.

A read gives each output its `text` and, by default, only these instead of
the full typed parts: the object id of every part that has one (a table to
page with `table`, a widget to move with `set-ui`), the file of every image
that was saved, and why a chart was not drawn. Any part kind qualifies by
its fields alone, so new kinds get handles without being named here.
"""

from __future__ import annotations

from typing import Any

from .model import Part, walk

# Fields a handle carries beside `type` when the part has them set: what the part
# is acted on by (object_id, file), and the little needed to act on it well.
FIELDS = ("object_id", "kind", "total_rows", "selection", "file", "not_drawn")
# A part gets a handle when one of these is set.
ANCHORS = ("object_id", "file", "not_drawn")


def part_type(part: Part) -> str:
    """The part's `type` as its JSON says it."""
    return str(part.to_json()["type"])


def handles(parts: list[Part]) -> list[dict[str, Any]]:
    """One small dict per part (nested ones included) that has an object id, a saved file or a reason
    it was not drawn: `{"type", "object_id"?, "kind"?, "total_rows"?, "selection"?, "file"?, "not_drawn"?}`."""
    found: list[dict[str, Any]] = []
    for part in walk(parts):
        if not any(getattr(part, name, None) for name in ANCHORS):
            continue
        handle: dict[str, Any] = {"type": part_type(part)}
        for name in FIELDS:
            value = getattr(part, name, None)
            if value is not None and value != "":
                handle[name] = value
        found.append(handle)
    return found
