"""What the pairing screen does with the editor text: run it, load a cell into it, apply it.

An apply names the code it started from (`base`); when the cell changed
meanwhile the server refuses, and a dialog lets the user keep theirs, take the
notebook's, or leave both. Text the editor is about to lose goes to the
results pane and stays one ctrl+z away. After an apply the editor bases on
the code the kernel reported (the service drops trailing line breaks), so a
trailing newline never reads as "changed since loaded".
"""

from __future__ import annotations

import time
from typing import Callable

from ....core.api import ConflictError
from ....core.api import Cell, Changes, Notebook, OpResult
from ...terminal_text import escape_controls
from ...widgets.cell_tree import first_line
from ...widgets.code_editor import CodeEditor, Origin
from ...widgets.run_block import RunBlock
from ..conflict import ConflictScreen
from .link import CellSelection, Operations


def editor_title(editor: CodeEditor, notebook: Notebook | None) -> str:
    """The editor's border title: a snippet, or the cell its text came from and whether it changed."""
    if editor.loaded_cell is None:
        return "Editor (snippet)"
    cell = notebook.get(editor.loaded_cell) if notebook is not None else None
    if cell is None:
        label = editor.loaded_cell
        suffix = " (not in the notebook)" if notebook is not None and len(notebook) else ""
    else:
        label = cell.label
        suffix = " (changed since loaded)" if editor.base is not None and cell.code != editor.base else ""
    return f"Editor (cell {escape_controls(label)}){suffix}"


def reported_code(result: OpResult, cell_id: str, sent: str) -> str:
    """The code the kernel reported for `cell_id` after an operation (else what was sent)."""
    for state in result.cells:
        if state.id == cell_id:
            return str(state.code)
    return str(result.cells[0].code) if result.cells else sent.rstrip("\r\n")


