"""A table part: the columns with their dtypes, one page of rows, and where that page sits.

marimo sends a table's first page inline; `]` and `[` ask for the next and
previous page (`PageWanted`, answered by whoever can reach the kernel, which
calls `show_page`). A table without an object id, or a kernel that cannot
page it, keeps the inline page and says so in its footer.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Static

from ....core.documents import TablePart
from ...inert import inert
from .plain import plain_text

CELL_CHARS = 60  # characters of one value shown


def cell_text(value: Any) -> Text:
    """A value as a table cell: inert, on one line, cut when long; numbers to the right."""
    if value is None:
        return Text("None", style="dim")
    shown = inert(str(value)).replace("\n", "⏎")
    if len(shown) > CELL_CHARS:
        shown = shown[: CELL_CHARS - 1] + "…"
    numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
    return Text(shown, justify="right" if numeric else "left")


def rows_note(first: int, count: int, total: int | None, columns: int, total_columns: int) -> str:
    """`rows 1-10 of 5,000` (and the columns when some are left out)."""
    if count == 0:
        head = "no rows" if total in (0, None) else f"no rows here of {total:,}"
    elif total is not None and total <= count and first == 0:
        head = f"{total:,} row{'s' if total != 1 else ''}"
    else:
        of = f"{total:,}" if total is not None else "many"
        head = f"rows {first + 1:,}-{first + count:,} of {of}"
    if total_columns > columns:
        head += f" · {columns} of {total_columns:,} columns"
    return head


class TableView(Vertical):
    """A DataTable with column headers (name and dtype), one page of rows and a footer."""

    DEFAULT_CSS = """
    TableView {
        height: auto;
        width: 1fr;
    }
    TableView > DataTable {
        height: auto;
        max-height: 24;
        scrollbar-size-horizontal: 1;
    }
    TableView > .table-foot {
        color: $text-muted;
    }
    """

    BINDINGS = [
        Binding("]", "page(1)", "next page", id="table-next-page", tooltip="Table: the next page of rows"),
        Binding("[", "page(-1)", "previous page", id="table-previous-page",
                tooltip="Table: the previous page of rows"),
    ]

    class PageWanted(Message):
        """The user asked for page `page` (from 0) of the table `object_id`."""

        def __init__(self, table: "TableView", object_id: str, page: int, page_size: int) -> None:
            super().__init__()
            self.table = table
            self.object_id = object_id
            self.page = page
            self.page_size = page_size

        @property
        def control(self) -> "TableView":
            return self.table

    def __init__(self, part: TablePart) -> None:
        super().__init__()
        self.part = part
        self.page = 0
        self.rows: list[dict[str, Any]] = list(part.rows)
        self.total = part.total_rows
        self.note = "" if part.object_id else "only this page: the table has no id to page by"
        self.page_size = max(part.page_size, len(part.rows), 1)

    def compose(self) -> ComposeResult:
        table: DataTable[Text] = DataTable(zebra_stripes=True, cursor_type="row", show_cursor=False)
        for column in self.part.columns:
            label = Text(inert(column.name), style="bold")
            if column.dtype:
                label.append(" " + inert(column.dtype), style="dim")
            table.add_column(label, key=column.name)
        yield table
        yield Static(classes="table-foot")

    def on_mount(self) -> None:
        self._fill()

    def on_descendant_focus(self) -> None:
        self.data_table.show_cursor = True

    def on_descendant_blur(self) -> None:
        self.data_table.show_cursor = False

    @property
    def data_table(self) -> DataTable[Text]:
        return self.query_one(DataTable)

    def _fill(self) -> None:
        table = self.data_table
        table.clear()
        names = [c.name for c in self.part.columns]
        for row in self.rows:
            table.add_row(*(cell_text(row.get(name)) for name in names))
        self._foot()

    def _foot(self) -> None:
        note = rows_note(self.page * self.page_size, len(self.rows), self.total, len(self.part.columns),
                         self.part.total_columns)
        pages = self.total is None or self.total > self.page_size
        if pages and self.part.object_id and not self.note:
            note += "  ] next · [ previous"
        if self.note:
            note += f"  ({self.note})"
        self.query_one(".table-foot", Static).update(plain_text(note))

    def action_page(self, step: int) -> None:
        page = self.page + step
        last = None if self.total is None else max(0, (self.total - 1) // self.page_size)
        if page < 0 or (last is not None and page > last) or not self.part.object_id:
            self.app.bell()
            return
        self.post_message(self.PageWanted(self, self.part.object_id, page, self.page_size))

    def show_page(self, page: int, rows: list[dict[str, Any]], total: int | None) -> None:
        """Rows `page * page_size` on, as the kernel read them; the columns stay as marimo sent them."""
        self.page, self.rows, self.total, self.note = page, rows, total, ""
        self._fill()

    def cannot_page(self, why: str) -> None:
        """The kernel could not give another page: keep this one and say why."""
        self.note = why
        self._foot()
