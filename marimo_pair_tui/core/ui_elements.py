"""UI elements in the kernel: read them, set a value (checked against what the element accepts), page tables.

Values go through code_mode's `set_ui_value` in the kernel: dependent cells
re-run before the call returns, and every client (a browser included) hears
the new value (`send-ui-element-message`). Values are given as Python sees
them (a dropdown's option, a stepped slider's step) and turned into the form
the element's frontend uses; anything outside the element's domain is refused
before it reaches the kernel, since marimo itself accepts out-of-range values.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass, field
from typing import Any, Sequence

from .codemode import CellState, OpResult, call, reread_cells
from .connection import Connection
from .errors import AmbiguousTargetError, InvalidRequestError, InvalidUiValueError, UiNotFoundError
from .parts.html import label_text
from .sessions import SessionRef

SETTABLE = ("slider", "number", "range-slider", "dropdown", "multiselect", "radio", "checkbox", "switch",
            "text", "text-area", "date", "button")


@dataclass
class UiElement:
    """One element as the kernel holds it now."""

    object_id: str
    cell_id: str | None
    names: list[str]
    kind: str
    label: str
    value: Any
    frontend_value: Any
    domain: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_raw(cls, raw: dict[str, Any]) -> "UiElement":
        args: dict[str, Any] = raw["args"] if isinstance(raw.get("args"), dict) else {}
        keep = ("start", "stop", "step", "steps", "options", "max-selections", "allow-select-none",
                "max-length", "kind", "selection")
        domain = {k.replace("-", "_"): v for k, v in args.items() if k in keep and v not in (None, [])}
        if raw.get("kind") in ("slider", "range-slider") and domain.get("steps"):
            domain = {"steps": domain["steps"]}
        return cls(str(raw["object_id"]), raw.get("cell_id"), list(raw.get("names") or []), str(raw.get("kind")),
                   label_text(raw.get("label")), raw.get("value"), raw.get("frontend_value"), domain)

    def to_json(self) -> dict[str, Any]:
        return {"object_id": self.object_id, "cell": self.cell_id, "names": self.names, "kind": self.kind,
                "label": self.label, "value": self.value, "domain": self.domain}


@dataclass
class TablePage:
    object_id: str
    rows: list[dict[str, Any]]
    total_rows: int
    page: int
    page_size: int


def _accepts(element: UiElement) -> str:
    d = element.domain
    if "steps" in d:
        return f"one of {d['steps']}"
    if "options" in d:
        return f"one of {list(d['options'])}"
    if "start" in d or "stop" in d:
        step = f", step {d['step']}" if d.get("step") is not None else ""
        return f"{d.get('start')}..{d.get('stop')}{step}"
    return "a value of its kind"


def _refuse(element: UiElement, value: Any, why: str) -> InvalidUiValueError:
    return InvalidUiValueError(
        f"{value!r} is not a value {element.kind} {element.label or element.object_id!r} takes: {why}.",
        next=f"Pass {_accepts(element)}.", object_id=element.object_id, domain=element.domain,
    )


def _number(element: UiElement, value: Any) -> float | int:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _refuse(element, value, "it takes a number")
    d = element.domain
    start, stop, step = d.get("start"), d.get("stop"), d.get("step")
    if (start is not None and value < start) or (stop is not None and value > stop):
        raise _refuse(element, value, f"it is outside {start}..{stop}")
    if step and start is not None:
        ratio = (value - start) / step
        if not math.isclose(ratio, round(ratio), abs_tol=1e-9):
            raise _refuse(element, value, f"it is not on a step of {step} from {start}")
    return value


def _step_index(element: UiElement, value: Any) -> int:
    steps = list(element.domain["steps"])
    if value not in steps:
        raise _refuse(element, value, f"it is not one of the steps {steps}")
    return steps.index(value)


def _option(element: UiElement, value: Any) -> Any:
    options = element.domain.get("options")
    names = list(options) if isinstance(options, (list, dict)) else []
    if value not in names:
        raise _refuse(element, value, "it is not one of its options")
    return value


def frontend_value(element: UiElement, value: Any) -> Any:
    """`value` (as Python sees it) in the form the element's frontend sends; refuses what it does not accept."""
    kind = element.kind
    if kind not in SETTABLE:
        raise InvalidRequestError(f"Setting a {kind} is not supported.",
                                  next=f"Set one of: {', '.join(SETTABLE)}.", object_id=element.object_id)
    if kind in ("slider", "number"):
        return _step_index(element, value) if "steps" in element.domain else _number(element, value)
    if kind == "range-slider":
        if not (isinstance(value, list) and len(value) == 2):
            raise _refuse(element, value, "it takes [low, high]")
        pair = [_step_index(element, v) if "steps" in element.domain else _number(element, v) for v in value]
        if value[0] > value[1]:
            raise _refuse(element, value, "low is above high")
        return pair
    if kind == "dropdown":
        if value is None and element.domain.get("allow_select_none"):
            return []
        return [_option(element, value)]
    if kind == "multiselect":
        if not isinstance(value, list):
            raise _refuse(element, value, "it takes a list of options")
        most = element.domain.get("max_selections")
        if most is not None and len(value) > most:
            raise _refuse(element, value, f"at most {most} may be chosen")
        return [_option(element, v) for v in value]
    if kind == "radio":
        return _option(element, value)
    if kind in ("checkbox", "switch"):
        if not isinstance(value, bool):
            raise _refuse(element, value, "it takes true or false")
        return value
    if kind in ("text", "text-area"):
        if not isinstance(value, str):
            raise _refuse(element, value, "it takes text")
        most = element.domain.get("max_length")
        if most is not None and len(value) > most:
            raise _refuse(element, value, f"it takes at most {most} characters")
        return value
    if kind == "date":
        try:
            day = datetime.date.fromisoformat(str(value))
        except ValueError:
            raise _refuse(element, value, "it takes a date as YYYY-MM-DD") from None
        start, stop = element.domain.get("start"), element.domain.get("stop")
        if (start and day.isoformat() < start) or (stop and day.isoformat() > stop):
            raise _refuse(element, value, f"it is outside {start}..{stop}")
        return day.isoformat()
    # a button: any value presses it once (its frontend value counts presses)
    count = element.frontend_value if isinstance(element.frontend_value, int) else 0
    return count + 1


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


