"""The screenshot key: the selected cell's output as marimo's front end draws it, shown in the app.

The picture is taken by the session service (its warm browser, core/service/pictures.py) in a
worker, so the keys stay live meanwhile. The notebook view shows it under the cell's output (until
the output changes); without the notebook view it opens in a dialog over the screen. No Chromium,
no Playwright or nothing drawn is told in a notification with what to do.
"""

from __future__ import annotations

from typing import Any, Callable

from textual.screen import Screen

from ....core.api import PairError
from ..picture import PictureScreen
from .link import CellSelection, Notify, RunWorker, SessionLink

UNDER_CELL = "The output as the browser draws it (alt+p: again)"


class PictureCommands:
    """Takes the selected cell's picture and shows it."""

    def __init__(self, link: SessionLink, selection: CellSelection, notify: Notify, run_worker: RunWorker,
                 push: Callable[[Screen[Any]], object]) -> None:
        self.link, self.selection, self.notify, self.run_worker, self.push = link, selection, notify, run_worker, push

    def take(self) -> None:
        cell = self.selection.cell()
        if cell is None:
            return
        self.notify(f"Taking a picture of {cell.label}'s output in the browser…", timeout=3)
        self.run_worker(self._take(cell.id, cell.label), group="picture", exclusive=True)

    async def _take(self, cell_id: str, label: str) -> None:
        try:
            reply = await self.link.service.screenshot(self.link.target(), cell_id)
        except PairError as error:
            self.notify(f"No picture of {label}: {error.message} {error.next}", severity="error", timeout=15)
            return
        caption = f"{label}: the output as the browser draws it"
        if not self.selection.view.show_picture(cell_id, UNDER_CELL, reply.value):
            self.push(PictureScreen(caption, reply.value))
