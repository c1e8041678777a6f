"""`tunnel DEST`: keep a local port forwarded to a marimo server on an ssh host.

For tools that want a plain URL (a browser, curl, another client): prints one
JSON line with the local URL as soon as the forward works, then waits until
SIGINT/SIGTERM/SIGHUP or until its stdin (when a pipe) closes, and removes the
forward. The forward is its own ssh process fed by our stdin, so it ends with
this command even if this command is killed.
"""

from __future__ import annotations

import asyncio
import os
import signal
import stat
import sys

import click

from ...core.api import documents
from ...core.api import open_tunnel
from ...core.api import EXIT_CONNECTION, EXIT_OK, PairError
from ..output import emit, failure, narrate


def _stdin_is_pipe() -> bool:
    try:
        mode = os.fstat(sys.stdin.fileno()).st_mode
    except (OSError, ValueError):
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


async def _tunnel(dest: str, url: str | None) -> int:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        try:
            loop.add_signal_handler(getattr(signal, name), stop.set)
        except (AttributeError, NotImplementedError, RuntimeError):
            pass  # not on this platform (Windows): Ctrl+C still ends the command
    if _stdin_is_pipe():
        fd = sys.stdin.fileno()

        def on_stdin() -> None:
            try:
                data = os.read(fd, 4096)
            except OSError:
                data = b""
            if not data:
                loop.remove_reader(fd)
                stop.set()

        loop.add_reader(fd, on_stdin)
    try:
        tunnel = await open_tunnel(dest, url)
    except PairError as error:
        emit(failure(error))
        return error.exit_code
    try:
        emit(documents.tunnel_document(tunnel))
        narrate(f"{tunnel.local_url} -> {tunnel.server.url} on {dest}; stop with Ctrl+C, SIGTERM, or by closing stdin.")
        return EXIT_OK if await tunnel.hold(stop, narrate) else EXIT_CONNECTION
    finally:
        await tunnel.close()


def register(group: click.Group) -> None:
    """Add the ssh commands to the headless group."""

    @group.command()
    @click.argument("dest", metavar="DEST")
    @click.option("--url", metavar="URL", help="The server's URL as seen on DEST (default: the one server in DEST's registry).")
    def tunnel(dest: str, url: str | None) -> None:
        """Forward a local port to a marimo server on DEST; print the local URL; wait until stopped."""
        sys.exit(asyncio.run(_tunnel(dest, url)))
