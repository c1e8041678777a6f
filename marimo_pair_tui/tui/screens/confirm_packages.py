"""Offer to install the packages a cell could not import (marimo's missing-package alert)."""

from __future__ import annotations

from textual.binding import Binding

from ..terminal_text import escape_controls
from .yes_no import YesNoScreen


class ConfirmPackagesScreen(YesNoScreen):
    BINDINGS = [
        Binding("y", "answer(True)", "install", id="packages-install",
                tooltip="Missing packages: install them into the kernel's environment"),
        Binding("n,escape", "answer(False)", "not now", id="packages-dismiss",
                tooltip="Missing packages: not now (not offered again for the same names)"),
    ]

    def __init__(self, names: list[str]) -> None:
        super().__init__("A cell could not import these packages. Install them into the kernel's environment?",
                         "  " + "\n  ".join(map(escape_controls, names)), "Install", "Not now")
        self.names = names
