"""The pairing screen's debugger: alt+d on a failed cell opens pdb on it, and a `breakpoint()` opens it too.

A cell waiting on pdb (its `breakpoint()`, or a post-mortem someone else
started in the scratchpad) gets the console attached to that pdb; any other
cell gets a post-mortem of its last failed run (the kernel says when it keeps
no traceback). One console at a time.
"""

from __future__ import annotations

from typing import Callable

from ....core.api import DebugSession, waits_on_pdb
from ..debugger import DebugScreen
from .link import CellSelection, Notify, SessionLink


class DebugCommands:
    """Open the debugger console on the selected cell, or on the pdb prompt a cell waits at."""

    def __init__(self, link: SessionLink, selection: CellSelection, notify: Notify,
                 push: Callable[..., object]) -> None:
        self.link = link
        self.selection = selection
        self.notify = notify
        self.push = push
        self.open_on: str | None = None  # the cell whose console is open

    def debug_selected(self) -> None:
        cell = self.selection.cell()
        if cell is not None:
            self.open(cell.id, attach=waits_on_pdb(cell))

    def offer(self, cell_id: str) -> bool:
        """A cell (or the scratchpad) waits on pdb: open the console on it; False when it is no pdb prompt."""
        notebook = self.link.notebook()
        cell = notebook.scratch if cell_id == notebook.scratch.id else notebook.get(cell_id)
        if cell is None or not waits_on_pdb(cell):
            return False
        self.open(cell_id, attach=True)
        return True

    def open(self, cell_id: str, *, attach: bool) -> None:
        if self.open_on is not None:
            return
        self.open_on = cell_id
        session = DebugSession(self.link.service, self.link.target(), cell_id)
        self.push(DebugScreen(session, self.link.notebook(), attach=attach), self._closed)

    def _closed(self, _result: object) -> None:
        self.open_on = None
