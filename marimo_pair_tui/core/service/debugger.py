"""An interactive pdb on a session: a failed cell's post-mortem, or a `breakpoint()` a running cell met.

A post-mortem starts as a snippet (the service's `execute`, no time limit)
that hands the traceback marimo keeps for the cell to the kernel's own
debugger; pdb then writes into the scratchpad's console and waits on the
kernel's input queue, as an `input()` does. A `breakpoint()` waits the same
way in the running cell's console. Either way pdb's text is read from the live
mirror, commands go through the service's `answer` (refused when nothing
waits), and pdb has ended when the cell stops waiting and no longer runs.

While pdb waits the kernel runs nothing else: every other snippet or cell
operation waits behind it (the service refuses them, `kernel_held`), and an
interrupt does not end it (pdb catches it). So `close()` sends `q` when pdb
still waits; a console that dies leaves the prompt for `answer q`.
"""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Any

from ..codemode.post_mortem import no_traceback
from ..errors import KernelHeldError, PairError
from ..model.cell import Cell
from ..model.notebook import Notebook
from ..model.pdb_text import Position, console_text, locals_probe, position, read_locals, waits_on_pdb
from ..wire.sessions import Target
from .lifecycle import NothingWaitingError
from .mirror import Mirror

if TYPE_CHECKING:
    from .pairing_service import PairingService

NO_TRACEBACK = "@@marimo-pair-tui/no-traceback"
READY_TIMEOUT = 60.0  # seconds pdb gets to show its first prompt (the snippet waits behind nothing: checked)
ANSWER_TIMEOUT = 3600.0  # seconds one command may run before its answer (a `c` runs the cell on)

Locals = dict[str, tuple[str, str]]


def post_mortem_snippet(cell_id: str) -> str:
    """The scratchpad program: the kernel's debugger on the cell's kept traceback, or a marker when none."""
    return "\n".join([
        "from marimo._runtime.context import get_context as _mpt_context",
        "_mpt_debugger = getattr(getattr(_mpt_context(), '_kernel', None), 'debugger', None)",
        f"_mpt_tb = (getattr(_mpt_debugger, '_last_tracebacks', None) or {{}}).get({json.dumps(cell_id)})",
        "if _mpt_tb is None:",
        f"    print({NO_TRACEBACK!r})",
        "else:",
        "    _mpt_debugger.post_mortem(_mpt_tb)",
    ])


def held_by(notebook: Notebook) -> tuple[Cell, str] | None:
    """The cell (scratchpad included) whose pdb holds the kernel, with its label."""
    for cell, _prompt in notebook.waiting_for_input():
        if waits_on_pdb(cell):
            return cell, "a snippet (a post-mortem)" if cell is notebook.scratch else f"cell {cell.label}"
    return None


def refuse_if_held(notebook: Notebook) -> None:
    """Nothing is sent while a debugger holds the kernel: it would wait until pdb ends."""
    held = held_by(notebook)
    if held is not None:
        raise KernelHeldError(f"The kernel is held by a debugger waiting on {held[1]}; nothing was sent "
                              "(it would wait until the debugger ends).", cell=held[0].id)


