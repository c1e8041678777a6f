"""The history pane (alt+h): the notebook's code changes, by anyone, and reverting one (asks first).

The pane is filled from the service's `history` in a worker, when shown and
again when the model says cells changed; a revert goes through the service's
`revert` (one checked batch) and is reported in the results pane. When the
cell changed since the change, the conflict is said and a second question
offers to overwrite on purpose.
"""

from __future__ import annotations

from typing import Callable

from ....core.api import Changes, CodeChange, ConflictError, PairError
from ...widgets.history_pane import HistoryPane
from ..confirm_revert import ConfirmRevertScreen
from .link import Operations, Side

HISTORY_SHOWN = 500  # changes the pane lists at most, newest first


class HistoryCommands:
    """Shows, hides and fills the history pane; reverts the change it asks to."""

    def __init__(self, ops: Operations, pane: HistoryPane, side: Callable[[], Side],
                 show_side: Callable[[Side], None], back_to_work: Callable[[], object]) -> None:
        self.link, self.runner, self.notify = ops.link, ops.runner, ops.notify
        self.run_worker, self.ask = ops.run_worker, ops.ask
        self.pane = pane
        self.side = side
        self.show_side = show_side
        self.back_to_work = back_to_work
        self.fills = 0  # times the pane was filled (tests wait on it)
        self._version = -1  # the history's version the pane last showed

    @property
    def shown(self) -> bool:
        return self.side() == "history"

    def toggle(self) -> None:
        if self.shown:
            self.show_side("work")
            self.back_to_work()
            return
        self.show_side("history")
        self.refill()
        self.pane.focus_table()

    def model_changed(self, changes: Changes) -> None:
        """Refill when the history grew (a run's many cell updates change nothing in it)."""
        if self.shown and changes.cell_ids and self.link.notebook().history.version != self._version:
            self.refill()

    def refill(self) -> None:
        self.run_worker(self._fill(), group="pane-history", exclusive=True)

    async def _fill(self) -> None:
        self._version = self.link.notebook().history.version
        try:
            reply = await self.link.service.history(self.link.target(), limit=HISTORY_SHOWN)
        except PairError as error:
            self.notify(error.message, title="History", severity="warning", timeout=6)
            return
        self.pane.show(reply.value.changes, reply.value.door, self.link.label)
        self.fills += 1

    def revert(self, change: CodeChange) -> None:
        self.run_worker(self._revert(change), group="history-revert", exclusive=True)

    async def _revert(self, change: CodeChange) -> None:
        label = change.cell_name if change.cell_name not in ("", "_") else change.cell_id
        if not await self.ask(ConfirmRevertScreen(label, change.kind, change.before)):
            return
        service, target = self.link.service, self.link.target()
        try:
            await self.runner.cell_op("revert", label, lambda: service.revert(target, change.id),
                                      kernel_busy=self.link.kernel_busy())
        except ConflictError:
            if await self.ask(ConfirmRevertScreen(label, change.kind, change.before, forced=True)):
                await self.runner.cell_op("revert", label, lambda: service.revert(target, change.id, force=True),
                                          kernel_busy=self.link.kernel_busy())
        self.refill()
