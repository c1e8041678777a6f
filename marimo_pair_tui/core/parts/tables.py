"""`<marimo-table>` read into a TablePart: columns with dtypes, the inline rows, the totals.

marimo inlines only the table's first page: `data-data` is a JSON string that
holds the rows' JSON (or a virtual-file URL for large pages). Later pages come
from the kernel (the service's table paging), never all at once.
"""

from __future__ import annotations

import json
from typing import Any, Callable

from bs4 import Tag

from .model import Column, TablePart

Attr = Callable[[Tag, str, Any], Any]


def rows_from(value: Any) -> list[dict[str, Any]]:
    """The rows of `data-data`: a JSON string of a list of row objects (decoded once more here)."""
    for _ in range(2):
        if isinstance(value, str):
            if value.startswith(("./@file", "data:", "http")):
                return []  # a virtual file: rows come from paging
            try:
                value = json.loads(value)
            except ValueError:
                return []
    if isinstance(value, list):
        return [row if isinstance(row, dict) else {"value": row} for row in value]
    return []


def columns_from(field_types: Any, rows: list[dict[str, Any]]) -> list[Column]:
    columns = []
    if isinstance(field_types, list):
        for item in field_types:
            if isinstance(item, list) and len(item) == 2:
                name, types = item
                kind, dtype = (types + ["", ""])[:2] if isinstance(types, list) else (str(types), "")
                columns.append(Column(str(name), str(kind), str(dtype)))
    if not columns and rows:
        columns = [Column(str(name), "", "") for name in rows[0]]
    return columns


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def table_part(el: Tag, object_id: str | None, attr: Attr) -> TablePart:
    rows = rows_from(attr(el, "data-data", "[]"))
    columns = columns_from(attr(el, "data-field-types", None), rows)
    hidden = {"_marimo_row_id"}
    columns = [c for c in columns if c.name not in hidden]
    rows = [{k: v for k, v in row.items() if k not in hidden} for row in rows]
    selection = attr(el, "data-selection", None)
    return TablePart(
        columns=columns,
        rows=rows,
        total_rows=_int(attr(el, "data-total-rows", len(rows))),
        total_columns=_int(attr(el, "data-total-columns", len(columns))) or len(columns),
        page_size=_int(attr(el, "data-page-size", 10)) or 10,
        object_id=object_id,
        selection=str(selection) if selection else None,
    )
