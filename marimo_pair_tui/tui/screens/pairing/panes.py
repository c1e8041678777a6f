"""The variables pane (f9) and the graph pane (f10), each in place of the editor and results.

Both read the live mirror through the service (`variables`, `graph`) in a
worker, when shown and again when the model changes what they show; the
graph follows the cell selected in the tree. `enter` in either selects a
cell in the tree (the variable's defining cell, the graph's row).
"""

from __future__ import annotations

from typing import Callable, Literal

from rich.text import Text

from ....core.api import PairError
from ....core.api import Changes
from ...widgets.code_editor import CodeEditor
from ...widgets.graph_pane import GraphPane
from ...widgets.variables_pane import VariablesPane
from .link import CellSelection, Notify, RunWorker, SessionLink, Side

Pane = Literal["variables", "graph"]
PANES: tuple[Pane, ...] = ("variables", "graph")


class PaneCommands:
    """Shows, hides and fills the variables and graph panes."""

    def __init__(self, link: SessionLink, side: Callable[[], Side], show_side: Callable[[Side], None],
                 variables: VariablesPane, graph: GraphPane, editor: CodeEditor, selection: CellSelection,
                 notify: Notify, run_worker: RunWorker, *, ascii: bool) -> None:
        self.link = link
        self.side = side
        self.show_side = show_side
        self.variables = variables
        self.graph = graph
        self.editor = editor
        self.selection = selection
        self.notify = notify
        self.run_worker = run_worker
        self.ascii = ascii
        self.fills = 0  # panes filled (tests wait on it)

    @property
    def shown(self) -> Pane | None:
        side = self.side()
        return side if side == "variables" or side == "graph" else None

    def show(self, pane: Pane | None) -> None:
        """Show `pane` in place of the editor and results (None: neither)."""
        if pane is None:
            if self.shown is not None:
                self.show_side("work")
            return
        self.show_side(pane)
        self.refill(pane)

    def toggle(self, pane: Pane) -> None:
        if self.shown == pane:
            self.show(None)
            self.editor.focus()
            return
        self.show(pane)
        if pane == "variables":
            self.variables.focus_table()
        else:
            self.graph.focus()

    def model_changed(self, changes: Changes) -> None:
        pane = self.shown
        if pane == "variables" and (changes.variables or changes.structure or changes.cell_ids or changes.kernel):
            self.refill("variables")
        elif pane == "graph" and (changes.structure or changes.cell_ids):
            self.refill("graph")

    def selection_changed(self) -> None:
        if self.shown == "graph":
            self.refill("graph")

    def refill(self, pane: Pane) -> None:
        job = self._variables() if pane == "variables" else self._graph()
        self.run_worker(job, group=f"pane-{pane}", exclusive=True)

    async def _variables(self) -> None:
        try:
            reply = await self.link.service.variables(self.link.target())
        except PairError as error:
            self.notify(error.message, title="Variables", severity="warning", timeout=6)
            return
        self.variables.show(reply.value, self.link.label)
        self.fills += 1

    async def _graph(self) -> None:
        cell = self.selection.cell(quiet=True)
        pane = self.graph
        if cell is None:
            pane.show(None, self.describe)
            self.fills += 1
            return
        try:
            reply = await self.link.service.graph(self.link.target(), cell=cell.id)
        except PairError as error:
            self.notify(error.message, title="Graph", severity="warning", timeout=6)
            return
        pane.show(reply.value, self.describe, title=cell.label, ascii=self.ascii)
        self.fills += 1

    def describe(self, cell_id: str) -> Text:
        return self.selection.describe(cell_id)

    def choose(self, cell_id: str) -> None:
        """Select `cell_id` in the tree (and the notebook view), as `enter` in a pane asks."""
        if not self.selection.select(cell_id):
            self.notify("That cell is not in the notebook any more.", severity="warning")
            return
        if self.selection.view.shown:
            self.selection.view.focus_cell(cell_id)
        self.selection_changed()