class DebugSession:
    """One pdb on a session, driven a command at a time: `start()` (a failed cell's post-mortem) or
    `attach()` (a `breakpoint()` waiting), then `send(command)`, then `close()`."""

    def __init__(self, service: PairingService, target: Target, cell: str) -> None:
        self.service = service
        self.target = target
        self.cell = cell  # the cell being debugged: the failed one, or the one at its breakpoint()
        self.chunks: list[str] = []  # pdb's text, each command written after its prompt (the probes left out)
        self.locals: Locals = {}
        self.where: Position | None = None
        self.ended = False
        self._mirror: Mirror | None = None
        self._source: str | None = None  # the id of the console pdb writes into
        self._run: asyncio.Task[Any] | None = None  # the post-mortem's snippet
        self._mark = 0  # how much of that console was read

    # -- reading the mirror -------------------------------------------------------------

    @property
    def transcript(self) -> str:
        return "".join(self.chunks)

    @property
    def mirror(self) -> Mirror:
        assert self._mirror is not None, "start() or attach() first"
        return self._mirror

    def _console(self, notebook: Notebook) -> Cell | None:
        return notebook.scratch if self._source == notebook.scratch.id else notebook.get(self._source or "")

    def _waiting(self, notebook: Notebook) -> bool:
        cell = self._console(notebook)
        return cell is not None and waits_on_pdb(cell)

    def _over(self, notebook: Notebook) -> bool:
        """pdb has ended: its cell no longer runs (a post-mortem's snippet finished, a breakpoint's cell went on)."""
        cell = self._console(notebook)
        return cell is None or cell.runtime != "running" or (self._run is not None and self._run.done())

    def _read(self) -> str:
        cell = self._console(self.mirror.notebook)
        text = console_text(cell) if cell is not None else ""
        fresh, self._mark = text[self._mark:], len(text)
        return fresh

    async def _next_prompt(self, key: int, timeout: float) -> str:
        """Wait until pdb waits at a prompt other than `key` (the console's length at the last one) or has
        ended; the text it wrote meanwhile."""

        def moved(nb: Notebook) -> bool:
            return (self._waiting(nb) and self._prompt_key() != key) or self._over(nb)

        waits = self.mirror.wait_until(moved, timeout=timeout)
        if self._run is None:
            await waits
        else:
            waiting = asyncio.ensure_future(waits)
            await asyncio.wait({waiting, self._run}, return_when=asyncio.FIRST_COMPLETED)
            waiting.cancel()
        self.ended = not self._waiting(self.mirror.notebook)
        return self._read()

    def _prompt_key(self) -> int:
        cell = self._console(self.mirror.notebook)
        return -1 if cell is None else len(cell.console)

    async def _answer(self, command: str, timeout: float) -> str:
        """Send one command to the waiting pdb; the text it wrote for it."""
        key = self._prompt_key()
        self._read()
        await self.service.answer(self.target, command)
        return await self._next_prompt(key, timeout)

    # -- starting -----------------------------------------------------------------------

    async def start(self) -> str:
        """A post-mortem of the failed cell; its first text (where it stands). NoTracebackError when the
        kernel keeps none, KernelHeldError when a debugger or input() already holds the kernel."""
        self._mirror = (await self.service.mirror(self.target)).value
        notebook = self.mirror.notebook
        refuse_if_held(notebook)
        if notebook.waiting_for_input():
            raise KernelHeldError("The kernel waits for an input() answer; nothing was started.")
        self._source = notebook.scratch.id
        run = self._run = asyncio.ensure_future(self.service.execute(
            self.target, post_mortem_snippet(self.cell), on_prompt=lambda _label, _prompt: None))
        waits = asyncio.ensure_future(self.mirror.wait_until(self._waiting, timeout=READY_TIMEOUT))
        await asyncio.wait({waits, run}, return_when=asyncio.FIRST_COMPLETED)
        waits.cancel()
        if run.done():
            self.ended = True
            if NO_TRACEBACK in run.result().value.stdout:  # a failed run raises here
                raise no_traceback(self.cell)
        self._mark = 0  # the scratchpad's console holds this snippet's text alone
        return await self._begun(self._read())

    async def attach(self) -> str:
        """The pdb a running cell's `breakpoint()` opened (or a post-mortem another client started in the
        scratchpad); the text it has written so far."""
        self._mirror = (await self.service.mirror(self.target)).value
        self._source = self.cell
        cell = self._console(self.mirror.notebook)
        if cell is None or not waits_on_pdb(cell):
            raise NothingWaitingError(f"No debugger waits on cell {self.cell}.")
        self._mark = 0
        return await self._begun(self._read())

    async def _begun(self, text: str) -> str:
        self.chunks.append(text)
        self.where = position(text)
        if not self.ended:
            await self._probe()
        return text

    # -- commands -----------------------------------------------------------------------

    async def send(self, command: str, *, timeout: float = ANSWER_TIMEOUT) -> str:
        """One pdb command; the text pdb wrote for it (until its next prompt, or its end)."""
        if self.ended:
            raise NothingWaitingError("The debugger has ended.", next="Start it again on the failed cell.")
        command = command.strip("\r\n")
        text = await self._answer(command, timeout)
        self.chunks.append(command + "\n" + text)
        found = position(text)
        if found is not None:
            self.where = found
        if not self.ended:
            await self._probe()
        return text

    async def _probe(self) -> None:
        """Read the current frame's locals with one more pdb command (kept out of the transcript)."""
        names = None
        where = self.where
        if where is not None and where.module_level and where.cell is not None:
            cell = self.mirror.notebook.get(where.cell)
            names = (cell.defs | cell.refs) if cell is not None else set()
        try:
            answer = await self._answer(locals_probe(names), READY_TIMEOUT)
        except PairError:
            return
        found = read_locals(answer)
        if found is not None:
            self.locals = found

    async def close(self) -> None:
        """End pdb (`q`) when it still waits; the post-mortem's snippet is waited for."""
        if not self.ended and self._mirror is not None and self._waiting(self.mirror.notebook):
            try:
                await self.send("q", timeout=READY_TIMEOUT)
            except PairError:
                pass
        self.ended = True
        if self._run is not None:
            await asyncio.wait({self._run}, timeout=READY_TIMEOUT)
            if self._run.done() and not self._run.cancelled():
                self._run.exception()  # retrieved: its outcome was told by pdb's end

