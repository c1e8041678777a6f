"""Pages of a table output read in the kernel: the rows marimo does not send inline, with the row labels.

marimo inlines a table's first page only; later pages are read through the
table element's own manager in the kernel (a code_mode program,
`op_table_page`), serialised as marimo serialises them for the browser (the
index flattened into each row under the row headers' names). A page after the
last is refused with the last page named, never answered with an empty page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .client import call
from ..wire.connection import Connection
from ..errors import InvalidRequestError, PageOutOfRangeError
from ..parts.model import Column
from ..parts.tables import row_values, table_columns
from ..wire.sessions import SessionRef


@dataclass
class TablePage:
    """Rows `page * page_size` on of a table, with its columns (row labels first) as marimo sent them."""

    object_id: str
    rows: list[dict[str, Any]]
    total_rows: int
    page: int
    page_size: int
    columns: list[Column] = field(default_factory=list)
    total_columns: int | None = None

    @property
    def last_page(self) -> int:
        return max(0, (self.total_rows - 1) // self.page_size)


async def table_page(connection: Connection, session: SessionRef, object_id: str, page: int, page_size: int
                     ) -> TablePage:
    if page < 0 or page_size < 1 or page_size > 1000:
        raise InvalidRequestError("A page is a number from 0 and a size from 1 to 1000.",
                                  next="Pass page >= 0 and 1 <= page_size <= 1000.")
    reply, _result, _narration = await call(connection, session, "table_page", mutation=False,
                                            object_id=object_id, page=page, page_size=page_size)
    rows = [row_values(r) if isinstance(r, dict) else {"value": r} for r in reply.get("rows", [])]
    columns = table_columns(reply.get("field_types"), reply.get("row_headers"), rows)
    total_columns = reply.get("total_columns")
    found = TablePage(object_id, rows, int(reply.get("total_rows") or 0), page, page_size, columns,
                      total_columns if isinstance(total_columns, int) else None)
    if page > found.last_page:
        last = found.last_page
        raise PageOutOfRangeError(
            f"Page {page} is past the end of table {object_id}: its {found.total_rows:,} rows make pages 0 to "
            f"{last} at {page_size} a page.",
            next=f"Ask for page {last} (the last page) or a lower one.",
            object_id=object_id, last_page=last, total_rows=found.total_rows, page_size=page_size)
    return found
