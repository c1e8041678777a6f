"""Kernel side of the UI-element programs: read elements, set a value, read a table page.

Sent with base.py (appended to its text, so `OPERATIONS`,
`Refusal`, `states` and `Notebook` are that module's). Elements are found in
the kernel's UI element registry by object id; a table that is a bare output
(no variable) is found through its `search` function instead.
"""

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # in the kernel these are the names base.py defined just above
    from .base import OPERATIONS, Notebook, Refusal, _apply, states

LABEL_BUDGET = 2000
ARG_BUDGET = 20_000
UI_FRAME_ROWS = 100  # records of a dataframe value (a table's selection, a chart's) sent at most


def _jsonable(value: Any, budget: int = ARG_BUDGET) -> Any:
    """`value` as JSON data (unknown objects as their str), or its text cut to `budget` when large."""
    text = json.dumps(value, default=str)
    return json.loads(text) if len(text) <= budget else text[:budget]


def _ui_frame(value: Any) -> tuple[list[Any], int] | None:
    """A dataframe's first UI_FRAME_ROWS rows as JSON records (with its index labels, as marimo's table shows
    them) and its row count; None for anything that is not a dataframe."""
    if value is None or isinstance(value, (str, bytes, list, tuple, dict, set, int, float, bool)):
        return None
    try:
        from marimo._plugins.ui._impl.tables.utils import get_table_manager_or_none

        manager = get_table_manager_or_none(value)
        if manager is None:
            return None
        total = int(manager.get_num_rows(force=True) or 0)
        head = manager.take(UI_FRAME_ROWS, 0) if total > UI_FRAME_ROWS else manager
        return json.loads(head.to_json_str()), total
    except Exception:
        return None


UI_DEPTH = 20  # nesting read into a value; deeper (a cycle, or more than any form holds) reads as its str


def _ui_plain(value: Any, depth: int = 0) -> Any:
    """A UI element's Python value as JSON data: dates as ISO text, dataframes as records, bytes by size."""
    import dataclasses
    import datetime
    import io

    if depth > UI_DEPTH:
        return str(value)
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, (float, datetime.date, datetime.time, datetime.timedelta, bytes, bytearray, io.BytesIO)):
        return _ui_scalar(value)
    if isinstance(value, (dict, list, tuple, set, frozenset)) or (
            dataclasses.is_dataclass(value) and not isinstance(value, type)):
        return _ui_container(value, depth)
    return _ui_object(value, depth)


def _ui_scalar(value: Any) -> Any:
    """A float, date, time, duration or bytes as JSON has them: JSON has no NaN, dates or bytes."""
    import datetime
    import io
    import math

    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, io.BytesIO):
        return {"bytes": value.getbuffer().nbytes}
    return {"bytes": len(value)}


