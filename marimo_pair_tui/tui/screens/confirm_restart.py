"""Confirm restarting the kernel, naming what is lost and what stays."""

from __future__ import annotations

from textual.binding import Binding

from ..terminal_text import escape_controls
from .yes_no import YesNoScreen


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


class ConfirmRestartScreen(YesNoScreen):
    BINDINGS = [
        Binding("y", "answer(True)", "restart", id="restart-confirm", tooltip="Restart dialog: restart the kernel"),
        Binding("n,escape", "answer(False)", "keep", id="restart-cancel",
                tooltip="Restart dialog: keep the kernel as it is"),
    ]

    def __init__(self, notebook: str, names: int, waiting: int = 0) -> None:
        super().__init__(f"Restart the kernel of {escape_controls(notebook)}?", restart_text(names, waiting),
                         "Restart", "Keep", yes_variant="error")
        self.notebook = notebook
        self.text = self.body
