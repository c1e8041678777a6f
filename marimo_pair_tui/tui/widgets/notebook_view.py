"""The notebook view: the cells in notebook order, their code and rendered output, read top to bottom.

Like the cell tree it is a view of the live `Notebook` model and keeps only a
block per cell id: `sync()` takes the model's changes, adds, removes and
moves blocks on structure changes and redraws the changed cells alone. While
hidden it only remembers which cells changed, and catches up when shown.

A notebook of thousands of cells would cost thousands of mounted blocks
(seconds to mount, hundreds of MB): the view mounts a window of WINDOW
cells, moved as the focus goes (ctrl+up/down, the tree, follow-focus), with
a line above and below saying how many cells lie beyond (click it to go).

The parts' widgets ask; the view reaches the kernel through the service, in
workers: a UI element's new value (`set_ui`; a refusal is told and the widget
goes back), another page of a table (`table_page`), the files an output
refers to (`cells(files=True)`).
"""

from __future__ import annotations

import asyncio
import re
from typing import Any, Awaitable, Callable, Iterable

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.message import Message
from textual.widgets import Static

from ...core.api import PairError
from ...core.api import Notebook, PairingService, Target
from ..display import Display
from .notebook_cell import CellBlock, RestyledAlone
from .output_view import OutputView, Turns
from .parts import Control, TableView


def failure(error: Exception) -> str:
    """What went wrong, as the user reads it: a PairError's message and next step."""
    if isinstance(error, PairError):
        return f"{error.message} {error.next}".strip()
    return f"{type(error).__name__}: {error}"


WINDOW = 60  # cells mounted at most
WINDOW_STEP = 10  # cells the window slides by when the focus steps past its edge


