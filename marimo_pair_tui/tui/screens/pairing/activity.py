"""The pairing screen's activity commands: show the feed, keep an entry's code, copy what is in focus.

f6 swaps the editor and results for the activity pane (every execution in the
session, by anyone); e copies the selected entry's code into the editor, p
makes it a new cell below the selected one; ctrl+y copies what the focus is on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ....core.service.pairing_service import ActivityEntry
from ...widgets.activity_pane import entry_title

if TYPE_CHECKING:
    from .screen import PairingScreen


class ActivityCommands:
    """f6 shows or hides the activity pane; e and p keep its selected entry; ctrl+y copies."""

    def __init__(self, screen: "PairingScreen") -> None:
        self.screen = screen

    @property
    def shown(self) -> bool:
        return self.screen.has_class("-activity")

    def show(self, shown: bool) -> None:
        """Swap the editor and results for the activity pane (or back)."""
        screen = self.screen
        if shown == self.shown:
            return
        if shown:
            screen.panes.show(None)
        if shown and screen.session is not None:
            screen.activity_pane.sync(screen.notebook.activity)
        screen.set_class(shown, "-activity")
        screen.refresh_bindings()

    def toggle(self) -> None:
        if self.shown:
            self.show(False)
            self.screen.editor.focus()
        else:
            self.show(True)
            self.screen.activity_pane.focus_rows()

    def entry(self) -> ActivityEntry | None:
        """The entry the activity commands work on; says why when there is none to use."""
        screen = self.screen
        if not self.shown:
            self.show(True)
            screen.activity_pane.focus_rows()
            screen.notify("Pick an entry in the activity pane first.", severity="warning")
            return None
        entry = screen.activity_pane.selected_entry
        if entry is None:
            screen.notify("Nothing ran yet: the activity pane is empty.", severity="warning")
            return None
        if entry.program is not None:
            screen.notify(f"That entry is a cell operation ({entry_title(entry)}), not code to keep.",
                          severity="warning")
            return None
        return entry

    def copy_text(self) -> tuple[str, str] | None:
        """What `copy` takes, by where the focus is: (text, what it is)."""
        screen = self.screen
        focused = screen.app.focused
        entry = self.entry() if self.shown else None
        if entry is not None and entry.code:
            return entry.code, "the activity entry's code"
        if focused is screen.editor:
            selected = screen.editor.selected_text
            return (selected, "the selection") if selected else (screen.editor.text, "the editor's text")
        if focused is not None and screen.results in (focused, *focused.ancestors):
            blocks = screen.results.blocks
            return (blocks[-1].body.plain, "the last result") if blocks else None
        cell = screen.selected(quiet=True)
        return (cell.code, f"the code of {cell.label}") if cell is not None else None

    def copy(self) -> None:
        """Copy through the terminal (OSC 52), so it reaches the local clipboard over SSH too."""
        found = self.copy_text()
        if found is None or not found[0]:
            self.screen.notify("Nothing to copy here: select a cell, text, or a result.", severity="warning")
            return
        text, what = found
        self.screen.app.copy_to_clipboard(text)
        self.screen.notify(f"Copied {what} ({len(text.splitlines()) or 1} lines).")

    def to_editor(self) -> None:
        entry = self.entry()
        if entry is None:
            return
        screen = self.screen
        editor = screen.editor
        if editor.text != entry.code:
            screen.editing.replace_text(entry.code, f"editor text before copying {entry_title(entry)} from the activity")
        editor.origin = None
        self.show(False)
        editor.focus()

    def promote(self) -> None:
        entry = self.entry()
        if entry is None:
            return
        anchor = self.screen.selected(quiet=True)
        self.screen.cells.create(entry.code, anchor.id if anchor else None, False, kind="promote", from_editor=False)
