"""Reading a notebook's code history and planning its reverts, for the service's history, revert and undo.

The history itself is recorded by the live model (core/model/history.py) and
kept on disk (core/service/history_files.py); the batches that undo changes
are planned in core/model/undo_plan.py and applied through the service's one
batch path, so a revert is checked and applied as any batch is.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..errors import ConflictError, InvalidRequestError
from ..model.history import CodeChange, CodeHistory
from ..model.op_results import OpResult
from ..model.undo_plan import REVERT_NEXT, UndoPlan, plan_revert, plan_undo
from ..wire.sessions import Target
from .history_files import HistoryFiles, history_key
from .mirror import Mirror

HISTORY_DEFAULT = 50  # changes a history read returns unless told otherwise
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)\s*([smhd])$")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
ORIGINS = ("self", "other", "file", "any")  # relative to the door that asks; or who made it (BY_WORDS)
BY_WORDS = ("cli", "mcp", "app", "marimo-pair-tui", "code_mode", "browser", "unseen", "kernel", "cell-manager",
            "host")
SINCE_HELP = ("a change id (that change and every later one), an ISO time (2025-01-31T14:05), seconds since the "
              "epoch, or a duration ago (90s, 10m, 2h, 1d)")


@dataclass
class HistoryPage:
    """Changes newest first, whether more matched, the door they are relative to, and where they are kept."""

    changes: list[CodeChange]
    more: bool
    door: str
    path: Path
    warnings: list[str] = field(default_factory=list)


def since_time(text: str | None, history: CodeHistory, now: float | None = None) -> float | None:
    """The moment `text` names (see SINCE_HELP); None for none."""
    if text is None or not str(text).strip():
        return None
    text = str(text).strip()
    change = history.get(text)
    if change is not None:
        return change.at
    duration = _DURATION.match(text)
    if duration:
        return (time.time() if now is None else now) - float(duration.group(1)) * _SECONDS[duration.group(2)]
    try:
        return float(text)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(text).timestamp()
    except ValueError:
        raise InvalidRequestError(
            f"since {text!r} is neither a change id in the notebook's history nor a time.",
            next=f"Pass {SINCE_HELP}.", since=text) from None


def checked_origin(origin: str | None) -> str | None:
    """`origin` when it is one the history knows; else a refusal that lists them."""
    if origin is None or origin in ORIGINS or origin in BY_WORDS:
        return origin
    raise InvalidRequestError(
        f"origin {origin!r} is not one the history knows.",
        next=f"Pass one of {', '.join(ORIGINS)}, or who made the change: {', '.join(BY_WORDS)}.", origin=origin)


def held_history(histories: HistoryFiles, pairing: Mirror, target: Target) -> CodeHistory:
    """The notebook's history as every process recorded it so far."""
    history = histories.attach(pairing.notebook, target)
    histories.refresh(history_key(target))
    return history


def cell_key(history: CodeHistory, pairing: Mirror, cell: str | None) -> str | None:
    """The cell id `cell` means: a cell of the notebook (id or unique name), else one the history names
    (a deleted cell)."""
    if cell is None:
        return None
    found = pairing.notebook.get(cell)
    if found is not None:
        return found.id
    named = {c.cell_id for c in history.changes if cell in (c.cell_id, c.cell_name)}
    if len(named) == 1:
        return named.pop()
    raise InvalidRequestError(
        f"No cell {cell!r} in the notebook or its history" + (" (the name is ambiguous)." if named else "."),
        next="Pass a cell id from `cells` or `history`, or leave the cell out to read every change.", cell=cell)


def history_page(histories: HistoryFiles, pairing: Mirror, target: Target, *, cell: str | None, since: str | None,
                 origin: str | None, limit: int) -> HistoryPage:
    if limit < 1:
        raise InvalidRequestError("limit must be at least 1.", next="Pass a positive limit.")
    history = held_history(histories, pairing, target)
    found = history.select(cell=cell_key(history, pairing, cell), since=since_time(since, history),
                           origin=checked_origin(origin))
    found.reverse()
    notes = [histories.problem] if histories.problem else []
    return HistoryPage(found[:limit], len(found) > limit, history.door, histories.path_of(target), notes)


def revert_plan(histories: HistoryFiles, pairing: Mirror, target: Target, change_id: str, *, force: bool
                ) -> UndoPlan:
    history = held_history(histories, pairing, target)
    change = history.get(change_id)
    if change is None:
        raise InvalidRequestError(
            f"No change {change_id!r} in the notebook's history ({len(history)} changes kept).",
            next="List the changes with `history` and pass one's `id`.", change=change_id)
    return plan_revert(change, pairing.notebook, force=force)


def undo_plan(histories: HistoryFiles, pairing: Mirror, target: Target, since: str, origin: str) -> UndoPlan:
    history = held_history(histories, pairing, target)
    moment = since_time(since, history)
    if moment is None:
        raise InvalidRequestError("undo needs a since: what to undo back to.", next=f"Pass {SINCE_HELP}.")
    selected = history.select(since=moment, origin=checked_origin(origin))
    return plan_undo(selected, history.changes, pairing.notebook)


def nothing_done(plan: UndoPlan, pairing: Mirror) -> OpResult:
    """The answer when the changes leave nothing to do (a created cell already gone, no change since)."""
    return OpResult(op="apply", cells=[], order=pairing.notebook.cell_ids,
                    extra={"applied": [], "reverted": plan.reverted})


def revert_conflict(error: ConflictError) -> ConflictError:
    """The kernel's refusal of the batch, said about the revert (the cell changed after the plan was made)."""
    details = {k: v for k, v in error.details.items() if k != "next"}
    return ConflictError(error.message, next=REVERT_NEXT, **details)
