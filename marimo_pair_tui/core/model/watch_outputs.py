"""Which outputs a `watch` line carries, and how often.

A running cell's output moves while it runs: a progress bar re-sent up to
every 150 ms, `mo.output.append` once per call (a loop may call it
thousands of times). `watch` shows each cell's output when it differs from
what it last printed, but a cell whose only change is its output prints at
most once every `interval` seconds; the newest output waits for the end of
the interval (never dropped), and a change of status (the run ended) prints
at once with the output as it then is: the final state is always printed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from .cell import Cell
from .notebook import Notebook
from ..parts import ProgressPart, parts_text, walk

INTERVAL = 0.25  # seconds between two output-only lines of one cell
RUNNING = ("queued", "running")
TEXT_LIMIT = 2_000  # characters of output text a watch line carries (its end: appended outputs come last)


def live_output_json(cell: Cell) -> dict[str, Any] | None:
    """A cell's output as a watch line carries it: its text (the end, when long) and its progress parts."""
    output = cell.output
    if output is None:
        return None
    parts = output.parts
    text = parts_text(parts)
    doc: dict[str, Any] = {"text": text, "progress": [p.to_json() for p in walk(parts) if isinstance(p, ProgressPart)]}
    if len(text) > TEXT_LIMIT:
        doc["text"], doc["cut"] = "… " + text[-TEXT_LIMIT:], True
    return doc


def _state(cell: Cell) -> tuple[Any, ...]:
    """What a watch line says of a cell besides its output (the console's newest entry stands for it)."""
    return cell.status, cell.hash, len(cell.console), id(cell.console[-1]) if cell.console else 0


@dataclass
class Picked:
    """The cells one watch line names (an id alone: deleted) and the outputs it carries, by cell id."""

    cells: list[Cell | str] = field(default_factory=list)
    outputs: dict[str, dict[str, Any] | None] = field(default_factory=dict)


class OutputTicks:
    """The outputs `watch` printed, per cell, and the output-only changes it holds back for a moment."""

    def __init__(self, interval: float = INTERVAL, clock: Callable[[], float] = time.monotonic) -> None:
        self._interval = interval
        self._clock = clock
        self._state: dict[str, tuple[Any, ...]] = {}  # status, code hash and console as last printed
        self._seen: dict[str, object] = {}  # the Output object last looked at (a new message makes a new one)
        self._printed: dict[str, dict[str, Any] | None] = {}
        self._last: dict[str, float] = {}  # when an output of the cell was last printed
        self._held: set[str] = set()
        self._ran: set[str] = set()  # cells seen queued or running: only their outputs are printed

    def seed(self, cells: Iterable[Cell]) -> Picked:
        """The cells as watch first prints them, with the outputs of those running."""
        picked = Picked()
        now = self._clock()
        for cell in cells:
            self._print(cell, picked, now)
        return picked

    def take(self, notebook: Notebook, cell_ids: Iterable[str]) -> Picked:
        """The changed cells a line prints now; an output-only change inside its interval is held."""
        picked = Picked()
        now = self._clock()
        for cid in sorted(cell_ids):
            cell = notebook.get(cid)
            if cell is None:
                self._forget(cid)
                picked.cells.append(cid)
                continue
            state = _state(cell)
            moved = cid not in self._seen or cell.output is not self._seen[cid]
            if state == self._state.get(cid) and not moved:
                continue  # nothing new since its last line: the model had moved on when that one was printed
            waited = now >= self._last.get(cid, float("-inf")) + self._interval
            if state != self._state.get(cid) or cid not in self._ran or waited:
                self._held.discard(cid)
                self._print(cell, picked, now)
            else:
                self._held.add(cid)
        return picked

    def wait(self, limit: float | None) -> float | None:
        """How long the watch may wait for the next message: `limit`, or less when a held output is due."""
        if not self._held:
            return limit
        due = min(self._last.get(cid, 0.0) + self._interval for cid in self._held) - self._clock()
        due = max(0.0, due)
        return due if limit is None else min(limit, due)

    def due(self, notebook: Notebook, *, now: bool = False) -> Picked:
        """The held cells whose interval is over (`now`: all of them), printed with their newest output."""
        picked = Picked()
        at = self._clock()
        for cid in sorted(self._held):
            if now or at >= self._last.get(cid, 0.0) + self._interval:
                self._held.discard(cid)
                cell = notebook.get(cid)
                if cell is not None:
                    self._print(cell, picked, at)
        return picked

    def _print(self, cell: Cell, picked: Picked, now: float) -> None:
        picked.cells.append(cell)
        state = _state(cell)
        if cell.status in RUNNING or (cell.id in self._state and state != self._state[cell.id]):
            self._ran.add(cell.id)  # it ran while watched (its run may be over by the time its change is read)
        self._state[cell.id] = state
        fresh = cell.id not in self._seen or cell.output is not self._seen[cell.id]
        self._seen[cell.id] = cell.output
        if not fresh or cell.id not in self._ran:
            return
        doc = live_output_json(cell)
        if doc != self._printed.get(cell.id, ...):
            picked.outputs[cell.id] = self._printed[cell.id] = doc
            self._last[cell.id] = now

    def _forget(self, cid: str) -> None:
        for table in (self._state, self._seen, self._printed, self._last):
            table.pop(cid, None)
        self._held.discard(cid)
        self._ran.discard(cid)
