"""Confirm deleting a cell, naming the cells that will go stale."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from ..terminal_text import inert


class ConfirmDeleteScreen(ModalScreen[bool]):
    BINDINGS = [
        Binding("y", "answer(True)", "delete", id="delete-confirm"),
        Binding("n,escape", "answer(False)", "keep", id="delete-cancel"),
    ]

    CSS_PATH = Path(__file__).with_name("dialogs.tcss")

    def __init__(self, cell_label: str, stale_labels: list[str], first_line: str) -> None:
        super().__init__()
        self.cell_label = cell_label
        self.stale_labels = stale_labels
        self.first_line = first_line

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(f"Delete cell {inert(self.cell_label)}?", id="question", markup=False)
            yield Label(inert(self.first_line), markup=False)
            if self.stale_labels:
                text = "These cells use what it defines and will go stale:\n  " + "\n  ".join(map(inert, self.stale_labels))
            else:
                text = "No other cell uses what it defines."
            yield Static(text, id="stale", markup=False)
            with Horizontal(id="buttons"):
                yield Button("Delete (y)", id="yes", variant="error")
                yield Button("Keep (n)", id="no", variant="primary")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")
