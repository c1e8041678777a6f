"""What the pairing screen does with the editor text: run it, load a cell into it, apply it.

An apply names the code it started from (`base`); when the cell changed
meanwhile the server refuses, and a dialog lets the user keep theirs, take the
notebook's, or leave both. Text the editor is about to lose goes to the
results pane and stays one ctrl+z away.

A part of `PairingScreen` (pairing.py), mixed into it.
"""

from __future__ import annotations

import time

from textual import work

from ...core.errors import ConflictError
from ...core.notebook import Cell
from ..htmltext import output_text
from ..widgets.cell_tree import first_line
from .conflict import ConflictScreen


class EditorActions:
    """ctrl+r runs the editor text as a snippet, ctrl+l loads a cell, ctrl+s applies the text to it."""

    def action_run_snippet(self) -> None:
        code = self.editor.text
        if not code.strip():
            self.notify("The editor is empty: type some Python first.", severity="warning")
            return
        if self._snippet_running:
            self.notify("A snippet is still running; ctrl+t interrupts it.", severity="warning")
            return
        self._snippet_running = True
        self.run_snippet(code)

    @work(group="snippet")
    async def run_snippet(self, code: str) -> None:
        assert self.session is not None
        preview = first_line(code)
        block = self._start("snippet", preview[:40] or "snippet")
        began = time.monotonic()

        def on_output(channel: str, text: str) -> None:
            block.append(text, "red" if channel == "stderr" else "")
            self.results.follow()

        try:
            result = await self.session.run_snippet(code, on_output)
        except Exception as error:
            self._fail(block, error, began)
            return
        finally:
            self._snippet_running = False
        output = result.output or {}
        shown = output_text(output.get("mimetype"), output.get("data")) if output else ""
        if shown.strip():
            block.line(shown)
        block.finish(result.success, self._summary("ok" if result.success else "failed", began))
        self.results.follow()

    def action_load(self) -> None:
        cell = self._selected()
        if cell is None:
            return
        editor = self.editor
        previous = editor.text
        if previous == cell.code and editor.loaded_cell == cell.id:
            editor.base = cell.code
            self._update_editor_title()
            return
        self._replace_editor_text(cell.code, "editor text before loading " + cell.label)
        editor.loaded_cell, editor.base = cell.id, cell.code
        self._update_editor_title()
        self.save_draft()
        self.show_activity(False)
        self.editor.focus()

    def _replace_editor_text(self, text: str, kept_title: str) -> None:
        """Put `text` in the editor; unsaved text goes to the results and stays one ctrl+z away."""
        editor = self.editor
        previous = editor.text
        unsaved = previous.strip() and previous != (editor.base or "")
        editor.replace_all(text)
        editor.move_cursor(editor.document.end)
        if unsaved:
            block = self._start("kept", kept_title)
            block.line(previous)
            block.finish(True, "ctrl+z in the editor brings it back")

    def _apply_target(self) -> tuple[Cell | None, str | None]:
        """The cell an apply replaces: the loaded one, else the selected one."""
        editor = self.editor
        if editor.loaded_cell is not None:
            cell = self.notebook.get(editor.loaded_cell)
            if cell is not None:
                return cell, editor.base if editor.base is not None else cell.code
            self.notify(
                f"The cell the editor text came from ({editor.loaded_cell}) is not in the notebook any more; "
                "use ctrl+n to add the text as a new cell.",
                severity="warning", timeout=8,
            )
            return None, None
        cell = self._selected()
        return cell, (cell.code if cell is not None else None)

    def action_apply(self) -> None:
        cell, base = self._apply_target()
        if cell is None:
            return
        self.apply_edit(cell.id, cell.label, self.editor.text, base)

    @work(group="cell-ops")
    async def apply_edit(self, cell_id: str, label: str, code: str, base: str | None, force: bool = False) -> None:
        assert self.session is not None
        session = self.session
        title = f"{label} (force)" if force else label
        try:
            if force:
                result, _ = await self._cell_op("apply", title, lambda: session.edit_cell(cell_id, code, force=True))
            else:
                result, _ = await self._cell_op("apply", title, lambda: session.edit_cell(cell_id, code, base=base))
        except ConflictError as conflict:
            await self._resolve_conflict(cell_id, label, code, conflict)
            return
        if result is not None:
            editor = self.editor
            editor.loaded_cell, editor.base = cell_id, code
            self._update_editor_title()
            self.save_draft()

    async def _resolve_conflict(self, cell_id: str, label: str, code: str, conflict: ConflictError) -> None:
        theirs = str(conflict.details.get("theirs", ""))
        yours = str(conflict.details.get("yours", code))
        choice = await self.app.push_screen_wait(
            ConflictScreen(label, theirs, yours, dark=self.app.current_theme.dark)
        )
        editor = self.editor
        if choice == "mine":
            self.apply_edit(cell_id, label, yours, None, force=True)
        elif choice == "theirs":
            block = self._start("kept", f"your text for {label} (replaced by theirs)")
            block.line(editor.text)
            block.finish(True, "ctrl+z in the editor brings it back")
            editor.replace_all(theirs)
            editor.loaded_cell, editor.base = cell_id, theirs
            self._update_editor_title()
            self.save_draft()
        else:
            self.notify("Nothing applied; your text stays in the editor.", timeout=5)
