"""What `set-ui` gives each kind of UI element: a value as Python sees it, checked, in its frontend's form.

Values are given as Python sees them (a dropdown's option, a stepped
slider's step, a table's row numbers) and turned into the form the element's
frontend sends; anything outside the element's domain is refused before it
reaches the kernel, since marimo itself accepts out-of-range values and
leaves the element broken. A kind that cannot be set says why (`NOT_SETTABLE`).
Kinds are marimo's component names without `marimo-` (`range-slider`; an
`mo.ui.array` is a `dict`, a chart is `vega` or `plotly`).
"""

from __future__ import annotations

import datetime
import math
from typing import TYPE_CHECKING, Any, Callable, Sequence

from ..errors import InvalidUiValueError, UiNotSettableError

if TYPE_CHECKING:
    from .ui_elements import UiElement

Convert = Callable[["UiElement", Any], Any]

# kind -> why set-ui cannot set it (the command's refusal and docs/outputs.md's table say the same)
NOT_SETTABLE = {
    "file": "an upload carries a file's bytes from a browser; upload it there",
    "file-browser": "its files are picked by browsing the server's folders in a browser",
    "chatbot": "a chat's messages are typed in its box and answered by its model; chat in a browser",
    "microphone": "a recording is made with a browser's microphone",
    "refresh": "it ticks on its own timer in a browser; re-run the cells that read it with `run`",
    "dataframe": "its value is the result of transformations built in its editor in a browser",
    "data-explorer": "its value is a chart built in its editor in a browser",
    "data-editor": "its edits are made in its grid in a browser",
    "vega": "a chart's selection is made by pointing at the chart in a browser",
    "plotly": "a chart's selection is made by pointing at the chart in a browser",
    "matplotlib": "a figure's selection is drawn with the mouse in a browser",
    "mpl-interactive": "an interactive figure is driven with the mouse in a browser",
    "matrix": "set-ui does not check a matrix's shape and bounds; set it in a browser",
    "download": "a download is a button pressed in a browser; `output` reads its file (--save-images writes it)",
    "lazy": "it loads its content when a browser shows it and holds no value to set",
}


def _accepts(element: UiElement) -> str:
    d = element.domain
    if element.kind == "table":
        cells = str(d.get("selection", "")).endswith("-cell")
        what = '[{"row": 0, "column": "name"}, …]' if cells else ("a row number" if d.get("selection") == "single"
                                                                   else "a list of row numbers")
        rows = d.get("total_rows")
        return f"{what} ({'0..' + str(rows - 1) if isinstance(rows, int) and rows else 'rows from 0'})"
    if element.kind == "dict":
        return "a list of its entries' values" if element.type == "array" else "an object of its entries' values"
    if element.kind == "anywidget":
        return f"an object of some of its traits ({', '.join(sorted(_traits(element)))})"
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


def _text(element: UiElement, value: Any) -> str:
    if not isinstance(value, str):
        raise _refuse(element, value, "it takes text")
    most = element.domain.get("max_length")
    if most is not None and len(value) > most:
        raise _refuse(element, value, f"it takes at most {most} characters")
    return value


def _within(element: UiElement, value: Any, text: str) -> str:
    start, stop = element.domain.get("start"), element.domain.get("stop")
    if (start and text < str(start)) or (stop and text > str(stop)):
        raise _refuse(element, value, f"it is outside {start}..{stop}")
    return text


def _day(element: UiElement, value: Any) -> str:
    try:
        day = datetime.date.fromisoformat(str(value))
    except ValueError:
        raise _refuse(element, value, "it takes a date as YYYY-MM-DD") from None
    return _within(element, value, day.isoformat())


def _moment(element: UiElement, value: Any) -> str:
    try:
        moment = datetime.datetime.fromisoformat(str(value))
    except ValueError:
        raise _refuse(element, value, "it takes a date and time as YYYY-MM-DDTHH:MM:SS") from None
    if moment.tzinfo is not None:
        raise _refuse(element, value, "it takes a wall-clock time, without a time zone")
    return _within(element, value, moment.strftime("%Y-%m-%dT%H:%M:%S"))


def _slider(element: UiElement, value: Any) -> Any:
    return _step_index(element, value) if "steps" in element.domain else _number(element, value)


def _pair(element: UiElement, value: Any, one: Convert, what: str, reversed_why: str) -> list[Any]:
    """A range: two values, each `one`, the first not above the second."""
    if not (isinstance(value, list) and len(value) == 2):
        raise _refuse(element, value, f"it takes {what}")
    pair = [one(element, v) for v in value]
    if value[0] > value[1]:
        raise _refuse(element, value, reversed_why)
    return pair


def _range(element: UiElement, value: Any) -> list[Any]:
    return _pair(element, value, _slider, "[low, high]", "low is above high")


def _date_range(element: UiElement, value: Any) -> list[str]:
    return _pair(element, [str(v) for v in value] if isinstance(value, list) else value, _day,
                 "[first day, last day]", "the first day is after the last")


def _dropdown(element: UiElement, value: Any) -> list[Any]:
    if value is None and element.domain.get("allow_select_none"):
        return []
    return [_option(element, value)]


