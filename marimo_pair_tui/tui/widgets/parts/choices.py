"""Dropdowns, radios, multiselects, checkboxes, switches and buttons as Textual's own widgets.

Options travel by their position in the element's option list, so any option
name works as a Textual value; the name is what the kernel is sent.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.widgets import Button, Checkbox, RadioButton, RadioSet, Select, SelectionList, Switch

from ....core.documents import WidgetPart
from ...inert import inert
from .control import Control
from .plain import plain


def option_names(part: WidgetPart) -> list[Any]:
    """The option names an element offers, in its order."""
    options = part.domain.get("options")
    if isinstance(options, dict):
        return list(options)
    return list(options) if isinstance(options, list) else []


class DropdownControl(Control):
    """A dropdown as a Select; a dropdown that allows none can be cleared."""

    def __init__(self, part: WidgetPart) -> None:
        super().__init__(part)
        self.names = option_names(part)

    def compose(self) -> ComposeResult:
        if self.part.label:
            yield self.label_widget()
        options = [(Text(inert(str(name))), index) for index, name in enumerate(self.names)]
        allow_none = bool(self.part.domain.get("allow_select_none"))
        initial = self.names.index(self.value) if self.value in self.names else Select.NULL
        yield Select(options, value=initial, allow_blank=allow_none or initial is Select.NULL, compact=True,
                     prompt="(none)")

    @on(Select.Changed)
    def _changed(self, event: Select.Changed) -> None:
        event.stop()
        value = self.names[event.value] if isinstance(event.value, int) else None
        if value != self.value:
            self.choose(value)

    def show(self, value: Any) -> None:
        select: Select[int] = self.query_one(Select)
        with self.prevent(Select.Changed):
            if value in self.names:
                select.value = self.names.index(value)
            elif select._allow_blank:  # noqa: SLF001 - Select keeps whether it may be blank to itself
                select.clear()


class RadioControl(Control):
    """Radio options as a RadioSet."""

    def __init__(self, part: WidgetPart) -> None:
        super().__init__(part)
        self.names = option_names(part)

    def compose(self) -> ComposeResult:
        if self.part.label:
            yield self.label_widget()
        yield RadioSet(*(RadioButton(plain(name), value=name == self.value, compact=True) for name in self.names),
                       compact=True)

    @on(RadioSet.Changed)
    def _changed(self, event: RadioSet.Changed) -> None:
        event.stop()
        value = self.names[event.index] if 0 <= event.index < len(self.names) else None
        if value != self.value:
            self.choose(value)

    def show(self, value: Any) -> None:
        with self.prevent(RadioSet.Changed):  # the set itself turns the other buttons off
            for name, button in zip(self.names, self.query(RadioButton)):
                if name == value:
                    button.value = True


class MultiControl(Control):
    """A multiselect as a SelectionList (space toggles an option)."""

    def __init__(self, part: WidgetPart) -> None:
        super().__init__(part)
        self.names = option_names(part)

    def compose(self) -> ComposeResult:
        if self.part.label:
            yield self.label_widget()
        chosen = self.value if isinstance(self.value, list) else []
        yield SelectionList[int](*((plain(name), index, name in chosen) for index, name in enumerate(self.names)),
                                 compact=True)

    @on(SelectionList.SelectedChanged)
    def _changed(self, event: SelectionList.SelectedChanged[int]) -> None:
        event.stop()
        value = [self.names[i] for i in sorted(event.selection_list.selected)]
        if value != self.value:
            self.choose(value)

    def show(self, value: Any) -> None:
        selection: SelectionList[int] = self.query_one(SelectionList)
        with self.prevent(SelectionList.SelectedChanged):
            selection.deselect_all()
            for index, name in enumerate(self.names):
                if isinstance(value, list) and name in value:
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

    def follow(self, value: Any) -> bool:
        """A button shows no value (the kernel counts presses, or runs cells): nothing to show or tell."""
        self.value = value
        return False