async def read_elements(connection: Connection, session: SessionRef, ids: Sequence[str] | None = None
                        ) -> list[UiElement]:
    reply, _result, _narration = await call(connection, session, "ui_read", mutation=False,
                                            ids=list(ids) if ids else None)
    return [UiElement.from_raw(raw) for raw in reply.get("elements", [])]


async def set_value(connection: Connection, session: SessionRef, element: UiElement, value: Any) -> OpResult:
    """Set the element to `value` (already turned into its frontend form); dependents have re-run on return."""
    reply, _executed, narration = await call(connection, session, "ui_set", object_id=element.object_id, value=value)
    ran = [str(c) for c in reply.get("ran", [])]
    result = OpResult(op="set_ui", cells=[CellState.from_raw(c) for c in reply.get("cells", [])],
                      order=list(reply.get("order", [])), extra={"element": reply.get("element"), "ran": ran},
                      narration=narration, ran=True)
    await reread_cells(connection, session, result)
    return result


async def table_page(connection: Connection, session: SessionRef, object_id: str, page: int, page_size: int
                     ) -> TablePage:
    if page < 0 or page_size < 1 or page_size > 1000:
        raise InvalidRequestError("A page is a number from 0 and a size from 1 to 1000.",
                                  next="Pass page >= 0 and 1 <= page_size <= 1000.")
    reply, _result, _narration = await call(connection, session, "table_page", mutation=False,
                                            object_id=object_id, page=page, page_size=page_size)
    rows = [r if isinstance(r, dict) else {"value": r} for r in reply.get("rows", [])]
    return TablePage(object_id, rows, int(reply.get("total_rows") or 0), page, page_size)


__all__ = ["InvalidUiValueError", "UiNotFoundError", "TablePage", "UiElement", "frontend_value", "pick",
           "read_elements", "set_value", "table_page"]
