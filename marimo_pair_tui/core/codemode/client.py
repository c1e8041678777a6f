"""Cell operations through marimo's code_mode, as programs built from data.

Each call sends one program to `POST /api/kernel/execute`. The program is a
fixed text (the sources in `programs/` plus a few lines that run them)
with the request embedded as a JSON string literal: user code, ids and names
never become program text. The kernel answers with framed lines
`@@marimo-pair-tui/reply:<nonce>:<i>:<n>:<json chunk>`; the nonce is fresh
per call, so nothing a cell prints can pass for the reply.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Any, Sequence

from ..model.op_results import (
    FAILED_STATUSES, MARKER, CellErrorInfo, CellState, ConsoleItem, OpResult, Snapshot, parse_reply,
)
from ..wire.connection import Connection
from ..errors import (
    CellNotFoundError,
    CellSyntaxError,
    CodeModeError,
    ConflictError,
    CycleError,
    InvalidRequestError,
    MultiplyDefinedError,
    OutcomeUnknownError,
    PairError,
    UiNotFoundError,
)
from ..wire.execute import ExecResult, execute
from ..wire.sessions import SessionRef

__all__ = [
    "FAILED_STATUSES", "MARKER", "CellErrorInfo", "CellState", "ConsoleItem", "OpResult", "Snapshot",
    "add_packages", "build_program", "call", "create_cell", "delete_cell", "edit_cell",
    "move_cell", "parse_reply", "reread_cells", "run_cells", "saving_warnings", "snapshot",
]

# The kernel program: the cell operations, then the UI-element, batch and variable-preview ones (which use
# the first's names).
_KERNEL_SOURCES = tuple(Path(__file__).parent / "programs" / n for n in ("base.py", "ui.py", "batch.py", "peek.py",
                                                                     "debug.py"))


# Characters marimo 0.25 does not save as given: its file writer indents after
# every str.splitlines() break (not only \n), and its compiler turns U+00A0 into
# a space. The kernel keeps the code exact; the notebook file does not.
_SAVED_AS_LINE_BREAKS = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


def saving_warnings(code: str) -> list[str]:
    """Why the notebook file will not hold `code` exactly (empty when it will)."""
    warnings = []
    breaks = sorted({f"U+{ord(ch):04X}" for ch in code if ch in _SAVED_AS_LINE_BREAKS})
    if breaks:
        warnings.append(
            f"The code holds {', '.join(breaks)}, which marimo's file writer treats as line breaks: "
            "the saved notebook will have extra indentation after them. Write them as escapes "
            "(e.g. '\\u2028') inside strings to keep the file exact."
        )
    if "\u00a0" in code:
        warnings.append("marimo saves non-breaking spaces (U+00A0) in the code as plain spaces.")
    return warnings


# ---------------------------------------------------------------- the program


@lru_cache(maxsize=1)
def kernel_source() -> str:
    texts = [path.read_text(encoding="utf-8") for path in _KERNEL_SOURCES]
    return "\n\n".join(texts)


def build_program(request: dict[str, Any]) -> str:
    """The program text for one request; only `repr()`'d string literals vary."""
    source = kernel_source()
    module_key = "_marimo_pair_tui_kernel_" + hashlib.sha256(source.encode("utf-8")).hexdigest()[:16]
    request_json = json.dumps(request, ensure_ascii=True)
    return "\n".join(
        [
            "import sys as _mpt_sys, types as _mpt_types",
            f"_mpt_key = {module_key!r}",
            "_mpt_mod = _mpt_sys.modules.get(_mpt_key)",
            "if _mpt_mod is None:",
            "    _mpt_mod = _mpt_types.ModuleType(_mpt_key)",
            f"    exec(compile({source!r}, '<marimo-pair-tui>', 'exec'), _mpt_mod.__dict__)",
            "    _mpt_sys.modules[_mpt_key] = _mpt_mod",
            f"await _mpt_mod.main({request_json!r})",
            "",
        ]
    )


_REFUSALS: dict[str, type[PairError]] = {
    "cell_not_found": CellNotFoundError,
    "invalid": InvalidRequestError,
    "syntax_error": CellSyntaxError,
    "multiply_defined": MultiplyDefinedError,
    "cycle": CycleError,
    "conflict": ConflictError,
    "ui_not_found": UiNotFoundError,
}


def _raise_refusal(error: dict[str, Any], mutation: bool) -> None:
    kind = str(error.get("kind", ""))
    message = str(error.get("message", "The kernel refused the operation."))
    details = {k: v for k, v in error.items() if k not in ("kind", "message")}
    if kind in _REFUSALS:
        raise _REFUSALS[kind](message, **details)
    applied = details.get("applied", "no")
    if mutation and applied != "no":
        raise OutcomeUnknownError(
            f"The operation failed in the kernel after code_mode started applying it: {message}",
            **details,
        )
    raise CodeModeError(f"code_mode failed in the kernel: {message}", **details)


async def call(
    connection: Connection, session: SessionRef, op: str, *, mutation: bool = True, **args: Any
) -> tuple[dict[str, Any], ExecResult, str]:
    """Send one request; return (reply, raw execute result, narration). Refusals raise."""
    nonce = secrets.token_hex(16)
    request = {"op": op, "nonce": nonce, **{k: v for k, v in args.items() if v is not None}}
    result = await execute(connection, session, build_program(request))
    reply, narration = parse_reply(result.stdout, nonce)
    if reply is None:
        tail = (result.stderr or narration).strip()[-2000:]
        if mutation:
            raise OutcomeUnknownError(
                "The kernel did not answer the cell operation (it may have been interrupted); "
                "it may or may not have been applied.",
                stderr=tail,
            )
        raise CodeModeError("The kernel did not answer the request.", stderr=tail)
    if not reply.get("ok"):
        _raise_refusal(reply.get("error") or {}, mutation)
    return reply, result, narration


