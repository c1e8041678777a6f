"""`watch` and `activity`: a session's live stream, as JSON lines or as one read.

`watch` follows the stream (optionally until the kernel is idle), printing
what marimo tells besides cells (a toast, a banner, a startup error, a
package operation begun or ended) as `{"notice": {...}}` lines, and ends
(exit 3) when the session goes; with `--follow` it follows the notebook to its
new session instead (a kernel restarted by another client, a server restarted
on the same port), printing `{"moved": {...}}` when it does, and ends (exit 2)
when the notebook has several new sessions, listing them. With
`--activity`, every execution (a snippet or a cell run, by any client) is
also printed as `{"activity": {...}}` when it starts and again when it ends,
so a supervising process can follow another agent's work. `activity` is the
MCP tool's twin: the newest entries of the log, read once.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import click

from ..core import documents
from ..core.errors import EXIT_CONNECTION, EXIT_FAILED, EXIT_OK, EXIT_USAGE
from ..core.documents import OutputTicks, Picked
from ..core.service.pairing_service import ActivityLog, Changes, PairingService, Reply
from .cli import Targeting, target_options
from .output import emit, narrate, serve

IDLE_RECHECK = 0.5


class ActivityLines:
    """The activity lines one model change calls for: an entry when it starts and when it ends.

    Built when the change happens (the model moves on before the lines are
    printed), so a start line shows the entry as it was at its start.
    """

    def __init__(self) -> None:
        self._started: set[str] = set()
        self._ended: set[str] = set()

    def __call__(self, log: ActivityLog, ids: frozenset[str]) -> list[dict[str, Any]]:
        lines = []
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


def register(group: click.Group) -> None:
    """Add the live commands to the headless group."""

    @group.command()
    @target_options
    @click.option("--until-idle", is_flag=True, help="End once no cell is queued or running.")
    @click.option("--timeout", type=float, default=None, metavar="SECONDS", help="End after this long.")
    @click.option("--activity", is_flag=True,
                  help='Also print each execution (snippet or cell run, by any client) as {"activity": {...}} '
                       "when it starts and when it ends.")
    @click.option("--follow", is_flag=True,
                  help='Follow the notebook to its new session when this one ends (kernel or server restarted), '
                       'printing {"moved": {...}}; without it, watch ends with exit 3 when the session goes.')
    def watch(target: Targeting, until_idle: bool, timeout: float | None, activity: bool, follow: bool) -> None:
        """Print the session's changes as JSON lines; the last line summarises."""

        async def job(service: PairingService) -> tuple[dict[str, Any], int]:
            deadline = None if timeout is None else time.monotonic() + timeout
            # Attached without waiting, and heard from its first event: the replay is part of the watch.
            reply = await service.mirror(target.spec(), wait=False)
            pairing = reply.value
            queue: asyncio.Queue[tuple[Changes, list[dict[str, Any]]]] = asyncio.Queue()
            activity_lines = ActivityLines()
            told = [0]  # the newest notice printed (`watch` prints those it hears, not older ones)

            def on_change(changes: Changes) -> None:
                lines = activity_lines(pairing.notebook.activity, changes.activity) if activity else []
                if changes.notices:
                    events = pairing.notebook.notices.since(told[0])
                    lines += [documents.notice_line(e) for e in events]
                    told[0] = max([told[0], *(e.seq for e in events)])
                queue.put_nowait((changes, lines))

            lost: list[str] = []  # the states that end the session followed (heard even if recovery is quick)
            moves: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
            origin = pairing.target

            def on_state(state: str, detail: str) -> None:
                if state in ("gone", "moved", "ambiguous"):
                    lost.append(state)
                if state in ("moved", "ambiguous"):
                    moves.put_nowait((state, detail))

            told[0] = pairing.notebook.notices.last_seq
            unsubscribe = pairing.subscribe(on_change, on_state)
            ticks = OutputTicks()  # running cells' outputs, at most a few lines a second each

            def cells_line(picked: Picked, order: list[str] | None = None) -> None:
                notebook = pairing.notebook
                emit(documents.watch_line(picked.cells, idle=notebook.is_idle(), running=notebook.running_cell_ids(),
                                          scratch=notebook.scratch.runtime, live=pairing.live_state, order=order,
                                          outputs=picked.outputs))

            def show(changes: Changes, lines: list[dict[str, Any]]) -> None:
                for line in lines:
                    emit(line)
                picked = ticks.take(pairing.notebook, changes.cell_ids)
                if picked.cells or changes.structure or changes.kernel or changes.scratch:
                    cells_line(picked, order=pairing.notebook.cell_ids if changes.structure else None)

            if pairing.notebook.version:  # already followed (the pairing service's mirror): what a replay shows
                cells_line(ticks.seed(pairing.notebook.cells), order=pairing.notebook.cell_ids)
            reason = "stopped"
            try:
                while True:
                    if not follow and (lost or pairing.live_state == "gone"):
                        reason = "gone"
                        break
                    while follow and not moves.empty():
                        state, detail = moves.get_nowait()
                        if state == "moved":
                            emit({"moved": {"detail": detail, "from": origin.to_json(),
                                            "session": pairing.target.to_json()}})
                            origin = pairing.target
                    if follow and pairing.live_state == "ambiguous":
                        reason = "ambiguous"
                        break
                    if until_idle and pairing.live_state == "live" and (await service.is_idle(pairing.target)).value:
                        reason = "idle"
                        break
                    remaining = None if deadline is None else deadline - time.monotonic()
                    if remaining is not None and remaining <= 0:
                        reason = "timeout"
                        break
                    # The replay after attach has no end marker, so idleness is
                    # confirmed with the kernel and re-checked now and then.
                    wait = IDLE_RECHECK if until_idle else remaining
                    if wait is not None and remaining is not None:
                        wait = min(wait, remaining)
                    try:
                        changes, lines = await asyncio.wait_for(queue.get(), timeout=ticks.wait(wait))
                    except asyncio.TimeoutError:
                        if (due := ticks.due(pairing.notebook)).cells:
                            cells_line(due)
                        continue
                    show(changes, lines)
            finally:
                unsubscribe()
            while not queue.empty():  # heard before the end: the final states are printed
                show(*queue.get_nowait())
            if (held := ticks.due(pairing.notebook, now=True)).cells:  # what was held back is the newest state
                cells_line(held)
            notebook = pairing.notebook
            success = reason in ("idle", "stopped") or (reason == "timeout" and not until_idle)
            if pairing.target is not reply.target:  # followed to a new session: the summary names it
                reply = Reply(reply.value, target=pairing.target, warnings=list(reply.warnings))
            document = documents.watch_summary(reply, reason=reason, success=success, idle=notebook.is_idle(),
                                               cells=notebook.cells)
            if reason == "ambiguous":
                document["candidates"] = [{**t.to_json(), "select_with": f"--session {t.session.selector}"}
                                          for t in pairing.candidates]
                document["detail"] = pairing.live_detail
                return document, EXIT_USAGE
            if reason == "gone":
                return document, EXIT_CONNECTION
            return document, EXIT_OK if success else EXIT_FAILED

        serve(target.options(), job)

    @group.command(name="activity")
    @target_options
    @click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True, help="At most this many entries, newest first.")
    @click.option("--since", metavar="ID", help="Only entries started after this entry id (from an earlier read).")
    @click.option("--listen", type=click.FloatRange(min=0), default=0.0, metavar="SECONDS",
                  help="Listen this long to the session before answering (the log starts when the command attaches).")
    def activity_(target: Targeting, limit: int, since: str | None, listen: float) -> None:
        """What ran in the session, by anyone, newest first: snippets and cell runs (the MCP `activity` tool).

        The log starts when the pairing service first follows the session (with
        --no-service: when this command attaches), so it spans calls; use --listen
        to hear what others run for a while, or `watch --activity` to follow it."""

        async def job(service: PairingService) -> tuple[dict[str, Any], int]:
            reply = await service.activity(target.spec(), limit=limit, since=since, listen=listen,
                                           on_listening=lambda: narrate(f"listening for {listen:g} s"))
            return documents.activity_document(reply), EXIT_OK

        serve(target.options(), job)
