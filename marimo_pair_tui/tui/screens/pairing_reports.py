"""How the pairing screen runs an operation and reports it: one RunBlock in the results pane each.

Cell operations (apply, create, run, move, delete) are serialised through one
lock instead of cancelling each other: cancelling a code_mode call mid-flight
closes its HTTP stream, which interrupts the kernel and leaves the outcome
unknown. Pressing alt+down three times moves the cell three places.

A part of `PairingScreen` (pairing.py), mixed into it: it uses the screen's
results pane, display format, session and `_ops_lock`.
"""

from __future__ import annotations

import time
from typing import Awaitable, Callable

from ...core.codemode import OpResult
from ...core.errors import ConflictError, PairError
from ..widgets.run_block import RunBlock

WAIT_FOR_MODEL = 5.0  # seconds an operation waits for the live model to show what it did


class OperationReports:
    """Start, fail and finish RunBlocks; run cell operations one after the other."""

    def _start(self, kind: str, title: str) -> RunBlock:
        return self.results.start(kind, title, self.fmt.clock())

    def _fail(self, block: RunBlock, error: BaseException, began: float) -> None:
        if isinstance(error, PairError):
            block.line(error.message, "bold red")
            if error.next:
                block.line(error.next, "yellow")
            self.notify(error.message, title="Failed", severity="error", timeout=8)
        else:
            block.line(f"Unexpected error: {error!r}", "bold red")
            self.notify(f"Unexpected error: {error!r}", severity="error", timeout=8)
        block.finish(False, self._summary("failed", began))
        self.results.follow()

    def _summary(self, outcome: str, began: float) -> str:
        return f"{outcome}{self._dot}{self.fmt.duration(time.monotonic() - began)}"

    @property
    def _dot(self) -> str:
        return f" {self.fmt.dot} "

    async def _cell_op(self, kind: str, title: str, op: Callable[[], Awaitable[OpResult]]
                       ) -> tuple[OpResult | None, RunBlock]:
        """Run one code_mode operation after the earlier ones, reporting into the results pane."""
        block = self._start(kind, title)
        if self._ops_lock.locked() or not self.notebook.is_idle():
            block.line("waiting for the kernel" + self.fmt.ellipsis, "dim")
        async with self._ops_lock:
            return await self._op_locked(block, op), block

    async def _op_locked(self, block: RunBlock, op: Callable[[], Awaitable[OpResult]]) -> OpResult | None:
        began = time.monotonic()
        try:
            result = await op()
            if result.order:
                await self.session.wait_until(  # type: ignore[union-attr]
                    lambda nb: nb.cell_ids == result.order, timeout=WAIT_FOR_MODEL
                )
        except ConflictError:
            block.finish(False, self._summary("conflict", began))
            raise
        except Exception as error:  # reported, never raised into the app
            self._fail(block, error, began)
            return None
        if result.narration:
            block.line(result.narration, "dim")
        for warning in result.warnings:
            block.line(warning, "yellow")
        for state in result.cells:
            for error in state.errors:
                block.line(f"{state.name or state.id}: {error.message}", "red")
        ok = result.success
        outcome = "ok" if ok else "failed: " + ", ".join(self._label(c) for c in result.failed_cells)
        block.finish(ok, self._summary(outcome, began))
        self.results.follow()
        return result
