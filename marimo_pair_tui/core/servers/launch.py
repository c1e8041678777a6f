"""Sessions without a browser: reuse a server that serves the notebook, or start one.

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

Servers we start are recorded under our state directory so that
`close_notebook` stops only what this tool started. A state directory that
cannot be written (full, read-only, in the way) is a StorageError before a
server starts (its log gets a first line before marimo runs), or, when only
the record fails, once the server it would have named is stopped again.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import json
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import quote

from websockets.asyncio.client import connect

from ..state import caller
from ..wire.connection import Connection
from ..wire.discovery import ServerInfo, pid_alive, url_for
from ..errors import NoServerError, NoSessionError, NotMarimoError, PairError, ServerError, StorageError, UsageError
from .hub import Hub
from ..wire.live import fresh_consumer_id
from ..model.notebook import Notebook
from ..state.call_warnings import warn
from ..wire.ports import free_port
from ..state.private import append_private, child_environ, private_dir, state_dir, write_private, writing
from ..wire.sessions import SessionRef, Target, select_notebooks

_USER_CONFIG_RE = re.compile(r"<marimo-user-config[^>]*\bdata-config=\"([^\"]*)\"", re.I)
START_TIMEOUT = 60.0
RUN_WAIT = 60.0  # seconds `open --run` follows a new session's run before returning with the cells still running


def _records_dir() -> Path:
    return state_dir() / "started"


class Prompt(NamedTuple):
    """An `input()` a cell waits on: the cell's id and label, and the prompt it printed."""

    cell: str
    label: str
    prompt: str


class NewSession(NamedTuple):
    """A session `create_session` made: whether its run completed, the prompts it stopped at, and the
    cells still queued or running when it stopped following a run that outlasted its wait."""

    session: SessionRef
    ran: bool
    waiting: list[Prompt]
    running: list[str]


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


def _record_path(port: int) -> Path:
    return _records_dir() / f"{port}.json"


def started_servers() -> list[dict[str, Any]]:
    """Records of servers this tool started that are still running."""
    records = []
    if _records_dir().is_dir():
        with contextlib.suppress(OSError):  # a read-only disk: read as it is
            private_dir(_records_dir())  # an older version made it 0755
    for path in sorted(_records_dir().glob("*.json")) if _records_dir().is_dir() else []:
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        pid = record.get("pid") if isinstance(record, dict) else None
        if isinstance(pid, int) and not isinstance(pid, bool) and pid_alive(pid):
            records.append(record)
        else:
            _forget(path)
    return records


# What `marimo edit` opens (marimo/_utils/marimo_path.py: MarimoPath.is_valid).
PYTHON_SUFFIXES = frozenset({".py"})
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown", ".qmd"})
_SCAN_BYTES = 1024 * 1024


def not_a_notebook(path: Path) -> str | None:
    """Why `path` is not a marimo notebook, or None when it is one.

    marimo's own test is `is_marimo_app` (marimo/_server/files/directory_scanner.py):
    a .py file holding both `import marimo` and `marimo.App`, a markdown file
    holding `marimo-version:`, within its first MB. Importing it costs ~0.4 s
    (it pulls in marimo's server), so the same rule is written out here
    (tests check both agree). An empty file is a new notebook to marimo.
    """
    suffix = path.suffix
    if suffix in PYTHON_SUFFIXES:
        markers: tuple[bytes, ...] = (b"import marimo", b"marimo.App")
    elif suffix in MARKDOWN_SUFFIXES:
        markers = (b"marimo-version:",)
    else:
        return "marimo opens only .py and markdown (.md, .qmd) notebooks"
    try:
        with open(path, "rb") as handle:
            head = handle.read(_SCAN_BYTES)
    except OSError as exc:
        return f"it could not be read ({exc.strerror or exc})"
    if not head:
        return None
    missing = [m.decode() for m in markers if m not in head]
    if missing:
        return "it does not look like a marimo notebook (no " + " or ".join(f"`{m}`" for m in missing) + ")"
    return None


