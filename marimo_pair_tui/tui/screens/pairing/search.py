"""The pairing screen's search (ctrl+f): the session service's `grep`, stepped through match by match.

Each change of the pattern searches the live mirror again (no kernel round
trip: it answers while the kernel is busy); next and previous select the
match's cell in the tree and, when the notebook view is shown, bring its block
into sight (the focus stays in the bar) and mark the pattern in the shown code
and console. Closing the bar keeps the selected cell and clears the marks.
"""

from __future__ import annotations

import re
from typing import Any

from ....core.api import PairError
from ...widgets.search_bar import SearchBar, match_line
from .link import CellSelection, Notify, RunWorker, SessionLink

LIMIT = 10_000  # matches stepped through at most (all are counted)


class SearchCommands:
    """Search the cells, keep the matches, step through them."""

    def __init__(self, link: SessionLink, bar: SearchBar, selection: CellSelection, notify: Notify,
                 run_worker: RunWorker) -> None:
        self.link = link
        self.bar = bar
        self.selection = selection
        self.notify = notify
        self.run_worker = run_worker
        self.matches: list[Any] = []  # core.model.search.Match
        self.count = 0
        self.index = -1
        self.pattern: re.Pattern[str] | None = None
        self.searches = 0  # searches answered (tests wait on it)

    def open(self) -> None:
        self.bar.open()

    def close(self) -> None:
        self.pattern = None
        self.selection.view.mark(None)

    def search(self, pattern: str, regex: bool, ignore_case: bool) -> None:
        if not pattern:
            self._found([], 0, None)
            self.bar.show("")
            return
        self.run_worker(self._search(pattern, regex, ignore_case), group="search", exclusive=True)

    async def _search(self, pattern: str, regex: bool, ignore_case: bool) -> None:
        try:
            reply = await self.link.service.grep(self.link.target(), pattern, regex=regex, ignore_case=ignore_case,
                                                 limit=LIMIT)
        except PairError as error:
            self._found([], 0, None)
            self.bar.show("bad pattern" if error.kind == "bad_pattern" else "no search", error.message)
            self.searches += 1
            return
        found = reply.value.found
        self._found(found.matches, found.count, found.query.compiled)
        self.searches += 1
        self._go(self._first_from_selection())

    def _found(self, matches: list[Any], count: int, pattern: re.Pattern[str] | None) -> None:
        self.matches, self.count, self.index, self.pattern = matches, count, -1, pattern
        self.selection.view.mark(pattern)

    def _first_from_selection(self) -> int:
        """The first match in or after the selected cell (wrapping to the first)."""
        if not self.matches:
            return -1
        order = self.link.notebook().cell_ids
        selected = self.selection.tree.selected_cell_id
        at = order.index(selected) if selected in order else 0
        rank = {cid: i for i, cid in enumerate(order)}
        return next((i for i, m in enumerate(self.matches) if rank.get(m.cell_id, -1) >= at), 0)

    def step(self, step: int) -> None:
        if self.matches:
            self._go((self.index + step) % len(self.matches))

    def _go(self, index: int) -> None:
        if index < 0:
            self.bar.show("no match")
            return
        self.index = index
        match = self.matches[index]
        text, first = match.shown()
        start = match.start - first + (1 if first else 0)  # a cut line starts with its ellipsis
        label = self.link.label(match.cell_id)
        self.bar.show(f"{index + 1}/{self.count}",
                      match_line(match.where, label, match.line, text, start, start + match.end - match.start))
        if self.selection.select(match.cell_id) and self.selection.view.shown:
            self.selection.view.focus_cell(match.cell_id, focus=False)
