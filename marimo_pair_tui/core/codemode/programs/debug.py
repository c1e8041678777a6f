"""Kernel side of the one-shot post-mortem: a failed cell's kept traceback, read by a batch pdb.

Sent with base.py (appended to its text, so `OPERATIONS` is that module's, and
every name here is `debug`-prefixed: the modules share one namespace). marimo
keeps the traceback of each cell's last failed run in its debugger
(`_last_tracebacks`, dropped when the cell runs again). A fresh pdb reads the
commands from a string and writes into another, so the kernel never waits for
input: when the commands run out, end of file ends pdb. The frames and their
locals are read from the traceback itself, as short reprs (never JSON of user
objects).
"""

import contextlib
import io
import linecache
import re
import reprlib
import traceback
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # in the kernel these are the names base.py defined just above
    from .base import OPERATIONS, Refusal

DEBUG_CELL_FILE = re.compile(r"__marimo__cell_(\w+?)_\.py$")
DEBUG_LOCALS_MAX = 60  # names per frame
DEBUG_REPR_CHARS = 200
DEBUG_TRANSCRIPT_CHARS = 32_000
# pdb commands that would wait on the kernel's own input (interact's console) or re-run the cell.
DEBUG_REFUSED = ("interact", "run", "restart")


def _debug_repr(value: Any) -> str:
    shorter = reprlib.Repr()
    shorter.maxstring, shorter.maxother, shorter.maxlist, shorter.maxdict = 160, 160, 10, 10
    try:
        text = shorter.repr(value)
    except Exception as exc:  # a repr that raises is the user's: say so instead
        text = f"<repr failed: {type(exc).__name__}>"
    return text if len(text) <= DEBUG_REPR_CHARS else text[: DEBUG_REPR_CHARS - 1] + "…"


def _debug_names(frame: Any, cell_id: Any, graph: Any) -> list[str]:
    """A function frame's locals; a cell's own frame (its locals are the kernel's globals): the names the
    cell defines or reads (marimo runs a cell's last expression as code of its own, so the frame's code
    alone may name none of them) that hold a value, so a notebook's other globals stay out."""
    scope = frame.f_locals
    if frame.f_code.co_name != "<module>" or cell_id is None:
        return [n for n in scope if not n.startswith("__")][:DEBUG_LOCALS_MAX]
    wanted = [*frame.f_code.co_varnames, *frame.f_code.co_names]
    cell = graph.cells.get(cell_id) if graph is not None else None
    if cell is not None:
        wanted += sorted(getattr(cell, "defs", ())) + sorted(getattr(cell, "refs", ()))
    names = dict.fromkeys(n for n in wanted if n in scope and not n.startswith("__"))
    return list(names)[:DEBUG_LOCALS_MAX]


def _debug_line(filename: str, line: int, cell_id: Any, graph: Any) -> str:
    text = linecache.getline(filename, line)
    if not text and cell_id is not None and graph is not None and cell_id in graph.cells:
        lines = graph.cells[cell_id].code.splitlines()
        text = lines[line - 1] if 0 < line <= len(lines) else ""
    return text.rstrip("\n")


def _debug_frames(tb: Any, graph: Any) -> list[dict[str, Any]]:
    frames = []
    for frame, line in traceback.walk_tb(tb):
        filename = frame.f_code.co_filename
        found = DEBUG_CELL_FILE.search(filename)
        cell_id = found.group(1) if found else None
        names = _debug_names(frame, cell_id, graph)
        frames.append({
            "file": filename, "line": line, "function": frame.f_code.co_name, "cell": cell_id,
            "code": _debug_line(filename, line, cell_id, graph),
            "locals": {n: {"type": type(frame.f_locals[n]).__name__, "repr": _debug_repr(frame.f_locals[n])}
                       for n in names},
        })
    return frames


def _debug_transcript(tb: Any, commands: list[str]) -> str:
    """pdb's text for `commands` on the traceback, each command written after its prompt."""
    import pdb

    class _DebugBatch(pdb.Pdb):  # pdb.Pdb is marimo's in the kernel; stdin given: no raw input
        def precmd(self, line: str) -> str:
            if line != "EOF":
                self.stdout.write(line.rstrip("\n") + "\n")
            return super().precmd(line)

    out = io.StringIO()
    batch = _DebugBatch(stdin=io.StringIO("".join(c + "\n" for c in commands)), stdout=out, nosigint=True,
                        readrc=False)
    with contextlib.redirect_stdout(out):  # `!print(...)` writes to sys.stdout
        batch.reset()
        batch.interaction(None, tb)
    text = out.getvalue()
    return text if len(text) <= DEBUG_TRANSCRIPT_CHARS else "…" + text[-DEBUG_TRANSCRIPT_CHARS:]


def _debug_kept(kernel: Any, cell_id: str) -> Any:
    debugger = getattr(kernel, "debugger", None)
    kept = getattr(debugger, "_last_tracebacks", None)
    if not isinstance(kept, dict):
        raise Refusal("debugger_unavailable", "This kernel has no debugger (marimo keeps one in edit mode only).")
    return kept.get(cell_id)


async def op_debug(request: dict[str, Any], phase: Any) -> dict[str, Any]:
    from marimo._runtime.context import get_context

    commands = [str(c) for c in request.get("commands") or []]
    for command in commands:
        if "\n" in command or command.split(" ", 1)[0].strip() in DEBUG_REFUSED:
            raise Refusal("invalid", f"The pdb command {command!r} cannot run in a batch (one line each; "
                                     "no interact, run or restart).")
    kernel = getattr(get_context(), "_kernel", None)
    tb = _debug_kept(kernel, request["cell"])
    if tb is None:
        return {"traceback": False, "cells": []}
    graph = getattr(kernel, "graph", None)
    transcript = _debug_transcript(tb, commands)
    return {"traceback": True, "frames": _debug_frames(tb, graph), "transcript": transcript, "cells": []}


OPERATIONS.update({"debug": op_debug})
