"""How the pairing screen runs an operation and reports it: one RunBlock in the results pane each.

Cell operations (apply, create, run, move, delete) are serialised through one
lock instead of cancelling each other: cancelling a code_mode call mid-flight
closes its HTTP stream, which interrupts the kernel and leaves the outcome
unknown. Pressing alt+down three times moves the cell three places. The
service returns an operation only once the live mirror shows its change, so
the next operation reads a model that already has it. An operation waiting on
a session that a kernel restart closed is abandoned (marimo never ends its
stream): its block says so, and the operations queued behind it go on.
"""

from __future__ import annotations

import asyncio
import time
from contextlib import asynccontextmanager, contextmanager
from typing import AsyncIterator, Awaitable, Callable, Iterator

from textual.worker import NoActiveWorker, Worker, get_current_worker

from ....core.api import ConflictError, PairError
from ....core.api import OpResult, Reply
from ...display import Display
from ...widgets.results_pane import ResultsPane
from ...widgets.run_block import RunBlock

Notify = Callable[..., object]
Operation = Callable[[], Awaitable[Reply[OpResult]]]


def narration_without_console(narration: str, result: OpResult) -> str:
    """What the operation's program said, less what its cells printed.

    marimo streams the stdout of the cells a program runs on the program's own
    stdout, so the narration holds each cell's printed text besides marimo's
    summary lines ("re-ran cell ..."); a view that shows every cell's console
    under the cell's name leaves it out here, or the output shows twice."""
    rest = narration + "\n"  # the narration was stripped of its last newline; a console ends with one
    for cell in result.cells:
        for item in cell.console:
            if item.channel != "stdout" or not item.data:
                continue
            for text in (item.data, item.data.rstrip("\n")):
                at = rest.find(text) if text else -1
                if at != -1:
                    rest = rest[:at] + rest[at + len(text):]
                    break
    return rest.strip("\n")


class OperationRunner:
    """Starts, fails and finishes RunBlocks; runs cell operations one after the other."""

    def __init__(self, results: ResultsPane, fmt: Display, notify: Notify, label: Callable[[str], str]) -> None:
        self.results = results
        self.fmt = fmt
        self.notify = notify
        self.label = label  # a cell id -> how to name the cell
        self.lock = asyncio.Lock()
        self.snippet: RunBlock | None = None  # the snippet running (one at a time)
        self.on_result: Callable[[OpResult], object] | None = None  # hears every operation's result
        self._waiting: dict[RunBlock, tuple[float, Worker[object]]] = {}  # sent, not answered: when, whose

    # -- operations in flight ---------------------------------------------------------

    @contextmanager
    def in_flight(self, block: RunBlock, began: float) -> Iterator[None]:
        """While an operation's request is out (in a worker): it can be abandoned if its session ends."""
        try:
            self._waiting[block] = (began, get_current_worker())
        except NoActiveWorker:
            pass  # not in a worker: nothing to cancel
        try:
            yield
        finally:
            self._waiting.pop(block, None)

    def waiting(self) -> list[RunBlock]:
        """The operations whose request is out now."""
        return list(self._waiting)

    def abandon(self, blocks: list[RunBlock], why: str) -> None:
        """Stop waiting for `blocks` (those still out): their session ended, so their answer never
        comes. Each block says `why`; its worker is cancelled."""
        for block in blocks:
            entry = self._waiting.pop(block, None)
            if entry is None:
                continue  # answered meanwhile
            began, worker = entry
            worker.cancel()
            if self.snippet is block:
                self.snippet = None  # ctrl+r runs again at once, not once the worker has unwound
            block.line(why, "yellow")
            block.finish(False, self.summary("ended", began))

    @property
    def snippet_running(self) -> bool:
        return self.snippet is not None

    @property
    def busy(self) -> bool:
        """An operation is in flight (leaving now would cut it off)."""
        return self.snippet_running or self.lock.locked()

    # -- reporting ------------------------------------------------------------

    def start(self, kind: str, title: str) -> RunBlock:
        return self.results.start(kind, title, self.fmt.clock())

    def summary(self, outcome: str, began: float) -> str:
        return f"{outcome} {self.fmt.dot} {self.fmt.duration(time.monotonic() - began)}"

    def fail(self, block: RunBlock, error: BaseException, began: float) -> None:
        """Report a failure in the block and as a notification; the editor text is never touched."""
        if isinstance(error, PairError):
            block.line(error.message, "bold red")
            if error.next:
                block.line(error.next, "yellow")
            self.notify(error.message, title="Failed", severity="error", timeout=8)
        else:
            block.line(f"Unexpected error: {error!r}", "bold red")
            self.notify(f"Unexpected error: {error!r}", severity="error", timeout=8)
        block.finish(False, self.summary("failed", began))
        self.results.follow()

    # -- cell operations ----------------------------------------------------------

    @asynccontextmanager
    async def turn(self, kind: str, title: str, *, kernel_busy: bool = False) -> AsyncIterator[RunBlock]:
        """A block for the operation, entered once the earlier cell operations are done."""
        block = self.start(kind, title)
        if self.lock.locked() or kernel_busy:
            block.line("waiting for the kernel" + self.fmt.ellipsis, "dim")
        async with self.lock:
            yield block

    async def cell_op(self, kind: str, title: str, op: Operation, *, kernel_busy: bool = False,
                      shows_console: bool = False) -> tuple[OpResult | None, RunBlock]:
        """Run one code_mode operation after the earlier ones, reporting into the results pane."""
        async with self.turn(kind, title, kernel_busy=kernel_busy) as block:
            return await self.run(block, op, shows_console=shows_console), block

    async def run(self, block: RunBlock, op: Operation, *, shows_console: bool = False) -> OpResult | None:
        """Run `op` (its turn already taken) and report it; None when it failed. A conflict is
        reported as such and raised, for the caller's dialog. `shows_console`: the caller shows
        each cell's console, so the narration leaves out what the cells printed."""
        began = time.monotonic()
        try:
            with self.in_flight(block, began):
                reply = await op()
        except ConflictError:
            block.finish(False, self.summary("conflict", began))
            raise
        except Exception as error:  # reported, never raised into the app
            self.fail(block, error, began)
            return None
        result = reply.value
        if self.on_result is not None:
            self.on_result(result)
        narration = narration_without_console(result.narration, result) if shows_console else result.narration
        if narration:
            block.line(narration, "dim")
        for warning in [*reply.warnings, *result.warnings]:
            block.line(warning, "yellow")
        for state in result.cells:
            for cell_error in state.errors:
                block.line(f"{state.name or state.id}: {cell_error.message}", "red")
        ok = result.success
        failed = ", ".join(self.label(c) for c in result.failed_cells)
        outcome = "ok" if ok else f"failed: {failed}" if failed else "failed"
        block.finish(ok, self.summary(outcome, began))
        self.results.follow()
        return result
