"""The editor's draft for this notebook: restored on open, saved shortly after each change.

The draft (tui/drafts.py) outlives the screen and the app, so text typed but
not applied is still there next time, with the cell it came from and that
cell's code then (the base of the conflict check).

A save that fails (the state directory full, read-only, or a file in the way)
leaves the editor as it is: its text is never cleared or replaced, and runs
and applies go on. The user is told once when saving starts failing (the
path, and what to do), the editor's border says "draft not saved" meanwhile,
and once more when a later save works again.
"""

from __future__ import annotations

from typing import Callable

from textual.timer import Timer

from ...drafts import DraftStore, save_problem
from ...widgets.code_editor import CodeEditor, Origin

DRAFT_DEBOUNCE = 0.5  # seconds of quiet in the editor before the draft is written
NOT_SAVED = "draft not saved"

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
        self.problem: str | None = None  # while saving fails: what stands in the way (told once)
        self.failed_saves = 0  # saves that failed since the last one that worked

    @property
    def failing(self) -> bool:
        return self.problem is not None

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
        """Write the draft; a failure is told when saving starts failing, not at every try."""
        try:
            self.store.save(self.editor.text, self.editor.loaded_cell, self.editor.base)
        except OSError as error:
            self._failed(error)
            return
        if self.problem is not None:
            self.problem = None
            self.failed_saves = 0
            self.editor.border_subtitle = ""
            self.notify(f"The draft is saved again, to {self.store.path}.", title="Draft saved", timeout=6)

    def _failed(self, error: OSError) -> None:
        self.failed_saves += 1
        if self.problem is not None:
            return
        self.problem = save_problem(error, self.store)
        self.editor.border_subtitle = NOT_SAVED
        self.notify(f"{self.problem} The text stays in the editor, and runs and applies still work; "
                    "you will be told when the draft is saved again.",
                    title="Draft not saved", severity="error", timeout=20)
