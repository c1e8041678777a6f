"""The editor's draft for this notebook: restored on open, saved shortly after each change.

The draft (tui/drafts.py) outlives the screen and the app, so text typed but
not applied is still there next time, with the cell it came from and that
cell's code then (the base of the conflict check).
"""

from __future__ import annotations

from typing import Callable

from textual.timer import Timer

from ...drafts import DraftStore
from ...widgets.code_editor import CodeEditor, Origin

DRAFT_DEBOUNCE = 0.5  # seconds of quiet in the editor before the draft is written

Notify = Callable[..., object]


class DraftKeeper:
    """Restore the draft into the editor; save the editor text and its origin."""

    def __init__(self, store: DraftStore, editor: CodeEditor, notify: Notify,
                 set_timer: Callable[[float, Callable[[], None]], Timer]) -> None:
        self.store = store
        self.editor = editor
        self.notify = notify
        self.set_timer = set_timer
        self._timer: Timer | None = None

    def restore(self) -> None:
        draft = self.store.load()
        if draft is None:
            return
        self.editor.load_text(draft.text)
        self.editor.origin = Origin(draft.cell_id, draft.base) if draft.cell_id is not None else None
        if draft.text:
            self.notify("Restored the editor text you had for this notebook.", timeout=4)

    def save_soon(self) -> None:
        """Save once typing pauses, not on every key."""
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(DRAFT_DEBOUNCE, self.save)

    def save(self) -> None:
        try:
            self.store.save(self.editor.text, self.editor.loaded_cell, self.editor.base)
        except OSError as exc:
            self.notify(f"Could not save the draft: {exc}", severity="error")
