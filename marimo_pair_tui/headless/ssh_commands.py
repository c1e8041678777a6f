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
from typing import Any

import click
import httpx

from ..core.discovery import ServerInfo, check_health
from ..core.errors import EXIT_CONNECTION, EXIT_OK, AmbiguousTargetError, NoServerError, PairError
from ..core.ssh import Forward, SshHost, load_settings, remote_server
from .output import emit, failure, narrate

# Re-open attempts after the ssh connection of a running tunnel dropped.
REVIVE_ATTEMPTS = 5


def _stdin_is_pipe() -> bool:
    try:
        mode = os.fstat(sys.stdin.fileno()).st_mode
    except (OSError, ValueError):
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


async def _choose(host: SshHost, url: str | None, warnings: list[str]) -> ServerInfo:
    if url is not None:
        return remote_server(url, host.dest)
    scan = await asyncio.to_thread(host.discover)
    warnings.extend(scan.warnings)
    if scan.missing:
        raise scan.missing_error()
    if not scan.servers:
        raise NoServerError(
            f"No running marimo server in {host.dest}'s registry.",
            next=f"Start one there, or name a token server with --url (its URL on {host.dest}).",
        )
    if len(scan.servers) > 1:
        raise AmbiguousTargetError(
            f"{len(scan.servers)} marimo servers run on {host.dest}; choose one.",
            candidates=[{"url": s.url, "pid": s.pid, "select_with": f"--url {s.url}"} for s in scan.servers],
        )
    return scan.servers[0]


async def _hold(forward: Forward, stop: asyncio.Event) -> int:
    """Wait for the stop request; re-open the forward if its ssh dies meanwhile."""
    failures = 0
    while not stop.is_set():
        try:
            await asyncio.wait_for(stop.wait(), timeout=1.0)
            break
        except asyncio.TimeoutError:
            pass
        if forward.alive():
            failures = 0
            continue
        failures += 1
        narrate(f"The SSH connection to {forward.host.dest} dropped; re-opening the forward (attempt {failures}).")
        try:
            await asyncio.to_thread(forward.revive)
        except PairError as error:
            if failures >= REVIVE_ATTEMPTS:
                narrate(f"{error.message} {error.next}")
                return EXIT_CONNECTION
    return EXIT_OK


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
        settings = load_settings()
        warnings = list(settings.warnings)
        host = SshHost(dest, settings)
        server = await _choose(host, url, warnings)
        forward = await asyncio.to_thread(host.forward, server.host, server.port, dedicated=True)
    except PairError as error:
        emit(failure(error))
        return error.exit_code
    try:
        local_url = forward.local_url(server)
        async with httpx.AsyncClient() as client:
            if not await check_health(client, local_url, timeout=5.0):
                warnings.append(f"{server.url} on {dest} does not answer /health through the forward (yet).")
        document: dict[str, Any] = {
            "success": True,
            "local_url": local_url,
            "remote": {"ssh_host": host.dest, "url": server.url, "pid": server.pid},
            "warnings": warnings,
        }
        emit(document)
        narrate(f"{local_url} -> {server.url} on {dest}; stop with Ctrl+C, SIGTERM, or by closing stdin.")
        return await _hold(forward, stop)
    finally:
        await asyncio.to_thread(forward.close)


def register(group: click.Group) -> None:
    """Add the ssh commands to the headless group."""

    @group.command()
    @click.argument("dest", metavar="DEST")
    @click.option("--url", metavar="URL", help="The server's URL as seen on DEST (default: the one server in DEST's registry).")
    def tunnel(dest: str, url: str | None) -> None:
        """Forward a local port to a marimo server on DEST; print the local URL; wait until stopped."""
        sys.exit(asyncio.run(_tunnel(dest, url)))
