"""F1: every key, what it does, and the id to remap it in config.toml."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Label, Static

from .dialog import Dialog

Row = tuple[str, str, str, str]  # section, keys, description, binding id


class HelpScreen(Dialog[None]):
    BINDINGS = [Binding("escape,f1,q", "close", "close", id="help-close")]

    def __init__(self, rows: list[Row], config_path: str) -> None:
        super().__init__()
        self.rows = rows
        self.config_path = config_path

    def compose_dialog(self) -> ComposeResult:
        yield Label("Keys  (esc closes)", id="help-title", classes="title")
        with VerticalScroll(id="help-body"):
            yield Static(self._table(), id="help-table")
        yield Label(f"Remap in {self.config_path}: [keys] id = \"key\"", id="help-foot", classes="hint", markup=False)

    def _table(self) -> Group:
        parts: list[Text | Table] = []
        sections: dict[str, list[Row]] = {}
        for row in self.rows:
            sections.setdefault(row[0], []).append(row)
        width = max((len(keys) for _, keys, _, _ in self.rows), default=4)
        for where, rows in sections.items():
            if parts:
                parts.append(Text(""))
            parts.append(Text(where, style="bold underline"))
            table = Table.grid(padding=(0, 2), expand=True)
            table.add_column(no_wrap=True, style="bold cyan", min_width=min(width, 16))
            table.add_column(ratio=1)
            table.add_column(no_wrap=True, style="dim")
            for _where, keys, description, binding_id in rows:
                table.add_row(keys, description, binding_id)
            parts.append(table)
        return Group(*parts)

    def action_close(self) -> None:
        self.dismiss(None)
