"""A failed cell's post-mortem in one request: pdb's transcript for some commands, the frames and their locals.

One code_mode program (`debug`, in programs/debug.py) runs a batch pdb on the
traceback marimo keeps for the cell's last failed run: its commands come from
a string, so the kernel is never left waiting for input, and end of file ends
pdb. The frames come from the traceback itself: outermost first, the last one
where the exception was raised.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

from ..errors import InvalidRequestError, NoTracebackError
from ..wire.connection import Connection
from ..wire.sessions import SessionRef
from .client import call

BATCH_REFUSED = ("interact", "run", "restart")  # as the kernel program refuses them (programs/debug.py)


@dataclass
class Frame:
    """One frame of the traceback: where, what line, and its locals as short reprs (name -> type, repr)."""

    file: str
    line: int
    function: str
    cell: str | None  # the cell whose code the frame runs, when it is a cell's
    code: str  # the line's text
    locals: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass
class PostMortem:
    """What a batch post-mortem read: the cell, pdb's transcript, the frames (outermost first)."""

    cell: str
    commands: list[str]
    transcript: str
    frames: list[Frame]
    error: str | None = None  # the exception as the cell's output told it

    @property
    def current(self) -> Frame | None:
        """The frame where the exception was raised."""
        return self.frames[-1] if self.frames else None

    @property
    def cell_frame(self) -> Frame | None:
        """The innermost frame that runs the cell's own code."""
        return next((f for f in reversed(self.frames) if f.cell == self.cell), None)


def _frame(raw: Any) -> Frame:
    locals_ = raw.get("locals") if isinstance(raw.get("locals"), dict) else {}
    return Frame(file=str(raw.get("file", "")), line=int(raw.get("line") or 0), function=str(raw.get("function", "")),
                 cell=raw.get("cell") if isinstance(raw.get("cell"), str) else None, code=str(raw.get("code", "")),
                 locals={str(k): {"type": str(v.get("type", "")), "repr": str(v.get("repr", ""))}
                         for k, v in locals_.items() if isinstance(v, dict)})


def no_traceback(cell_id: str, label: str | None = None) -> NoTracebackError:
    """The refusal for a cell whose traceback the kernel does not keep."""
    return NoTracebackError(
        f"The kernel keeps no traceback for cell {label or cell_id}: it did not fail on its last run, or it ran "
        "again since, or the kernel restarted.", cell=cell_id)


def check_commands(commands: Sequence[str]) -> list[str]:
    """pdb commands for a batch: one line each, not empty."""
    found = [str(c) for c in commands]
    for command in found:
        if not command.strip() or "\n" in command or "\r" in command:
            raise InvalidRequestError(f"The pdb command {command!r} is not one line of text.",
                                      next="Pass each pdb command on its own (--cmd 'p x' --cmd up).")
        if command.split(maxsplit=1)[0] in BATCH_REFUSED:
            raise InvalidRequestError(
                f"The pdb command {command!r} cannot run in a batch: it would wait on the kernel's input "
                "(interact) or run the cell again (run, restart).",
                next="Leave it out, or drive pdb interactively (`exec` a post-mortem, then `answer` its prompts).")
    return found


async def post_mortem(connection: Connection, session: SessionRef, cell_id: str, commands: Sequence[str],
                      label: str | None = None) -> PostMortem:
    """Run `commands` in a batch pdb on the cell's kept traceback; no kept traceback -> NoTracebackError."""
    wanted = check_commands(commands)
    reply, _result, _narration = await call(connection, session, "debug", mutation=False, cell=cell_id,
                                            commands=wanted)
    if not reply.get("traceback"):
        raise no_traceback(cell_id, label)
    frames = [_frame(f) for f in reply.get("frames", []) if isinstance(f, dict)]
    return PostMortem(cell=cell_id, commands=wanted, transcript=str(reply.get("transcript", "")), frames=frames)
