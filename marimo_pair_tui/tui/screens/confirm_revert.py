"""Ask before a change is reverted: which cell, what its code goes back to, and whether over a newer edit."""

from __future__ import annotations

from textual.binding import Binding

from ..terminal_text import escape_controls
from .yes_no import YesNoScreen

SHOWN_LINES = 8


def revert_text(kind: str, before: str, forced: bool) -> str:
    """What a yes does: the code the cell gets back (its first lines), or that a created cell goes."""
    if kind == "create":
        what = "The cell this change created is deleted."
    else:
        lines = before.splitlines()
        shown = "\n".join("  " + escape_controls(line) for line in lines[:SHOWN_LINES])
        more = f"\n  … ({len(lines) - SHOWN_LINES} more lines)" if len(lines) > SHOWN_LINES else ""
        what = ("The cell is made again with its code:\n" if kind == "delete" else "The cell's code goes back to:\n")
        what += shown + more
    if forced:
        what = "The cell changed since this change; its newer code is overwritten.\n" + what
    return what


class ConfirmRevertScreen(YesNoScreen):
    BINDINGS = [
        Binding("y", "answer(True)", "revert", id="revert-confirm", tooltip="Revert dialog: put the old code back"),
        Binding("n,escape", "answer(False)", "keep", id="revert-cancel", tooltip="Revert dialog: keep the cell as it is"),
    ]

    def __init__(self, cell_label: str, kind: str, before: str, *, forced: bool = False) -> None:
        question = f"Revert this change to cell {escape_controls(cell_label)}?" if not forced else \
            f"Cell {escape_controls(cell_label)} changed since. Revert anyway?"
        super().__init__(question, revert_text(kind, before, forced), "Revert", "Keep",
                         yes_variant="error" if forced else "warning")
