"""What every live UI element shares: the value the kernel holds, a chosen value, and going back.

A control shows a `WidgetPart` as Textual widgets. Mounted, it asks for the
kernel's current value (`ValueWanted`): the output it was drawn from holds
the value the element had when its cell ran. When the user picks a value it
posts `ValueChosen`; whoever reaches the kernel sets it and then calls
`accepted` (the kernel holds it now) or `revert` (refused: the widgets show
the kernel's value again). A value someone else set (a browser, an agent)
comes through `follow`: the widgets show it even under the cursor, and a
focused control says so (a notice, and its label marked until the user picks
a value). Dependent cells' new outputs come through the live model like any
other change.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static

from ....core.api import SETTABLE_KINDS, WidgetPart, why_not_settable
from ...terminal_text import escape_controls
from .plain import shown

_NOTHING = object()


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
    Control.-moved > .control-label {
        color: $warning;
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

    class ValueWanted(Message):
        """The control was mounted: it shows the value its output was drawn with until told the kernel's."""

        def __init__(self, control: "Control") -> None:
            super().__init__()
            self.source = control

        @property
        def control(self) -> "Control":
            return self.source

    def __init__(self, part: WidgetPart) -> None:
        super().__init__(classes=f"-{part.kind}")
        self.part = part
        self.value: Any = part.value  # what the kernel holds (as Python sees it), as far as this control knows
        self.front: Any = None  # the same value in its frontend's form, when told (None: not told)
        self._asked: Any = _NOTHING  # a value chosen here that the kernel has not yet taken or refused

    def on_mount(self) -> None:
        self.post_message(self.ValueWanted(self))

    def label_widget(self) -> Static:
        return Static(Text(escape_controls(self.part.label)), classes="control-label")

    def note_widget(self, note: str) -> Static:
        return Static(Text(escape_controls(note)), classes="control-note")

    def choose(self, value: Any) -> None:
        """Ask for `value`; the widgets keep showing it until it is accepted or refused."""
        self._asked = value
        self.remove_class("-moved")
        self.post_message(self.ValueChosen(self, self.part.object_id, value))

    def accepted(self, value: Any, front: Any = None) -> None:
        """The kernel holds `value` now (`front`: in its frontend's form, when known)."""
        self._asked = _NOTHING
        self.value, self.front = value, front

    def revert(self) -> None:
        """The value was refused: show the kernel's value again."""
        self._asked = _NOTHING
        self.show(self.value)

    def follow(self, value: Any, front: Any = None) -> bool:
        """The kernel holds `value` (someone else set it, or the control was drawn with an older one;
        `front`: the same in its frontend's form, when known): show it, under the cursor too, and tell a
        user who is on this control. A value asked for here and not yet answered is left to that answer.
        True when the value shown changed."""
        if self._asked is not _NOTHING or (value == self.value and front in (None, self.front)):
            return False
        self.value, self.front = value, front
        self.show(value)
        if self.has_focus_within:
            self.add_class("-moved")
            name = self.part.label or self.part.kind
            self.app.notify(escape_controls(f"{name} was set to {shown(value)} by another client; your next change starts "
                                  "from it."), title="Value changed elsewhere", timeout=8, markup=False)
        return True

    def show(self, value: Any) -> None:
        """Put `value` in the widgets without asking for it (no `ValueChosen`)."""


def held_values(container: Widget) -> dict[str, Any]:
    """The value each control under `container` holds (the kernel's, as last told), by object id: the
    values its parts are shown with (`with_values`)."""
    return {c.part.object_id: c.value for c in container.query(Control) if c.part.object_id}


class Described(Control):
    """An element this app has no widget for (a file upload, a chat, a form, ...): one line saying what it
    is, what the kernel holds, and where it can be set."""

    WIDTH = 120  # characters of the value shown at most (a dataframe's value is its records)

    def compose(self) -> ComposeResult:
        yield self.label_widget()
        yield self.note_widget(self._line(self.value))

    def _line(self, value: Any) -> str:
        kind = self.part.kind
        text = shown(value)
        what = f"{kind} = {text[:self.WIDTH]}{'…' if len(text) > self.WIDTH else ''}" if value is not None else kind
        where = "set it with set-ui or in a browser" if kind in SETTABLE_KINDS else why_not_settable(kind)
        return f"{what} ({where})"

    def show(self, value: Any) -> None:
        for note in self.query(".control-note").results(Static):
            note.update(Text(escape_controls(self._line(value))))
