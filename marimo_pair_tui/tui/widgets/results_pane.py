"""The results pane: one block per run, newest last, scrollable history."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from .run_block import RunBlock

HISTORY = 200  # runs kept; older blocks are removed


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

    def compose(self) -> ComposeResult:
        yield Static("What you run shows up here.", classes="placeholder")

    def start(self, kind: str, title: str, started: str) -> RunBlock:
        for placeholder in self.query(".placeholder"):
            placeholder.remove()
        blocks = list(self.query(RunBlock))
        for old in blocks[: max(0, len(blocks) - HISTORY + 1)]:
            old.remove()
        block = RunBlock(kind, title, started, ascii=self.ascii)
        self.mount(block)
        self.call_after_refresh(self.scroll_end, animate=False)
        return block

    def follow(self) -> None:
        """Keep the newest output in view."""
        self.call_after_refresh(self.scroll_end, animate=False)

    @property
    def blocks(self) -> list[RunBlock]:
        return list(self.query(RunBlock))

    @property
    def text(self) -> str:
        return "\n".join(block.text for block in self.blocks)
