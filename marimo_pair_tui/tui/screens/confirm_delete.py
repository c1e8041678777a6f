"""Confirm deleting a cell, naming the cells that will go stale."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Label, Static

from ..terminal_text import escape_controls
from .yes_no import YesNoScreen


def stale_text(stale_labels: list[str]) -> str:
    """Which cells a delete leaves stale (they use what the cell defines)."""
    if not stale_labels:
        return "No other cell uses what it defines."
    return "These cells use what it defines and will go stale:\n  " + "\n  ".join(map(escape_controls, stale_labels))


class ConfirmDeleteScreen(YesNoScreen):
    BINDINGS = [
        Binding("y", "answer(True)", "delete", id="delete-confirm"),
        Binding("n,escape", "answer(False)", "keep", id="delete-cancel"),
    ]

    def __init__(self, cell_label: str, stale_labels: list[str], first_line: str) -> None:
        super().__init__(f"Delete cell {escape_controls(cell_label)}?", stale_text(stale_labels), "Delete", "Keep",
                         yes_variant="error")
        self.cell_label = cell_label
        self.stale_labels = stale_labels
        self.first_line = first_line

    def compose_body(self) -> ComposeResult:
        yield Label(escape_controls(self.first_line), markup=False)
        yield Static(self.body, id="stale", classes="body", markup=False)
