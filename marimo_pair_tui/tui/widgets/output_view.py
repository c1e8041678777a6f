"""A cell's output drawn as widgets, one per typed part, redrawn only when the output changed.

Parsing marimo's output into parts (a 5,000-row table's HTML, a figure's
base64) runs in a thread, so keys are answered meanwhile; a newer output
cancels the drawing of an older one. Parts that name a file the server keeps
(`mo.image` of a file, a `mo.ui.altair_chart`'s data) are drawn once that file
is fetched: the view asks for it with `FilesWanted`, once per output.
"""

from __future__ import annotations

import asyncio
from typing import Any

from textual import work
from textual.containers import Vertical
from textual.message import Message

from ...core.documents import ChartPart, ImagePart, Part, walk
from ...core.service import Cell
from .parts import part_widget


NOT_DRAWN = object()  # the key of what is drawn, before anything is


def needs_files(parts: list[Part]) -> bool:
    """True when a part's picture or data is a file on the server, not yet fetched."""
    for part in walk(parts):
        if isinstance(part, ImagePart) and part.src and not part.data:
            return True
        if isinstance(part, ChartPart) and part.library == "vega-lite" and "@file/" in str(part.spec.get("data")):
            return True
    return False


def parsed(output: Any) -> list[Part]:
    """The output's parts (parsed once; the model keeps them with the output)."""
    return list(output.parts)


class OutputView(Vertical):
    """The parts of one cell's output, as widgets."""

    DEFAULT_CSS = """
    OutputView {
        height: auto;
        width: 1fr;
    }
    """

    class FilesWanted(Message):
        """The output of `cell_id` refers to files on the server that its parts need."""

        def __init__(self, view: "OutputView", cell_id: str) -> None:
            super().__init__()
            self.view = view
            self.cell_id = cell_id

        @property
        def control(self) -> "OutputView":
            return self.view

    def __init__(self, cell_id: str) -> None:
        super().__init__()
        self.cell_id = cell_id
        self.drawn = 0  # outputs drawn so far (what a redraw changes, for whoever waits on one)
        self._key: object = NOT_DRAWN
        self._asked: object | None = None  # the output whose files were asked for

    def show(self, cell: Cell, *, again: bool = False) -> None:
        """Draw the cell's output, unless it is the one drawn already (or `again`)."""
        output = cell.output
        key = None if output is None else (output.mimetype, output.data)
        if key == self._key and not again:
            return
        self._key = key
        self.draw(output)

    @work(exclusive=True, group="draw")
    async def draw(self, output: Any) -> None:
        parts = [] if output is None else await asyncio.to_thread(parsed, output)
        widgets = [part_widget(part) for part in parts]
        with self.app.batch_update():
            await self.remove_children()
            if widgets:
                await self.mount_all(widgets)
        self.drawn += 1
        if output is not None and self._asked is not output and needs_files(parts):
            self._asked = output
            self.post_message(self.FilesWanted(self, self.cell_id))
