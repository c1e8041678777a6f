"""What every live UI element shares: the value the kernel holds, a chosen value, and going back.

A control shows a `WidgetPart` as Textual widgets. When the user picks a
value it posts `ValueChosen`; whoever reaches the kernel sets it and then
calls `accepted` (the kernel holds it now) or `revert` (refused: the widgets
show the kernel's value again). Dependent cells' new outputs come through the
live model like any other change.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Static

from ....core.documents import WidgetPart
from ...inert import inert
from .plain import shown


class Control(Horizontal):
    """A UI element's widgets: its label, the widgets that take a value, what it accepts."""

    DEFAULT_CSS = """
    Control {
        height: auto;
        width: 1fr;
    }
    Control > .control-label {
        width: auto;
        max-width: 24;
        padding: 0 1 0 0;
        color: $text;
        text-style: bold;
    }
    Control > .control-note {
        width: auto;
        padding: 0 0 0 1;
        color: $text-muted;
    }
    Control > .number-track {
        width: auto;
        padding: 0 0 0 1;
        color: $accent;
    }
    Control > Select, Control > SelectionList, Control > RadioSet {
        width: 1fr;
        max-width: 32;
    }
    Control > Switch {
        border: none;
        padding: 0;
        height: 1;
    }
    """

    class ValueChosen(Message):
        """The user chose `value` (as Python sees it) for the element `object_id`."""

        def __init__(self, control: "Control", object_id: str, value: Any) -> None:
            super().__init__()
            self.source = control
            self.object_id = object_id
            self.value = value

        @property
        def control(self) -> "Control":
            return self.source

    def __init__(self, part: WidgetPart) -> None:
        super().__init__(classes=f"-{part.kind}")
        self.part = part
        self.value: Any = part.value  # what the kernel holds, as far as this control knows

    def label_widget(self) -> Static:
        return Static(Text(inert(self.part.label)), classes="control-label")

    def note_widget(self, note: str) -> Static:
        return Static(Text(inert(note)), classes="control-note")

    def choose(self, value: Any) -> None:
        """Ask for `value`; the widgets keep showing it until it is accepted or refused."""
        self.post_message(self.ValueChosen(self, self.part.object_id, value))

    def accepted(self, value: Any) -> None:
        """The kernel holds `value` now."""
        self.value = value

    def revert(self) -> None:
        """The value was refused: show the kernel's value again."""
        self.show(self.value)

    def show(self, value: Any) -> None:
        """Put `value` in the widgets without asking for it (no `ValueChosen`)."""


class Described(Control):
    """An element this app cannot set (a file upload, a chat, a form): one line saying what it is."""

    def compose(self) -> ComposeResult:
        part = self.part
        what = f"{part.kind} = {shown(part.value)}" if part.value is not None else part.kind
        yield self.label_widget()
        yield self.note_widget(f"{what} (set it in the browser)")
