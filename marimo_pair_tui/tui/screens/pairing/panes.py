"""The variables pane (f9) and the graph pane (f10), each in place of the editor and results.

Both read the live mirror through the service (`variables`, `graph`) in a
worker, when shown and again when the model changes what they show; the
graph follows the cell selected in the tree. `enter` in either selects a
cell in the tree (the variable's defining cell, the graph's row).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from rich.text import Text

from ....core.errors import PairError
from ....core.service.pairing_service import Changes
from ...widgets.graph_pane import GraphPane
from ...widgets.variables_pane import VariablesPane

if TYPE_CHECKING:
    from .screen import PairingScreen

Pane = Literal["variables", "graph"]
PANES: tuple[Pane, ...] = ("variables", "graph")


class PaneCommands:
    """Shows, hides and fills the variables and graph panes."""

    def __init__(self, screen: "PairingScreen") -> None:
        self.screen = screen
        self.fills = 0  # panes filled (tests wait on it)

    @property
    def shown(self) -> Pane | None:
        return next((pane for pane in PANES if self.screen.has_class(f"-{pane}")), None)

    def show(self, pane: Pane | None) -> None:
        """Show `pane` in place of the editor and results (None: neither)."""
        screen = self.screen
        if pane is not None:
            screen.activity.show(False)
        for name in PANES:
            screen.set_class(name == pane, f"-{name}")
        if pane is not None:
            self.refill(pane)
        screen.refresh_bindings()

    def toggle(self, pane: Pane) -> None:
        screen = self.screen
        if self.shown == pane:
            self.show(None)
            screen.editor.focus()
            return
        self.show(pane)
        if pane == "variables":
            screen.query_one(VariablesPane).focus_table()
        else:
            screen.query_one(GraphPane).focus()

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
        self.screen.run_worker(job, group=f"pane-{pane}", exclusive=True)

    async def _variables(self) -> None:
        screen = self.screen
        try:
            reply = await screen.service.variables(screen.target)
        except PairError as error:
            screen.notify(error.message, title="Variables", severity="warning", timeout=6)
            return
        screen.query_one(VariablesPane).show(reply.value, screen.label)
        self.fills += 1

    async def _graph(self) -> None:
        screen = self.screen
        cell = screen.selected(quiet=True)
        pane = screen.query_one(GraphPane)
        if cell is None:
            pane.show(None, self.describe)
            self.fills += 1
            return
        try:
            reply = await screen.service.graph(screen.target, cell=cell.id)
        except PairError as error:
            screen.notify(error.message, title="Graph", severity="warning", timeout=6)
            return
        pane.show(reply.value, self.describe, title=cell.label, ascii=screen.fmt.ascii)
        self.fills += 1

    def describe(self, cell_id: str) -> Text:
        cell = self.screen.notebook.get(cell_id)
        return self.screen.cell_tree.label_for(cell) if cell is not None else Text(cell_id)

    def choose(self, cell_id: str) -> None:
        """Select `cell_id` in the tree (and the notebook view), as `enter` in a pane asks."""
        screen = self.screen
        if not screen.cell_tree.select_cell(cell_id):
            screen.notify("That cell is not in the notebook any more.", severity="warning")
            return
        if screen.notebook_view.shown:
            screen.notebook_view.focus_cell(cell_id)
        self.selection_changed()
