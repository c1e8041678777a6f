"""A standing forward to one marimo server on an ssh host, for tools that want a plain URL.

`open_tunnel` picks the server (the one in the host's registry, or the URL
given), opens a dedicated forward and checks the server answers through it;
`Tunnel.hold` keeps it until asked to stop, re-opening it when ssh drops.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Callable

import httpx

from ..wire.tls import tls_context
from ..wire.discovery import ServerInfo, check_health
from ..errors import AmbiguousTargetError, NoServerError, PairError
from .forward import Forward
from .host import SshHost
from .registry import remote_server
from .settings import load_settings

REVIVE_ATTEMPTS = 5  # re-open attempts after the ssh connection of a running tunnel dropped


@dataclass
class Tunnel:
    """A dedicated forward to `server` on `host`, reachable at `local_url`."""

    host: SshHost
    server: ServerInfo
    forward: Forward
    local_url: str
    warnings: list[str] = field(default_factory=list)

    async def hold(self, stop: asyncio.Event, narrate: Callable[[str], None]) -> bool:
        """Keep the forward until `stop`; False when ssh dropped and could not be re-opened."""
        failures = 0
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), timeout=1.0)
                break
            except asyncio.TimeoutError:
                pass
            if self.forward.alive():
                failures = 0
                continue
            failures += 1
            narrate(f"The SSH connection to {self.host.dest} dropped; re-opening the forward (attempt {failures}).")
            try:
                await asyncio.to_thread(self.forward.revive)
            except PairError as error:
                if failures >= REVIVE_ATTEMPTS:
                    narrate(f"{error.message} {error.next}")
                    return False
        return True

    async def close(self) -> None:
        await asyncio.to_thread(self.forward.close)


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


async def open_tunnel(dest: str, url: str | None) -> Tunnel:
    """Pick the server on `dest`, forward a local port to it, and check it answers."""
    settings = load_settings()
    warnings = list(settings.warnings)
    host = SshHost(dest, settings)
    server = await _choose(host, url, warnings)
    forward = await asyncio.to_thread(host.forward, server.host, server.port, dedicated=True)
    local_url = forward.local_url(server)
    async with httpx.AsyncClient(verify=tls_context()) as client:
        if not await check_health(client, local_url, timeout=5.0):
            warnings.append(f"{server.url} on {dest} does not answer /health through the forward (yet).")
    return Tunnel(host, server, forward, local_url, warnings)
