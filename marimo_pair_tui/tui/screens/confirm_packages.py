"""Offer to install the packages a cell could not import (marimo's missing-package alert)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from ..inert import inert


class ConfirmPackagesScreen(ModalScreen[bool]):
    BINDINGS = [
        Binding("y", "answer(True)", "install", id="packages-install",
                tooltip="Missing packages: install them into the kernel's environment"),
        Binding("n,escape", "answer(False)", "not now", id="packages-dismiss",
                tooltip="Missing packages: not now (not offered again for the same names)"),
    ]

    DEFAULT_CSS = """
    ConfirmPackagesScreen {
        align: center middle;
    }
    ConfirmPackagesScreen > #dialog {
        width: 70;
        max-width: 95%;
        height: auto;
        max-height: 90%;
        border: thick $warning;
        background: $surface;
        padding: 0 1;
    }
    ConfirmPackagesScreen #question {
        text-style: bold;
        width: 1fr;
    }
    ConfirmPackagesScreen #names {
        width: 1fr;
        height: auto;
        margin: 1 0;
    }
    ConfirmPackagesScreen #buttons {
        height: 3;
        align: center middle;
    }
    ConfirmPackagesScreen Button {
        margin: 0 1;
    }
    """

    def __init__(self, names: list[str]) -> None:
        super().__init__()
        self.names = names

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label("A cell could not import these packages. Install them into the kernel's environment?",
                        id="question", markup=False)
            yield Static("  " + "\n  ".join(map(inert, self.names)), id="names", markup=False)
            with Horizontal(id="buttons"):
                yield Button("Install (y)", id="yes", variant="warning")
                yield Button("Not now (n)", id="no", variant="primary")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")
