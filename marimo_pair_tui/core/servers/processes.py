"""The marimo servers this tool starts: their processes, their records, stopping them.

A server is started as `marimo edit --headless --no-token` on a free loopback port, in
the background (it outlives the command), and recorded under our state directory so
that `close_notebook` stops only what this tool started. A state directory that cannot
be written (full, read-only, in the way) is a StorageError before a server starts (its
log gets a first line before marimo runs), or, when only the record fails, once the
server it would have named is stopped again.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, NamedTuple

from ..errors import ServerError, StorageError, UsageError
from ..state import caller
from ..state.private import append_private, child_environ, private_dir, state_dir, write_private, writing
from ..wire.connection import Connection
from ..wire.discovery import ServerInfo, pid_alive, url_for
from ..wire.ports import free_port

START_TIMEOUT = 60.0


def records_dir() -> Path:
    return state_dir() / "started"


def record_path(port: int) -> Path:
    return records_dir() / f"{port}.json"


def started_servers() -> list[dict[str, Any]]:
    """Records of servers this tool started that are still running."""
    records = []
    if records_dir().is_dir():
        with contextlib.suppress(OSError):  # a read-only disk: read as it is
            private_dir(records_dir())  # an older version made it 0755
    for path in sorted(records_dir().glob("*.json")) if records_dir().is_dir() else []:
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        pid = record.get("pid") if isinstance(record, dict) else None
        if isinstance(pid, int) and not isinstance(pid, bool) and pid_alive(pid):
            records.append(record)
        else:
            forget(path)
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


def forget(record: Path) -> None:
    """Remove a record (one that cannot be removed names a dead pid: skipped when read)."""
    with contextlib.suppress(OSError):
        record.unlink(missing_ok=True)


def _start_process(notebook: Path) -> tuple[subprocess.Popen[bytes], int, Path]:
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
                forget(log_path)  # made just now, and empty
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


class StartedServer(NamedTuple):
    """A server `start_server` started and recorded: its process, address and log."""

    process: subprocess.Popen[bytes]
    server: ServerInfo
    log_path: Path
    port: int


def start_server(notebook: Path) -> StartedServer:
    """Start `marimo edit` for `notebook` on a free loopback port, and record it so `close` can stop it."""
    process, port, log_path = _start_process(notebook)
    server = ServerInfo(url=url_for("127.0.0.1", port), host="127.0.0.1", port=port, pid=process.pid, source="registry")
    record = {"pid": process.pid, "url": server.url, "notebook": str(notebook), "log": str(log_path), "started_at": time.time()}
    try:
        with writing("the record of the marimo server just started", record_path(port)):
            write_private(record_path(port), json.dumps(record))
    except StorageError:
        stop_pid(process.pid)  # unrecorded, `close` could never stop it
        raise
    return StartedServer(process, server, log_path, port)


def abandon(started: StartedServer) -> None:
    """Stop a server started for a session that could not be made, and forget its record."""
    stop_pid(started.process.pid)
    forget(record_path(started.port))


async def wait_healthy(connection: Connection, process: subprocess.Popen[bytes], log_path: Path) -> None:
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


def stop_pid(pid: int, grace: float = 10.0) -> None:
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
        stop_pid(int(record["pid"]))
        forget(record_path(int(record["url"].rsplit(":", 1)[1])))
    return matches
