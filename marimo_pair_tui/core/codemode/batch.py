"""Batched cell changes: several creates, edits, moves and deletes, applied together and run once.

The operation list is checked here for its shape (before anything is sent),
then sent as one code_mode program (`apply`, in programs/batch.py):
the kernel checks every operation against the notebook and the notebook they
leave as a whole, refuses the batch naming the operation (numbered from 1)
or applies all of it in one code_mode batch, then runs the created and
edited cells (and what depends on them) once.

Operations:

- `{"op": "create", "code": ..., "name"?, "after"? | "before"?, "id"?}`: `id`
  is a temporary label later operations may name the new cell by;
- `{"op": "edit", "cell": ..., "code": ..., "expect": HASH}` (or `"force": true`);
- `{"op": "move", "cell": ..., "after" | "before": ...}`;
- `{"op": "delete", "cell": ..., "expect"?: HASH}`: with `expect`, refused as a conflict when the cell no
  longer holds the code read (a revert of a create deletes only the cell it made, unchanged).
"""

from __future__ import annotations

import keyword
from dataclasses import dataclass
from typing import Any

from .client import CellState, OpResult, call, reread_cells, saving_warnings
from ..wire.connection import Connection
from ..errors import InvalidRequestError
from ..wire.sessions import SessionRef

__all__ = ["OPS", "BatchResult", "apply_checked", "check_batch", "check_operations"]

OPS = ("create", "edit", "move", "delete")
FIELDS = {
    "create": {"op", "code", "name", "after", "before", "id"},
    "edit": {"op", "cell", "code", "expect", "force"},
    "move": {"op", "cell", "after", "before"},
    "delete": {"op", "cell", "expect"},
}
SHAPE = (
    'Send a JSON list of operations: {"op": "create", "code": ..., "name"?, "after"?|"before"?, "id"?}, '
    '{"op": "edit", "cell": ..., "code": ..., "expect": HASH} (or "force": true), '
    '{"op": "move", "cell": ..., "after"|"before": ...}, {"op": "delete", "cell": ..., "expect"?: HASH}.'
)


@dataclass
class BatchResult(OpResult):
    """An applied batch: `extra` has `applied` (one entry per operation), `ids` (temporary id -> cell id),
    `ran`, `deleted` and `stale`; a failure is only a cell this batch ran."""

    @property
    def failed_cells(self) -> list[str]:
        ran = set(self.extra.get("ran") or ())
        return [c.id for c in self.cells if c.failed and c.id in ran]


def _refuse(number: int, op: Any, message: str, next: str = SHAPE) -> InvalidRequestError:
    shown = op if isinstance(op, str) else None
    return InvalidRequestError(f"Operation {number}" + (f" ({shown})" if shown else "") + f": {message}",
                               next=next, operation={"number": number, "op": shown})


