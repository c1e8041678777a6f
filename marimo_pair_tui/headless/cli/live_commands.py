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

import time

import click

from ...core.api import Document
from ...core.api import PairingService
from .options import Targeting, target_options
from ..output import serve
from .watching import Watch


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

        async def job(service: PairingService) -> tuple[Document, int]:
            deadline = None if timeout is None else time.monotonic() + timeout
            # Attached without waiting, and heard from its first event: the replay is part of the watch.
            reply = await service.mirror(target.spec(), wait=False)
            return await Watch(service, reply, deadline=deadline, until_idle=until_idle, activity=activity,
                               follow=follow).run()

        serve(target.options(), job)