def _check_text(value: str, what: str) -> None:
    if not isinstance(value, str):
        raise InvalidRequestError(f"The {what} must be text.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidRequestError(f"The {what} is not valid Unicode text (it holds a lone surrogate).") from None


def _check_target(value: str | None, what: str) -> None:
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise InvalidRequestError(f"The {what} must be a cell id or cell name.")


async def _operation(
    connection: Connection, session: SessionRef, op: str, args: dict[str, Any], *, refresh: bool = False
) -> OpResult:
    reply, executed, narration = await call(connection, session, op, **args)
    cells = [CellState.from_raw(c) for c in reply.get("cells", [])]
    result = OpResult(
        op=op,
        cells=cells,
        order=list(reply.get("order", [])),
        extra={k: v for k, v in reply.items() if k not in ("ok", "op", "cells", "order")},
        narration=narration,
        ran=op == "run" or bool(args.get("run")),
    )
    result.warnings.extend(executed.warnings)
    if refresh:
        await reread_cells(connection, session, result)
    return result


async def reread_cells(connection: Connection, session: SessionRef, result: OpResult) -> None:
    """Read an operation's cells again after it ran them: code_mode's outputs are frozen when a program starts."""
    if not result.cells:
        return
    try:
        fresh = await snapshot(connection, session, ids=[c.id for c in result.cells])
    except PairError as exc:
        result.warnings.append(f"Could not re-read the cells' outputs after the run: {exc.message}")
        return
    by_id = {c.id: c for c in fresh.cells}
    result.cells = [by_id.get(c.id, c) for c in result.cells]


# ---------------------------------------------------------------- public API


async def snapshot(connection: Connection, session: SessionRef, ids: Sequence[str] | None = None) -> Snapshot:
    """Every cell (or the cells `ids` names) with code, hash, status, outputs, defs and refs."""
    for target in ids or ():
        _check_target(target, "cell")
    reply, _result, _narration = await call(
        connection, session, "snapshot", mutation=False, ids=list(ids) if ids is not None else None
    )
    raw_cells = reply.get("cells", [])
    return Snapshot(
        cells=[CellState.from_raw(c) for c in raw_cells],
        order=list(reply.get("order", [])),
        raw={"cells": raw_cells},
    )


async def create_cell(
    connection: Connection,
    session: SessionRef,
    code: str,
    *,
    before: str | None = None,
    after: str | None = None,
    name: str | None = None,
    run: bool = False,
    hide_code: bool = False,
) -> OpResult:
    """Add a cell (at the end unless placed); `extra["created"]` is its id."""
    _check_text(code, "code")
    _check_target(before, "--before cell")
    _check_target(after, "--after cell")
    if before is not None and after is not None:
        raise InvalidRequestError("Give either before or after, not both.")
    args = {"code": code, "before": before, "after": after, "name": name, "run": run, "hide_code": hide_code}
    result = await _operation(connection, session, "create", args, refresh=run)
    result.warnings.extend(saving_warnings(code))
    return result


async def edit_cell(
    connection: Connection,
    session: SessionRef,
    target: str,
    code: str,
    *,
    expect: str | None = None,
    base: str | None = None,
    force: bool = False,
    run: bool = False,
) -> OpResult:
    """Replace a cell's code only if it still is what the caller saw (hash or base code), unless forced.

    A changed cell raises ConflictError carrying `theirs` (current code) and
    `yours` (the proposed code); nothing is applied.
    """
    _check_target(target, "cell")
    _check_text(code, "code")
    if base is not None:
        _check_text(base, "base code")
    if not force and expect is None and base is None:
        raise InvalidRequestError("An edit needs the hash you read (expect), the base code, or force.")
    args = {"target": target, "code": code, "expect": expect, "base": base, "force": force, "run": run}
    result = await _operation(connection, session, "edit", args, refresh=run)
    result.warnings.extend(saving_warnings(code))
    return result


async def run_cells(connection: Connection, session: SessionRef, targets: Sequence[str]) -> OpResult:
    """Run cells; the result holds them and the descendants the run touched."""
    if not targets:
        raise InvalidRequestError("Name at least one cell to run.")
    for target in targets:
        _check_target(target, "cell")
    return await _operation(connection, session, "run", {"targets": list(targets)}, refresh=True)


async def delete_cell(connection: Connection, session: SessionRef, target: str) -> OpResult:
    """Delete a cell; `extra["stale"]` lists the cells that then read as stale (descendants that ran keep
    their last result: marimo does not re-run them)."""
    _check_target(target, "cell")
    return await _operation(connection, session, "delete", {"target": target})


async def move_cell(
    connection: Connection, session: SessionRef, target: str, *, before: str | None = None, after: str | None = None
) -> OpResult:
    """Move a cell before or after another; `order` is the new notebook order."""
    _check_target(target, "cell")
    _check_target(before, "--before cell")
    _check_target(after, "--after cell")
    if (before is None) == (after is None):
        raise InvalidRequestError("Give exactly one of before or after.")
    return await _operation(connection, session, "move", {"target": target, "before": before, "after": after})


async def add_packages(connection: Connection, session: SessionRef, names: Sequence[str]) -> OpResult:
    """Install packages into the kernel's environment; `extra["packages"]` has each outcome."""
    if not names or any(not isinstance(n, str) or not n.strip() for n in names):
        raise InvalidRequestError("Name at least one package.")
    return await _operation(connection, session, "packages_add", {"names": list(names)})
