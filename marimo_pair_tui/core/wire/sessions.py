"""Notebooks and their sessions on each server, and resolving what the user targets.

A target is resolved from a stable id (`sess-…`), a routing id, or a notebook
path (absolute, relative to the current directory, or a unique basename).
When more than one session fits, the error lists every candidate with the
exact flag that selects it: an agent never has to guess.
"""

from __future__ import annotations

import os
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from ..state import caller
from .connection import Connection
from .discovery import ServerInfo
from .server_versions import verdict
from ..errors import AmbiguousTargetError, NoServerError, NoSessionError, NotMarimoError, UnknownSessionError


@dataclass(frozen=True)
class SessionRef:
    """One session: the stable id survives browser reloads, the routing id does not."""

    session_id: str | None
    routing_id: str

    def to_json(self) -> dict[str, Any]:
        return {"session_id": self.session_id, "routing_id": self.routing_id}

    @property
    def selector(self) -> str:
        """The id to pass to --session (stable when the server has one)."""
        return self.session_id or self.routing_id


@dataclass
class NotebookEntry:
    """A notebook file served by one server, with its open sessions."""

    server: ServerInfo
    path: str
    sessions: list[SessionRef] = field(default_factory=list)

    @property
    def name(self) -> str:
        return os.path.basename(self.path) if self.path else "(unsaved notebook)"

    def to_json(self) -> dict[str, Any]:
        return {
            "server": self.server.url,
            **_remote(self.server),
            "path": self.path,
            "name": self.name,
            "sessions": [s.to_json() for s in self.sessions],
        }


def _remote(server: ServerInfo) -> dict[str, Any]:
    """For a server on an ssh host: its source and host (its URL is the one it has there)."""
    return {"source": "ssh", "ssh_host": server.ssh_host} if server.ssh_host else {}


@dataclass(frozen=True)
class Target:
    """The session a command acts on."""

    server: ServerInfo
    notebook: str
    session: SessionRef

    def to_json(self) -> dict[str, Any]:
        return {
            "session_id": self.session.session_id,
            "routing_id": self.session.routing_id,
            "notebook": self.notebook,
            "server": self.server.url,
            **_remote(self.server),
        }


OLD_SERVER_WARNING = (
    "{url} does not report stable session ids (marimo {version}); upgrade marimo there "
    "(`pip install -U marimo`) for ids that survive reloads. Its routing ids still work."
)


async def list_notebooks(connection: Connection) -> tuple[list[NotebookEntry], list[str]]:
    """GET /api/sessions on one server, grouped by notebook file; a server too old is refused first
    (`unsupported_server`), so no session of it is ever used."""
    newer = verdict(connection.label, await connection.marimo_version())
    payload = await connection.json("GET", "/api/sessions", what="the session list")
    if not isinstance(payload, dict):
        raise NotMarimoError(f"{connection.url}/api/sessions did not answer like marimo.")
    warnings: list[str] = [newer] if newer else []
    by_path: dict[str, NotebookEntry] = {}
    old_server = False
    for routing_id, info in payload.items():
        if not isinstance(info, dict):
            raise NotMarimoError(f"{connection.url}/api/sessions did not answer like marimo.")
        stable = info.get("session_id")
        if not isinstance(stable, str):
            stable = None
            old_server = True
        path = info.get("path") or info.get("filename") or ""
        entry = by_path.setdefault(path, NotebookEntry(server=connection.server, path=path))
        entry.sessions.append(SessionRef(session_id=stable, routing_id=str(routing_id)))
    if old_server:
        warnings.append(
            OLD_SERVER_WARNING.format(url=connection.url, version=connection.server.version or "unknown")
        )
    return sorted(by_path.values(), key=lambda e: e.path), warnings


def _server_flags(server: ServerInfo) -> str:
    ssh = f"--ssh {server.ssh_host} " if server.ssh_host else ""
    return f"{ssh}--url {server.url}"


def _candidate(entry: NotebookEntry, session: SessionRef, select_with: str | None = None) -> dict[str, Any]:
    return {
        "server": entry.server.url,
        **_remote(entry.server),
        "notebook": entry.path,
        **session.to_json(),
        "select_with": select_with or f"--session {session.selector}",
    }


Pair = tuple[NotebookEntry, SessionRef]


def selector(pair: Pair, every: Sequence[Pair]) -> str:
    """The flags that pick `pair` alone among `every`: the notebook path when it has no other session,
    else the session id, with the server's URL when another server has the same id."""
    entry, session = pair
    if entry.path and sum(1 for e, _ in every if e.path == entry.path) == 1:
        return f"--notebook {shlex.quote(entry.path)}"
    same_id = [e for e, s in every if s.selector == session.selector]
    if len(same_id) > 1:
        return f"{_server_flags(entry.server)} --session {session.selector}"
    return f"--session {session.selector}"


