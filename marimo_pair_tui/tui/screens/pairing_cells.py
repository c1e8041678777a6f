"""What the pairing screen does to the notebook's cells and kernel: create, run, move, delete, interrupt, refresh.

Every operation runs in a worker and reports into the results pane; cell
operations wait their turn (pairing_reports.py). A part of `PairingScreen`
(pairing.py), mixed into it.
"""

from __future__ import annotations

import time

from textual import work

from ...core.notebook import Cell, Notebook
from ..htmltext import output_text
from ..messages import ModelChanged
from ..widgets.cell_tree import first_line
from .confirm_delete import ConfirmDeleteScreen
from .pairing_reports import WAIT_FOR_MODEL


def descendants(notebook: Notebook, cell_id: str) -> list[Cell]:
    """Cells that read, directly or not, what `cell_id` defines (notebook order)."""
    start = notebook.get(cell_id)
    if start is None:
        return []
    defined = set(start.defs)
    found: set[str] = set()
    changed = True
    while changed:
        changed = False
        for cell in notebook.cells:
            if cell.id == cell_id or cell.id in found:
                continue
            if cell.refs & defined:
                found.add(cell.id)
                defined |= cell.defs
                changed = True
    return [c for c in notebook.cells if c.id in found]


class CellActions:
    """ctrl+n / ctrl+o new cell, ctrl+g run, alt+up / alt+down move, delete, ctrl+t interrupt, f5 refresh."""

    def action_new_after(self) -> None:
        self._new_cell(before=False)

    def action_new_before(self) -> None:
        self._new_cell(before=True)

    def _new_cell(self, *, before: bool) -> None:
        anchor = self._selected(quiet=True)
        self.create(self.editor.text, anchor.id if anchor else None, before)

    @work(group="cell-ops")
    async def create(self, code: str, anchor: str | None, before: bool, *, kind: str = "new cell",
                     from_editor: bool = True) -> None:
        """Create a cell from `code`; `from_editor`: the editor text becomes that cell's loaded code."""
        assert self.session is not None
        session = self.session
        where = {} if anchor is None else ({"before": anchor} if before else {"after": anchor})
        place = "at the end" if anchor is None else f"{'above' if before else 'below'} {self._label(anchor)}"
        result, _ = await self._cell_op(kind, place, lambda: session.create_cell(code, **where))
        if result is None:
            return
        created = result.extra.get("created")
        if isinstance(created, str):
            await session.wait_until(lambda nb: nb.get(created) is not None, timeout=WAIT_FOR_MODEL)
            self._apply_model_changes(ModelChanged())
            self.cell_tree.select_cell(created)
            if not from_editor:
                self.notify(f"New cell {self._label(created)} {place}.", timeout=5)
                return
            editor = self.editor
            editor.loaded_cell, editor.base = created, code
            self._update_editor_title()
            self.save_draft()

    def action_run_cell(self) -> None:
        cell = self._selected()
        if cell is not None:
            self.run_cell(cell.id)

    @work(group="cell-ops")
    async def run_cell(self, cell_id: str) -> None:
        assert self.session is not None
        session = self.session
        result, block = await self._cell_op("run", self._label(cell_id), lambda: session.run_cells([cell_id]))
        if result is None:
            return
        for state in result.cells:
            if state.console or state.output:
                block.line(f"{state.name if state.name not in ('', '_') else state.id}:", "bold")
            for item in state.console:
                text = output_text(item.mimetype, item.data)
                if text:
                    block.append(text if text.endswith("\n") else text + "\n", "red" if item.channel == "stderr" else "")
            if state.output:
                shown = output_text(state.output.get("mimetype"), state.output.get("data"))
                if shown.strip() and not str(state.output.get("mimetype", "")).startswith("application/vnd.marimo+error"):
                    block.line(shown)
        self.results.follow()

    def action_move_up(self) -> None:
        self._move(-1)

    def action_move_down(self) -> None:
        self._move(+1)

    def _move(self, step: int) -> None:
        cell = self._selected()
        if cell is not None:
            self.move(cell.id, step)

    @work(group="cell-ops")
    async def move(self, cell_id: str, step: int) -> None:
        assert self.session is not None
        session = self.session
        title = f"{self._label(cell_id)} {'up' if step < 0 else 'down'}"
        async with self._ops_lock:  # the neighbour is read after earlier moves landed
            order = self.notebook.cell_ids
            if cell_id not in order:
                return
            index = order.index(cell_id) + step
            if not 0 <= index < len(order):
                self.notify(f"{self._label(cell_id)} is already the {'first' if step < 0 else 'last'} cell.")
                return
            neighbour = order[index]
            where = {"before": neighbour} if step < 0 else {"after": neighbour}
            result = await self._op_locked(self._start("move", title), lambda: session.move_cell(cell_id, **where))
        if result is not None:
            self._apply_model_changes(ModelChanged())
            self.cell_tree.select_cell(cell_id)

    def action_delete_cell(self) -> None:
        cell = self._selected()
        if cell is not None:
            self.delete(cell.id)

    @work(group="cell-ops")
    async def delete(self, cell_id: str) -> None:
        assert self.session is not None
        session = self.session
        cell = self.notebook.get(cell_id)
        if cell is None:
            return
        stale = [c.label for c in descendants(self.notebook, cell_id)]
        confirmed = await self.app.push_screen_wait(ConfirmDeleteScreen(cell.label, stale, first_line(cell.code)))
        if not confirmed:
            return
        result, block = await self._cell_op("delete", cell.label, lambda: session.delete_cell(cell_id))
        if result is None:
            return
        went_stale = result.extra.get("stale") or []
        if went_stale:
            block.line("now stale: " + ", ".join(self._label(c) for c in went_stale), "magenta")
        if self.editor.loaded_cell == cell_id:
            self.editor.loaded_cell, self.editor.base = None, None
            self._update_editor_title()
            self.save_draft()

    def action_interrupt(self) -> None:
        self.interrupt()

    @work(group="interrupt", exclusive=True)
    async def interrupt(self) -> None:
        assert self.session is not None
        block = self._start("interrupt", "kernel")
        began = time.monotonic()
        try:
            await self.session.interrupt()
        except Exception as error:
            self._fail(block, error, began)
            return
        block.finish(True, "sent")

    def action_refresh(self) -> None:
        self.refresh_model()

    @work(group="refresh", exclusive=True)
    async def refresh_model(self) -> None:
        assert self.session is not None
        block = self._start("refresh", "read every cell")
        began = time.monotonic()
        try:
            await self.session.refresh()
        except Exception as error:
            self._fail(block, error, began)
            return
        block.finish(True, self._summary(f"{len(self.notebook)} cells", began))
