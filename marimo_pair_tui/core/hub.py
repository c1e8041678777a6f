"""The servers one command (or one app) works with, and a connection to each.

`Hub` is what both front doors hold: it discovers servers, keeps one
`Connection` per server for its lifetime, lists notebooks across all of them
and resolves a target. Errors from servers the user named (`--url`) are
raised; errors from servers merely found in the registry become warnings, so
one broken server never hides the others.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Mapping, Sequence

from .connection import Connection
from .discovery import ServerInfo, discover, parse_server_url
from .errors import PairError
from .sessions import NotebookEntry, Target, list_notebooks, resolve_target


@dataclass
class HubOptions:
    """Where to look for servers and how to authenticate."""

    urls: Sequence[str] = ()
    token: str | None = None
    use_registry: bool = True
    environ: Mapping[str, str] | None = None


@dataclass
class Hub:
    options: HubOptions = field(default_factory=HubOptions)
    _connections: dict[str, Connection] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    async def __aenter__(self) -> "Hub":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        connections = list(self._connections.values())
        self._connections.clear()
        await asyncio.gather(*(c.aclose() for c in connections), return_exceptions=True)

    @property
    def explicit(self) -> bool:
        """True when the user named servers with --url: only those are targeted."""
        return bool(self.options.urls)

    def connection(self, server: ServerInfo) -> Connection:
        """The one connection to `server`; the token goes only to servers named by URL."""
        conn = self._connections.get(server.url)
        if conn is None:
            token = self.options.token if server.source == "url" else None
            conn = Connection(server, token=token)
            self._connections[server.url] = conn
        return conn

    async def servers(self) -> list[ServerInfo]:
        """Named servers first, then live registry entries (warnings collected)."""
        if self.explicit:
            return [parse_server_url(u) for u in self.options.urls]
        servers, warnings = await discover(
            (), use_registry=self.options.use_registry, environ=self.options.environ
        )
        self.warnings.extend(warnings)
        return servers

    async def inventory(self) -> list[ServerInfo]:
        """Every server worth listing: named ones (checked, version filled in) and the registry's."""
        servers, warnings = await discover(
            self.options.urls, use_registry=self.options.use_registry, environ=self.options.environ
        )
        self.warnings.extend(warnings)
        checked = await asyncio.gather(*(self._describe(s) for s in servers))
        return list(checked)

    async def _describe(self, server: ServerInfo) -> ServerInfo:
        if server.source != "url":
            return server
        try:
            status = await self.connection(server).status()
        except PairError as exc:
            self.warnings.append(f"{server.url}: {exc.message} {exc.next}".strip())
            return server
        version = status.get("version")
        return replace(server, version=version if isinstance(version, str) else None)

    async def notebooks(self, servers: Sequence[ServerInfo] | None = None) -> list[NotebookEntry]:
        """Notebooks and sessions on every server; failing named servers raise."""
        if servers is None:
            servers = await self.servers()
        results = await asyncio.gather(
            *(list_notebooks(self.connection(s)) for s in servers), return_exceptions=True
        )
        entries: list[NotebookEntry] = []
        for server, result in zip(servers, results):
            if isinstance(result, BaseException):
                if not isinstance(result, PairError):
                    raise result
                if server.source == "url":
                    raise result
                self.warnings.append(f"{server.url}: {result.message}")
                continue
            found, warnings = result
            entries.extend(found)
            self.warnings.extend(warnings)
        return entries

    async def resolve(
        self, *, session: str | None = None, notebook: str | None = None, cwd: Path | None = None
    ) -> Target:
        """The one session the user means, or an error listing the candidates."""
        servers = await self.servers()
        entries = await self.notebooks(servers)
        return resolve_target(entries, session=session, notebook=notebook, cwd=cwd, servers=servers)
