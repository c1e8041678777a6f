"""The variables pane (f9): the kernel's globals as a table, filtered as you type.

Each row: the name, its type, a short preview of its value, the cell that
defines it and the cells that read it, as the live stream reports them
(`PairingService.variables`). Everything in it came from the kernel, so it
is drawn inert. `enter` on a row posts `CellChosen` with the defining cell.
"""

from __future__ import annotations

from typing import Callable, Sequence

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Input

from ...core.api import Variable
from ..terminal_text import escape_controls

PREVIEW_CHARS = 24
COLUMNS = ("name", "type", "preview", "defined in", "read by")
EMPTY = "No variables yet: the kernel reports them once cells run."


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def matches(variable: Variable, query: str, label: Callable[[str], str]) -> bool:
    """The filter: every word of `query` is in the name, the type, or a defining or reading cell's label."""
    fields = " ".join([variable.name, variable.datatype or "", *map(label, variable.declared_by),
                       *map(label, variable.used_by)]).lower()
    return all(word in fields for word in query.lower().split())


class VariablesPane(Vertical):
    """A filter input above the table of variables."""

    DEFAULT_CSS = """
    VariablesPane {
        height: 1fr;
        border: round $primary 50%;
        border-title-color: $text-muted;
        border-subtitle-color: $text-muted;
    }
    VariablesPane:focus-within {
        border: round $primary;
    }
    VariablesPane > #variables-filter {
        border: none;
        height: 1;
        padding: 0 1;
        background: $boost;
    }
    VariablesPane > #variables-table {
        height: 1fr;
    }
    """

    class CellChosen(Message):
        """`enter` on a variable: its defining cell."""

        def __init__(self, cell_id: str, name: str) -> None:
            super().__init__()
            self.cell_id = cell_id
            self.name = name

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = "Variables"
        self.border_subtitle = "enter: defining cell"
        self.variables: list[Variable] = []
        self.shown_names: list[str] = []
        self._label: Callable[[str], str] = lambda cell_id: cell_id

    def compose(self) -> ComposeResult:
        yield Input(placeholder="filter: name, type or cell", id="variables-filter")
        table: DataTable[Text] = DataTable(id="variables-table", cursor_type="row", zebra_stripes=True)
        yield table

    def on_mount(self) -> None:
        self.table.add_columns(*COLUMNS)

    @property
    def table(self) -> DataTable[Text]:
        return self.query_one("#variables-table", DataTable)

    @property
    def query_text(self) -> str:
        return self.query_one("#variables-filter", Input).value

    def show(self, variables: Sequence[Variable], label: Callable[[str], str]) -> None:
        """Show `variables` (cells named by `label`), keeping the filter and the row under the cursor."""
        self.variables = list(variables)
        self._label = label
        self._fill()

    def _fill(self) -> None:
        table = self.table
        current = self.shown_names[table.cursor_row] if 0 <= table.cursor_row < len(self.shown_names) else None
        label = self._label
        shown = [v for v in self.variables if matches(v, self.query_text, label)]
        table.clear()
        self.shown_names = [v.name for v in shown]
        for v in shown:
            preview = _short(escape_controls(v.preview or ""), PREVIEW_CHARS)
            if v.rows is not None:
                preview = preview or f"{v.rows} rows × {len(v.columns)} columns"
            table.add_row(
                Text(escape_controls(v.name), style="bold"),
                Text(escape_controls(v.datatype or ""), style="cyan"),
                Text(preview),
                Text(", ".join(escape_controls(label(c)) for c in v.declared_by)),
                Text(", ".join(escape_controls(label(c)) for c in v.used_by), style="dim"),
                key=v.name,
            )
        if not shown:
            self.border_subtitle = EMPTY if not self.variables else "nothing matches the filter"
        else:
            self.border_subtitle = f"{len(shown)} of {len(self.variables)} · enter: defining cell"
        if current in self.shown_names:
            table.move_cursor(row=self.shown_names.index(current), animate=False)

    @on(Input.Changed, "#variables-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._fill()

    @on(Input.Submitted, "#variables-filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.table.focus()

    @on(DataTable.RowSelected, "#variables-table")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        name = str(event.row_key.value)
        variable = next((v for v in self.variables if v.name == name), None)
        if variable is not None and variable.declared_by:
            self.post_message(self.CellChosen(variable.declared_by[0], name))

    def focus_table(self) -> None:
        self.table.focus()
