"""marimo's UI elements read into WidgetParts: kind, label, value as rendered, domain.

The value parsed is the one the output was rendered with (`data-initial-value`,
in the frontend's form: a dropdown's is a list of one option, a stepped
slider's an index into its steps), turned into the value Python sees. Once
someone moves the element that value is old: the doors show the kernel's
current value instead (`with_values`, from the values the live model keeps).
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Callable, Mapping

if TYPE_CHECKING:  # bs4 is loaded once HTML is read (parts/html.py), not to import this
    from bs4 import Tag

from .model import LayoutPart, Part, WidgetPart

Attr = Callable[["Tag", str, Any], Any]
LabelText = Callable[[Any], str]

# kind -> the data-* attributes that say what values it accepts
_DOMAIN = {
    "slider": ("start", "stop", "step", "steps"),
    "range-slider": ("start", "stop", "step", "steps"),
    "number": ("start", "stop", "step"),
    "dropdown": ("options", "allow-select-none"),
    "multiselect": ("options", "max-selections"),
    "radio": ("options",),
    "text": ("kind", "max-length", "placeholder"),
    "text-area": ("max-length", "placeholder", "rows"),
    "date": ("start", "stop"),
    "datetime": ("start", "stop"),
    "date-range": ("start", "stop"),
    "file": ("filetypes", "multiple", "kind"),
    "table": ("selection", "total-rows"),
    "code-editor": ("language",),
    "anywidget": ("model-id",),  # its value is its model's state (core/model/widget_models.py)
}
# Limits of a domain beyond its range or options, written as `key value` (a placeholder is no limit,
# nor is a default): what a value must respect that only the parts said before.
_LIMITS = {"max_length", "max_selections", "multiple", "filetypes", "language"}
# Every element kind marimo has (`marimo-<kind>`); as Python types, "-" is "_" (range_slider).
KINDS = {"slider", "range-slider", "number", "dropdown", "multiselect", "radio", "checkbox", "switch",
         "text", "text-area", "button", "date", "datetime", "date-range", "form", "table", "file",
         "code-editor", "dict", "array", "refresh", "microphone", "chat", "tabs"}
# The Python classes of marimo's elements (a variable's `datatype` when it holds one; a value a client set
# is reported with the type of its frontend form instead: int, str, list, ...).
TYPES = {"slider", "range_slider", "number", "dropdown", "multiselect", "radio", "checkbox", "switch", "text",
         "text_area", "button", "run_button", "date", "datetime", "date_range", "form", "table", "file",
         "file_browser", "code_editor", "array", "dictionary", "batch", "refresh", "microphone", "chat", "tabs",
         "dataframe", "data_explorer", "data_editor", "altair_chart", "plotly", "matrix", "matplotlib",
         "anywidget"}


def python_value(kind: str, value: Any, domain: dict[str, Any]) -> Any:
    """A value in the frontend's form (an index into a stepped slider's steps, a dropdown's one-option list)
    as Python sees it."""
    steps = domain.get("steps") or []
    if kind == "slider" and steps and isinstance(value, int) and 0 <= value < len(steps):
        return steps[value]
    if kind == "range-slider" and steps and isinstance(value, list):
        return [steps[v] if isinstance(v, int) and 0 <= v < len(steps) else v for v in value]
    if kind == "dropdown" and isinstance(value, list):
        return value[0] if value else None
    return value


def with_values(parts: list[Part], current: Mapping[str, Any]) -> list[Part]:
    """`parts` with each widget's value the kernel's current one (`current`: values as Python sees them,
    by object id). New parts; the parsed ones (kept with the output) are not changed."""
    if not current:
        return parts

    def one(part: Part) -> Part:
        if isinstance(part, WidgetPart):
            value = current.get(part.object_id, part.value) if part.object_id else part.value
            return replace(part, value=value, children=[one(c) for c in part.children])
        if isinstance(part, LayoutPart):
            return replace(part, children=[one(c) for c in part.children])
        return part

    return [one(p) for p in parts]


def widget_part(el: Tag, object_id: str, attr: Attr, label_text: LabelText, inner: list[Part]) -> WidgetPart:
    kind = (el.name or "marimo-element").removeprefix("marimo-")
    domain: dict[str, Any] = {}
    for key in _DOMAIN.get(kind, ()):
        value = attr(el, f"data-{key}", None)
        if value is not None and value != []:
            domain[key.replace("-", "_")] = value
    if kind in ("slider", "range-slider") and domain.get("steps"):
        domain = {"steps": domain["steps"]}
    value = python_value(kind, attr(el, "data-initial-value", None), domain)
    return WidgetPart(kind, object_id, label_text(attr(el, "data-label", None)), value, domain, inner)


def describe_widget(part: WidgetPart) -> str:
    """`slider "n" = 3 (1..10, step 1)`: a widget as one line a reader (or a model) can act on."""
    label = f' "{part.label}"' if part.label else ""
    line = f"{part.kind}{label} = {_show(part.value)}"
    domain = part.domain
    if "steps" in domain:
        line += f" (one of {_show(domain['steps'])})"
    elif "start" in domain or "stop" in domain:
        bounds = f"{_show(domain.get('start', ''))}..{_show(domain.get('stop', ''))}"
        line += f" ({bounds}, step {_show(domain['step'])})" if "step" in domain else f" ({bounds})"
    elif "options" in domain:
        options = domain["options"]
        names = list(options) if isinstance(options, (list, dict)) else [options]
        line += f" (options: {', '.join(_show(o) for o in names[:20])}{', …' if len(names) > 20 else ''})"
    limits = {k: v for k, v in domain.items() if k in _LIMITS}
    if domain.get("allow_select_none") is True:
        limits["allow_select_none"] = True
    if domain.get("kind") not in (None, "text") and part.kind == "text":
        limits["kind"] = domain["kind"]  # password, email, url
    if limits:
        line += " (" + ", ".join(f"{k} {_show(v)}" for k, v in limits.items()) + ")"
    return f"{line} [{part.object_id}]" if part.object_id else line


def _show(value: Any) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # quoted and escaped: a value with a newline stays on its line
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "none"
    if isinstance(value, list):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_show(str(k))}: {_show(v)}" for k, v in value.items()) + "}"
    if isinstance(value, float) and value.is_integer():
        return str(value)
    return str(value)
