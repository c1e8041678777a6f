"""The pairing screen's activity commands: show the feed, keep an entry's code, copy what is in focus.

f6 swaps the editor and results for the activity pane (every execution in the
session, by anyone); e copies the selected entry's code into the editor, p
makes it a new cell below the selected one; ctrl+y copies what the focus is on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from textual.widget import Widget

from ....core.api import ActivityEntry
from ...widgets.activity_pane import ActivityPane, entry_title
from ...widgets.code_editor import CodeEditor
from ...widgets.results_pane import ResultsPane
from .link import CellSelection, Notify, SessionLink, Side

if TYPE_CHECKING:
    from .cells import CellCommands
    from .editing import EditorCommands


class ActivityCommands:
    """f6 shows or hides the activity pane; e and p keep its selected entry; ctrl+y copies."""

    def __init__(self, link: SessionLink, pane: ActivityPane, side: Callable[[], Side],
                 show_side: Callable[[Side], None], editor: CodeEditor, results: ResultsPane,
                 selection: CellSelection, editing: "EditorCommands", cells: "CellCommands", notify: Notify,
                 focused: Callable[[], Widget | None], copy_to_clipboard: Callable[[str], None]) -> None:
        self.link = link
        self.pane = pane
        self.side = side
        self.show_side = show_side
        self.editor = editor
        self.results = results
        self.selection = selection
        self.editing = editing
        self.cells = cells
        self.notify = notify
        self.focused = focused  # the widget with the focus now
        self.copy_to_clipboard = copy_to_clipboard

    @property
    def shown(self) -> bool:
        return self.side() == "activity"

    def show(self, shown: bool) -> None:
        """Swap the editor and results for the activity pane (or back)."""
        if shown == self.shown:
            return
        if shown and self.link.attached:  # hidden, it was not kept up: every entry may have changed since
            log = self.link.notebook().activity
            self.pane.sync(log, [entry.id for entry in log.newest_first()])
        self.show_side("activity" if shown else "work")

    def toggle(self) -> None:
        if self.shown:
            self.show(False)
            self.editor.focus()
        else:
            self.show(True)
            self.pane.focus_rows()

    def entry(self) -> ActivityEntry | None:
        """The entry the activity commands work on; says why when there is none to use."""
        if not self.shown:
            self.show(True)
            self.pane.focus_rows()
            self.notify("Pick an entry in the activity pane first.", severity="warning")
            return None
        entry = self.pane.selected_entry
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
        focused = self.focused()
        entry = self.entry() if self.shown else None
        if entry is not None and entry.code:
            return entry.code, "the activity entry's code"
        if focused is self.editor:
            selected = self.editor.selected_text
            return (selected, "the selection") if selected else (self.editor.text, "the editor's text")
        if focused is not None and self.results in (focused, *focused.ancestors):
            blocks = self.results.blocks
            return (blocks[-1].body.plain, "the last result") if blocks else None
        cell = self.selection.cell(quiet=True)
        return (cell.code, f"the code of {cell.label}") if cell is not None else None

    def copy(self) -> None:
        """Copy through the terminal (OSC 52), so it reaches the local clipboard over SSH too."""
        found = self.copy_text()
        if found is None or not found[0]:
            self.notify("Nothing to copy here: select a cell, text, or a result.", severity="warning")
            return
        text, what = found
        self.copy_to_clipboard(text)
        self.notify(f"Copied {what} ({len(text.splitlines()) or 1} lines).")

    def to_editor(self) -> None:
        entry = self.entry()
        if entry is None:
            return
        editor = self.editor
        if editor.text != entry.code:
            self.editing.replace_text(entry.code, f"editor text before copying {entry_title(entry)} from the activity")
        editor.origin = None
        self.show(False)
        editor.focus()

    def promote(self) -> None:
        entry = self.entry()
        if entry is None:
            return
        anchor = self.selection.cell(quiet=True)
        self.cells.create(entry.code, anchor.id if anchor else None, False, kind="promote", from_editor=False)
