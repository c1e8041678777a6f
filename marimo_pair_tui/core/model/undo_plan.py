"""Undoing recorded code changes (core/model/history.py) as one batch of cell operations.

A revert puts back the code a change replaced: an edit's old code, a created
cell deleted, a deleted cell made again at its place. An undo does that for
several changes at once, cell by cell: each cell goes back to the code it had
before the first of them. Both are planned here against the notebook as the
live model holds it, and sent as one batch (core/codemode/batch.py): the
kernel applies all of it or nothing, and checks each edit against the code
the change left (`expect`), so nothing someone wrote since is overwritten
without `force`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .cell import UNNAMED, code_hash
from .history import CodeChange
from ..errors import ConflictError, InvalidRequestError

if TYPE_CHECKING:
    from .notebook import Notebook

REVERT_NEXT = ("Read the cell's history (`history CELL`) and its code (`cells`); revert the newer change first, "
               "or pass --force to put the old code back over what is there now.")


@dataclass
class UndoPlan:
    """The batch that undoes `reverted` (change ids), and what it leaves each cell as."""

    operations: list[dict[str, Any]] = field(default_factory=list)
    reverted: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class _CellUndo:
    """One cell's part of an undo: its first and last change among those undone."""

    first: CodeChange
    last: CodeChange

    @property
    def existed(self) -> bool:
        return self.first.kind != "create"

    @property
    def exists(self) -> bool:
        return self.last.kind != "delete"


def plan_revert(change: CodeChange, notebook: "Notebook", *, force: bool = False) -> UndoPlan:
    """The batch that puts back what `change` replaced."""
    return _plan([_CellUndo(change, change)], notebook, force=force, reverted=[change.id])


def plan_undo(selected: Sequence[CodeChange], history: Sequence[CodeChange], notebook: "Notebook") -> UndoPlan:
    """The batch that undoes `selected` (a subset of `history`, oldest first), all or nothing: refused when
    a change not selected touched one of their cells after the first selected one (it would be lost)."""
    by_cell: dict[str, list[CodeChange]] = {}
    for change in sorted(selected, key=lambda c: c.sort_key):
        by_cell.setdefault(change.cell_id, []).append(change)
    chosen = {c.id for c in selected}
    for cell_id, changes in by_cell.items():
        later = [c for c in history if c.cell_id == cell_id and c.sort_key >= changes[0].sort_key
                 and c.id not in chosen]
        if later:
            other = later[0]
            raise ConflictError(
                f"Cell {changes[0].cell_name or cell_id} ({cell_id}) was also changed by {other.by} "
                f"(change {other.id}) after change {changes[0].id}; undoing would lose that. Nothing was changed.",
                next="Review the cell's history (`history CELL`), then revert the changes one by one "
                     "(`revert CHANGE`, --force to overwrite on purpose).",
                cell={"id": cell_id, "name": changes[0].cell_name}, change=other.id, by=other.by,
            )
    undos = [_CellUndo(changes[0], changes[-1]) for changes in by_cell.values()]
    return _plan(undos, notebook, force=False, reverted=[c.id for c in sorted(selected, key=lambda c: c.sort_key)])


def _plan(undos: list[_CellUndo], notebook: "Notebook", *, force: bool, reverted: list[str]) -> UndoPlan:
    plan = UndoPlan(reverted=reverted)
    for undo in undos:
        _check(undo, notebook, force)
    creates = sorted((u for u in undos if u.existed and _cell(notebook, u.first.cell_id) is None),
                     key=lambda u: u.last.sort_key, reverse=True)  # the newest deletion first: anchors stand
    placed: dict[str, str] = {}
    for number, undo in enumerate(creates, start=1):
        plan.operations.append(_create(undo, notebook, placed, f"revert-{number}", plan.warnings))
    for undo in undos:
        cell = _cell(notebook, undo.first.cell_id)
        if cell is None:
            continue
        if not undo.existed:
            unchanged = {} if force else {"expect": code_hash(undo.last.after)}  # checked again as it is applied
            plan.operations.append({"op": "delete", "cell": cell.id, **unchanged})
        elif undo.first.before != cell.code:
            code = _code(undo.first)
            guard: dict[str, Any] = {"force": True} if force else {"expect": code_hash(undo.last.after)}
            plan.operations.append({"op": "edit", "cell": cell.id, "code": code, **guard})
    plan.operations.sort(key=lambda op: ("create", "edit", "delete").index(op["op"]))
    return plan


def _check(undo: _CellUndo, notebook: "Notebook", force: bool) -> None:
    """The cell must still be as the last change left it (unless `force`)."""
    for change in (undo.first, undo.last):
        if change.truncated:
            raise InvalidRequestError(
                f"Change {change.id} holds more code than the history keeps ({len(change.before)} characters "
                "kept), so it cannot be put back exactly.",
                next="Restore the code by hand (`edit`), from the notebook's own history (e.g. git).",
                change=change.id)
    if force:
        return
    cell = _cell(notebook, undo.last.cell_id)
    label = f"{undo.last.cell_name or undo.last.cell_id} ({undo.last.cell_id})"
    if undo.exists and cell is None:
        raise ConflictError(f"Cell {label} was deleted after change {undo.last.id}; nothing was changed.",
                            next=REVERT_NEXT, cell={"id": undo.last.cell_id, "name": undo.last.cell_name},
                            change=undo.last.id)
    if undo.exists and cell is not None and cell.code != undo.last.after:
        raise ConflictError(
            f"Cell {label} changed after change {undo.last.id}; nothing was changed.", next=REVERT_NEXT,
            cell={"id": cell.id, "name": cell.name}, change=undo.last.id, theirs=cell.code,
            yours=undo.first.before, theirs_hash=code_hash(cell.code))
    if not undo.exists and cell is not None:
        raise ConflictError(f"Cell {label} is back in the notebook after change {undo.last.id}; nothing was changed.",
                            next=REVERT_NEXT, cell={"id": cell.id, "name": cell.name}, change=undo.last.id)


def _cell(notebook: "Notebook", cell_id: str) -> Any:
    """The cell with that id (never one that only has it as its name)."""
    cell = notebook.get(cell_id)
    return cell if cell is not None and cell.id == cell_id else None


def _code(change: CodeChange) -> str:
    if not change.before.strip():
        raise InvalidRequestError(
            f"Before change {change.id} cell {change.cell_id} was empty; a cell cannot be set to empty code here.",
            next="Delete the cell instead (`delete`), or give it some code (`edit`).", change=change.id)
    return change.before


def _create(undo: _CellUndo, notebook: "Notebook", placed: dict[str, str], label: str,
            warnings: list[str]) -> dict[str, Any]:
    """The create that makes a deleted cell again, next to the neighbour it had if that is still there."""
    change = undo.first
    op: dict[str, Any] = {"op": "create", "code": _code(change), "id": label}
    name = change.cell_name
    if name and name != UNNAMED and name.isidentifier() and notebook.get(name) is None:
        op["name"] = name
    gone = undo.last if undo.last.kind == "delete" else change
    for key, anchor in (("after", gone.place_after), ("before", gone.place_before)):
        if anchor is not None and (_cell(notebook, anchor) is not None or anchor in placed):
            op[key] = placed.get(anchor, anchor)
            break
    else:
        if gone.kind == "delete":
            warnings.append(f"Cell {change.cell_id}'s neighbours are gone: it is made again at the end.")
    placed[change.cell_id] = label
    return op


__all__ = ["UndoPlan", "plan_revert", "plan_undo"]
