"""One `watch`: a session's changes printed as JSON lines while it runs, and the summary when it ends.

The stream's callbacks only queue what they hear (with the activity and
notice lines built at that moment, since the model moves on); the loop prints
the queue, holds back output-only changes for a moment (`OutputTicks`), and
decides when the watch ends: the session gone, several new sessions, the
kernel idle, or the timeout.
"""

from __future__ import annotations

import asyncio
import time

from ...core.api import documents
from ...core.api import Document
from ...core.api import EXIT_CONNECTION, EXIT_FAILED, EXIT_OK, EXIT_USAGE
from ...core.api import OutputTicks, Picked
from ...core.api import ActivityLog, Changes, PairingService, Reply
from ..output import emit

IDLE_RECHECK = 0.5


class ActivityLines:
    """The activity lines one model change calls for: an entry when it starts and when it ends.

    Built when the change happens (the model moves on before the lines are
    printed), so a start line shows the entry as it was at its start.
    """

    def __init__(self) -> None:
        self._started: set[str] = set()
        self._ended: set[str] = set()

    def __call__(self, log: ActivityLog, ids: frozenset[str]) -> list[Document]:
        lines: list[Document] = []
        entries = sorted((e for e in map(log.get, ids) if e is not None), key=lambda e: e.seq)
        for entry in entries:
            if entry.id not in self._started:
                self._started.add(entry.id)
                if not entry.finished:
                    lines.append({"activity": documents.activity_entry_json(entry)})
            if entry.finished and entry.id not in self._ended:
                self._ended.add(entry.id)
                lines.append({"activity": documents.activity_entry_json(entry)})
        return lines


class Watch:
    """Follows one mirror (attached without waiting: its replay is part of the watch) until the watch ends."""

    def __init__(self, service: PairingService, reply: Reply, *, deadline: float | None, until_idle: bool,
                 activity: bool, follow: bool) -> None:
        self.service = service
        self.reply = reply
        self.pairing = reply.value
        self.deadline = deadline
        self.until_idle = until_idle
        self.follow = follow
        self._activity_lines = ActivityLines() if activity else None
        self._queue: asyncio.Queue[tuple[Changes, list[Document]]] = asyncio.Queue()
        self._told = 0  # the newest notice printed (`watch` prints those it hears, not older ones)
        self._lost: list[str] = []  # the states that end the session followed (heard even if recovery is quick)
        self._moves: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
        self._origin = self.pairing.target
        self._ticks = OutputTicks()  # running cells' outputs, at most a few lines a second each

    async def run(self) -> tuple[Document, int]:
        """Print the changes until the watch ends; the summary document and the exit code."""
        self._told = self.pairing.notebook.notices.last_seq
        unsubscribe = self.pairing.subscribe(self._on_change, self._on_state)
        if self.pairing.notebook.version:  # already followed (the pairing service's mirror): what a replay shows
            self._cells_line(self._ticks.seed(self.pairing.notebook.cells), order=self.pairing.notebook.cell_ids)
        try:
            reason = await self._follow()
        finally:
            unsubscribe()
        while not self._queue.empty():  # heard before the end: the final states are printed
            self._show(*self._queue.get_nowait())
        if (held := self._ticks.due(self.pairing.notebook, now=True)).cells:  # held back: the newest state
            self._cells_line(held)
        return self._summary(reason)

    def _on_change(self, changes: Changes) -> None:
        notebook = self.pairing.notebook
        lines = self._activity_lines(notebook.activity, changes.activity) if self._activity_lines else []
        if changes.notices:
            events = notebook.notices.since(self._told)
            lines += [documents.notice_line(e) for e in events]
            self._told = max([self._told, *(e.seq for e in events)])
        self._queue.put_nowait((changes, lines))

    def _on_state(self, state: str, detail: str) -> None:
        if state in ("gone", "moved", "ambiguous"):
            self._lost.append(state)
        if state in ("moved", "ambiguous"):
            self._moves.put_nowait((state, detail))

    async def _follow(self) -> str:
        """Print what the stream tells until the watch ends; why it ended."""
        while True:
            if (reason := await self._ended()) is not None:
                return reason
            remaining = None if self.deadline is None else self.deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                return "timeout"
            await self._next_change(self._wait(remaining))

    async def _ended(self) -> str | None:
        """Why the watch ends now (the session gone, several new sessions, the kernel idle), or None."""
        pairing = self.pairing
        if not self.follow and (self._lost or pairing.live_state == "gone"):
            return "gone"
        if self.follow:
            self._print_moves()
            if pairing.live_state == "ambiguous":
                return "ambiguous"
        if self.until_idle and pairing.live_state == "live" and (await self.service.is_idle(pairing.target)).value:
            return "idle"
        return None

    def _print_moves(self) -> None:
        while not self._moves.empty():
            state, detail = self._moves.get_nowait()
            if state == "moved":
                emit({"moved": {"detail": detail, "from": self._origin.to_json(),
                                "session": self.pairing.target.to_json()}})
                self._origin = self.pairing.target

    def _wait(self, remaining: float | None) -> float | None:
        # The replay after attach has no end marker, so idleness is
        # confirmed with the kernel and re-checked now and then.
        wait = IDLE_RECHECK if self.until_idle else remaining
        if wait is not None and remaining is not None:
            wait = min(wait, remaining)
        return wait

    async def _next_change(self, wait: float | None) -> None:
        try:
            changes, lines = await asyncio.wait_for(self._queue.get(), timeout=self._ticks.wait(wait))
        except asyncio.TimeoutError:
            if (due := self._ticks.due(self.pairing.notebook)).cells:
                self._cells_line(due)
            return
        self._show(changes, lines)

    def _cells_line(self, picked: Picked, order: list[str] | None = None) -> None:
        notebook = self.pairing.notebook
        emit(documents.watch_line(picked.cells, idle=notebook.is_idle(), running=notebook.running_cell_ids(),
                                  scratch=notebook.scratch.runtime, live=self.pairing.live_state, order=order,
                                  outputs=picked.outputs))

    def _show(self, changes: Changes, lines: list[Document]) -> None:
        for line in lines:
            emit(line)
        picked = self._ticks.take(self.pairing.notebook, changes.cell_ids)
        if picked.cells or changes.structure or changes.kernel or changes.scratch:
            self._cells_line(picked, order=self.pairing.notebook.cell_ids if changes.structure else None)

    def _summary(self, reason: str) -> tuple[Document, int]:
        notebook = self.pairing.notebook
        success = reason in ("idle", "stopped") or (reason == "timeout" and not self.until_idle)
        reply = self.reply
        if self.pairing.target is not reply.target:  # followed to a new session: the summary names it
            reply = Reply(reply.value, target=self.pairing.target, warnings=list(reply.warnings))
        document = documents.watch_summary(reply, reason=reason, success=success, idle=notebook.is_idle(),
                                           cells=notebook.cells)
        if reason == "ambiguous":
            document["candidates"] = [{**t.to_json(), "select_with": f"--session {t.session.selector}"}
                                      for t in self.pairing.candidates]
            document["detail"] = self.pairing.live_detail
            return document, EXIT_USAGE
        if reason == "gone":
            return document, EXIT_CONNECTION
        return document, EXIT_OK if success else EXIT_FAILED