class NotebookView(RestyledAlone, VerticalScroll):
    """The cells as a notebook reads: code, then output, one under the other."""

    DEFAULT_CSS = """
    NotebookView {
        border: round $primary 50%;
        border-title-color: $text-muted;
        padding: 0 1 0 0;
        scrollbar-size-vertical: 1;
    }
    NotebookView.-focus-within {
        border: round $primary;
    }
    NotebookView > .placeholder {
        color: $text-muted;
        padding: 0 1;
    }
    NotebookView > .beyond {
        color: $text-muted;
        padding: 0 1;
        margin: 0 0 1 0;
    }
    NotebookView > .beyond:hover {
        color: $text;
        background: $boost;
    }
    """

    BINDINGS = [
        Binding("ctrl+down", "step_cell(1)", "next cell", id="notebook-next-cell", show=False,
                tooltip="Notebook view: focus the next cell"),
        Binding("ctrl+up", "step_cell(-1)", "previous cell", id="notebook-previous-cell", show=False,
                tooltip="Notebook view: focus the previous cell"),
    ]

    class CellFocused(Message):
        """The focus came to the cell `cell_id` (its block or a widget in its output)."""

        def __init__(self, view: "NotebookView", cell_id: str) -> None:
            super().__init__()
            self.view = view
            self.cell_id = cell_id

        @property
        def control(self) -> "NotebookView":
            return self.view

    def __init__(self, service: PairingService, target: Callable[[], Target], fmt: Display, *,
                 id: str | None = None) -> None:
        super().__init__(id=id, can_focus=True)
        self.service = service
        self.target = target
        self.fmt = fmt
        self.border_title = "Notebook"
        self._blocks: dict[str, CellBlock] = {}
        self._order: list[str] = []  # the mounted cells' ids, in order
        self._start = 0  # the index, in the notebook's order, of the first mounted cell
        self._above = Static(classes="beyond above")
        self._below = Static(classes="beyond below")
        self._notebook: Notebook | None = None
        self._shown = False
        self._pending: set[str] = set()
        self._pending_structure = True
        self._turns = Turns(self._draw_rank)
        self._reading_values = False  # a read of the UI values is out (never cut short: that interrupts the kernel)
        self._mark: re.Pattern[str] | None = None  # the search's pattern (ctrl+f), marked in every block
        self._read_values_again = False

    def compose(self) -> ComposeResult:
        yield Static(Text("No cells yet."), classes="placeholder")
        yield self._above
        yield self._below

    # -- queries ----------------------------------------------------------

    @property
    def cell_ids(self) -> list[str]:
        """The ids of the cells the view has mounted (all of them up to WINDOW), in order."""
        return list(self._order)

    @property
    def window(self) -> tuple[int, int, int]:
        """(first, last + 1, of): which of the notebook's cells the view has mounted."""
        total = len(self._notebook.cell_ids) if self._notebook is not None else 0
        return self._start, self._start + len(self._order), total

    def block(self, cell_id: str) -> CellBlock | None:
        return self._blocks.get(cell_id)

    def show_picture(self, cell_id: str, caption: str, png: bytes) -> bool:
        """Show the picture of a cell's output under it; False when the view does not show the cell."""
        block = self._blocks.get(cell_id)
        if not self._shown or block is None:
            return False
        block.show_picture(caption, png)
        return True

    @property
    def current_cell_id(self) -> str | None:
        """The cell the focus is in, if it is in this view."""
        node: DOMNode | None = self.screen.focused
        while node is not None and node is not self:
            if isinstance(node, CellBlock):
                return node.cell_id
            node = node.parent
        return None

    # -- the focus's own styles --------------------------------------------------

    def on_descendant_focus(self, _event: events.DescendantFocus) -> None:
        self.mark_focus_within()

    def on_descendant_blur(self, _event: events.DescendantBlur) -> None:
        self.mark_focus_within()

    def on_focus(self, _event: events.Focus) -> None:
        self.mark_focus_within()

    def on_blur(self, _event: events.Blur) -> None:
        self.mark_focus_within()

    # -- showing ----------------------------------------------------------

    @property
    def shown(self) -> bool:
        return self._shown

    def show_view(self, shown: bool) -> None:
        """Shown, the view catches up with the changes it heard while hidden."""
        self._shown = shown
        self.display = shown
        if shown and self._notebook is not None:
            self._apply(self._notebook, self._pending, self._pending_structure)
        if shown:
            self._pending, self._pending_structure = set(), False

    def mark(self, pattern: re.Pattern[str] | None) -> None:
        """Mark the search's matches in every cell's code and console (None: no marks)."""
        self._mark = pattern
        for block in self._blocks.values():
            block.mark(pattern)

    def focus_cell(self, cell_id: str | None, *, focus: bool = True) -> None:
        """Focus the cell's block (the view itself when there is no such cell), moving the window to it;
        without `focus`, only bring the block into sight (the focus stays where it is)."""
        moved: list[Awaitable[Any]] = []
        if cell_id and cell_id not in self._blocks and self._notebook is not None and self._shown:
            order = self._notebook.cell_ids
            if cell_id in order:
                moved = self._move_window(order.index(cell_id))
        block = self._blocks.get(cell_id) if cell_id else None
        if block is None:
            if focus:
                self.focus()
            return
        if moved or not block.is_mounted:
            self.call_later(self._focus_when_placed, block, moved, focus)
            return
        if focus:
            block.focus(scroll_visible=False)
        self.call_after_refresh(self._scroll_to_top, block)

    async def _focus_when_placed(self, block: CellBlock, moved: list[Awaitable[Any]], focus: bool = True) -> None:
        """Focus `block` once the window's move is done: scrolled to before then, blocks still
        coming or going above it would push it off the top."""
        await asyncio.gather(*moved)
        if block.is_attached:
            if focus:
                block.focus(scroll_visible=False)
            self.call_after_refresh(self._scroll_to_top, block)

    def _move_window(self, index: int) -> list[Awaitable[Any]]:
        """Mount the cell at `index` (in the notebook's order): a step past an edge slides the window
        by WINDOW_STEP cells (a few mounts per step, not a remount); a jump lands it in the first third."""
        assert self._notebook is not None
        end = self._start + len(self._order)
        if index == end:
            self._start += WINDOW_STEP
        elif index == self._start - 1:
            self._start = max(0, self._start - WINDOW_STEP)
        else:
            self._start = max(0, index - WINDOW // 3)
        moved = self._arrange(self._notebook)
        self._tell_beyond()
        return moved

    def _scroll_to_top(self, block: CellBlock, tries: int = 5) -> None:
        """The block at the top of the view, at once; nothing when it is there already. Checked
        again after the next few refreshes while it is not at the very top: blocks just mounted
        below it have no height yet, so the scroll stops short, and blocks removed above move it."""
        if not block.is_attached:
            return
        wanted = block.virtual_region.y
        if self.scroll_y != min(wanted, self.max_scroll_y):
            self.scroll_to_widget(block, top=True, animate=False)
        if tries > 1 and self.scroll_y != wanted:
            self.call_after_refresh(self._scroll_to_top, block, tries - 1)

    def _draw_rank(self, output: OutputView) -> tuple[bool, float]:
        """Outputs on the screen are drawn first, then the nearest to it."""
        block = output.parent
        if not isinstance(block, CellBlock) or not block.is_attached:
            return True, float("inf")
        top, bottom = self.scroll_y, self.scroll_y + self.scrollable_content_region.height
        region = block.virtual_region
        shown = region.y < bottom and region.bottom > top
        return not shown, 0 if shown else min(abs(region.y - bottom), abs(region.bottom - top))

    # -- keeping up with the model ------------------------------------------

    def sync(self, notebook: Notebook, changed: Iterable[str] = (), structure: bool = False) -> None:
        """Apply model changes now when shown; otherwise remember them for when it is."""
        self._notebook = notebook
        if not self._shown:
            self._pending.update(changed)
            self._pending_structure = self._pending_structure or structure
            return
        self._apply(notebook, set(changed), structure)

    def _apply(self, notebook: Notebook, changed: set[str], structure: bool) -> None:
        if structure or self._windowed(notebook.cell_ids) != self._order:
            self._arrange(notebook)
        for cell_id in changed:
            cell, block = notebook.get(cell_id), self._blocks.get(cell_id)
            if cell is not None and block is not None:
                block.update(cell)
        for placeholder in self.query(".placeholder"):
            placeholder.display = not self._order
        self._tell_beyond()

    def _windowed(self, order: list[str]) -> list[str]:
        """The ids the window holds: all of them up to WINDOW, else WINDOW from `_start`."""
        self._start = max(0, min(self._start, len(order) - WINDOW))
        return order[self._start:self._start + WINDOW]

    def _tell_beyond(self) -> None:
        first, end, total = self.window
        self._above.display, self._below.display = first > 0, end < total
        if first:
            self._above.update(Text(f"▲ {first:,} cells above (ctrl+up, or click)"))
        if end < total:
            self._below.update(Text(f"▼ {total - end:,} cells below (ctrl+down, or click)"))

    def on_click(self, event: events.Click) -> None:
        """A click on a "cells above/below" line goes there."""
        if self._notebook is None or event.widget not in (self._above, self._below):
            return
        first, end, total = self.window
        order = self._notebook.cell_ids
        self.focus_cell(order[first - 1] if event.widget is self._above else order[min(end, total - 1)])

    def _arrange(self, notebook: Notebook) -> list[Awaitable[Any]]:
        """Blocks of cells gone from the window go, new ones get one at their place, moved ones are moved.
        What is still being removed and mounted is returned, to be awaited by whoever needs it done."""
        wanted = self._windowed(notebook.cell_ids)
        keep = set(wanted)
        pending: list[Awaitable[Any]] = []
        for cell_id in [c for c in self._blocks if c not in keep]:
            pending.append(self._blocks.pop(cell_id).remove())
        order = [c for c in self._order if c in self._blocks]
        for index, cell_id in enumerate(wanted):
            if index < len(order) and order[index] == cell_id:
                continue
            place: dict[str, Any] = ({"after": self._blocks[wanted[index - 1]]} if index
                                     else {"before": self._blocks[order[0]]} if order else {"before": self._below})
            block = self._blocks.get(cell_id)
            if block is None:
                cell = notebook.get(cell_id)
                assert cell is not None
                block = self._blocks[cell_id] = CellBlock(cell, self.fmt, self._turns)
                block.mark(self._mark)
                pending.append(self.mount(block, **place))
            else:
                order.remove(cell_id)
                if place:
                    self.move_child(block, **place)
            order.insert(index, cell_id)
        self._order = order
        return pending

    # -- moving between cells -------------------------------------------------

    def action_step_cell(self, step: int) -> None:
        if not self._order or self._notebook is None:
            return
        order = self._notebook.cell_ids
        current = self.current_cell_id
        if current in order:
            index = order.index(current) + step
        else:  # from the view itself: the first or last cell mounted
            index = self._start if step > 0 else self._start + len(self._order) - 1
        self.focus_cell(order[max(0, min(len(order) - 1, index))])

    @on(CellBlock.Focused)
    def _block_focused(self, event: CellBlock.Focused) -> None:
        event.stop()
        self.post_message(self.CellFocused(self, event.block.cell_id))

    # -- what the parts ask of the kernel ---------------------------------------

    @on(Control.ValueChosen)
    def _value_chosen(self, event: Control.ValueChosen) -> None:
        event.stop()
        self.run_worker(self._set_ui(event.control, event.object_id, event.value), group=f"ui-{event.object_id}",
                        exclusive=True)

    async def _set_ui(self, control: Control, object_id: str, value: Any) -> None:
        try:
            reply = await self.service.set_ui(self.target(), object_id, value)
        except Exception as error:  # told, and the widget shows the kernel's value again
            self.notify(failure(error), title="Value not set", severity="error", timeout=10)
            control.revert()
            return
        element = getattr(reply.value, "extra", {}).get("element")
        if isinstance(element, dict) and "value" in element:  # the kernel's value: a dropdown's name may stand for another
            control.accepted(element["value"], element.get("frontend_value"))
        else:
            control.accepted(value)

    @on(Control.ValueWanted)
    def _value_wanted(self, event: Control.ValueWanted) -> None:
        """A control was drawn from its output: it shows the value the model knows the kernel holds, and the
        kernel is asked when the model is not sure (nothing read yet, or a client set a value since)."""
        event.stop()
        if self._notebook is not None:
            part = event.control.part
            event.control.follow(self._notebook.widget_value(part), self._notebook.ui_values.get(part.object_id))
            if self._notebook.ui_stale:
                self.values_changed()

    def values_changed(self) -> None:
        """Another client set a UI value, or cells reported new values: the widgets follow the kernel.

        A value code_mode set comes by object id; one a browser set comes only as the value of the
        variable bound to it, so the elements are read from the kernel (one request for all, in a
        worker; changes told while it is out make one more) and every widget follows it, the one
        under the cursor too (it says so)."""
        if not (self._shown and self.query(Control)):
            return
        if self._reading_values:
            self._read_values_again = True
            return
        self._reading_values = True
        self.run_worker(self._follow_values(), group="follow-values")

    async def _follow_values(self) -> None:
        try:
            again = True
            while again:
                self._read_values_again = False
                try:
                    reply = await self.service.ui(self.target())
                except Exception:  # noqa: BLE001 - the widgets keep what they show; the next change tries again
                    return
                elements = {element.object_id: element for element in reply.value}
                for control in self.query(Control):
                    element = elements.get(control.part.object_id)
                    if element is not None:
                        control.follow(element.value, element.frontend_value)
                again = self._read_values_again
        finally:
            self._reading_values = False

    @on(TableView.PageWanted)
    def _page_wanted(self, event: TableView.PageWanted) -> None:
        event.stop()
        self.run_worker(self._page(event.table, event.object_id, event.page, event.page_size),
                        group=f"page-{event.object_id}", exclusive=True)

    async def _page(self, table: TableView, object_id: str, page: int, page_size: int) -> None:
        try:
            reply = await self.service.table_page(self.target(), object_id, page=page, page_size=page_size)
        except Exception as error:  # the page shown stays, and the footer says why
            table.cannot_page(failure(error))
            return
        value = reply.value
        table.show_page(page, list(value.rows), value.total_rows)

    @on(OutputView.FilesWanted)
    def _files_wanted(self, event: OutputView.FilesWanted) -> None:
        event.stop()
        self.run_worker(self._fetch(event.view, event.cell_id), group=f"files-{event.cell_id}", exclusive=True)

    async def _fetch(self, view: OutputView, cell_id: str) -> None:
        try:
            await self.service.cells(self.target(), ids=[cell_id], files=True)
        except Exception:  # noqa: BLE001 - the parts keep saying what they could not show
            return
        cell = self._notebook.get(cell_id) if self._notebook is not None else None
        if cell is not None and view.is_attached:
            view.show(cell, again=True)
