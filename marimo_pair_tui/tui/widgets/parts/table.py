"""A table part: row labels and columns with their dtypes, one page of rows, and where that page sits.

marimo sends a table's first page inline; `]` and `[` ask for the next and
previous page (`PageWanted`, answered by whoever can reach the kernel, which
calls `show_page`). A table without an object id, or a kernel that cannot
page it, keeps the inline page and says so in its footer. Values are written
as marimo's browser table writes them (core/parts/values.py); the row labels
(a frame's index) come first, bold, and stay in place when the table scrolls
sideways. A value the table's visible edge cuts is marked `…` at that edge,
so `52.4` cut to `52.` never reads as another number.
"""

from __future__ import annotations

import re
from typing import Any

from rich.cells import cell_len
from rich.segment import Segment
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.strip import Strip
from textual.widgets import DataTable, Static

from ....core.api import NUMERIC_KINDS, Column, TablePart, shown_rows
from ...terminal_text import escape_controls
from ..marks import marked_text
from .plain import plain_text

CELL_CHARS = 60  # characters of one value shown
CUT = "…"


def cell_text(shown: str, column: Column) -> Text:
    """A value as shown (core's rendition) as a table cell: inert, on one line, cut when long;
    numbers to the right and row labels bold, as the browser draws them."""
    text = escape_controls(shown).replace("\n", "⏎")
    if len(text) > CELL_CHARS:
        text = text[: CELL_CHARS - 1] + CUT
    style = "bold" if column.index else ("dim" if shown == "None" else "")
    return Text(text, style=style, justify="right" if column.kind in NUMERIC_KINDS else "left")


class CutTable(DataTable[Text]):
    """A DataTable that marks `…` where its visible edge cuts a value (on either side when scrolled)."""

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        texts = self._line_texts(y)
        if texts is None:
            return strip
        width = self.size.width
        widths = [column.get_render_width(self) for column in self.ordered_columns]
        fixed_width = sum(widths[: self.fixed_columns])
        left, right = self.scroll_offset.x + fixed_width, self.scroll_offset.x + width
        start = 0
        for index, (column_width, text) in enumerate(zip(widths, texts)):
            end = start + column_width
            if index >= self.fixed_columns and text.plain:
                first, last = self._text_span(start, column_width, text)
                if start < right < end and last > right:
                    strip = _mark(strip, width - 1, width)
                if start < left < end and first < left and left > fixed_width:
                    strip = _mark(strip, fixed_width, width)
            start = end
        return strip

    def _line_texts(self, y: int) -> list[Text] | None:
        """The cells on screen line `y`: the header's labels, or one row's values."""
        header = 1 if self.show_header else 0
        if y < header:
            return [column.label for column in self.ordered_columns]
        index = y - header + self.scroll_offset.y
        if not 0 <= index < self.row_count:
            return None
        return [cell if isinstance(cell, Text) else Text(str(cell)) for cell in self.get_row_at(index)]

    def _text_span(self, start: int, column_width: int, text: Text) -> tuple[int, int]:
        """Where `text` sits in its cell, in the whole line's columns (justified within the padding)."""
        pad = self.cell_padding
        room = column_width - 2 * pad
        length = cell_len(text.plain)
        offset = {"right": room - length, "center": (room - length) // 2}.get(str(text.justify), 0)
        first = start + pad + max(0, offset)
        return first, first + length


def _mark(strip: Strip, x: int, width: int) -> Strip:
    """`strip` with `…` at column `x`, in the style that column had."""
    under = list(strip.crop(x, x + 1))
    style = under[0].style if under else None
    return Strip.join([strip.crop(0, x), Strip([Segment(CUT, style)], 1), strip.crop(x + 1, width)])


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
        self.pattern: re.Pattern[str] | None = None  # the search's, marked in the values

    def compose(self) -> ComposeResult:
        labels = sum(column.index for column in self.part.columns)
        table = CutTable(zebra_stripes=True, cursor_type="row", show_cursor=False, fixed_columns=labels)
        for column in self.part.columns:
            label = Text(escape_controls(column.name), style="bold")
            if column.dtype:
                label.append(" " + escape_controls(column.dtype), style="dim")
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
        columns = self.part.columns
        for values in shown_rows(columns, self.rows):
            table.add_row(*(marked_text(cell_text(value, column), self.pattern)
                            for value, column in zip(values, columns)))
        self._foot()

    def mark_matches(self, pattern: re.Pattern[str] | None) -> None:
        if pattern != self.pattern:
            self.pattern = pattern
            if self.is_mounted:
                self._fill()

    def _foot(self) -> None:
        data_columns = sum(not c.index for c in self.part.columns)
        note = rows_note(self.page * self.page_size, len(self.rows), self.total, data_columns,
                         self.part.total_columns)
        if self.part.row_headers:
            note += f" · row labels: {', '.join(self.part.row_headers)}"
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
        """Rows `page * page_size` on, as the kernel read them (the row labels under their names, as in
        the inline page); the columns stay as marimo sent them."""
        self.page, self.rows, self.total, self.note = page, rows, total, ""
        self._fill()

    def cannot_page(self, why: str) -> None:
        """The kernel could not give another page: keep this one and say why."""
        self.note = why
        self._foot()