def _ui_container(value: Any, depth: int) -> Any:
    """A dict, a sequence or set, or a dataclass: each item read the same way, one level deeper."""
    import dataclasses

    if isinstance(value, dict):
        return {str(k): _ui_plain(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_ui_plain(v, depth + 1) for v in value]
    return {f.name: _ui_plain(getattr(value, f.name), depth + 1) for f in dataclasses.fields(value)}


def _ui_object(value: Any, depth: int) -> Any:
    """Any other object: a dataframe as its records, a numpy scalar as its Python value, the rest as its str."""
    frame = _ui_frame(value)
    if frame is not None:
        return frame[0]
    item = getattr(value, "item", None)  # a numpy scalar
    if callable(item):
        try:
            return _ui_plain(item(), depth + 1)
        except Exception:
            pass
    return str(value)


def _registry() -> Any:
    from marimo._runtime.context import get_context

    return get_context().ui_element_registry


def _element(oid: str) -> Any:
    try:
        return _registry().get_object(oid)
    except (KeyError, AssertionError, RuntimeError):
        raise Refusal("ui_not_found", f"No UI element {oid} in the kernel (its cell may have re-run).") from None


def _ui_selection(el: Any, args: dict[str, Any]) -> dict[str, Any]:
    """A table's selection in the form `set-ui` takes: row numbers, or {row, column} cells."""
    mode = args.get("selection")
    front = el._value_frontend if isinstance(el._value_frontend, list) else []
    if mode in ("single", "multi"):
        return {"rows": [int(v) for v in front if isinstance(v, (int, str)) and str(v).isdigit()]}
    if mode in ("single-cell", "multi-cell"):
        return {"selected_cells": [{"row": int(v["rowId"]) if str(v.get("rowId")).isdigit() else v.get("rowId"),
                                    "column": v.get("columnName")} for v in front if isinstance(v, dict)]}
    return {}


def _ui_describe(oid: str, el: Any) -> dict[str, Any]:
    registry = _registry()
    try:
        cell = registry.get_cell(oid)
    except Exception:
        cell = None
    init = el._args
    args = {k: v for k, v in (init.args or {}).items() if k not in ("data", "raw-data", "field-types", "field_types")}
    if hasattr(el, "_tab_keys"):  # tabs: set by the tab's name, sent as its position
        args["options"] = [str(key) for key in el._tab_keys]
    described = {
        "object_id": oid,
        "cell_id": cell,
        "names": sorted(registry.bound_names(oid)),
        "kind": str(init.component_name).removeprefix("marimo-"),
        "type": type(el).__name__,
        "label": (init.label or "")[:LABEL_BUDGET],
        "frontend_value": _jsonable(el._value_frontend),
        "args": _jsonable(args),
    }
    frame = _ui_frame(el.value)
    described["value"] = _jsonable(frame[0] if frame is not None else _ui_plain(el.value))
    if frame is not None:
        described["value_rows"] = frame[1]
    if described["kind"] == "table":
        described.update(_ui_selection(el, args))
    return described


async def op_ui_read(request: dict[str, Any], phase: Any) -> dict[str, Any]:
    registry = _registry()
    ids = request.get("ids") or list(registry._objects)
    elements = []
    for oid in ids:
        try:
            el = registry.get_object(oid)
        except (KeyError, AssertionError, RuntimeError):
            continue
        elements.append(_ui_describe(oid, el))
    return {"elements": elements, "cells": []}


def described_kind(el: Any) -> str:
    return str(el._args.component_name).removeprefix("marimo-")


def _dependents(kernel: Any, names: list[str]) -> list[str]:
    """The cells that read a name bound to the element (the ones a new value re-runs)."""
    found: set[str] = set()
    for name in names:
        try:
            found |= set(kernel.graph.get_referring_cells(name, language="python"))
            found -= set(kernel.graph.get_defining_cells(name))
        except Exception:
            continue
    return sorted(found)


async def op_ui_set(request: dict[str, Any], phase: Any) -> dict[str, Any]:
    import marimo._code_mode as cm

    oid = request["object_id"]
    el = _element(oid)
    ctx = cm.get_context()
    names = sorted(_registry().bound_names(oid))

    def queue() -> None:
        ctx.set_ui_value(el, request["value"])

    await _apply(ctx, phase, queue)
    widget = getattr(el, "widget", None) if described_kind(el) == "anywidget" else None
    if widget is not None and isinstance(request["value"], dict):
        # The traits were set as a browser's write sets them, which marimo does not relay to the other
        # clients: tell every client (browsers, mirrors) the widget's new state, as a kernel-side change does.
        widget.send_state(key=[k for k in request["value"] if k in widget.keys])
    dependents = _dependents(ctx._kernel, names)
    return {"element": _ui_describe(oid, _element(oid)), "cells": states(ctx, dependents),
            "order": Notebook(ctx).order, "ran": dependents}


def _table(oid: str) -> Any:
    try:
        return _registry().get_object(oid)
    except (KeyError, AssertionError, RuntimeError):
        pass
    from marimo._runtime.context import get_context

    try:
        search: Any = get_context().function_registry.get_function(oid, "search")
        return search.function.__self__
    except Exception:
        raise Refusal("ui_not_found", f"No table {oid} in the kernel (its cell may have re-run).") from None


async def op_table_page(request: dict[str, Any], phase: Any) -> dict[str, Any]:
    el = _table(request["object_id"])
    manager = getattr(el, "_manager", None)
    if manager is None:
        raise Refusal("invalid", f"{request['object_id']} is not a table.")
    size, page = int(request["page_size"]), int(request["page"])
    total = manager.get_num_rows(force=True)
    rows = json.loads(manager.take(size, page * size).to_json_str(el._format_mapping)) if size else []
    args = el._args.args or {}  # the row headers and field types marimo sent the browser with the table
    return {"rows": rows, "total_rows": total, "page": page, "page_size": size, "cells": [],
            "row_headers": _jsonable(args.get("row-headers")), "field_types": _jsonable(args.get("field-types")),
            "total_columns": args.get("total-columns")}


OPERATIONS.update({"ui_read": op_ui_read, "ui_set": op_ui_set, "table_page": op_table_page})
