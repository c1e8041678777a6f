"""What the pairing screen does to the notebook's cells and kernel: create, run, move, delete,
interrupt, re-read.

Each operation goes through the session service in a worker and is reported
into the results pane by the runner (runner.py), which serialises the cell
operations. The service returns once the live mirror shows the change, and
the mirror's `ModelChanged` is already queued for the screen by then: moving
the tree's cursor onto a cell is queued after it (`call_later`), so it finds
the cell's node.
"""

from __future__ import annotations

import time
from typing import Callable

from ....core.api import Changes, output_text
from ...widgets.cell_tree import first_line
from ...widgets.code_editor import CodeEditor, Origin
from ..confirm_delete import ConfirmDeleteScreen
from .editing import reported_code
from .link import CellSelection, Operations


class CellCommands:
    """ctrl+n / ctrl+o new cell, ctrl+g run, alt+up / alt+down move, delete, ctrl+t interrupt, f5 refresh."""

    def __init__(self, ops: Operations, editor: CodeEditor, selection: CellSelection,
                 follow_results: Callable[[], None]) -> None:
        self.link, self.runner, self.notify = ops.link, ops.runner, ops.notify
        self.run_worker, self.ask = ops.run_worker, ops.ask
        self.editor = editor
        self.selection = selection
        self.follow_results = follow_results  # scroll the results to their end (none once the app is closing)
        # The create in flight: the cells there were before it, its code, whether from the editor.
        self._creating: tuple[set[str], str, bool] | None = None
        self._shown_created: str | None = None  # the cell the cursor went to as the tree showed it

    def model_changed(self, changes: Changes) -> None:
        """The model shows a create in flight: the cursor goes to the new cell (and the editor
        bases on it) as the tree shows it, not a moment later when the create's reply comes."""
        if self._creating is None or not changes.structure:
            return
        before, code, from_editor = self._creating
        notebook = self.link.notebook()
        new = [c for c in notebook.cells if c.id not in before and c.code == code]
        if len(new) == 1:
            self._shown_created = new[0].id
            self.selection.select(new[0].id)
            if from_editor:
                self.editor.origin = Origin(new[0].id, new[0].code)

    # -- create ---------------------------------------------------------------------

    def new_cell(self, *, before: bool) -> None:
        anchor = self.selection.cell(quiet=True)
        self.create(self.editor.text, anchor.id if anchor else None, before)

    def create(self, code: str, anchor: str | None, before: bool, *, kind: str = "new cell",
               from_editor: bool = True) -> None:
        """Create a cell from `code`; `from_editor`: the editor text becomes that cell's loaded code."""
        self.run_worker(self._create(code, anchor, before, kind, from_editor), group="cell-ops")

    async def _create(self, code: str, anchor: str | None, before: bool, kind: str, from_editor: bool) -> None:
        link, runner = self.link, self.runner
        service, target = link.service, link.target()
        place = "at the end" if anchor is None else f"{'above' if before else 'below'} {link.label(anchor)}"
        async with runner.turn(kind, place, kernel_busy=link.kernel_busy()) as block:
            self._creating = (set(link.notebook().cell_ids), code.rstrip("\r\n"), from_editor)  # one at a time
            try:
                result = await runner.run(block, lambda: service.create_cell(
                    target, code, before=anchor if before else None, after=None if before else anchor))
            finally:
                self._creating = None
                shown, self._shown_created = self._shown_created, None
        if result is None:
            return
        created = result.extra.get("created")
        if not isinstance(created, str):
            return
        if created != shown:  # (the cursor went there as the tree showed it, and may have moved on since)
            self.selection.select_soon(created)
        if not from_editor:
            self.notify(f"New cell {link.label(created)} {place}.", timeout=5)
            return
        self.editor.origin = Origin(created, reported_code(result, created, code))

    # -- run ------------------------------------------------------------------------

    def run_selected(self) -> None:
        cell = self.selection.cell()
        if cell is not None:
            self.run_worker(self._run(cell.id), group="cell-ops")

    async def _run(self, cell_id: str) -> None:
        link = self.link
        service, target = link.service, link.target()
        result, block = await self.runner.cell_op(
            "run", link.label(cell_id), lambda: service.run_cells(target, [cell_id]),
            kernel_busy=link.kernel_busy(), shows_console=True,  # each cell's console is shown below
        )
        if result is None:
            return
        outputs: list[tuple[str, dict[str, str]]] = []
        for state in result.cells:
            name = f"{state.name if state.name not in ('', '_') else state.id}:"
            if state.console:
                block.line(name, "bold")
            for item in state.console:
                text = output_text(item.mimetype, item.data)
                if text:
                    block.append(text if text.endswith("\n") else text + "\n", "red" if item.channel == "stderr" else "")
            if state.output and not str(state.output.get("mimetype", "")).startswith("application/vnd.marimo+error"):
                outputs.append((name, state.output))
        for name, output in outputs:  # under what the cells printed, as the notebook view draws them
            await block.show_output(output.get("mimetype"), output.get("data"), name)
        self.follow_results()

    # -- move -----------------------------------------------------------------------

    def move_selected(self, step: int) -> None:
        cell = self.selection.cell()
        if cell is not None:
            self.run_worker(self._move(cell.id, step), group="cell-ops")

    async def _move(self, cell_id: str, step: int) -> None:
        link, runner = self.link, self.runner
        service, target = link.service, link.target()
        title = f"{link.label(cell_id)} {'up' if step < 0 else 'down'}"
        async with runner.lock:  # the neighbour is read after earlier moves landed
            order = link.notebook().cell_ids
            if cell_id not in order:
                return
            index = order.index(cell_id) + step
            if not 0 <= index < len(order):
                self.notify(f"{link.label(cell_id)} is already the {'first' if step < 0 else 'last'} cell.")
                return
            neighbour = order[index]
            before, after = (neighbour, None) if step < 0 else (None, neighbour)
            block = runner.start("move", title)
            result = await runner.run(block, lambda: service.move_cell(target, cell_id, before=before, after=after))
        if result is not None:
            self.selection.select_soon(cell_id)

    # -- delete ---------------------------------------------------------------------

    def delete_selected(self) -> None:
        cell = self.selection.cell()
        if cell is not None:
            self.run_worker(self._delete(cell.id), group="cell-ops")

    async def _delete(self, cell_id: str) -> None:
        link = self.link
        service, target = link.service, link.target()
        notebook = link.notebook()
        cell = notebook.get(cell_id)
        if cell is None:
            return
        stale = [c.label for c in notebook.descendants(cell_id)]
        confirmed = await self.ask(ConfirmDeleteScreen(cell.label, stale, first_line(cell.code)))
        if not confirmed:
            return
        result, block = await self.runner.cell_op(
            "delete", cell.label, lambda: service.delete_cell(target, cell_id), kernel_busy=link.kernel_busy(),
        )
        if result is None:
            return
        went_stale = result.extra.get("stale") or []
        if went_stale:
            block.line("now stale: " + ", ".join(link.label(c) for c in went_stale), "magenta")
        if self.editor.loaded_cell == cell_id:
            self.editor.origin = None

    # -- the kernel -------------------------------------------------------------------

    def interrupt(self) -> None:
        self.run_worker(self._interrupt(), group="interrupt", exclusive=True)

    async def _interrupt(self) -> None:
        block = self.runner.start("interrupt", "kernel")
        began = time.monotonic()
        try:
            await self.link.service.interrupt(self.link.target())
        except Exception as error:
            self.runner.fail(block, error, began)
            return
        block.finish(True, "sent")

    def refresh(self) -> None:
        self.run_worker(self._refresh(), group="refresh", exclusive=True)

    async def _refresh(self) -> None:
        block = self.runner.start("refresh", "read every cell")
        began = time.monotonic()
        try:
            reply = await self.link.service.refresh(self.link.target())
        except Exception as error:
            self.runner.fail(block, error, began)
            return
        block.finish(True, self.runner.summary(f"{len(reply.value)} cells", began))