def _forget(record: Path) -> None:
    """Remove a record (one that cannot be removed names a dead pid: skipped when read)."""
    with contextlib.suppress(OSError):
        record.unlink(missing_ok=True)


def _start_server(notebook: Path) -> tuple[subprocess.Popen[bytes], int, Path]:
    port = free_port()
    log_path = state_dir() / "logs" / f"marimo-{port}.log"
    # The notebook's code runs in this server: it gets no token of ours.
    env = child_environ(MARIMO_SKIP_UPDATE_CHECK="1")
    with writing("the marimo server's log", log_path):
        log = append_private(log_path)
    with log:
        try:
            with writing("the marimo server's log", log_path):  # unbuffered: a full disk says so here
                os.write(log.fileno(), f"marimo-pair-tui: starting marimo edit on port {port} for {notebook} "
                                       f"at {time.strftime('%Y-%m-%d %H:%M:%S %z')}\n".encode("utf-8", "surrogateescape"))
        except StorageError:
            if os.fstat(log.fileno()).st_size == 0:
                _forget(log_path)  # made just now, and empty
            raise
        process = subprocess.Popen(
            [sys.executable, "-m", "marimo", "edit", "--headless", "--no-token",
             "--host", "127.0.0.1", "--port", str(port), str(notebook)],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,  # outlives this command, as a server should
            cwd=str(notebook.parent),
        )
    return process, port, log_path


