"""Changes made while nothing followed the notebook: the last state seen against the state found now.

The history (core/model/history.py) records changes as the stream tells them, so what a browser,
an editor on the file or another tool changed while no process of this tool followed the
notebook never reaches it. The history file therefore keeps `Seen`: the cells (id, name, code,
in order) as a follower last saw them. When a follower starts (or its session is replaced by a
new one), the state it finds is compared with that state, brought forward by the changes
recorded in the same session since, and each difference is recorded with `by` "unseen": who made
it and when is not known, only that it happened after `since` and was noticed at `at`.

Within one session marimo's cell ids are stable, so cells are compared by id. A new session (the
server restarted, the notebook opened again) numbers its cells afresh, so there the cells are
matched by their place and code instead (difflib), and a cell that moved is a delete and a create.
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

UNSEEN = "unseen"  # the `by` of a change found by comparing states, not told by the stream


@dataclass(frozen=True)
class SeenCell:
    id: str
    name: str
    code: str


@dataclass
class Seen:
    """The notebook's cells as a follower last saw them, in order."""

    session: str | None
    at: float
    cells: list[SeenCell] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"session": self.session, "at": self.at, "cells": [[c.id, c.name, c.code] for c in self.cells]}

    @classmethod
    def from_json(cls, raw: Any) -> "Seen | None":
        """A stored state, or None when the record is not one."""
        if not isinstance(raw, Mapping) or not isinstance(raw.get("at"), (int, float)):
            return None
        session = raw.get("session") if isinstance(raw.get("session"), str) else None
        cells = [SeenCell(*item) for item in raw.get("cells") or ()
                 if isinstance(item, list) and len(item) == 3 and all(isinstance(part, str) for part in item)]
        return cls(session, float(raw["at"]), cells)


@dataclass(frozen=True)
class Difference:
    """One cell's code differing between the known state and the found one."""

    kind: str  # edit | create | delete
    cell: SeenCell  # the cell as found now (a delete: as known)
    before: str
    place_after: str | None = None  # a deleted cell's neighbours when last known
    place_before: str | None = None


def brought_forward(seen: Seen, changes: Iterable[Any]) -> list[SeenCell]:
    """`seen`'s cells with every change recorded in its session after it applied (a new cell last).

    `changes` are CodeChange records, oldest first."""
    cells = {c.id: c for c in seen.cells}
    order = [c.id for c in seen.cells]
    for change in changes:
        if change.at <= seen.at or change.session != seen.session:
            continue
        if change.kind == "delete":
            cells.pop(change.cell_id, None)
            order = [cid for cid in order if cid != change.cell_id]
            continue
        if change.cell_id not in cells:
            order.append(change.cell_id)
        cells[change.cell_id] = SeenCell(change.cell_id, change.cell_name, change.after)
    return [cells[cid] for cid in order]


def differences(known: Sequence[SeenCell], found: Sequence[SeenCell], *, same_session: bool) -> list[Difference]:
    """What changed from `known` to `found`: by id in one session, by place and code across sessions."""
    if same_session:
        return _by_id(known, found)
    return _by_place(known, found)


def _by_id(known: Sequence[SeenCell], found: Sequence[SeenCell]) -> list[Difference]:
    was = {c.id: c for c in known}
    now = {c.id for c in found}
    result = [Difference("create" if c.id not in was else "edit", c, was[c.id].code if c.id in was else "")
              for c in found if c.id not in was or was[c.id].code != c.code]
    for index, cell in enumerate(known):
        if cell.id not in now:
            result.append(_deleted(known, index))
    return result


def _by_place(known: Sequence[SeenCell], found: Sequence[SeenCell]) -> list[Difference]:
    matcher = difflib.SequenceMatcher(a=[c.code for c in known], b=[c.code for c in found], autojunk=False)
    result: list[Difference] = []
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        if tag == "equal":
            continue
        paired = min(a1 - a0, b1 - b0) if tag == "replace" else 0
        result.extend(Difference("edit", found[b0 + i], known[a0 + i].code) for i in range(paired))
        result.extend(Difference("create", cell, "") for cell in found[b0 + paired:b1])
        result.extend(_deleted(known, index) for index in range(a0 + paired, a1))
    return result


def _deleted(known: Sequence[SeenCell], index: int) -> Difference:
    return Difference("delete", known[index], known[index].code,
                      place_after=known[index - 1].id if index > 0 else None,
                      place_before=known[index + 1].id if index + 1 < len(known) else None)


def unseen_id(since: float, difference: Difference) -> str:
    """The same in every process that notices the same difference since the same state."""
    key = f"{UNSEEN}:{since}:{difference.kind}:{difference.cell.id}:{difference.cell.code}"
    return "h" + hashlib.sha256(key.encode()).hexdigest()[:10]