class EditorCommands:
    """ctrl+r runs the editor text as a snippet, ctrl+l loads a cell, ctrl+s applies the text to it."""

    def __init__(self, ops: Operations, editor: CodeEditor, selection: CellSelection, *, dark: Callable[[], bool],
                 hide_activity: Callable[[], None]) -> None:
        self.link, self.runner, self.notify = ops.link, ops.runner, ops.notify
        self.run_worker, self.ask = ops.run_worker, ops.ask
        self.editor = editor
        self.selection = selection
        self.dark = dark  # the app's theme is dark (the conflict dialog's code colours)
        self.hide_activity = hide_activity
        self._applying: Origin | None = None  # the apply in flight: its cell and the code it sends

    # -- run ----------------------------------------------------------------------

    def model_changed(self, changes: Changes) -> None:
        """The model shows an apply in flight: the editor bases on it now, as the tree shows it
        (the apply's own reply comes a moment later and says the same)."""
        pending = self._applying
        if pending is None or pending.cell_id not in changes:
            return
        cell = self.link.notebook().get(pending.cell_id)
        if cell is not None and cell.code == pending.base:
            self.editor.origin = Origin(cell.id, cell.code)

    def run_snippet(self) -> None:
        runner = self.runner
        code = self.editor.text
        if not code.strip():
            self.notify("The editor is empty: type some Python first.", severity="warning")
            return
        if runner.snippet_running:
            self.notify("A snippet is still running; ctrl+t interrupts it.", severity="warning")
            return
        runner.snippet = runner.start("snippet", first_line(code)[:40] or "snippet")
        self.run_worker(self._snippet(code, runner.snippet), group="snippet")

    async def _snippet(self, code: str, block: RunBlock) -> None:
        runner = self.runner
        began = time.monotonic()

        def on_output(channel: str, text: str) -> None:
            block.append(text, "red" if channel == "stderr" else "")
            runner.results.follow()

        try:
            with runner.in_flight(block, began):
                reply = await self.link.service.execute(self.link.target(), code, on_output=on_output)
        except Exception as error:
            runner.fail(block, error, began)
            return
        finally:
            if runner.snippet is block:
                runner.snippet = None
        result = reply.value
        if result.output:  # drawn as the notebook view draws an output: a table, a widget, a chart
            await block.show_output(result.output.get("mimetype"), result.output.get("data"))
        block.finish(result.success, runner.summary("ok" if result.success else "failed", began))
        runner.results.follow()

    # -- load ---------------------------------------------------------------------

    def load(self) -> None:
        cell = self.selection.cell()
        if cell is None:
            return
        editor = self.editor
        if editor.text == cell.code and editor.loaded_cell == cell.id:
            editor.origin = Origin(cell.id, cell.code)
            return
        self.replace_text(cell.code, "editor text before loading " + cell.label)
        editor.origin = Origin(cell.id, cell.code)
        self.hide_activity()
        editor.focus()

    def replace_text(self, text: str, kept_title: str) -> None:
        """Put `text` in the editor; unsaved text goes to the results and stays one ctrl+z away."""
        editor = self.editor
        previous = editor.text
        unsaved = previous.strip() and previous != (editor.base or "")
        editor.replace_all(text)
        editor.move_cursor(editor.document.end)
        if unsaved:
            self._keep(previous, kept_title)

    def _keep(self, text: str, title: str) -> None:
        block = self.runner.start("kept", title)
        block.line(text)
        block.finish(True, "ctrl+z in the editor brings it back")

    # -- apply --------------------------------------------------------------------

    def _apply_target(self) -> tuple[Cell | None, str | None]:
        """The cell an apply replaces: the loaded one, else the selected one; and the base."""
        editor = self.editor
        if editor.loaded_cell is not None:
            cell = self.link.notebook().get(editor.loaded_cell)
            if cell is not None:
                return cell, editor.base if editor.base is not None else cell.code
            self.notify(
                f"The cell the editor text came from ({editor.loaded_cell}) is not in the notebook any more; "
                "use ctrl+n to add the text as a new cell.",
                severity="warning", timeout=8,
            )
            return None, None
        cell = self.selection.cell()
        return cell, (cell.code if cell is not None else None)

    def apply(self) -> None:
        cell, base = self._apply_target()
        if cell is not None:
            self.start_apply(cell.id, cell.label, self.editor.text, base)

    def start_apply(self, cell_id: str, label: str, code: str, base: str | None, *, force: bool = False) -> None:
        self.run_worker(self._apply(cell_id, label, code, base, force), group="cell-ops")

    async def _apply(self, cell_id: str, label: str, code: str, base: str | None, force: bool) -> None:
        service, target = self.link.service, self.link.target()
        title = f"{label} (force)" if force else label
        try:
            async with self.runner.turn("apply", title, kernel_busy=self.link.kernel_busy()) as block:
                self._applying = Origin(cell_id, code.rstrip("\r\n"))  # cell operations run one at a time
                try:
                    result = await self.runner.run(block, lambda: service.edit_cell(
                        target, cell_id, code, base=None if force else base, force=force))
                finally:
                    self._applying = None
        except ConflictError as conflict:
            await self._resolve_conflict(cell_id, label, code, conflict)
            return
        if result is not None:
            self.editor.origin = Origin(cell_id, reported_code(result, cell_id, code))

    async def _resolve_conflict(self, cell_id: str, label: str, code: str, conflict: ConflictError) -> None:
        theirs = str(conflict.details.get("theirs", ""))
        yours = str(conflict.details.get("yours", code))
        choice = await self.ask(ConflictScreen(label, theirs, yours, dark=self.dark()))
        editor = self.editor
        if choice == "mine":
            self.start_apply(cell_id, label, yours, None, force=True)
        elif choice == "theirs":
            self._keep(editor.text, f"your text for {label} (replaced by theirs)")
            editor.replace_all(theirs)
            editor.origin = Origin(cell_id, theirs)
        else:
            self.notify("Nothing applied; your text stays in the editor.", timeout=5)
