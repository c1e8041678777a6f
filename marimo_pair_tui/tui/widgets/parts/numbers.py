"""Sliders, numbers and range sliders: a number input, what the element takes, and +/- to step.

`+` and `-` (or up and down) step within the element's domain and send the
value once the keys rest for a moment, so holding a key runs the dependent
cells once rather than once per step; enter sends what was typed. `-` in an
empty input (or at its start) types a minus sign.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input, Static

from ....core.api import WidgetPart
from .control import Control
from .plain import shown

TRACK = 16  # cells of a slider's track
SEND_AFTER = 0.4  # seconds of no further steps before a stepped value is sent
STEPS_SHOWN = 6  # of a stepped slider's steps, named in its note


def number(text: str) -> int | float | None:
    """The number in `text` (an int when it is one), or None."""
    text = text.strip()
    try:
        return int(text)
    except ValueError:
        pass
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value == value and value not in (float("inf"), float("-inf")) else None


@dataclass
class Domain:
    """The numbers an element takes: start..stop by step, or one of `steps`."""

    start: float | None = None
    stop: float | None = None
    step: float | None = None
    steps: list[Any] | None = None

    @classmethod
    def of(cls, part: WidgetPart) -> "Domain":
        d = part.domain
        steps = d.get("steps")
        if isinstance(steps, list) and steps:
            return cls(steps=steps)
        start, stop, step = d.get("start"), d.get("stop"), d.get("step")
        if not step:
            whole = all(isinstance(v, int) for v in (start, stop) if v is not None)
            step = 1 if whole or start is None or stop is None else (stop - start) / 100
        return cls(start, stop, step)

    def describe(self) -> str:
        if self.steps is not None:
            named = ", ".join(shown(s) for s in self.steps[:STEPS_SHOWN])
            return f"one of {named}{', …' if len(self.steps) > STEPS_SHOWN else ''}"
        bounds = f"{shown(self.start) if self.start is not None else ''}..{shown(self.stop) if self.stop is not None else ''}"
        return f"{bounds} step {shown(self.step)}" if self.step not in (None, 1) else bounds

    def stepped(self, value: Any, direction: int) -> Any:
        """The value one step from `value` in `direction`, kept within the domain."""
        if self.steps is not None:
            index = self.steps.index(value) if value in self.steps else 0
            return self.steps[max(0, min(len(self.steps) - 1, index + direction))]
        base = value if isinstance(value, (int, float)) else (self.start or 0)
        new = base + direction * (self.step or 1)
        if self.start is not None:
            new = max(self.start, new)
        if self.stop is not None:
            new = min(self.stop, new)
        if isinstance(new, float) and new.is_integer() and all(isinstance(v, int) for v in (self.start, self.step)
                                                               if v is not None):
            new = int(new)
        return round(new, 10) if isinstance(new, float) else new

    def read(self, text: str) -> Any:
        """The value typed in `text`: a number, or one of the steps; None when it is neither."""
        value = number(text)
        if self.steps is None or value is None:
            return value
        for step in self.steps:
            if step == value:
                return step
        return None


def track(domain: Domain, value: Any) -> str:
    """`━━━━●───────`: where `value` sits between the slider's ends."""
    low: float
    high: float
    at: float
    if domain.steps is not None:
        low, high, at = 0, max(1, len(domain.steps) - 1), domain.steps.index(value) if value in domain.steps else 0
    elif domain.start is not None and domain.stop is not None and domain.stop > domain.start:
        low, high, at = domain.start, domain.stop, value if isinstance(value, (int, float)) else domain.start
    else:
        return ""
    knob = round((min(max(at, low), high) - low) / (high - low) * (TRACK - 1))
    return "━" * knob + "●" + "─" * (TRACK - 1 - knob)


class StepInput(Input):
    """A compact number input that steps with + and - (up and down)."""

    DEFAULT_CSS = """
    StepInput {
        width: 8;
    }
    """

    BINDINGS = [
        Binding("plus,up", "step(1)", "step up", id="ui-step-up", priority=True, show=False,
                tooltip="Slider or number: one step up (sent once the keys rest)"),
        Binding("minus,down", "step(-1)", "step down", id="ui-step-down", priority=True, show=False,
                tooltip="Slider or number: one step down (in an empty input, types a minus sign)"),
    ]

    class Stepped(Message):
        """The user stepped the input up (1) or down (-1)."""

        def __init__(self, step_input: "StepInput", direction: int) -> None:
            super().__init__()
            self.step_input = step_input
            self.direction = direction

        @property
        def control(self) -> "StepInput":
            return self.step_input

    def __init__(self, value: str, *, classes: str = "") -> None:
        super().__init__(value, compact=True, select_on_focus=False, classes=classes)

    def action_step(self, direction: int) -> None:
        if direction < 0 and (not self.value.strip() or (self.cursor_position == 0 and not self.value.startswith("-"))):
            self.insert_text_at_cursor("-")
            return
        self.post_message(self.Stepped(self, direction))


class NumberControl(Control):
    """A slider or a number: one input, the domain beside it."""

    def __init__(self, part: WidgetPart) -> None:
        super().__init__(part)
        self.domain = Domain.of(part)
        self._send: Timer | None = None

    def compose(self) -> ComposeResult:
        if self.part.label:
            yield self.label_widget()
        yield StepInput(shown(self.value), classes="number-value")
        if self.part.kind == "slider":
            yield Static(track(self.domain, self.value), classes="number-track")
        yield self.note_widget(self.domain.describe())

    def _retrack(self) -> None:
        for bar in self.query(".number-track").results(Static):
            bar.update(track(self.domain, self.typed() if self.typed() is not None else self.value))

    @property
    def inputs(self) -> list[StepInput]:
        return list(self.query(StepInput))

    def typed(self) -> Any:
        return self.domain.read(self.inputs[0].value)

    @on(StepInput.Stepped)
    def _stepped(self, event: StepInput.Stepped) -> None:
        event.stop()
        current = self.domain.read(event.step_input.value)
        event.step_input.value = shown(self.domain.stepped(self.value if current is None else current, event.direction))
        self._retrack()
        if self._send is not None:
            self._send.stop()
        self._send = self.set_timer(SEND_AFTER, self._send_typed)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self._send is not None:
            self._send.stop()
        self._send_typed()

    def _send_typed(self) -> None:
        self._send = None
        value = self.typed()
        if value is None:
            self.app.notify(f"{self.part.label or self.part.kind} takes {self.domain.describe()}.",
                            severity="warning")
            self.revert()
        elif value != self.value:
            self.choose(value)

    def show(self, value: Any) -> None:
        self.inputs[0].value = shown(value)
        self._retrack()


class RangeControl(NumberControl):
    """A range slider: a low and a high input."""

    def compose(self) -> ComposeResult:
        low, high = self.value if isinstance(self.value, list) and len(self.value) == 2 else (None, None)
        if self.part.label:
            yield self.label_widget()
        yield StepInput(shown(low), classes="number-low")
        yield StepInput(shown(high), classes="number-high")
        yield self.note_widget(self.domain.describe())

    def typed(self) -> Any:
        pair = [self.domain.read(i.value) for i in self.inputs]
        return None if None in pair else pair

    def show(self, value: Any) -> None:
        if isinstance(value, list) and len(value) == 2:
            for box, bound in zip(self.inputs, value):
                box.value = shown(bound)
