"""`mo.ui.dataframe` and `mo.ui.data_explorer` read into WidgetParts a reader can use.

Their outputs hold no rows: `<marimo-dataframe>` names the frame's columns
and row count, and a browser asks the kernel for pages; `<marimo-data-explorer>`
names its data's virtual file and the chart spec built so far. The value
drawn is the frontend's (`{"transforms": [...]}`, the spec); the doors put the
kernel's in its place (the transformed frame as records, the spec), and the
text writes either: the transforms or spec, and the frame as a table.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:  # bs4 is loaded once HTML is read (parts/html.py), not to import this
    from bs4 import Tag

from .model import Column, TablePart, WidgetPart

Attr = Callable[["Tag", str, Any], Any]
LabelText = Callable[[Any], str]
KINDS = ("dataframe", "data-explorer")
TableText = Callable[[TablePart], str]


def frame_widget(el: Tag, object_id: str, attr: Attr, label_text: LabelText) -> WidgetPart:
    kind = (el.name or "").removeprefix("marimo-")
    domain: dict[str, Any] = {}
    if kind == "dataframe":
        columns = attr(el, "data-columns", []) or []
        domain["columns"] = [{"name": str(c[0]), "kind": str(c[1]), "dtype": str(c[2]) if len(c) > 2 else ""}
                             for c in columns if isinstance(c, list) and c]
        total = attr(el, "data-total", None)
        if isinstance(total, int):
            domain["total_rows"] = total
    else:
        data = attr(el, "data-data", None)
        if isinstance(data, str) and data:
            domain["data"] = data
    return WidgetPart(kind, object_id, label_text(attr(el, "data-label", None)),
                      attr(el, "data-initial-value", None), domain)


def _records_table(records: list[dict[str, Any]]) -> TablePart:
    names: list[str] = []
    for row in records:
        names.extend(k for k in row if k not in names)
    return TablePart([Column(n, "", "") for n in names], records, len(records), len(names), len(records))


def frame_widget_text(part: WidgetPart, table_text: TableText) -> str:
    """What the element holds: the frame's columns and size, the transforms or the spec, the frame's rows."""
    label = f' "{part.label}"' if part.label else ""
    head = f"{part.kind}{label}" + (f" [{part.object_id}]" if part.object_id else "")
    lines: list[str] = []
    columns = part.domain.get("columns") or []
    if columns:
        size = part.domain.get("total_rows")
        shape = f"{size:,} rows × {len(columns)} columns" if isinstance(size, int) else f"{len(columns)} columns"
        names = ", ".join(f"{c['name']} ({c['dtype'] or c['kind']})" for c in columns)
        lines.append(f"{head}: a frame of {shape}: {names}")
    elif part.domain.get("data"):
        lines.append(f"{head}: explores the data at {part.domain['data']}")
    else:
        lines.append(head)
    value = part.value
    if isinstance(value, dict) and "transforms" in value:
        transforms = value.get("transforms") or []
        lines.append("transforms: " + (json.dumps(transforms) if transforms else "none"))
    elif isinstance(value, dict):
        lines.append("spec: " + json.dumps(value, default=str))
    elif isinstance(value, list) and all(isinstance(r, dict) for r in value):
        lines.append(f"value (the frame after its transforms, {len(value):,} rows read):")
        lines.append(table_text(_records_table(value)) if value else "(no rows)")
    elif value is not None:
        lines.append(f"value: {json.dumps(value, default=str)}")
    return "\n".join(lines)
