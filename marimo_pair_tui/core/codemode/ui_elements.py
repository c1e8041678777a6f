"""UI elements in the kernel: read them, set a value (checked against what the element takes).

Values go through code_mode's `set_ui_value` in the kernel: dependent cells
re-run before the call returns, and every client (a browser included) hears
the new value (`send-ui-element-message`). What each kind takes, and why some
cannot be set, is core/codemode/ui_values.py. Reads give each element's value as
Python sees it, as JSON (a table's selection as records, with the row numbers
`set-ui` takes), and keep the live model's copy of the values current
(`current_values`), so every door shows the kernel's value, not the one an
output was first drawn with.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Iterable, Sequence

from .client import CellState, OpResult, call, reread_cells
from ..wire.connection import Connection
from ..errors import AmbiguousTargetError, InvalidUiValueError, PairError, UiNotFoundError
from ..model.notebook import Notebook
from ..parts import WidgetPart, describe_widget, parse_output, walk
from ..wire.sessions import SessionRef
from .ui_values import SETTABLE, frontend_value, why_not_settable
from .table_pages import TablePage, table_page  # noqa: F401  (pages live in table_pages.py)

# The warning of a read whose widget values may be old.
UNSURE_VALUES = ("UI values are as last read from the kernel (it is busy, or could not be asked): one a browser set "
                 "since shows once the kernel answers (`ui` waits for it).")

# What `ui` shows of an element's arguments as its domain (the values it takes).
_DOMAIN = ("start", "stop", "step", "steps", "options", "max-selections", "allow-select-none", "max-length", "kind", "model-id",
           "selection", "total-rows")


@dataclass
class UiElement:
    """One element as the kernel holds it now."""

    object_id: str
    cell_id: str | None
    names: list[str]
    kind: str  # marimo's component name without "marimo-": slider, range-slider, dict, vega, ...
    label: str
    value: Any  # as Python sees it, as JSON (dates as ISO text, a dataframe as records)
    frontend_value: Any
    domain: dict[str, Any] = field(default_factory=dict)
    type: str = ""  # the Python class: slider, range_slider, array, run_button, altair_chart, ...
    entries: dict[str, str] = field(default_factory=dict)  # an array's, dictionary's or form's elements: id -> key
    extra: dict[str, Any] = field(default_factory=dict)  # rows / selected_cells (a table), value_rows (a dataframe)

    @classmethod
    def from_raw(cls, raw: dict[str, Any]) -> "UiElement":
        from ..parts.html import label_text  # BeautifulSoup is imported with the first label read

        args: dict[str, Any] = raw["args"] if isinstance(raw.get("args"), dict) else {}
        domain = {k.replace("-", "_"): v for k, v in args.items() if k in _DOMAIN and v not in (None, [])}
        if raw.get("kind") in ("slider", "range-slider") and domain.get("steps"):
            domain = {"steps": domain["steps"]}
        ids = args.get("element-ids")
        entries: dict[str, Any] = ids if isinstance(ids, dict) else {}
        if isinstance(args.get("element-id"), str):
            entries = {args["element-id"]: ""}
        extra: dict[str, Any] = {k: raw[k] for k in ("rows", "selected_cells", "value_rows") if k in raw}
        return cls(str(raw["object_id"]), raw.get("cell_id"), list(raw.get("names") or []), str(raw.get("kind")),
                   label_text(raw.get("label")), raw.get("value"), raw.get("frontend_value"), domain,
                   str(raw.get("type") or ""), {str(k): str(v) for k, v in entries.items()}, extra)

    @property
    def settable(self) -> bool:
        return self.kind in SETTABLE

    def describe(self) -> str:
        """One line a reader (or a model) can act on: `slider "n" = 3 (1..10) [Hbol-0]`; a table by its
        selected rows, a dataframe value by its size."""
        label = f' "{self.label}"' if self.label else ""
        chosen = self.extra.get("rows", self.extra.get("selected_cells"))
        if chosen is not None:
            total = self.domain.get("total_rows")
            of = f" of {total}" if isinstance(total, int) else ""
            return f"{self.kind}{label} = {'rows' if 'rows' in self.extra else 'cells'} {chosen}{of} [{self.object_id}]"
        if "value_rows" in self.extra:
            return f"{self.kind}{label} = {self.extra['value_rows']} rows [{self.object_id}]"
        return describe_widget(WidgetPart(self.kind, self.object_id, self.label, self.value, self.domain))

    def to_json(self) -> dict[str, Any]:
        doc = {"object_id": self.object_id, "cell": self.cell_id, "names": self.names, "kind": self.kind,
               "type": self.type, "label": self.label, "value": self.value, **self.extra, "domain": self.domain,
               "settable": self.settable}
        if not self.settable:
            doc["why_not_settable"] = why_not_settable(self.kind)
        return doc


def pick(elements: Sequence[UiElement], target: str, label: str | None = None, *, cell_id: str | None = None
         ) -> UiElement:
    """The element `target` names: an object id, a variable bound to it, or a cell by id or name (`cell_id`
    is the cell a name means; with `label` when the cell holds several)."""
    for element in elements:
        if element.object_id == target:
            return element
    found = [e for e in elements if target in e.names]
    if not found:
        found = [e for e in elements if e.cell_id in (target, cell_id)]
    if label is not None:
        found = [e for e in found if e.label == label] or [e for e in elements if e.label == label and target in (e.cell_id, *e.names)]
    if len(found) == 1:
        return found[0]
    if not found:
        raise UiNotFoundError(f"No UI element matches {target!r}" + (f" with label {label!r}" if label else "") + ".")
    raise AmbiguousTargetError(
        f"{target!r} names {len(found)} UI elements.", next="Pass an object id, or --label to pick by label.",
        candidates=[{**e.to_json(), "select_with": e.object_id} for e in found],
    )


async def read_elements(connection: Connection, session: SessionRef, ids: Sequence[str] | None = None,
                        notebook: Notebook | None = None) -> list[UiElement]:
    """The elements (all, or those `ids` names) as the kernel holds them; a read of all of them is also
    given to `notebook` (the live model of that session), whose copy of the values it makes current."""
    mark = notebook.ui_marks if notebook is not None else 0
    reply, _result, _narration = await call(connection, session, "ui_read", mutation=False,
                                            ids=list(ids) if ids else None)
    elements = [UiElement.from_raw(raw) for raw in reply.get("elements", [])]
    if notebook is not None and not ids:
        notebook.apply_ui_read({e.object_id: (e.value, e.frontend_value, e.names) for e in elements}, mark)
    return elements


def shown_widgets(cells: Iterable[Any]) -> dict[str, WidgetPart]:
    """The UI elements the cells' outputs show (a live `Cell`'s parts, a code_mode state's), by object id."""
    found: dict[str, WidgetPart] = {}
    for cell in cells:
        output = getattr(cell, "output", None)
        if output is None or not _may_hold_elements(output.data if hasattr(output, "data") else output.get("data")):
            continue  # not parsed for nothing: `cells --no-outputs` of a long notebook parses no output
        parts = output.parts if hasattr(output, "parts") else parse_output(output.get("mimetype"), output.get("data"))
        found.update({p.object_id: p for p in walk(parts) if isinstance(p, WidgetPart) and p.object_id})
    return found


