"""Confirm restarting the kernel, naming what is lost and what stays."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from ..inert import inert


def restart_text(names: int, waiting: int) -> str:
    """What a restart loses and what it keeps."""
    memory = f"the kernel's {names} variables" if names else "everything in the kernel's memory"
    lost = [f"{memory} and every output held in memory (cells show no output until they run again)",
            "the scratchpad's names (what snippets defined)"]
    if waiting:
        lost.append(f"the input() {'prompt' if waiting == 1 else 'prompts'} waiting for an answer")
    return ("Lost:\n  " + "\n  ".join(lost) + "\n"
            "Kept: the notebook file (every cell's code) and the editor text.\n"
            "marimo makes a new session; the app follows it. Cells run again only if marimo's config runs "
            "them on open.")


class ConfirmRestartScreen(ModalScreen[bool]):
    BINDINGS = [
        Binding("y", "answer(True)", "restart", id="restart-confirm", tooltip="Restart dialog: restart the kernel"),
        Binding("n,escape", "answer(False)", "keep", id="restart-cancel",
                tooltip="Restart dialog: keep the kernel as it is"),
    ]

    DEFAULT_CSS = """
    ConfirmRestartScreen {
        align: center middle;
    }
    ConfirmRestartScreen > #dialog {
        width: 76;
        max-width: 95%;
        height: auto;
        max-height: 90%;
        border: thick $warning;
        background: $surface;
        padding: 0 1;
    }
    ConfirmRestartScreen #question {
        text-style: bold;
        width: 1fr;
    }
    ConfirmRestartScreen #what {
        width: 1fr;
        height: auto;
        margin: 1 0;
    }
    ConfirmRestartScreen #buttons {
        height: 3;
        align: center middle;
    }
    ConfirmRestartScreen Button {
        margin: 0 1;
    }
    """

    def __init__(self, notebook: str, names: int, waiting: int = 0) -> None:
        super().__init__()
        self.notebook = notebook
        self.text = restart_text(names, waiting)

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(f"Restart the kernel of {inert(self.notebook)}?", id="question", markup=False)
            yield Static(self.text, id="what", markup=False)
            with Horizontal(id="buttons"):
                yield Button("Restart (y)", id="yes", variant="error")
                yield Button("Keep (n)", id="no", variant="primary")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")
