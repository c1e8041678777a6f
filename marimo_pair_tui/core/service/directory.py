"""The directory: which servers run, which notebooks and sessions they have, and which one a call means.

It is the service's eyes: discovery and listing through the `Hub`, each call
returning its value with the warnings found on the way (a dead registry
entry, an ssh host that did not answer), and target resolution in one place.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from ..wire.discovery import ServerInfo, parse_server_url
from ..errors import NoServerError, PairError
from ..servers.hub import Hub
from ..state.call_warnings import collecting, warn, warn_all
from .values import Reply, TargetSpec
from ..wire.sessions import NotebookEntry, Target, list_notebooks, resolve_target
from ..ssh.tunnel import Tunnel, open_tunnel

__all__ = ["Directory", "ServerView", "Tunnel", "open_tunnel", "sibling_note"]


@dataclass
class ServerView:
    """One server with its notebooks, or why they could not be listed (the picker's rows)."""

    server: ServerInfo
    notebooks: list[NotebookEntry] = field(default_factory=list)
    error: str | None = None


def sibling_note(entries: Sequence[NotebookEntry], target: Target) -> str | None:
    """A warning when the target's notebook has several sessions on its server (they diverge)."""
    siblings = [
        s for e in entries
        if e.server.url == target.server.url and e.path == target.notebook
        for s in e.sessions
    ]
    if len(siblings) < 2:
        return None
    return (
        f"{target.notebook} has {len(siblings)} sessions; an edit in one is saved to the file "
        "but not seen by the others, and a live view follows the first one marimo lists."
    )


class Directory:
    """Servers, notebooks and target resolution over one `Hub`."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub

    async def servers(self) -> Reply[list[ServerInfo]]:
        """Every server worth listing (named ones checked), with discovery's warnings."""
        with collecting() as notes:
            found = await self.hub.inventory()
        return Reply(found, warnings=notes)

    async def notebooks(self, url: str | None = None) -> Reply[list[NotebookEntry]]:
        """Notebooks and their sessions on every server the hub targets (or on `url`)."""
        with collecting() as notes:
            entries = await self.hub.notebooks(await self._servers(url))
        return Reply(entries, warnings=notes)

    async def overview(self) -> Reply[list[ServerView]]:
        """Every server with its notebooks; a server that fails is listed with its error, not dropped."""
        with collecting() as notes:
            try:
                servers = await self.hub.inventory()
                if self.hub.explicit:  # --url (or --ssh) names the servers to use
                    hosts = self.hub.options.ssh_hosts
                    servers = [s for s in servers if s.source == "url" or (s.source == "ssh" and s.ssh_host in hosts)]
            except PairError as error:
                servers = []
                warn(f"{error.message} {error.next}".strip())
            results = await asyncio.gather(
                *(list_notebooks(self.hub.connection(s)) for s in servers), return_exceptions=True
            )
            views: list[ServerView] = []
            for server, result in zip(servers, results):
                if isinstance(result, PairError):
                    views.append(ServerView(server, error=result.message))
                elif isinstance(result, BaseException):
                    views.append(ServerView(server, error=f"unexpected error: {result!r}"))
                else:
                    found, found_warnings = result
                    views.append(ServerView(server, notebooks=found))
                    warn_all(found_warnings)
        return Reply(views, warnings=notes)

    async def resolve(self, spec: TargetSpec) -> Reply[Target]:
        """The one session `spec` means, or an error listing the candidates with a selector for each."""
        with collecting() as notes:
            servers = await self._servers(spec.url)
            if servers is None:
                servers = await self.hub.servers()
            entries = await self.hub.notebooks(servers)
            target = resolve_target(
                entries, session=spec.session, notebook=spec.notebook,
                cwd=Path(spec.cwd) if spec.cwd else None, servers=servers,
            )
        reply = Reply(target, target=target, warnings=notes)
        note = sibling_note(entries, target)
        return reply.warn(note) if note else reply

    async def _servers(self, url: str | None) -> list[ServerInfo] | None:
        """The servers a call's `url` names (None: every server the hub targets).

        With --ssh hosts a URL is the one a server has on its host, as `servers`
        lists it; only servers found there are reachable (through their forward).
        """
        if not url:
            return None
        wanted = parse_server_url(url)
        hosts = self.hub.options.ssh_hosts
        if not hosts:
            return [wanted]
        found = [s for s in await self.hub.servers() if s.url == wanted.url]
        if not found:
            raise NoServerError(
                f"No server at {wanted.url} on {', '.join(hosts)}.",
                next="Pass a URL that `servers` lists with source ssh, or leave it out to search every host.",
            )
        return found
