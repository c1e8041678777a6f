"""The box every dialog draws over the screen, so each dialog states only what it asks.

A dialog is centred, bordered and sized by dialogs.tcss (its shared rules for
`Dialog`, then each dialog's own width, border and parts); `compose_dialog`
gives what goes inside the box.
"""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen

ResultT = TypeVar("ResultT")


class Dialog(ModalScreen[ResultT]):
    """A modal box (`#dialog`) over the screen; subclasses fill it."""

    CSS_PATH = Path(__file__).with_name("dialogs.tcss")  # absolute: a subclass elsewhere finds it too

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield from self.compose_dialog()

    def compose_dialog(self) -> ComposeResult:
        """What the box holds."""
        yield from ()
