"""A notebook opened: its session, or a server that serves the file, or a server started for it.

`open_notebook` looks, in order, for: a session of the file on a discovered
(or named) server; a server that serves the file but has no session for it
yet; and only then starts `marimo edit --headless --no-token` on a free
loopback port in the background. Without a session it connects as a front
end (which creates the session) and instantiates it the way a browser would,
honouring `runtime.auto_instantiate`. Servers named with `--url` are the only
ones considered: one that does not serve the file is an error, never a
reason to start another server.

Which files a server serves comes from `POST /api/home/workspace_files`
(skew-protection header required): a single-file server lists that file with
an empty `root`; a directory server gives its directory as `root`, and serves
any notebook inside it.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import NoServerError, NotMarimoError, PairError, UnsupportedServerError, UsageError
from ..state import caller
from ..state.call_warnings import warn
from ..wire.connection import Connection
from ..wire.discovery import ServerInfo
from ..wire.server_versions import verdict
from ..wire.sessions import Target, select_notebooks
from .browser_session import RUN_WAIT, Prompt, create_session
from .hub import Hub
from .processes import abandon, not_a_notebook, start_server, wait_healthy


@dataclass
class OpenResult:
    """Where the notebook's session lives and what we had to do to get it.

    `waiting`: the run of the cells stopped at an `input()`; the session is
    open, the cell waits for `answer` (the other cells run once it is answered).
    `running`: the run outlasted the wait; the session is open and these cells
    run on (labels).
    """

    target: Target
    started_server: bool
    created_session: bool
    ran_cells: bool
    log_path: str | None = None
    waiting: list[Prompt] = field(default_factory=list)
    running: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "success": True,
            "session": self.target.to_json(),
            "started_server": self.started_server,
            "created_session": self.created_session,
            "ran_cells": self.ran_cells,
            "log": self.log_path,
        }
        if self.waiting:
            first = self.waiting[0]
            document["waiting_for_input"] = [{"cell": w.cell, "prompt": w.prompt} for w in self.waiting]
            document["next"] = (
                f"Cell {first.label} waits for input ({first.prompt!r}); the run goes on once it is answered: "
                f"`marimo-pair-tui --headless answer TEXT --url {self.target.server.url} "
                f"--session {self.target.session.selector}` (or `interrupt` with the same flags)."
            )
        elif self.running:
            document["still_running"] = self.running
            document["next"] = (
                f"The session is open and its run goes on ({len(self.running)} cells queued or running): "
                f"`marimo-pair-tui --headless watch --until-idle --url {self.target.server.url} "
                f"--session {self.target.session.selector}` follows it to the end."
            )
        return document


@dataclass(frozen=True)
class ServedFiles:
    """What one server serves: a directory (`root`) or a list of notebook files."""

    mode: str
    root: str
    files: tuple[str, ...]

    def path_for(self, notebook: Path) -> str | None:
        """The server's own name for `notebook` when it serves it, else None."""
        if self.mode != "edit":
            return None
        wanted = os.path.realpath(notebook)
        if self.root:
            if Path(wanted).is_relative_to(os.path.realpath(self.root)):
                return os.path.join(self.root, os.path.relpath(wanted, os.path.realpath(self.root)))
            return None
        for served in self.files:
            if os.path.realpath(served) == wanted:
                return served
        return None

    def describe(self) -> str:
        if self.mode != "edit":
            return f"it runs in {self.mode!r} mode, not edit mode"
        if self.root:
            return f"it serves the directory {self.root}"
        if self.files:
            return "it serves " + ", ".join(self.files)
        return "it serves no notebook file"


async def served_files(connection: Connection) -> ServedFiles:
    """Ask a server which notebook files it serves (its mode, directory or file list); a server too
    old to use is refused (`unsupported_server`): no session is made on it."""
    verdict(connection.label, await connection.marimo_version())
    status = await connection.status()
    mode = str(status.get("mode", ""))
    if mode != "edit":
        return ServedFiles(mode=mode, root="", files=())
    headers = {"Marimo-Server-Token": await connection.server_token()}
    payload = await connection.json(
        "POST",
        "/api/home/workspace_files",
        headers=headers,
        json={"includeMarkdown": False},
        what="the list of files it serves",
    )
    if not isinstance(payload, dict) or not isinstance(payload.get("files", []), list):
        raise NotMarimoError(f"{connection.label}: /api/home/workspace_files did not answer like marimo.")
    root = payload.get("root") or ""
    files = tuple(
        str(f["path"])
        for f in payload.get("files", [])
        if isinstance(f, dict) and f.get("path") and not f.get("isDirectory")
    )
    return ServedFiles(mode=mode, root=str(root), files=files)


