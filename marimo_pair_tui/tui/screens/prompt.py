"""An input() prompt: a cell or snippet waits for a line of text; the prompt is drawn inert."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input, Label, Static

from ..terminal_text import escape_controls
from .dialog import Dialog


class PromptScreen(Dialog[str | None]):
    """enter sends the answer; esc leaves the input() waiting (None)."""

    BINDINGS = [Binding("escape", "leave", "leave waiting", id="prompt-leave",
                tooltip="input() prompt: leave it waiting (enter sends the answer; ctrl+r opens it again)")]

    def __init__(self, label: str, prompt: str) -> None:
        super().__init__()
        self.label = label
        self.prompt = prompt

    def compose_dialog(self) -> ComposeResult:
        yield Label(f"{escape_controls(self.label)} waits for input()", id="prompt-title", classes="title", markup=False)
        yield Static(escape_controls(self.prompt) or "(no prompt text)", id="prompt-text", markup=False)
        yield Input(id="prompt-input", placeholder="the answer")
        yield Label("enter sends it · esc leaves it waiting (ctrl+t interrupts)", id="prompt-hint", classes="hint",
                    markup=False)

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)

    def action_leave(self) -> None:
        self.dismiss(None)
