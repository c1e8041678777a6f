"""The pairing screen's activity actions: show the feed, keep an entry's code, copy what is in focus.

f6 swaps the editor and results for the activity pane (every execution in the
session, by anyone); e copies the selected entry's code into the editor, p
makes it a new cell. A part of `PairingScreen` (pairing.py), mixed into it.
"""

from __future__ import annotations

from ...core.activity import ActivityEntry
from ..widgets.activity_pane import entry_title


class ActivityActions:
    """f6 shows or hides the activity pane; e and p keep its selected entry; ctrl+y copies."""

    def show_activity(self, shown: bool) -> None:
        """Swap the editor and results for the activity pane (or back)."""
        if shown == self.activity_shown:
            return
        if shown and self.session is not None:
            self.activity_pane.sync(self.notebook.activity)
        self.set_class(shown, "-activity")
        self.refresh_bindings()

    def action_toggle_activity(self) -> None:
        if self.activity_shown:
            self.show_activity(False)
            self.editor.focus()
        else:
            self.show_activity(True)
            self.activity_pane.focus_rows()

    def _activity_entry(self) -> ActivityEntry | None:
        """The entry the activity actions work on; says why when there is none to use."""
        if not self.activity_shown:
            self.show_activity(True)
            self.activity_pane.focus_rows()
            self.notify("Pick an entry in the activity pane first.", severity="warning")
            return None
        entry = self.activity_pane.selected_entry
        if entry is None:
            self.notify("Nothing ran yet: the activity pane is empty.", severity="warning")
            return None
        if entry.program is not None:
            self.notify(f"That entry is a cell operation ({entry_title(entry)}), not code to keep.",
                        severity="warning")
            return None
        return entry

    def copy_text(self) -> tuple[str, str] | None:
        """What `copy` takes, by where the focus is: (text, what it is)."""
        focused = self.app.focused
        entry = self._activity_entry() if self.activity_shown else None
        if entry is not None and entry.code:
            return entry.code, "the activity entry's code"
        if focused is self.editor:
            selected = self.editor.selected_text
            return (selected, "the selection") if selected else (self.editor.text, "the editor's text")
        if focused is not None and self.results in (focused, *focused.ancestors):
            blocks = self.results.blocks
            return (blocks[-1].body.plain, "the last result") if blocks else None
        cell = self._selected(quiet=True)
        return (cell.code, f"the code of {cell.label}") if cell is not None else None

    def action_copy(self) -> None:
        """Copy through the terminal (OSC 52), so it reaches the local clipboard over SSH too."""
        found = self.copy_text()
        if found is None or not found[0]:
            self.notify("Nothing to copy here: select a cell, text, or a result.", severity="warning")
            return
        text, what = found
        self.app.copy_to_clipboard(text)
        self.notify(f"Copied {what} ({len(text.splitlines()) or 1} lines).")

    def action_activity_to_editor(self) -> None:
        entry = self._activity_entry()
        if entry is None:
            return
        editor = self.editor
        if editor.text != entry.code:
            self._replace_editor_text(entry.code, f"editor text before copying {entry_title(entry)} from the activity")
        editor.loaded_cell, editor.base = None, None
        self.show_activity(False)
        self._update_editor_title()
        self.save_draft()
        editor.focus()

    def action_activity_promote(self) -> None:
        entry = self._activity_entry()
        if entry is None:
            return
        anchor = self._selected(quiet=True)
        self.create(entry.code, anchor.id if anchor else None, False, kind="promote", from_editor=False)