def _candidates(pairs: Sequence[Pair]) -> list[dict[str, Any]]:
    return [_candidate(e, s, selector((e, s), pairs)) for e, s in pairs]


def _matches_path(entry_path: str, wanted: str, cwd: Path) -> bool:
    if not entry_path:
        return False
    candidate = caller.path(wanted) if wanted.startswith("~") else Path(wanted)
    if not candidate.is_absolute():
        candidate = cwd / candidate
    try:
        return os.path.realpath(candidate) == os.path.realpath(entry_path)
    except OSError:
        return False


def select_notebooks(entries: Sequence[NotebookEntry], notebook: str, cwd: Path | None = None) -> list[NotebookEntry]:
    """Entries for a notebook given as an absolute path, a relative path, or a unique basename."""
    cwd = cwd or caller.cwd()
    exact = [e for e in entries if _matches_path(e.path, notebook, cwd)]
    if exact:
        return exact
    if os.sep in notebook or "/" in notebook:
        return []
    return [e for e in entries if e.name == notebook]


def _by_session(
    entries: Sequence[NotebookEntry], pairs: list[Pair], session: str, notebook: str | None, cwd: Path | None,
) -> Pair:
    """The one session with this stable or routing id (within the notebook, when one is named too)."""
    hits = [(e, s) for e, s in pairs if session in (s.session_id, s.routing_id)]
    if notebook is not None:
        allowed = {id(e) for e in select_notebooks(entries, notebook, cwd)}
        hits = [(e, s) for e, s in hits if id(e) in allowed]
    if not hits:
        known = ", ".join(sorted(s.selector for _, s in pairs)) or "none"
        raise UnknownSessionError(
            f"No session {session!r} is known on the servers searched (known sessions: {known}).",
            candidates=_candidates(pairs),
        )
    if len(hits) > 1:
        raise AmbiguousTargetError(
            f"Session id {session!r} exists on {len(hits)} servers.",
            next="Add --url to pick the server.",
            candidates=[_candidate(e, s, f"{_server_flags(e.server)} --session {session}") for e, s in hits],
        )
    return hits[0]


def _notebook_pairs(entries: Sequence[NotebookEntry], notebook: str, cwd: Path | None) -> list[Pair]:
    """The sessions of the one notebook the name picks; an error when it picks none or several notebooks."""
    chosen = select_notebooks(entries, notebook, cwd)
    if not chosen:
        served = ", ".join(sorted({e.path for e in entries if e.path})) or "none"
        raise NoSessionError(
            f"No session is open for notebook {notebook!r} (notebooks with sessions: {served}).",
            next=(
                "Check the path, or open a session without a browser: "
                f"`marimo-pair-tui --headless open {shlex.quote(notebook)}`."
            ),
        )
    pairs = [(e, s) for e in chosen for s in e.sessions]
    paths = {e.path for e in chosen}
    if len(paths) > 1:
        raise AmbiguousTargetError(
            f"{notebook!r} matches {len(paths)} notebooks.",
            next="Give the notebook's full path with --notebook.",
            candidates=_candidates(pairs),
        )
    return pairs


def _only_pair(pairs: list[Pair], servers: Sequence[ServerInfo]) -> Pair:
    """The one session left; an error that says whether there are none (and no server) or several."""
    if not pairs:
        if not servers:
            raise NoServerError("No running marimo server was found.")
        raise NoSessionError(
            f"No notebook session is open on {', '.join(s.url for s in servers)}.",
        )
    if len(pairs) > 1:
        raise AmbiguousTargetError(
            f"{len(pairs)} sessions are open; choose one.",
            candidates=_candidates(pairs),
        )
    return pairs[0]


def resolve_target(
    entries: Sequence[NotebookEntry],
    *,
    session: str | None = None,
    notebook: str | None = None,
    cwd: Path | None = None,
    servers: Sequence[ServerInfo] = (),
) -> Target:
    """Pick exactly one session, or raise an error that lists the candidates."""
    pairs = [(e, s) for e in entries for s in e.sessions]
    if session is not None:
        entry, ref = _by_session(entries, pairs, session, notebook, cwd)
    else:
        if notebook is not None:
            pairs = _notebook_pairs(entries, notebook, cwd)
        entry, ref = _only_pair(pairs, servers)
    return Target(server=entry.server, notebook=entry.path, session=ref)
