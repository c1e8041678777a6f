"""F1: every key, what it does, and the id to remap it in config.toml."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

Row = tuple[str, str, str, str]  # section, keys, description, binding id


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,f1,q", "close", "close", id="help-close")]

    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
    }
    HelpScreen > #dialog {
        width: 90;
        max-width: 96%;
        height: 90%;
        border: thick $primary;
        background: $surface;
        padding: 0 1;
    }
    HelpScreen #help-title {
        text-style: bold;
        width: 1fr;
    }
    HelpScreen #help-foot {
        color: $text-muted;
        width: 1fr;
    }
    """

    def __init__(self, rows: list[Row], config_path: str) -> None:
        super().__init__()
        self.rows = rows
        self.config_path = config_path

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label("Keys  (esc closes)", id="help-title")
            with VerticalScroll(id="help-body"):
                yield Static(self._table(), id="help-table")
            yield Label(f"Remap in {self.config_path}: [keys] id = \"key\"", id="help-foot", markup=False)

    def _table(self) -> Table:
        table = Table.grid(padding=(0, 2))
        table.add_column(no_wrap=True, style="bold cyan")
        table.add_column(ratio=1)
        table.add_column(no_wrap=True, style="dim")
        section = None
        for where, keys, description, binding_id in self.rows:
            if where != section:
                if section is not None:
                    table.add_row("", "", "")
                table.add_row(Text(where, style="bold underline"), "", "")
                section = where
            table.add_row(keys, description, binding_id)
        return table

    def action_close(self) -> None:
        self.dismiss(None)
