"""A yes/no question over the screen: the shape every confirmation dialog shares.

A dialog is this screen with its own bindings (ids for the keymap and help)
and texts: `y` answers yes, `n` and escape no, and so do the two buttons.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Label, Static

from .dialog import Dialog


class YesNoScreen(Dialog[bool]):
    def __init__(self, question: str, body: str, yes: str, no: str, *, yes_variant: str = "warning") -> None:
        super().__init__()
        self.question, self.body = question, body
        self.yes_label, self.no_label, self.yes_variant = yes, no, yes_variant

    def compose_dialog(self) -> ComposeResult:
        yield Label(self.question, id="question", classes="title", markup=False)
        yield from self.compose_body()
        with Horizontal(id="buttons"):
            yield Button(f"{self.yes_label} (y)", id="yes", variant=self.yes_variant)  # type: ignore[arg-type]
            yield Button(f"{self.no_label} (n)", id="no", variant="primary")

    def compose_body(self) -> ComposeResult:
        """What a yes means, under the question."""
        yield Static(self.body, id="what", classes="body", markup=False)

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")
