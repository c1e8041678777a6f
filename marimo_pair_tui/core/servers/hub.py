"""The servers one command (or one app) works with, and a connection to each.

`Hub` is the transport under the service (core/service/pairing_service.py): it discovers
servers, keeps one `Connection` per server for its lifetime and lists
notebooks across all of them; the directory (core/service/directory.py) resolves
targets on it. Warnings go to the caller's collector (core/state/call_warnings.py). Errors from servers the user named (`--url`) are
raised; errors from servers merely found in the registry become warnings, so
one broken server never hides the others.

With ssh hosts (`--ssh DEST`) the Hub reads each host's registry over ssh and
reaches every remote server through a local port forward (core/ssh/). A
remote `ServerInfo` keeps the URL the server has *on its host* (with
`source="ssh"` and `ssh_host`): that identity is what a user passes back as
`--ssh DEST --url URL`, while the forward's local URL lives only as long as
this Hub. `aclose()` removes the forwards.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Mapping, Sequence

from ..wire.connection import Connection, insecure_token_allowed, load_token, token_file_warning
from ..wire.discovery import ServerInfo, discover, parse_server_url
from ..errors import PairError, UnsupportedServerError, UsageError
from ..state.call_warnings import warn, warn_all
from ..wire.server_versions import listing_note
from ..wire.sessions import NotebookEntry, list_notebooks
from ..ssh import Forward, SshConnection, SshHost, SshSettings, load_settings, remote_server

# How often a long-lived Hub checks its ssh forwards and re-opens dropped ones.
FORWARD_CHECK_SECONDS = 3.0


@dataclass
class HubOptions:
    """Where to look for servers and how to authenticate."""

    urls: Sequence[str] = ()
    token: str | None = None
    use_registry: bool = True
    environ: Mapping[str, str] | None = None
    # Remote hosts to search and target (`--ssh`); with them, `urls` name servers on that host.
    ssh_hosts: Sequence[str] = ()
    # Remote hosts only listed by `inventory()` (config.toml's [ssh] hosts, for the picker).
    ssh_browse: Sequence[str] = ()
    # How to run ssh; None: from MARIMO_PAIR_SSH_OPTS and config.toml when first needed.
    ssh: SshSettings | None = None
    # Send the token over plain http to a non-loopback server (--allow-insecure-token);
    # MARIMO_PAIR_ALLOW_INSECURE_TOKEN=1 opts in too.
    allow_insecure_token: bool = False
    # Warnings known before any call (a token file others can read): every listing repeats them.
    notices: Sequence[str] = ()


def hub_options(
    urls: Sequence[str] = (),
    token_file: Path | str | None = None,
    ssh_hosts: Sequence[str] = (),
    *,
    allow_insecure_token: bool = False,
    environ: Mapping[str, str] | None = None,
) -> HubOptions:
    """HubOptions from the doors' flags: the token read (from --token-file or MARIMO_TOKEN),
    a loose token file noted (its warning rides along with every listing)."""
    warning = token_file_warning(token_file)
    return HubOptions(
        urls=urls,
        token=load_token(token_file, environ),
        ssh_hosts=ssh_hosts,
        environ=environ,
        allow_insecure_token=allow_insecure_token,
        notices=(warning,) if warning else (),
    )


ServerKey = tuple[str, str]


def _key(server: ServerInfo) -> ServerKey:
    return (server.ssh_host or "", server.url)


@dataclass
class Hub:
    options: HubOptions = field(default_factory=HubOptions)
    _connections: dict[ServerKey, Connection] = field(default_factory=dict)
    _ssh_hosts: dict[str, SshHost] = field(default_factory=dict)
    _forwards: dict[ServerKey, Forward] = field(default_factory=dict)
    _ssh_settings: SshSettings | None = None
    _keeper: "asyncio.Task[None] | None" = None
    _forward_lock: threading.Lock = field(default_factory=threading.Lock)

    async def __aenter__(self) -> "Hub":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._keeper is not None:
            self._keeper.cancel()
            self._keeper = None
        connections = list(self._connections.values())
        self._connections.clear()
        await asyncio.gather(*(c.aclose() for c in connections), return_exceptions=True)
        forwards = list(self._forwards.values())
        self._forwards.clear()
        if forwards:
            await asyncio.gather(*(asyncio.to_thread(f.close) for f in forwards), return_exceptions=True)

    @property
    def explicit(self) -> bool:
        """True when the user named servers with --url or hosts with --ssh: only those are targeted."""
        return bool(self.options.urls or self.options.ssh_hosts)

    def named(self, server: ServerInfo) -> bool:
        """True for servers the user named by URL (they get the token; their errors are raised)."""
        if server.source == "url":
            return True
        if server.source == "ssh" and server.ssh_host in self.options.ssh_hosts:
            return server.url in {parse_server_url(u).url for u in self.options.urls}
        return False

    def connection(self, server: ServerInfo) -> Connection:
        """The one connection to `server`; the token goes only to servers named by URL.

        A remote server is reached through its forward, opened here if needed
        (a blocking ssh call: the async paths open forwards beforehand).
        """
        key = _key(server)
        conn = self._connections.get(key)
        if conn is not None and server.version and server.version != conn.server.version:
            # The registry now says another version: the server was restarted there (upgraded, say).
            conn.server = replace(conn.server, version=server.version)
        if conn is None:
            token = self.options.token if self.named(server) else None
            allow = self.options.allow_insecure_token or insecure_token_allowed(self.options.environ)
            if server.source == "ssh" and server.ssh_host:
                forward = self._forwards.get(key) or self._open_forward(server)
                conn = SshConnection(server, forward, token=token, allow_insecure_token=allow)
            else:
                conn = Connection(server, token=token, allow_insecure_token=allow)
            self._connections[key] = conn
        return conn

    # -- ssh ----------------------------------------------------------------------

    @property
    def ssh_settings(self) -> SshSettings:
        if self._ssh_settings is None:
            self._ssh_settings = self.options.ssh or load_settings(self.options.environ)
            warn_all(self._ssh_settings.warnings)
        return self._ssh_settings

    def ssh_host(self, dest: str) -> SshHost:
        """The one SshHost per destination (its ControlMaster is shared across calls)."""
        host = self._ssh_hosts.get(dest)
        if host is None:
            host = self._ssh_hosts[dest] = SshHost(dest, self.ssh_settings)
        return host

    def _open_forward(self, server: ServerInfo) -> Forward:
        key = _key(server)
        with self._forward_lock:
            forward = self._forwards.get(key)
            if forward is None:
                forward = self.ssh_host(server.ssh_host or "").forward(server.host, server.port)
                self._forwards[key] = forward
        self._start_keeper()
        return forward

    async def forward(self, server: ServerInfo) -> Forward:
        """The local forward to a remote server (opened in a thread: ssh calls block)."""
        forward = self._forwards.get(_key(server))
        if forward is None:
            forward = await asyncio.to_thread(self._open_forward, server)
            self._start_keeper()
        return forward

    async def _drop(self, key: ServerKey) -> None:
        conn = self._connections.pop(key, None)
        if conn is not None:
            await conn.aclose()
        forward = self._forwards.pop(key, None)
        if forward is not None:
            await asyncio.to_thread(forward.close)

    def _start_keeper(self) -> None:
        if self._keeper is not None or not self._forwards:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # called from a worker thread: the async caller starts it
        self._keeper = loop.create_task(self._keep_forwards())

    async def _keep_forwards(self) -> None:
        """Re-open forwards whose ssh connection dropped, on the same local port, so
        connections and live streams that retry find the server again."""
        while True:
            await asyncio.sleep(FORWARD_CHECK_SECONDS)
            for forward in list(self._forwards.values()):
                if forward.closed or await asyncio.to_thread(forward.alive):
                    continue
                try:
                    await asyncio.to_thread(forward.revive)
                except PairError:
                    continue  # still down: the next round tries again

    async def _remote_host_servers(self, dest: str, urls: Sequence[str], require: bool) -> list[ServerInfo]:
        """Servers on one ssh host, each with its forward open and (registry ones) healthy."""
        host = self.ssh_host(dest)
        if urls:
            named = [remote_server(u, host.dest) for u in urls]
            for server in named:
                await self.forward(server)
            return named
        scan = await asyncio.to_thread(host.discover)
        warn_all(scan.warnings)
        if scan.missing:
            error = scan.missing_error()
            if require:
                raise error
            warn(f"{error.message} {error.next}")
            return []
        healthy: list[ServerInfo] = []
        for server in scan.servers:
            try:
                await self.forward(server)
            except PairError as exc:
                warn(f"{server.url} on {dest}: {exc.message}; skipped")
                continue
            if await self.connection(server).health():
                healthy.append(server)
            else:
                warn(
                    f"{server.url} on {dest}: registry entry for pid {server.pid} does not answer /health "
                    "through the SSH forward; skipped"
                )
                await self._drop(_key(server))
        return healthy

    async def _remote_servers(self, hosts: Sequence[str], urls: Sequence[str], *, strict: bool, require: bool) -> list[ServerInfo]:
        """Servers on several ssh hosts; failures raise when `strict`, else become warnings."""
        if urls and len(hosts) > 1:
            raise UsageError(
                "--url names a server on one ssh host, but several --ssh hosts were given.",
                next="Give one --ssh DEST with --url (the URL as seen on that host), or drop --url to search every host.",
            )
        results = await asyncio.gather(
            *(self._remote_host_servers(h, urls, require) for h in hosts), return_exceptions=True
        )
        servers: list[ServerInfo] = []
        for dest, result in zip(hosts, results):
            if isinstance(result, BaseException):
                if strict or not isinstance(result, PairError):
                    raise result
                warn(f"ssh {dest}: {result.message} {result.next}".strip())
                continue
            servers.extend(result)
        return servers

    # -- discovery ------------------------------------------------------------------

    async def servers(self) -> list[ServerInfo]:
        """Named servers first, then live registry entries (warnings collected)."""
        warn_all(self.options.notices)
        if self.options.ssh_hosts:
            return await self._remote_servers(self.options.ssh_hosts, self.options.urls, strict=True,
                                              require=len(self.options.ssh_hosts) == 1)
        if self.explicit:
            return [parse_server_url(u) for u in self.options.urls]
        servers, warnings = await discover(
            (), use_registry=self.options.use_registry, environ=self.options.environ
        )
        warn_all(warnings)
        return servers

    async def inventory(self) -> list[ServerInfo]:
        """Every server worth listing: named ones (checked, version filled in), the registry's,
        and the ssh hosts' (a --ssh host that fails raises; a config-file host only warns)."""
        warn_all(self.options.notices)
        local_urls = () if self.options.ssh_hosts else self.options.urls
        servers, warnings = await discover(
            local_urls, use_registry=self.options.use_registry, environ=self.options.environ
        )
        warn_all(warnings)
        if self.options.ssh_hosts:
            servers += await self._remote_servers(self.options.ssh_hosts, self.options.urls, strict=True, require=False)
        browse = [h for h in self.options.ssh_browse if h not in self.options.ssh_hosts]
        if browse:
            servers += await self._remote_servers(browse, (), strict=False, require=False)
        checked = await asyncio.gather(*(self._describe(s) for s in servers))
        for server in checked:
            note = listing_note(f"{server.url} on {server.ssh_host}" if server.ssh_host else server.url, server.version)
            if note:
                warn(note)
        return list(checked)

    async def _describe(self, server: ServerInfo) -> ServerInfo:
        if not self.named(server):
            return server
        connection = self.connection(server)  # a refused token (InsecureTokenError) raises
        try:
            status = await connection.status()
        except PairError as exc:
            warn(f"{connection.label}: {exc.message} {exc.next}".strip())
            return server
        version = status.get("version")
        return replace(server, version=version if isinstance(version, str) else None)

    async def notebooks(self, servers: Sequence[ServerInfo] | None = None) -> list[NotebookEntry]:
        """Notebooks and sessions on every server; failing named servers raise."""
        warn_all(self.options.notices)
        if servers is None:
            servers = await self.servers()
        results = await asyncio.gather(
            *(list_notebooks(self.connection(s)) for s in servers), return_exceptions=True
        )
        entries: list[NotebookEntry] = []
        refused: list[UnsupportedServerError] = []
        listed = 0
        for server, result in zip(servers, results):
            if isinstance(result, BaseException):
                if not isinstance(result, PairError):
                    raise result
                if self.named(server):
                    raise result
                if isinstance(result, UnsupportedServerError):
                    refused.append(result)
                    warn(result.skipped())
                else:
                    warn(f"{self.connection(server).label}: {result.message}")
                continue
            listed += 1
            found, warnings = result
            entries.extend(found)
            warn_all(warnings)
        if refused and not listed:
            raise refused[0]  # every server found is too old: say so, not "no session"
        return entries