async def _wait_healthy(connection: Connection, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log_path.read_text(errors="replace")[-600:]
            raise ServerError(
                f"marimo exited with code {process.returncode} before serving the notebook.",
                next=f"See the log at {log_path}. Last lines:\n{tail}",
            )
        if await connection.health():
            return
        await asyncio.sleep(0.1)
    process.kill()
    raise ServerError(f"marimo did not answer within {START_TIMEOUT:.0f} s.", next=f"See the log at {log_path}.")


async def _auto_instantiate(connection: Connection) -> bool:
    """`runtime.auto_instantiate` from the user config embedded in the page."""
    response = await connection.request("GET", "/", what="the notebook page")
    match = _USER_CONFIG_RE.search(response.text)
    if match is None:
        return True
    try:
        config = json.loads(html.unescape(match.group(1)))
    except ValueError:
        return True
    return bool(config.get("runtime", {}).get("auto_instantiate", True))


async def create_session(
    connection: Connection, notebook: str, *, run: bool | None = None, timeout: float = START_TIMEOUT,
    run_wait: float = RUN_WAIT,
) -> NewSession:
    """Connect as a front end (creating the session) and instantiate it like a browser.

    `run=None` does what a browser does: run all cells only when the user's
    `runtime.auto_instantiate` says so; True or False overrides it. The run is
    followed through the notebook model (the one that tells `status` what
    waits): it ends at `completed-run`, or as soon as a cell waits on `input()`
    (its prompt is returned: marimo would wait for an answer forever), or after
    `run_wait` seconds: the session is made and its cells run on (those still
    queued or running are returned), the run is neither stopped nor sent again.
    """
    routing_id = fresh_consumer_id()
    query = f"session_id={routing_id}&file={quote(notebook, safe='')}"
    ws_url = connection.url.replace("http", "ws", 1) + f"/ws?{query}"
    model = Notebook()
    ran = False
    running: list[str] = []
    async with connect(ws_url, additional_headers=connection.auth_headers(), max_size=None, open_timeout=15) as ws:
        await _follow(ws, model, "kernel-ready", timeout)
        auto_run = await _auto_instantiate(connection) if run is None else run
        headers = await connection.control_headers(routing_id)
        await connection.request(
            "POST",
            "/api/kernel/instantiate",
            headers=headers,
            json={"objectIds": [], "values": [], "autoRun": auto_run},
            what="instantiating the notebook",
        )
        if auto_run:
            followed = await _follow(ws, model, "completed-run", run_wait, stop_at_prompt=True, quiet=True)
            ran = bool(followed)
            if followed is None:
                busy = set(model.running_cell_ids()) | set(model.queued_cell_ids())
                running = [cell.label for cell in model.cells if cell.id in busy]
    sessions = await connection.json("GET", "/api/sessions", what="the session list")
    info = sessions.get(routing_id) if isinstance(sessions, dict) else None
    if not isinstance(info, dict):
        raise NoSessionError(f"{connection.url} did not keep the session it created for {notebook}.")
    waiting = [Prompt(cell.id, cell.label, prompt) for cell, prompt in model.waiting_for_input()] if not ran else []
    return NewSession(SessionRef(session_id=info.get("session_id"), routing_id=routing_id), ran, waiting, running)


async def _follow(ws: Any, model: Notebook, op: str, timeout: float, *, stop_at_prompt: bool = False,
                  quiet: bool = False) -> bool | None:
    """Feed the session's messages to `model` until `op` comes (True), or, with `stop_at_prompt`, until
    a cell waits on `input()` (False). Once `timeout` seconds went by without either: None when `quiet`,
    else a ServerError."""
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        try:
            if remaining <= 0:
                raise asyncio.TimeoutError
            raw = await asyncio.wait_for(ws.recv(), timeout=remaining)
        except asyncio.TimeoutError:
            if quiet:
                return None
            raise ServerError(f"The notebook did not report {op!r} within {timeout:.0f} s.",
                              next="Check the notebook in a browser, or open it with --no-run.") from None
        try:
            message = json.loads(raw)
        except (ValueError, RecursionError):
            continue
        if not isinstance(message, dict):
            continue
        model.apply_event(message)
        if message.get("op") == op:
            return True
        if stop_at_prompt and model.waiting_for_input():
            return False


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
    """Ask a server which notebook files it serves (its mode, directory or file list)."""
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

    process, port, log_path = _start_server(notebook)
    server = ServerInfo(url=url_for("127.0.0.1", port), host="127.0.0.1", port=port, pid=process.pid, source="registry")
    record = {"pid": process.pid, "url": server.url, "notebook": str(notebook), "log": str(log_path), "started_at": time.time()}
    try:
        with writing("the record of the marimo server just started", _record_path(port)):
            write_private(_record_path(port), json.dumps(record))
    except StorageError:
        _stop_pid(process.pid)  # unrecorded, `close` could never stop it
        raise
    connection = hub.connection(server)
    try:
        await _wait_healthy(connection, process, log_path)
        created = await create_session(connection, str(notebook), run=run, run_wait=run_wait)
    except BaseException:
        _stop_pid(process.pid)
        _forget(_record_path(port))
        raise
    return OpenResult(
        target=Target(server=server, notebook=str(notebook), session=created.session),
        started_server=True,
        created_session=True,
        ran_cells=created.ran,
        log_path=str(log_path),
        waiting=created.waiting,
        running=created.running,
    )


def _stop_pid(pid: int, grace: float = 10.0) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        try:
            finished, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            finished = 0 if pid_alive(pid) else pid
        if finished == pid or not pid_alive(pid):
            return
        time.sleep(0.05)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def close_notebook(notebook: str | None = None, url: str | None = None) -> list[dict[str, Any]]:
    """Stop the servers this tool started for `notebook` (or at `url`); returns their records."""
    if notebook is None and url is None:
        raise UsageError("Say which server to close.", next="Pass NOTEBOOK.py or --url URL.")
    wanted = str(caller.path(notebook).resolve()) if notebook else None
    matches = [
        r for r in started_servers()
        if (wanted is not None and r.get("notebook") == wanted) or (url is not None and r.get("url") == url.rstrip("/"))
    ]
    if not matches:
        what = wanted or url
        raise UsageError(
            f"No server started by marimo-pair-tui is serving {what}.",
            next="Only servers this tool started are closed; stop others where they run (Ctrl+C in their terminal).",
        )
    for record in matches:
        _stop_pid(int(record["pid"]))
        _forget(_record_path(int(record["url"].rsplit(":", 1)[1])))
    return matches