def _may_hold_elements(data: Any) -> bool:
    if isinstance(data, str):
        return "<marimo-ui-element" in data
    return isinstance(data, dict) and any(isinstance(v, str) and "<marimo-ui-element" in v for v in data.values())


async def current_values(connection: Connection, session: SessionRef, cells: Iterable[Any],
                         notebook: Notebook | None = None, *, idle: Callable[[], Awaitable[bool]] | None = None
                         ) -> tuple[dict[str, Any], bool]:
    """The kernel's values (as Python sees them) of the elements `cells` show, by object id, and whether
    they are sure.

    Without a live model (`notebook`) the kernel is read. The live model keeps them from its last read of the
    kernel and from what the stream says; when a client set an element since (a browser's move reaches other
    clients only as the bound variable's new value), the kernel is read again if it is idle (`idle`, else the
    model's word): a read would wait while the kernel is busy, and is never cut short (that would interrupt
    it). So while the kernel runs, values may be the last known (not sure)."""
    shown = shown_widgets(cells)
    if not shown:
        return {}, True
    try:
        if notebook is None:
            read = await read_elements(connection, session)
            return {e.object_id: e.value for e in read if e.object_id in shown}, True
        if notebook.ui_stale and (await idle() if idle is not None else notebook.is_idle()):
            await read_elements(connection, session, notebook=notebook)
    except PairError:  # the cells are still worth having: the values the output was drawn with, not sure
        if notebook is None:
            return {}, False
    return {oid: notebook.widget_value(part) for oid, part in shown.items()}, not notebook.ui_stale


async def set_value(connection: Connection, session: SessionRef, element: UiElement, value: Any) -> OpResult:
    """Set the element to `value` (already turned into its frontend form); dependents have re-run on return."""
    reply, _executed, narration = await call(connection, session, "ui_set", object_id=element.object_id, value=value)
    ran = [str(c) for c in reply.get("ran", [])]
    result = OpResult(op="set_ui", cells=[CellState.from_raw(c) for c in reply.get("cells", [])],
                      order=list(reply.get("order", [])), extra={"element": reply.get("element"), "ran": ran},
                      narration=narration, ran=True)
    await reread_cells(connection, session, result)
    return result


__all__ = ["InvalidUiValueError", "UiNotFoundError", "TablePage", "UNSURE_VALUES", "UiElement", "current_values",
           "frontend_value", "pick", "read_elements", "set_value", "shown_widgets", "table_page"]