def _text(number: int, op: str, raw: dict[str, Any], key: str, what: str) -> str | None:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise _refuse(number, op, f"{key!r} must be {what}.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise _refuse(number, op, f"{key!r} is not valid Unicode text (it holds a lone surrogate).") from None
    return value


def _code(number: int, op: str, raw: dict[str, Any]) -> str:
    code = raw.get("code")
    if not isinstance(code, str) or not code.strip():
        raise _refuse(number, op, "'code' must be some Python (a non-empty string).")
    _text(number, op, raw, "code", "text")
    return code.rstrip("\r\n")  # a heredoc's last newline would become a blank line in the saved notebook


def check_operations(operations: Any) -> list[dict[str, Any]]:
    """The operations as the kernel takes them; InvalidRequestError (exit 2) naming the first bad one."""
    if not isinstance(operations, (list, tuple)):
        raise InvalidRequestError("The operations must be a list.", next=SHAPE)
    if not operations:
        raise InvalidRequestError("The list of operations is empty.", next=SHAPE)
    handles: dict[str, int] = {}  # temporary ids and names of created cells -> the operation creating them
    return [_check_operation(number, raw, handles) for number, raw in enumerate(operations, start=1)]


def _check_operation(number: int, raw: Any, handles: dict[str, int]) -> dict[str, Any]:
    """One operation as the kernel takes it; a create adds the handles it gives to `handles`."""
    op = _op_of(number, raw)
    out: dict[str, Any] = {"op": op, **_cells_named(number, op, raw)}
    _check_anchors(number, op, out, handles)
    if op in ("create", "edit"):
        out["code"] = _code(number, op, raw)
    if op == "create":
        out.update(_handles_given(number, op, raw, handles))
    if op == "edit":
        out.update(_edit_guard(number, op, raw))
    if op == "delete" and raw.get("expect") is not None:
        out["expect"] = _expected_hash(number, op, raw)
    return out


def _op_of(number: int, raw: Any) -> str:
    """The operation's kind, once it is an object with only the fields that kind takes."""
    if not isinstance(raw, dict):
        raise _refuse(number, None, f"each operation must be a JSON object, not {type(raw).__name__}.")
    op = raw.get("op")
    if op not in OPS:
        said = "'op' is missing" if op is None else f"unknown op {op!r}"
        raise _refuse(number, op, f"{said}; the ops are {', '.join(OPS)}.")
    unknown = sorted(str(k) for k in raw if k not in FIELDS[op])
    if unknown:
        raise _refuse(number, op, f"unknown field(s) {', '.join(map(repr, unknown))}; a {op} takes "
                                  f"{', '.join(sorted(FIELDS[op] - {'op'}))}.")
    return str(op)


def _cells_named(number: int, op: str, raw: dict[str, Any]) -> dict[str, str]:
    """The cells the operation names (`cell`, `after`, `before`), each as text."""
    named: dict[str, str] = {}
    for key in ("cell", "after", "before"):
        if key in FIELDS[op]:
            value = _text(number, op, raw, key, "a cell id or name (or a temporary id from an earlier create)")
            if value is not None:
                named[key] = value
    return named


def _check_anchors(number: int, op: str, out: dict[str, Any], handles: dict[str, int]) -> None:
    """The cell an operation acts on, and where it goes, are there and make sense together."""
    if op in ("edit", "move", "delete") and "cell" not in out:
        raise _refuse(number, op, "'cell' is required (a cell id or name).")
    if op in ("edit", "delete") and out["cell"] in handles:
        raise _refuse(number, op, f"{out['cell']!r} is the cell operation {handles[out['cell']]} creates: give "
                                  "its final code in that create instead.")
    if "after" in out and "before" in out:
        raise _refuse(number, op, "give either 'after' or 'before', not both.")
    if op == "move" and "after" not in out and "before" not in out:
        raise _refuse(number, op, "a move needs 'after' or 'before'.")


def _handles_given(number: int, op: str, raw: dict[str, Any], handles: dict[str, int]) -> dict[str, str]:
    """A create's temporary id and name: later operations may name the new cell by them, so each is unique."""
    given: dict[str, str] = {}
    for key in ("id", "name"):
        value = _text(number, op, raw, key, "a non-empty string")
        if value is None:
            continue
        if key == "name" and (not value.isidentifier() or keyword.iskeyword(value) or value == "_"):
            raise _refuse(number, op, f"the name {value!r} is not a Python identifier (a cell name must be one).")
        if value in handles and handles[value] != number:
            raise _refuse(number, op, f"{value!r} already names the cell operation {handles[value]} creates; "
                                      "temporary ids and names must be unique.")
        handles[value] = number
        given[key] = value
    return given


def _edit_guard(number: int, op: str, raw: dict[str, Any]) -> dict[str, Any]:
    """An edit's guard against overwriting what someone else wrote: the hash read, or force on purpose."""
    expect, force = raw.get("expect"), raw.get("force", False)
    if not isinstance(force, bool):
        raise _refuse(number, op, "'force' must be true or false.")
    if expect is not None:
        expect = _expected_hash(number, op, raw)
    if (expect is None) != force:
        raise _refuse(number, op, "give exactly one of 'expect' (the hash you read) or 'force': true.",
                      next="Read the cell with `cells` and pass its `hash` as expect; force overwrites on purpose.")
    return {"expect": expect} if expect is not None else {"force": True}


def _expected_hash(number: int, op: str, raw: dict[str, Any]) -> str:
    """The hash an operation expects the cell's code to have (as `cells` printed it)."""
    expect = raw.get("expect")
    if not isinstance(expect, str) or not expect.strip():
        raise _refuse(number, op, "'expect' must be the cell's hash as `cells` printed it.")
    return expect


def check_batch(operations: Any, run: Any) -> list[dict[str, Any]]:
    """A batch checked before anything is sent: the operations (`check_operations`), then `run`."""
    checked = check_operations(operations)
    if not isinstance(run, bool):
        raise InvalidRequestError("run must be true or false.", next=SHAPE)
    return checked


async def apply_checked(connection: Connection, session: SessionRef, checked: list[dict[str, Any]],
                        run: bool = True) -> OpResult:
    """Apply operations `check_batch` passed as one batch (all or nothing), then run the affected cells once if `run`."""
    reply, executed, narration = await call(connection, session, "apply", operations=checked, run=run)
    cells = [CellState.from_raw(c) for c in reply.get("cells", [])]
    extra = {k: v for k, v in reply.items() if k not in ("ok", "op", "cells", "order")}
    result = BatchResult(op="apply", cells=cells, order=list(reply.get("order", [])), extra=extra,
                         narration=narration, ran=bool(extra.get("ran")))
    result.warnings.extend(executed.warnings)
    for op in checked:
        if "code" in op:
            result.warnings.extend(w for w in saving_warnings(op["code"]) if w not in result.warnings)
    if result.ran:
        await reread_cells(connection, session, result)
    return result
