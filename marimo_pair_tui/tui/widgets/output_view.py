"""A cell's output drawn as widgets, one per typed part, redrawn only when the output changed.

Parsing marimo's output into parts (a 5,000-row table's HTML, a figure's
base64) runs in a thread, so keys are answered meanwhile; a newer output
cancels the drawing of an older one. Parts that name a file the server keeps
(`mo.image` of a file, a `mo.ui.altair_chart`'s data) are drawn once that file
is fetched: the view asks for it with `FilesWanted`, once per output.
"""

from __future__ import annotations

import asyncio
import re
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Callable

from textual import work
from textual.containers import Vertical
from textual.message import Message

from ...core.api import ChartPart, ImagePart, LayoutPart, MediaPart, Part, ProgressPart, walk
from ...core.api import with_values
from ...core.api import Cell
from .marks import Markable
from .parts import part_widget
from .parts.control import held_values
from .parts.progress import ProgressView


NOT_DRAWN = object()  # the key of what is drawn, before anything is
REFRESH_WAIT = 0.1  # seconds a turn waits for the screen's refresh at most (a hidden screen does not refresh)


def needs_files(parts: list[Part]) -> bool:
    """True when a part's picture or data is a file on the server, not yet fetched."""
    for part in walk(parts):
        if isinstance(part, ImagePart) and part.src and not part.data:
            return True
        if isinstance(part, MediaPart) and part.src and not part.data and "@file/" in part.src and not part.unread:
            return True
        if isinstance(part, ChartPart) and any(d.get("rows") is None and "@file/" in str(d.get("source"))
                                               for d in part.data):
            return True
    return False


def parsed(output: Any) -> list[Part]:
    """The output's parts (parsed once; the model keeps them with the output)."""
    return list(output.parts)


def progress_moves(old: list[Part], new: list[Part], moves: list[tuple[ProgressPart, ProgressPart]]) -> bool:
    """True when `new` differs from `old` only in its progress parts (a tick); `moves` gets each pair."""
    if len(old) != len(new):
        return False
    for a, b in zip(old, new):
        if isinstance(a, ProgressPart) and isinstance(b, ProgressPart):
            moves.append((a, b))
        elif isinstance(a, LayoutPart) and isinstance(b, LayoutPart):
            if (a.kind, a.labels, a.detail) != (b.kind, b.labels, b.detail) or not progress_moves(a.children, b.children, moves):
                return False
        elif a != b:
            return False
    return True


def done(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


class Turns:
    """One output's widgets mounted at a time, the screen refreshed before the next.

    Forty outputs read at once would otherwise mount their widgets in one go
    and hold the keys for as long; taking turns, each key waits for one
    output's mounting at most. `rank` orders the waiting outputs (the lowest
    goes next: the view draws what is on the screen first).
    """

    def __init__(self, rank: Callable[["OutputView"], Any] | None = None) -> None:
        self._rank = rank
        self._busy = False
        self._waiting: list[tuple[OutputView, asyncio.Future[None]]] = []

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    @asynccontextmanager
    async def turn(self, view: "OutputView") -> AsyncIterator[None]:
        if self._busy or self._waiting:
            entry = (view, asyncio.get_running_loop().create_future())
            self._waiting.append(entry)
            try:
                await entry[1]
            except asyncio.CancelledError:
                if entry in self._waiting:
                    self._waiting.remove(entry)
                elif entry[1].done() and not entry[1].cancelled():  # its turn came as it was cancelled
                    self._busy = False
                    self._next()
                raise
        self._busy = True
        try:
            yield
            refreshed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            view.app.call_after_refresh(done, refreshed)
            try:
                await asyncio.wait_for(refreshed, REFRESH_WAIT)
            except asyncio.TimeoutError:
                pass
        finally:
            self._busy = False
            self._next()

    def _next(self) -> None:
        # a waiter cancelled a moment ago is still listed until its task runs its handler: pass it by
        self._waiting = [entry for entry in self._waiting if not entry[1].done()]
        if self._busy or not self._waiting:
            return
        entry = self._waiting[0]
        if self._rank is not None and len(self._waiting) > 1:
            rank = self._rank
            entry = min(self._waiting, key=lambda waiting: rank(waiting[0]))
        self._waiting.remove(entry)
        self._busy = True  # held for the output whose turn it is
        entry[1].set_result(None)


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

    def __init__(self, cell_id: str, turns: Turns | None = None) -> None:
        super().__init__()
        self.cell_id = cell_id
        self.turns = turns  # shared with the other outputs of a view; None: mount at once
        self.drawn = 0  # outputs drawn so far (what a redraw changes, for whoever waits on one)
        self._key: object = NOT_DRAWN
        self._asked: object | None = None  # the output whose files were asked for
        self._parts: list[Part] | None = None  # the parts drawn
        self._mark: re.Pattern[str] | None = None  # the search's pattern, marked in the parts drawn

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
        if self.turns is None:
            await self._mount_parts(parts)
        else:
            async with self.turns.turn(self):
                await self._mount_parts(parts)
        self.drawn += 1
        if output is not None and self._asked is not output and needs_files(parts):
            self._asked = output
            self.post_message(self.FilesWanted(self, self.cell_id))

    @property
    def shown_parts(self) -> list[Part]:
        """The parts as the widgets show them now: each element with the value its control holds (the
        kernel's, as last told), the rest as drawn."""
        return with_values(list(self._parts or []), held_values(self))

    def _moved(self, parts: list[Part]) -> bool:
        """Draw `parts` by moving the progress widgets drawn, when only progress changed (no remount)."""
        moves: list[tuple[ProgressPart, ProgressPart]] = []
        if self._parts is None or not progress_moves(self._parts, parts, moves) or not moves:
            return False
        views = {id(view.part): view for view in self.query(ProgressView)}
        found = [(views.get(id(old)), new) for old, new in moves]
        if any(view is None or not view.fits(new) for view, new in found):
            return False
        for view, new in found:
            view.show(new)  # type: ignore[union-attr]
        self._parts = parts
        return True

    async def _mount_parts(self, parts: list[Part]) -> None:
        if self._moved(parts):
            return
        self._parts = parts
        widgets = [part_widget(part) for part in parts]
        with self.app.batch_update():
            await self.remove_children()
            if widgets:
                await self.mount_all(widgets)
        if self._mark is not None:
            self._mark_parts()

    def mark(self, pattern: re.Pattern[str] | None) -> None:
        """Mark the search's matches in the text, markdown and tables drawn (None: no marks)."""
        if pattern != self._mark:
            self._mark = pattern
            self._mark_parts()

    def _mark_parts(self) -> None:
        for widget in self.query("*"):
            if isinstance(widget, Markable):
                widget.mark_matches(self._mark)
