"""The pairing screen's top line: which notebook, where, and whether it is live."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.widgets import Static


class StatusLine(Static):
    """Left: notebook · session · server. Right: connection and kernel state.

    The right part never yields its space: on a narrow terminal the left part
    is cut with an ellipsis, so the connection state stays visible.
    """

    DEFAULT_CSS = """
    StatusLine {
        height: 1;
        width: 1fr;
        padding: 0 1;
        background: $panel;
        color: $text;
    }
    """

    def show(self, left: Text, right: Text) -> None:
        grid = Table.grid(expand=True, padding=(0, 1))
        grid.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
        grid.add_column(no_wrap=True, justify="right")
        grid.add_row(left, right)
        self.update(grid)
        self.plain = f"{left.plain} {right.plain}"

    plain: str = ""