async def _server_for(hub: Hub, servers: list[ServerInfo], notebook: Path) -> tuple[ServerInfo, str] | None:
    """The first server that serves `notebook` (single-file servers before directory ones).

    Failures of servers the user named raise; others become warnings.
    """
    results = await asyncio.gather(*(served_files(hub.connection(s)) for s in servers), return_exceptions=True)
    exact: list[tuple[ServerInfo, str]] = []
    inside: list[tuple[ServerInfo, str]] = []
    refusals: list[str] = []
    for server, result in zip(servers, results):
        label = hub.connection(server).label
        if isinstance(result, BaseException):
            if not isinstance(result, PairError) or hub.named(server):
                raise result
            if isinstance(result, UnsupportedServerError):
                warn(result.skipped())
            else:
                warn(f"{label}: could not tell which files it serves ({result.message}); skipped")
            continue
        served_as = result.path_for(notebook)
        if served_as is None:
            refusals.append(f"{label}: {result.describe()}")
        elif result.root:
            inside.append((server, served_as))
        else:
            exact.append((server, served_as))
    found = exact + inside
    if found:
        return found[0]
    if hub.explicit:
        names = ", ".join(hub.connection(s).label for s in servers)
        raise UsageError(
            f"{names} does not serve {notebook} ({'; '.join(refusals)}).",
            next=(
                "Name the server that serves this notebook with --url, or drop --url to let "
                "`open` find one or start one; a server started for a directory serves the "
                "notebooks inside that directory."
            ),
            served=refusals,
        )
    return None


async def open_notebook(hub: Hub, path: str | Path, *, run: bool | None = None, run_wait: float = RUN_WAIT
                        ) -> OpenResult:
    """A session for `path`: an existing one, a new one on a server that serves the file, else a new server.

    When the hub names servers (`--url`), only those are used: none is started.
    """
    notebook = caller.path(path).resolve()
    if not notebook.is_file():
        raise UsageError(
            f"{notebook} does not exist or is not a file.",
            next="Check the path, or create the notebook first with `marimo new` / `marimo edit`.",
        )
    problem = not_a_notebook(notebook)
    if problem is not None:
        raise UsageError(
            f"{notebook} is not a notebook: {problem}.",
            next="Name a marimo notebook (a .py file made by `marimo new` / `marimo edit`, or a .md/.qmd one); "
                 "convert a script with `marimo convert`.",
        )
    servers = await hub.servers()
    entries = await hub.notebooks(servers)
    for entry in select_notebooks(entries, str(notebook)):
        if entry.sessions:
            target = Target(server=entry.server, notebook=entry.path, session=entry.sessions[0])
            return OpenResult(target=target, started_server=False, created_session=False, ran_cells=False)

    serving = await _server_for(hub, servers, notebook) if servers else None
    if serving is not None:
        server, served_as = serving
        created = await create_session(hub.connection(server), served_as, run=run, run_wait=run_wait)
        return OpenResult(
            target=Target(server=server, notebook=served_as, session=created.session),
            started_server=False,
            created_session=True,
            ran_cells=created.ran,
            waiting=created.waiting,
            running=created.running,
        )
    if hub.explicit:
        raise NoServerError("No server was named to open the notebook on.")

    started = start_server(notebook)
    connection = hub.connection(started.server)
    try:
        await wait_healthy(connection, started.process, started.log_path)
        created = await create_session(connection, str(notebook), run=run, run_wait=run_wait)
    except BaseException:
        abandon(started)
        raise
    return OpenResult(
        target=Target(server=started.server, notebook=str(notebook), session=created.session),
        started_server=True,
        created_session=True,
        ran_cells=created.ran,
        log_path=str(started.log_path),
        waiting=created.waiting,
        running=created.running,
    )
