"""Dropdowns, radios, multiselects, checkboxes, switches and buttons as Textual's own widgets.

Options travel by their position in the element's option list, so any option
name works as a Textual value; the name is what the kernel is sent. The value
the kernel holds may be another thing than the name (a dict's value, a number
for the name "1"): the names shown are those of the value's frontend form.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.widgets import Button, Checkbox, RadioButton, RadioSet, Select, SelectionList, Switch

from ....core.api import WidgetPart
from ....core.api import python_value
from ...terminal_text import escape_controls
from .control import Control
from .plain import plain


def option_names(part: WidgetPart) -> list[Any]:
    """The option names an element offers, in its order."""
    options = part.domain.get("options")
    if isinstance(options, dict):
        return list(options)
    return list(options) if isinstance(options, list) else []


class OptionsControl(Control):
    """An element whose values are options picked by name (what `set-ui` takes and the kernel is sent)."""

    def __init__(self, part: WidgetPart) -> None:
        super().__init__(part)
        self.names = option_names(part)

    @property
    def picked(self) -> Any:
        """The option name (a multiselect's names) of the value the kernel holds: read from its frontend
        form when told (the value itself may be what a name stands for), else the value drawn (a name)."""
        return python_value(self.part.kind, self.front, self.part.domain) if self.front is not None else self.value


class DropdownControl(OptionsControl):
    """A dropdown as a Select; a dropdown that allows none can be cleared."""

    def compose(self) -> ComposeResult:
        if self.part.label:
            yield self.label_widget()
        options = [(Text(escape_controls(str(name))), index) for index, name in enumerate(self.names)]
        allow_none = bool(self.part.domain.get("allow_select_none"))
        picked = self.picked
        initial = self.names.index(picked) if picked in self.names else Select.NULL
        yield Select(options, value=initial, allow_blank=allow_none or initial is Select.NULL, compact=True,
                     prompt="(none)")

    @on(Select.Changed)
    def _changed(self, event: Select.Changed) -> None:
        event.stop()
        name = self.names[event.value] if isinstance(event.value, int) else None
        if name != self.picked:
            self.choose(name)

    def show(self, value: Any) -> None:
        select: Select[int] = self.query_one(Select)
        if not select.query("#label"):  # the Select is still building its parts: a value set now would fail
            self.call_after_refresh(self.show, value)
            return
        picked = self.picked
        with self.prevent(Select.Changed):
            if picked in self.names:
                select.value = self.names.index(picked)
            elif select._allow_blank:  # noqa: SLF001 - Select keeps whether it may be blank to itself
                select.clear()


class RadioControl(OptionsControl):
    """Radio options as a RadioSet."""

    def compose(self) -> ComposeResult:
        if self.part.label:
            yield self.label_widget()
        picked = self.picked
        yield RadioSet(*(RadioButton(plain(name), value=name == picked, compact=True) for name in self.names),
                       compact=True)

    @on(RadioSet.Changed)
    def _changed(self, event: RadioSet.Changed) -> None:
        event.stop()
        name = self.names[event.index] if 0 <= event.index < len(self.names) else None
        if name != self.picked:
            self.choose(name)

    def show(self, value: Any) -> None:
        picked = self.picked
        with self.prevent(RadioSet.Changed):  # the set itself turns the other buttons off
            for name, button in zip(self.names, self.query(RadioButton)):
                if name == picked:
                    button.value = True


class MultiControl(OptionsControl):
    """A multiselect as a SelectionList (space toggles an option)."""

    def compose(self) -> ComposeResult:
        if self.part.label:
            yield self.label_widget()
        picked = self.picked if isinstance(self.picked, list) else []
        yield SelectionList[int](*((plain(name), index, name in picked) for index, name in enumerate(self.names)),
                                 compact=True)

    @on(SelectionList.SelectedChanged)
    def _changed(self, event: SelectionList.SelectedChanged[int]) -> None:
        event.stop()
        names = [self.names[i] for i in sorted(event.selection_list.selected)]
        if names != self.picked:
            self.choose(names)

    def show(self, value: Any) -> None:
        selection: SelectionList[int] = self.query_one(SelectionList)
        picked = self.picked
        with self.prevent(SelectionList.SelectedChanged):
            selection.deselect_all()
            for index, name in enumerate(self.names):
                if isinstance(picked, list) and name in picked:
                    selection.select(index)


class ToggleControl(Control):
    """A checkbox (its label beside the box) or a switch (its label before it)."""

    def compose(self) -> ComposeResult:
        if self.part.kind == "switch":
            if self.part.label:
                yield self.label_widget()
            yield Switch(bool(self.value))
        else:
            yield Checkbox(plain(self.part.label), bool(self.value), compact=True)

    @on(Checkbox.Changed)
    @on(Switch.Changed)
    def _changed(self, event: Checkbox.Changed | Switch.Changed) -> None:
        event.stop()
        if event.value != self.value:
            self.choose(event.value)

    def show(self, value: Any) -> None:
        with self.prevent(Checkbox.Changed, Switch.Changed):
            for box in self.query(Checkbox):
                box.value = bool(value)
            for switch in self.query(Switch):
                switch.value = bool(value)


class ButtonControl(Control):
    """A button: each press is sent (the kernel counts them and runs its on_click)."""

    def compose(self) -> ComposeResult:
        yield Button(plain(self.part.label or "press"), compact=True)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.choose(None)

    def follow(self, value: Any, front: Any = None) -> bool:
        """A button shows no value (the kernel counts presses, or runs cells): nothing to show or tell."""
        self.value, self.front = value, front
        return False
