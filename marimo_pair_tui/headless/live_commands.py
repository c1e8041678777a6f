"""`watch`: follow a session's live stream as JSON lines, optionally until the kernel is idle."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import click

from ..core.errors import EXIT_CONNECTION, EXIT_FAILED, EXIT_OK
from ..core.kernel import kernel_state
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


def register(group: click.Group) -> None:
    """Add the live commands to the headless group."""

    @group.command()
    @target_options
    @click.option("--until-idle", is_flag=True, help="End once no cell is queued or running.")
    @click.option("--timeout", type=float, default=None, metavar="SECONDS", help="End after this long.")
    def watch(target: Targeting, until_idle: bool, timeout: float | None) -> None:
        """Print the session's changes as JSON lines; the last line summarises."""

        async def job() -> tuple[dict[str, Any], int]:
            async with target.hub() as hub:
                resolved = await hub.resolve(session=target.session, notebook=target.notebook)
                queue: asyncio.Queue[Changes] = asyncio.Queue()
                pairing = PairingSession(hub, resolved, on_change=queue.put_nowait)
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
                            changes = await asyncio.wait_for(queue.get(), timeout=wait)
                        except asyncio.TimeoutError:
                            continue
                        line: dict[str, Any] = {
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
