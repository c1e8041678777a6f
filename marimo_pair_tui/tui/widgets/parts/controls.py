"""Which control draws which kind of UI element."""

from __future__ import annotations

from textual.widget import Widget

from ....core.api import WidgetPart
from .choices import ButtonControl, DropdownControl, MultiControl, RadioControl, ToggleControl
from .control import Control, Described
from .numbers import NumberControl, RangeControl
from .texts import DateControl, TextAreaControl, TextControl

CONTROLS: dict[str, type[Control]] = {
    "slider": NumberControl, "number": NumberControl, "range-slider": RangeControl,
    "dropdown": DropdownControl, "radio": RadioControl, "multiselect": MultiControl,
    "checkbox": ToggleControl, "switch": ToggleControl, "text": TextControl, "text-area": TextAreaControl,
    "date": DateControl, "button": ButtonControl,
}


def control_widget(part: WidgetPart) -> Widget:
    """Live widgets for an element the kernel lets us set; a line describing any other."""
    return CONTROLS.get(part.kind, Described)(part)
