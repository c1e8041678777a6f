"""The results pane: one block per run, newest last, scrollable history.

A block draws a run's output with the notebook view's part widgets, but it
is a record of what the run produced, not a live view: the session lists no
UI element a snippet made (setting one is refused as unknown), and the next
snippet's table takes the same object id as the last one's, so paging an
older block would show another table's rows. Its widgets keep the values and
the page they were made with, and say where to change them.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from .parts.control import Control
from .parts.table import TableView
from .run_block import RunBlock

RECORD_NOTE = "a run's output as it was; the notebook view (f7) pages a cell's table"

HISTORY = 100  # runs kept; older blocks are removed
PANE_LIMIT = 256 * 1024  # characters kept over all blocks; the oldest finished blocks go first


class ResultsPane(VerticalScroll):
    """Output of what the editor sent (streamed), and of cell operations."""

    DEFAULT_CSS = """
    ResultsPane {
        border: round $primary 50%;
        border-title-color: $text-muted;
        padding: 0 1;
    }
    ResultsPane:focus-within, ResultsPane:focus {
        border: round $primary;
    }
    ResultsPane > .placeholder {
        color: $text-muted;
    }
    """

    def __init__(self, *, ascii: bool = False, id: str | None = None) -> None:
        super().__init__(id=id, can_focus=True)
        self.ascii = ascii
        self.border_title = "Results"
        self._follow_due = False

    def compose(self) -> ComposeResult:
        yield Static("What you run shows up here.", classes="placeholder")

    def start(self, kind: str, title: str, started: str) -> RunBlock:
        for placeholder in self.query(".placeholder"):
            placeholder.remove()
        block = RunBlock(kind, title, started, ascii=self.ascii)
        self.mount(block)
        self._bound()
        self.follow()
        return block

    def _bound(self) -> None:
        """At most HISTORY blocks and PANE_LIMIT characters: the oldest blocks go (never the newest).

        A block still running goes only when the count alone demands it.
        """
        blocks = [b for b in self.query(RunBlock) if not b.has_class("-removed")]  # removal completes later
        total = sum(b.kept_chars for b in blocks)
        for old in blocks[:-1]:
            over_count = len(blocks) > HISTORY
            if not over_count and (total <= PANE_LIMIT or old.finished is None):
                continue
            old.add_class("-removed")
            old.remove()
            blocks.remove(old)
            total -= old.kept_chars

    def follow(self) -> None:
        """Keep the newest output in view (one scroll per refresh however often it is called)."""
        if self._follow_due:
            return
        self._follow_due = True
        self.call_after_refresh(self._follow)

    def _follow(self) -> None:
        self._follow_due = False
        self._bound()
        self.scroll_end(animate=False)

    @on(TableView.PageWanted)
    def _page_wanted(self, event: TableView.PageWanted) -> None:
        event.stop()
        event.table.cannot_page(RECORD_NOTE)

    @on(Control.ValueChosen)
    def _value_chosen(self, event: Control.ValueChosen) -> None:
        event.stop()
        event.control.revert()
        self.notify("The results pane shows a run's output as it was. Set a cell's element in the notebook view "
                    "(f7); a snippet's elements cannot be set.", title="Value not set", severity="warning")

    @property
    def blocks(self) -> list[RunBlock]:
        return [b for b in self.query(RunBlock) if not b.has_class("-removed")]

    @property
    def text(self) -> str:
        return "\n".join(block.text for block in self.blocks)
