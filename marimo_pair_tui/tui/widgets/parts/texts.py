"""Text, text areas and dates: typed values, sent when the typing is done.

A text input and a date send on enter; a text area (where enter is a line
break) sends when the focus leaves it. A date is checked as YYYY-MM-DD here;
its range, like every value, by the service.
"""

from __future__ import annotations

import datetime
from typing import Any

from textual import events, on
from textual.app import ComposeResult
from textual.validation import Function
from textual.widgets import Input, TextArea

from ...terminal_text import escape_controls
from .control import Control

DEFAULT_DATES = ("0001-01-01", "9999-12-31")  # marimo's own bounds, which say nothing worth showing


def iso_date(text: str) -> bool:
    """True for a date written as YYYY-MM-DD."""
    try:
        datetime.date.fromisoformat(text.strip())
    except ValueError:
        return False
    return len(text.strip()) == 10


class TextControl(Control):
    """A text input; enter sends it."""

    def compose(self) -> ComposeResult:
        if self.part.label:
            yield self.label_widget()
        placeholder = escape_controls(str(self.part.domain.get("placeholder") or ""))
        yield Input(escape_controls(str(self.value or "")), placeholder=placeholder, compact=True,
                    max_length=int(self.part.domain.get("max_length") or 0))

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.value != self.value:
            self.choose(event.value)

    def show(self, value: Any) -> None:
        self.query_one(Input).value = escape_controls(str(value or ""))


class TextAreaControl(Control):
    """A text area; its text is sent when the focus leaves it."""

    DEFAULT_CSS = """
    TextAreaControl {
        layout: vertical;
    }
    TextAreaControl > TextArea {
        height: auto;
        max-height: 8;
    }
    """

    def compose(self) -> ComposeResult:
        if self.part.label:
            yield self.label_widget()
        yield TextArea(escape_controls(str(self.value or "")), compact=True, soft_wrap=True)
        yield self.note_widget("sent when you leave the field")

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        text = self.query_one(TextArea).text
        if isinstance(event.widget, TextArea) and text != self.value:
            self.choose(text)

    def show(self, value: Any) -> None:
        self.query_one(TextArea).load_text(escape_controls(str(value or "")))


class DateControl(Control):
    """A date input, checked as YYYY-MM-DD; enter sends it."""

    def compose(self) -> ComposeResult:
        if self.part.label:
            yield self.label_widget()
        yield Input(escape_controls(str(self.value or "")), placeholder="YYYY-MM-DD", compact=True,
                    validators=[Function(iso_date, "a date as YYYY-MM-DD")], validate_on=["submitted"])
        start, stop = self.part.domain.get("start"), self.part.domain.get("stop")
        bounds = f"{start or ''}..{stop or ''}" if (start, stop) != DEFAULT_DATES and (start or stop) else ""
        yield self.note_widget(" ".join(bit for bit in ("YYYY-MM-DD", bounds) if bit))

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.validation_result is not None and not event.validation_result.is_valid:
            self.app.notify(f"{self.part.label or 'date'} takes a date as YYYY-MM-DD.", severity="warning")
            self.revert()
        elif event.value.strip() != self.value:
            self.choose(event.value.strip())

    def show(self, value: Any) -> None:
        self.query_one(Input).value = escape_controls(str(value or ""))
