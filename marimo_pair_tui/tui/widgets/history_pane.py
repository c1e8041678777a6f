"""The history pane (alt+h): every change of the cells' code, newest first, and the selected one's diff.

Each row: when, who (self for this app's own edits, else the browser, an
agent's door, the file on disk), the cell and what happened to it. Under the
table, the selected change as a diff of the cell's code, coloured as diffs
are: removed lines red, added lines green. `r` asks to revert it
(`RevertRequested`); the screen confirms and sends it through the service.
"""

from __future__ import annotations

import time
from typing import Callable, Sequence

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Static

from ...core.api import CodeChange, diff_lines, origin_of
from ..terminal_text import escape_controls

COLUMNS = ("time", "who", "cell", "change")
EMPTY = "No code changes recorded yet: edits by anyone appear here as they happen."
KIND_WORDS = {"edit": "edited", "create": "created", "delete": "deleted"}
DIFF_STYLES = {"+": "green", "-": "red", "@": "cyan"}


def when(at: float, now: float | None = None) -> str:
    """The time of day, or the date and time when not today."""
    moment = time.localtime(at)
    today = time.localtime(time.time() if now is None else now)
    same_day = moment[:3] == today[:3]
    return time.strftime("%H:%M:%S" if same_day else "%m-%d %H:%M", moment)


def who(change: CodeChange, door: str) -> str:
    """"self" for this door's own changes, else who made it (browser, file, cli, mcp, ...)."""
    return "self" if origin_of(change, door) == "self" else change.by


def diff_text(change: CodeChange) -> Text:
    """The change's diff, each line styled by its first character (red removed, green added)."""
    text = Text()
    lines = diff_lines(change)
    if not lines:
        text.append("(no code on either side)", style="dim")
    for line in lines:
        style = DIFF_STYLES.get(line[:1])
        text.append(escape_controls(line) + "\n", style=style)
    return text


class HistoryPane(Vertical):
    """The changes as a table, the selected one's diff below."""

    DEFAULT_CSS = """
    HistoryPane {
        height: 1fr;
        border: round $primary 50%;
        border-title-color: $text-muted;
        border-subtitle-color: $text-muted;
    }
    HistoryPane:focus-within {
        border: round $primary;
    }
    HistoryPane > #history-table {
        height: 1fr;
        min-height: 4;
    }
    HistoryPane > #history-diff {
        height: 1fr;
        border-top: solid $primary 30%;
    }
    """

    BINDINGS = [
        Binding("r", "revert", "revert", id="history-revert",
                tooltip="History: revert the selected change (asks first; a conflict if the cell changed since)"),
    ]

    class RevertRequested(Message):
        """`r` on a change: put back the code it replaced."""

        def __init__(self, change: CodeChange) -> None:
            super().__init__()
            self.change = change

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = "History"
        self.border_subtitle = "r: revert"
        self.changes: list[CodeChange] = []
        self.door = "app"
        self._label: Callable[[str], str] = lambda cell_id: cell_id

    def compose(self) -> ComposeResult:
        table: DataTable[Text] = DataTable(id="history-table", cursor_type="row", zebra_stripes=True)
        yield table
        with VerticalScroll(id="history-diff"):
            yield Static(id="history-diff-text", markup=False)

    def on_mount(self) -> None:
        self.table.add_columns(*COLUMNS)

    @property
    def table(self) -> DataTable[Text]:
        return self.query_one("#history-table", DataTable)

    @property
    def selected(self) -> CodeChange | None:
        row = self.table.cursor_row
        return self.changes[row] if 0 <= row < len(self.changes) else None

    def show(self, changes: Sequence[CodeChange], door: str, label: Callable[[str], str]) -> None:
        """Show `changes` (newest first), keeping the change under the cursor."""
        current = self.selected
        self.changes, self.door, self._label = list(changes), door, label
        table = self.table
        table.clear()
        for change in self.changes:
            name = change.cell_name if change.cell_name not in ("", "_") else self._label(change.cell_id)
            table.add_row(Text(when(change.at), style="dim"), Text(escape_controls(who(change, door)), style="cyan"),
                          Text(escape_controls(name)), Text(KIND_WORDS.get(change.kind, change.kind)), key=change.id)
        ids = [c.id for c in self.changes]
        if current is not None and current.id in ids:
            table.move_cursor(row=ids.index(current.id), animate=False)
        count = len(self.changes)
        self.border_subtitle = f"{count} change{'s' * (count != 1)} · r: revert" if count else EMPTY
        self._show_diff()

    def _show_diff(self) -> None:
        change = self.selected
        static = self.query_one("#history-diff-text", Static)
        static.update(diff_text(change) if change is not None else Text(""))

    @on(DataTable.RowHighlighted, "#history-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._show_diff()

    def action_revert(self) -> None:
        change = self.selected
        if change is not None:
            self.post_message(self.RevertRequested(change))

    def focus_table(self) -> None:
        self.table.focus()
