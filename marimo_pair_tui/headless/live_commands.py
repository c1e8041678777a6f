"""`watch`: follow a session's live stream as JSON lines, optionally until the kernel is idle.

With `--activity`, every execution (a snippet or a cell run, by any client)
is also printed as `{"activity": {...}}` when it starts and again when it
ends, so a supervising process can follow another agent's work.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import click

from ..core.errors import EXIT_CONNECTION, EXIT_FAILED, EXIT_OK
from ..core.kernel import kernel_state
from ..core.activity import ActivityLog
from ..core.notebook import Changes, Notebook
from ..core.pairing import PairingSession
from .cli import Targeting, target_options
from .output import emit, run


IDLE_RECHECK = 0.5


async def _kernel_idle(pairing: PairingSession) -> bool:
    """The kernel's own word: nothing queued or running, scratchpad included."""
    return await kernel_state(pairing.connection, pairing.target.session) == "idle"


def _cell_summary(notebook: Notebook, cell_id: str) -> dict[str, Any]:
    cell = notebook.get(cell_id)
    if cell is None:
        return {"id": cell_id, "deleted": True}
    return {"id": cell.id, "name": cell.name, "status": cell.status, "hash": cell.hash}


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
                    lines.append({"activity": entry.to_json()})
            if entry.finished and entry.id not in self._ended:
                self._ended.add(entry.id)
                lines.append({"activity": entry.to_json()})
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
    def watch(target: Targeting, until_idle: bool, timeout: float | None, activity: bool) -> None:
        """Print the session's changes as JSON lines; the last line summarises."""

        async def job() -> tuple[dict[str, Any], int]:
            async with target.hub() as hub:
                resolved = await hub.resolve(session=target.session, notebook=target.notebook)
                queue: asyncio.Queue[tuple[Changes, list[dict[str, Any]]]] = asyncio.Queue()
                activity_lines = ActivityLines()

                def on_change(changes: Changes) -> None:
                    lines = activity_lines(pairing.notebook.activity, changes.activity) if activity else []
                    queue.put_nowait((changes, lines))

                pairing = PairingSession(hub, resolved, on_change=on_change)
                several = [e for e in await hub.notebooks() if e.path == resolved.notebook and len(e.sessions) > 1]
                if several:
                    hub.warnings.append(
                        f"{resolved.notebook} has {len(several[0].sessions)} sessions; the live stream follows the "
                        "first one marimo lists for the file."
                    )
                deadline = None if timeout is None else time.monotonic() + timeout
                await pairing.start(wait_ready=timeout if timeout is not None else 30.0)
                reason = "stopped"
                try:
                    while True:
                        if pairing.live_state == "gone":
                            reason = "gone"
                            break
                        if until_idle and pairing.notebook.is_idle() and await _kernel_idle(pairing):
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
                            changes, lines = await asyncio.wait_for(queue.get(), timeout=wait)
                        except asyncio.TimeoutError:
                            continue
                        for line in lines:
                            emit(line)
                        if not (changes.cell_ids or changes.structure or changes.kernel or changes.scratch):
                            continue  # only the activity log changed
                        line = {
                            "cells": [_cell_summary(pairing.notebook, cid) for cid in sorted(changes.cell_ids)],
                            "idle": pairing.notebook.is_idle(),
                            "running": pairing.notebook.running_cell_ids(),
                            "scratch": pairing.notebook.scratch.runtime,
                            "live": pairing.live_state,
                        }
                        if changes.structure:
                            line["order"] = pairing.notebook.cell_ids
                        emit(line)
                finally:
                    await pairing.stop()
                notebook = pairing.notebook
                document = {
                    "success": reason in ("idle", "stopped") or (reason == "timeout" and not until_idle),
                    "reason": reason,
                    "idle": notebook.is_idle(),
                    "session": resolved.to_json(),
                    "cells": [_cell_summary(notebook, cid) for cid in notebook.cell_ids],
                    "warnings": hub.warnings,
                }
                if reason == "gone":
                    return document, EXIT_CONNECTION
                return document, EXIT_OK if document["success"] else EXIT_FAILED

        run(job)
