"""The graph pane (f10): the selected cell's place in the dataflow: what it reads from above, what
reads it below.

Ancestors (the cells whose names it reads, directly or not) come first in
notebook order, then the cell itself, then its descendants. `enter` on a
row posts `CellChosen`; the screen selects that cell in the tree, and the
pane then shows the graph around it.
"""

from __future__ import annotations

from typing import Callable

from rich.text import Text
from textual import on
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from ...core.api import GraphView
from ..terminal_text import escape_controls

Describe = Callable[[str], Text]  # a cell id -> its row (glyph, name, first line)


class GraphPane(OptionList):
    """One row per cell: ancestors, the cell (marked), descendants; headings between."""

    DEFAULT_CSS = """
    GraphPane {
        height: 1fr;
        border: round $primary 50%;
        border-title-color: $text-muted;
        border-subtitle-color: $text-muted;
    }
    GraphPane:focus {
        border: round $primary;
    }
    """

    class CellChosen(Message):
        def __init__(self, cell_id: str) -> None:
            super().__init__()
            self.cell_id = cell_id

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = "Graph"
        self.border_subtitle = "enter: go to the cell"
        self.cell_id: str | None = None
        self.reads_from: list[str] = []
        self.read_by: list[str] = []
        self._last: tuple[GraphView | None, Describe, str, bool] | None = None  # drawn again on resize

    def show(self, view: GraphView | None, describe: Describe, *, title: str = "", ascii: bool = False) -> None:
        """The graph around `view.cell`, titled by `title` (None, or no cell: says to select one)."""
        self._last = (view, describe, title, ascii)
        width = max(20, self.scrollable_content_region.width - 1)
        current = self.highlighted_option.id if self.highlighted_option is not None else None
        self.clear_options()
        if view is None or view.cell is None:
            self.cell_id, self.reads_from, self.read_by = None, [], []
            self.border_title = "Graph"
            self.add_option(Option(Text("Select a cell in the tree (f2): its graph shows here.", style="dim"),
                                   disabled=True))
            return
        cell = view.cell
        self.cell_id = cell
        self.reads_from = view.graph.ancestors(cell)
        self.read_by = view.graph.descendants(cell)
        parents, children = view.graph.parents.get(cell, set()), view.graph.children.get(cell, set())
        self.border_title = f"Graph of {escape_controls(title or cell)}"
        mark, arrow = (">", "-") if ascii else ("▶", "·")

        def row(cid: str, lead: str, direct: bool) -> Option:
            text = Text(lead)
            text.append_text(describe(cid))
            if not direct:
                text.stylize("dim", 0, len(lead))
            text.truncate(width, overflow="ellipsis")
            return Option(text, id=cid)

        self.add_option(Option(Text(f"reads from ({len(self.reads_from)})", style="bold"), disabled=True))
        for cid in self.reads_from:
            self.add_option(row(cid, f"  {arrow} " if cid in parents else "    ", cid in parents))
        here = Text(f"{mark} ", style="bold cyan")
        here.append_text(describe(cell))
        here.stylize("bold")
        here.truncate(width, overflow="ellipsis")
        self.add_option(Option(here, id=cell))
        self.add_option(Option(Text(f"read by ({len(self.read_by)})", style="bold"), disabled=True))
        for cid in self.read_by:
            self.add_option(row(cid, f"  {arrow} " if cid in children else "    ", cid in children))
        keep = current if current is not None and current in [cell, *self.reads_from, *self.read_by] else cell
        self.highlighted = self.get_option_index(keep)

    def on_resize(self) -> None:
        if self._last is not None:
            view, describe, title, ascii = self._last
            self.show(view, describe, title=title, ascii=ascii)

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.post_message(self.CellChosen(event.option.id))
