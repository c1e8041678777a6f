"""Kernel side of the UI-element programs: read elements, set a value, read a table page.

Sent with codemode_kernel.py (appended to its text, so `OPERATIONS`,
`Refusal`, `states` and `Notebook` are that module's). Elements are found in
the kernel's UI element registry by object id; a table that is a bare output
(no variable) is found through its `search` function instead.
"""

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # in the kernel these are the names codemode_kernel.py defined just above
    from .codemode_kernel import OPERATIONS, Notebook, Refusal, _apply, states

LABEL_BUDGET = 2000
ARG_BUDGET = 20_000


def _jsonable(value: Any, budget: int = ARG_BUDGET) -> Any:
    """`value` as JSON data (unknown objects as their str), or its text cut to `budget` when large."""
    text = json.dumps(value, default=str)
    return json.loads(text) if len(text) <= budget else text[:budget]


def _registry() -> Any:
    from marimo._runtime.context import get_context

    return get_context().ui_element_registry


def _element(oid: str) -> Any:
    try:
        return _registry().get_object(oid)
    except (KeyError, AssertionError, RuntimeError):
        raise Refusal("ui_not_found", f"No UI element {oid} in the kernel (its cell may have re-run).") from None


def _describe(oid: str, el: Any) -> dict[str, Any]:
    registry = _registry()
    try:
        cell = registry.get_cell(oid)
    except Exception:
        cell = None
    init = el._args
    args = {k: v for k, v in (init.args or {}).items() if k not in ("data", "field-types", "field_types")}
    return {
        "object_id": oid,
        "cell_id": cell,
        "names": sorted(registry.bound_names(oid)),
        "kind": str(init.component_name).removeprefix("marimo-"),
        "label": (init.label or "")[:LABEL_BUDGET],
        "value": _jsonable(el.value),
        "frontend_value": _jsonable(el._value_frontend),
        "args": _jsonable(args),
    }


async def op_ui_read(request: dict[str, Any], phase: Any) -> dict[str, Any]:
    registry = _registry()
    ids = request.get("ids") or list(registry._objects)
    elements = []
    for oid in ids:
        try:
            el = registry.get_object(oid)
        except (KeyError, AssertionError, RuntimeError):
            continue
        elements.append(_describe(oid, el))
    return {"elements": elements, "cells": []}


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
    dependents = _dependents(ctx._kernel, names)
    return {"element": _describe(oid, _element(oid)), "cells": states(ctx, dependents),
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
