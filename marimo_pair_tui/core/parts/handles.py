"""An output's handles: what a reader acts on that its `text` cannot hold.

A read gives each output its `text` and, by default, only those of these that
the text does not name (`unnamed_handles`; the text names ids in brackets and
saved files) instead of the full typed parts: the object id of every part that has one (a table to
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


def named_in(handle: dict[str, Any], text: str) -> bool:
    """Whether `text` already names what the handle points at: its `[object_id]`, its saved file, why it
    was not drawn."""
    if handle.get("object_id") and f"[{handle['object_id']}]" not in text:
        return False
    if handle.get("file") and str(handle["file"]) not in text:
        return False
    return not handle.get("not_drawn") or str(handle["not_drawn"]) in text


def unnamed_handles(parts: list[Part], text: str) -> list[dict[str, Any]]:
    """The handles of `parts` that their `text` does not name: all a default read adds to the text."""
    return [handle for handle in handles(parts) if not named_in(handle, text)]
