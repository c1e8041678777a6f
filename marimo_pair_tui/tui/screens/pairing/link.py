"""What the pairing screen's helpers are given: the session they act on, and the selected cell.

The screen may follow another session while it is open (a kernel restarted,
a successor chosen), so the helpers read the target and the model when they
use them, through these, instead of keeping them or reaching into the screen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Literal, Protocol

from rich.text import Text
from textual.screen import Screen

from ....core.api import Cell, Notebook, PairingService, Mirror, Target
from ...widgets.cell_tree import CellTree
from ...widgets.notebook_view import NotebookView
from .runner import OperationRunner

Notify = Callable[..., object]
RunWorker = Callable[..., object]  # the screen's run_worker: its workers end with the screen
Ask = Callable[[Screen[Any]], Awaitable[Any]]  # push a dialog and wait for its answer
Side = Literal["work", "activity", "variables", "graph", "history"]  # what the side column shows: editor and results, or a pane


class Selected(Protocol):
    def __call__(self, *, quiet: bool = False) -> Cell | None: ...


@dataclass(frozen=True)
class SessionLink:
    """The followed session: the service that acts on it, its target now, and its live mirror if attached."""

    service: PairingService
    target: Callable[[], Target]
    session: Callable[[], Mirror | None]
    _empty: Notebook = field(default_factory=Notebook)  # what is shown before the mirror is attached

    @property
    def attached(self) -> bool:
        return self.session() is not None

    def notebook(self) -> Notebook:
        session = self.session()
        return session.notebook if session is not None else self._empty

    def label(self, cell_id: str) -> str:
        cell = self.notebook().get(cell_id)
        return cell.label if cell is not None else cell_id

    def kernel_busy(self) -> bool:
        return not self.notebook().is_idle()


@dataclass(frozen=True)
class Operations:
    """What a helper that acts on the session uses: the session, the runner that reports each operation
    in the results pane, notifications, the screen's workers, and dialogs that answer."""

    link: SessionLink
    runner: OperationRunner
    notify: Notify
    run_worker: RunWorker
    ask: Ask


class CellSelection:
    """The selected cell is the cell tree's cursor; the notebook view, when shown, focuses the same cell."""

    def __init__(self, tree: CellTree, view: NotebookView, link: SessionLink, notify: Notify,
                 call_later: Callable[..., object]) -> None:
        self.tree = tree
        self.view = view
        self.link = link
        self.notify = notify
        self.call_later = call_later

    def cell(self, *, quiet: bool = False) -> Cell | None:
        """The cell under the tree's cursor; without one (and not `quiet`) says how to pick one."""
        cell_id = self.tree.selected_cell_id
        cell = self.link.notebook().get(cell_id) if cell_id else None
        if cell is None and not quiet:
            self.notify("Select a cell in the cell tree first (f2).", severity="warning")
        return cell

    def select(self, cell_id: str) -> bool:
        """Put the tree's cursor on `cell_id` now; False when the tree has no such cell."""
        return self.tree.select_cell(cell_id)

    def select_soon(self, cell_id: str) -> None:
        """Put the tree's cursor on `cell_id` once the queued model changes are applied."""
        self.call_later(self.tree.select_cell, cell_id)

    def describe(self, cell_id: str) -> Text:
        """The cell as the tree names it."""
        cell = self.link.notebook().get(cell_id)
        return self.tree.label_for(cell) if cell is not None else Text(cell_id)