def _multiselect(element: UiElement, value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise _refuse(element, value, "it takes a list of options")
    most = element.domain.get("max_selections")
    if most is not None and len(value) > most:
        raise _refuse(element, value, f"at most {most} may be chosen")
    return [_option(element, v) for v in value]


def _toggle(element: UiElement, value: Any) -> bool:
    if not isinstance(value, bool):
        raise _refuse(element, value, "it takes true or false")
    return value


def _press(element: UiElement, _value: Any) -> int:
    """A button (a run button too): any value presses it once; its frontend value counts presses."""
    return (element.frontend_value if isinstance(element.frontend_value, int) else 0) + 1


def _row(element: UiElement, value: Any) -> int:
    rows = element.domain.get("total_rows")
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _refuse(element, value, "a row is a number from 0")
    if isinstance(rows, int) and value >= rows:
        raise _refuse(element, value, f"the table has {rows} rows (0..{rows - 1})")
    return value


def _table(element: UiElement, value: Any) -> list[Any]:
    """Rows by number (0 is the data's first row, whatever the table shows sorted or filtered), as marimo's
    row ids; a cell-selection table takes {row, column} objects (or [row, column] pairs)."""
    mode = element.domain.get("selection")
    if mode not in ("single", "multi", "single-cell", "multi-cell"):
        raise UiNotSettableError(f"Table {element.label or element.object_id!r} has no selection to set.",
                                 next="Give the table selection='single' or 'multi' to select rows.",
                                 object_id=element.object_id)
    many = value if isinstance(value, list) else [value]
    if mode.startswith("single") and len(many) > 1:
        raise _refuse(element, value, "it selects one at most")
    if mode in ("single", "multi"):
        return [str(_row(element, v)) for v in dict.fromkeys(many)]
    cells = []
    for item in many:
        row, column = (item.get("row"), item.get("column")) if isinstance(item, dict) else (
            item if isinstance(item, list) and len(item) == 2 else (None, None))
        if not isinstance(column, str):
            raise _refuse(element, value, "each cell is {\"row\": N, \"column\": NAME}")
        cells.append({"rowId": str(_row(element, row)), "columnName": column})
    return cells


def _traits(element: UiElement) -> dict[str, Any]:
    """An anywidget's state as the kernel holds it: its settable traits (binary ones read as {"bytes": N})."""
    state = element.value if isinstance(element.value, dict) else {}
    return {k: v for k, v in state.items() if not (isinstance(v, dict) and set(v) == {"bytes"})}


def _model_state(element: UiElement, value: Any) -> dict[str, Any]:
    """Some of an anywidget's traits, as a browser's widget sends them: each must be part of its state, and
    not binary (bytes do not travel as JSON)."""
    if not isinstance(value, dict) or not value:
        raise _refuse(element, value, "it takes an object of the traits to change")
    unknown = sorted(set(map(str, value)) - set(_traits(element)))
    if unknown:
        state = element.value if isinstance(element.value, dict) else {}
        why = "binary" if all(k in state for k in unknown) else "not part of its state"
        raise _refuse(element, value, f"{', '.join(unknown)} {'is' if len(unknown) == 1 else 'are'} {why}")
    return {str(k): v for k, v in value.items()}


def _tab(element: UiElement, value: Any) -> str:
    return str(list(element.domain.get("options") or []).index(_option(element, value)))


_SIMPLE: dict[str, Convert] = {
    "slider": _slider, "number": _slider, "range-slider": _range, "dropdown": _dropdown,
    "multiselect": _multiselect, "radio": _option, "checkbox": _toggle, "switch": _toggle, "text": _text,
    "text-area": _text, "code-editor": _text, "date": _day, "datetime": _moment, "date-range": _date_range,
    "button": _press, "table": _table, "tabs": _tab, "anywidget": _model_state,
}
SETTABLE = (*_SIMPLE, "form", "dict")


def frontend_value(element: UiElement, value: Any, elements: Sequence[UiElement] = ()) -> Any:
    """`value` (as Python sees it) in the form the element's frontend sends; refuses what it does not take.

    `elements` are the session's others: a form is set through the element it wraps (as if submitted),
    an array or dictionary through each of its entries."""
    kind = element.kind
    convert = _SIMPLE.get(kind)
    if convert is not None:
        return convert(element, value)
    by_id = {e.object_id: e for e in elements}
    if kind == "form":
        inner = by_id.get(next(iter(element.entries), ""))
        if inner is None:
            raise UiNotSettableError(f"The element form {element.object_id} wraps is not in the kernel.",
                                     object_id=element.object_id)
        return frontend_value(inner, value, elements)
    if kind == "dict":
        return _entries(element, value, by_id, elements)
    raise UiNotSettableError(f"{element.type or kind} {element.label or element.object_id!r} cannot be set from here: "
                             f"{why_not_settable(kind)}.", object_id=element.object_id, element_kind=kind)


def why_not_settable(kind: str) -> str:
    return NOT_SETTABLE.get(kind, f"set-ui does not know what a {kind} takes")


def _entries(element: UiElement, value: Any, by_id: dict[str, UiElement], elements: Sequence[UiElement]
             ) -> dict[str, Any]:
    """An array (a list) or a dictionary (an object, any of its keys): each entry through its own element."""
    keys = {key: oid for oid, key in element.entries.items()}
    if element.type == "array":
        if not (isinstance(value, list) and len(value) == len(keys)):
            raise _refuse(element, value, f"it takes a list of {len(keys)} values")
        given = {str(i): v for i, v in enumerate(value)}
    elif isinstance(value, dict) and set(map(str, value)) <= set(keys):
        given = {str(k): v for k, v in value.items()}
    else:
        raise _refuse(element, value, f"it takes an object with keys among {sorted(keys)}")
    current = element.frontend_value if isinstance(element.frontend_value, dict) else {}
    sent = dict(current)
    for key, entry_value in given.items():
        entry = by_id.get(keys[key])
        if entry is None:
            raise UiNotSettableError(f"Entry {key!r} of {element.object_id} is not in the kernel.",
                                     object_id=element.object_id)
        sent[key] = frontend_value(entry, entry_value, elements)
    return sent
