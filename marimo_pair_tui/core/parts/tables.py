"""`<marimo-table>` read into a TablePart: row labels and columns with dtypes, the inline rows, the totals.

marimo inlines only the table's first page: `data-data` is a JSON string that
holds the rows' JSON (or a virtual-file URL for large pages). Later pages come
from the kernel (the service's table paging), never all at once. A frame's
row labels (a named index, each level of a MultiIndex, `describe()`'s
statistic names) arrive in `data-row-headers` as `[name, [kind, dtype]]`
pairs, and their values in every row under those names (marimo flattens the
index into the rows); `data-field-types` lists only the other columns.
"""

from __future__ import annotations

import json
import math
import re
from typing import TYPE_CHECKING, Any, Callable, Sequence

if TYPE_CHECKING:  # bs4 is loaded once HTML is read (parts/html.py), not to import this
    from bs4 import Tag

from ..errors import AmbiguousTargetError, UiNotFoundError
from .model import Column, Part, TablePart, walk
from .values import exact_value, page_fraction_digits, shown_value

Attr = Callable[["Tag", str, Any], Any]
HIDDEN = frozenset({"_marimo_row_id"})  # marimo's own row ids, never shown by the browser
_NON_FINITE_TEXT = {"inf": "inf", "-inf": "-inf"}
OBJECT_ID = re.compile(r"[A-Za-z0-9_]+-[0-9]+")  # a UI element's id: its cell's id, "-", a number


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


def row_values(row: dict[str, Any]) -> dict[str, Any]:
    """A row without marimo's ids, its non-finite floats as marimo's own strings ("NaN", "inf", "-inf"):
    marimo writes NaN as a bare `NaN`, which is not JSON, so no door's document may carry it."""
    return {k: (_NON_FINITE_TEXT.get(str(v), "NaN") if isinstance(v, float) and not math.isfinite(v) else v)
            for k, v in row.items() if k not in HIDDEN}


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


def table_columns(field_types: Any, row_headers: Any, rows: list[dict[str, Any]]) -> list[Column]:
    """The row-label columns first (as the browser draws them), then the others; marimo's ids left out."""
    headers = [Column(c.name, c.kind, c.dtype, index=True) for c in columns_from(row_headers, [])]
    labels = {c.name for c in headers}
    data = [c for c in columns_from(field_types, rows) if c.name not in labels and c.name not in HIDDEN]
    return headers + data


def shown_rows(columns: list[Column], rows: list[dict[str, Any]], *, page: list[dict[str, Any]] | None = None,
               exact: bool = False) -> list[list[str]]:
    """Each row's values in `columns` order as the browser's table shows them on `page` (the rows it
    shows at once; floats are padded to the page's longest), or (`exact`) as the shortest digits
    that read back as each value."""
    if exact:
        return [[exact_value(row.get(c.name)) for c in columns] for row in rows]
    digits = page_fraction_digits({c.name: c.kind for c in columns if not c.index}, rows if page is None else page)
    return [[shown_value(row.get(c.name), c.kind, digits.get(c.name, 0)) for c in columns] for row in rows]


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def table_part(el: Tag, object_id: str | None, attr: Attr) -> TablePart:
    rows = rows_from(attr(el, "data-data", "[]"))
    columns = table_columns(attr(el, "data-field-types", None), attr(el, "data-row-headers", None), rows)
    rows = [row_values(row) for row in rows]
    selection = attr(el, "data-selection", None)
    data_columns = sum(not c.index for c in columns)
    return TablePart(
        columns=columns,
        rows=rows,
        total_rows=_int(attr(el, "data-total-rows", len(rows))),
        total_columns=_int(attr(el, "data-total-columns", data_columns)) or data_columns,
        page_size=_int(attr(el, "data-page-size", 10)) or 10,
        object_id=object_id,
        selection=str(selection) if selection else None,
    )


def table_object_id(parts: Sequence[Part], cell_label: str) -> str:
    """The object id of the one pageable table a cell's output shows (refused when none or several)."""
    found = [p for p in walk(list(parts)) if isinstance(p, TablePart) and p.object_id]
    if len(found) == 1 and found[0].object_id:
        return found[0].object_id
    if not found:
        raise UiNotFoundError(f"The output of cell {cell_label} holds no table.",
                              next="Run the cell, or pass a table's object id (the table part's `object_id` in `output`).")
    raise AmbiguousTargetError(
        f"The output of cell {cell_label} holds {len(found)} tables.", next="Pass one table's object id.",
        candidates=[{"object_id": t.object_id, "columns": [c.name for c in t.columns], "total_rows": t.total_rows,
                     "select_with": t.object_id} for t in found])
