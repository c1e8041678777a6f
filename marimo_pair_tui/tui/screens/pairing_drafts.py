"""The editor's draft for this notebook: restored on open, saved shortly after each change.

The draft (tui/drafts.py) outlives the screen and the app, so text typed but
not applied is still there next time. A part of `PairingScreen` (pairing.py),
mixed into it: it uses the screen's `drafts` store, its editor and
`_draft_timer`.
"""

from __future__ import annotations

DRAFT_DEBOUNCE = 0.5  # seconds of quiet in the editor before the draft is written


class DraftKeeping:
    """Restore the draft into the editor; save the editor text, its loaded cell and base."""

    def _restore_draft(self) -> None:
        draft = self.drafts.load()
        if draft is None:
            return
        editor = self.editor
        editor.load_text(draft.text)
        editor.loaded_cell, editor.base = draft.cell_id, draft.base
        if draft.text:
            self.notify("Restored the editor text you had for this notebook.", timeout=4)

    def _save_draft_soon(self) -> None:
        """Save once typing pauses, not on every key."""
        if self._draft_timer is not None:
            self._draft_timer.stop()
        self._draft_timer = self.set_timer(DRAFT_DEBOUNCE, self.save_draft)

    def save_draft(self) -> None:
        try:
            editor = self.editor
        except Exception:  # not mounted (any more)
            return
        try:
            self.drafts.save(editor.text, editor.loaded_cell, editor.base)
        except OSError as exc:
            self.notify(f"Could not save the draft: {exc}", severity="error")
