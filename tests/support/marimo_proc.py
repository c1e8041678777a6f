"""Start real ``marimo edit`` servers and talk to them like a browser does.

Plain helpers, no pytest: ``tests/conftest.py`` wraps them in fixtures.

* :func:`start_marimo_server` runs ``python -m marimo edit --headless`` on a
  free loopback port, with ``XDG_STATE_HOME`` pointing at a directory of the
  caller's choosing (so the discovery registry lands in
  ``<state_home>/marimo/servers/``), and waits for ``GET /health``.
* :class:`MarimoServer` knows the process and stops or kills it by pid.
* :func:`open_browser_session` connects the main websocket as a browser
  front end would, waits for ``kernel-ready``, optionally instantiates the
  notebook (runs all cells) and keeps draining the socket in a thread.

Facts this module relies on (marimo 0.25.x):

* The skew-protection token is in the HTML of ``GET /`` as
  ``<marimo-server-token data-token="..." hidden></marimo-server-token>``.
* ``POST /api/kernel/instantiate`` returns at once; the kernel then runs the
  cells and broadcasts one ``completed-run`` message on the websocket when the
  run is over (after console output is flushed). Its ``outcome`` stays
  ``"succeeded"`` even when a cell raises.
* Pure markdown cells (``mo.md("...")`` only) are rendered statically at
  instantiation: they get an ``idle`` cell-op with output but never a
  ``running`` one, so "every cell went idle after running" is not a usable
  signal.
* Kernels are ``multiprocessing`` children of the server running in their own
  session (setsid), so a process-group kill does not reach them; this module
  tracks every descendant pid instead.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

__all__ = [
    "DEFAULT_SESSION_TIMEOUT",
    "DEFAULT_START_TIMEOUT",
    "BrowserSession",
    "MarimoServer",
    "MarimoStartError",
    "free_port",
    "iter_cell_ops",
    "new_routing_id",
    "open_browser_session",
    "start_marimo_server",
    "stop_all_servers",
]

DEFAULT_START_TIMEOUT = 60.0
DEFAULT_SESSION_TIMEOUT = 60.0
LOOPBACK = "127.0.0.1"

SERVER_TOKEN_RE = re.compile(
    r'<marimo-server-token\s+data-token="([^"]*)"', re.IGNORECASE
)
_ADDRESS_IN_USE = ("address already in use", "errno 98", "only one usage of each socket")


class MarimoStartError(RuntimeError):
    """The marimo server did not come up (the message carries the log tail)."""


def free_port(host: str = LOOPBACK) -> int:
    """A currently free TCP port on ``host`` (bind to port 0, then release)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


# --------------------------------------------------------------------------
# Process bookkeeping via /proc (Linux). Elsewhere the helpers degrade to
# "no descendants known", and only the server pid itself is signalled.
# --------------------------------------------------------------------------


def _proc_stat(pid: int) -> tuple[int, str, int] | None:
    """(ppid, state, starttime) of a process, or None when it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except (OSError, ValueError):
        return None
    # The command name is in parentheses and may contain spaces.
    rest = raw[raw.rfind(")") + 2 :].split()
    try:
        return int(rest[1]), rest[0], int(rest[19])
    except (IndexError, ValueError):
        return None


def _descendants(root: int) -> dict[int, int]:
    """All live descendants of ``root`` as {pid: starttime}."""
    proc = Path("/proc")
    if not proc.is_dir():
        return {}
    children: dict[int, list[tuple[int, int]]] = {}
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        info = _proc_stat(int(entry.name))
        if info is None:
            continue
        ppid, _state, start = info
        children.setdefault(ppid, []).append((int(entry.name), start))
    found: dict[int, int] = {}
    stack = [root]
    while stack:
        for pid, start in children.get(stack.pop(), []):
            if pid not in found:
                found[pid] = start
                stack.append(pid)
    return found


def _same_process_alive(pid: int, starttime: int) -> bool:
    """True if ``pid`` still names the process that had ``starttime``."""
    info = _proc_stat(pid)
    if info is None:
        return False
    _ppid, state, start = info
    return start == starttime and state not in ("Z", "X")


def _kill_leftovers(procs: Mapping[int, int], grace: float) -> None:
    """Wait up to ``grace`` s for ``procs`` to exit, then SIGKILL the rest."""
    deadline = time.monotonic() + grace
    alive = dict(procs)
    while alive and time.monotonic() < deadline:
        alive = {p: s for p, s in alive.items() if _same_process_alive(p, s)}
        if alive:
            time.sleep(0.05)
    for pid, start in alive.items():
        if _same_process_alive(pid, start):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)


# Every server started here, so nothing survives the interpreter.
_LIVE: set[MarimoServer] = set()
_LIVE_LOCK = threading.Lock()


def stop_all_servers() -> None:
    """Stop every server this module started that is still running."""
    with _LIVE_LOCK:
        servers = list(_LIVE)
    for server in servers:
        with contextlib.suppress(Exception):
            server.stop(timeout=5)


atexit.register(stop_all_servers)


# --------------------------------------------------------------------------
# Servers
# --------------------------------------------------------------------------


@dataclass(eq=False)
class MarimoServer:
    """A running ``marimo edit`` process started by :func:`start_marimo_server`."""

    host: str
    port: int
    pid: int
    token: str | None
    state_home: Path
    log_path: Path
    target: Path
    argv: list[str]
    workdir: Path = field(repr=False)
    process: subprocess.Popen[bytes] = field(repr=False)
    _known_children: dict[int, int] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    # -- addresses ---------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def ws_base(self) -> str:
        return f"ws://{self.host}:{self.port}"

    @property
    def registry_file(self) -> Path | None:
        """Where this server's registry JSON lives (None for token servers:
        marimo never registers a server that has an auth token)."""
        if self.token is not None:
            return None
        return self.state_home / "marimo" / "servers" / f"{self.host}_{self.port}.json"

    def read_registry(self) -> dict[str, Any]:
        path = self.registry_file
        if path is None:
            raise ValueError("token-protected servers do not register")
        return json.loads(path.read_text())

    # -- HTTP conveniences -------------------------------------------------

    def auth_headers(self) -> dict[str, str]:
        """``Authorization`` header for token servers, else empty."""
        if self.token is None:
            return {}
        return {"Authorization": f"Bearer {self.token}"}

    def client(self, *, timeout: float = 10.0, auth: bool = True) -> httpx.Client:
        """An ``httpx.Client`` on this server (with the token unless ``auth=False``)."""
        return httpx.Client(
            base_url=self.url,
            headers=self.auth_headers() if auth else {},
            timeout=timeout,
        )

    def get(self, path: str, *, auth: bool = True, **kwargs: Any) -> httpx.Response:
        headers = {**(self.auth_headers() if auth else {}), **kwargs.pop("headers", {})}
        timeout = kwargs.pop("timeout", 10.0)
        return httpx.get(self.url + path, headers=headers, timeout=timeout, **kwargs)

    def post(self, path: str, *, auth: bool = True, **kwargs: Any) -> httpx.Response:
        headers = {**(self.auth_headers() if auth else {}), **kwargs.pop("headers", {})}
        timeout = kwargs.pop("timeout", 10.0)
        return httpx.post(self.url + path, headers=headers, timeout=timeout, **kwargs)

    def sessions(self) -> dict[str, dict[str, Any]]:
        """``GET /api/sessions``: {routing id: {session_id, filename, path}}."""
        response = self.get("/api/sessions")
        response.raise_for_status()
        return response.json()

    def server_token(self, notebook: Path | str | None = None) -> str:
        """The skew-protection token embedded in the page HTML (``GET /``)."""
        params = {"file": str(notebook)} if notebook is not None else None
        response = self.get("/", params=params, follow_redirects=False)
        response.raise_for_status()
        match = SERVER_TOKEN_RE.search(response.text)
        if match is None:
            raise RuntimeError("no <marimo-server-token> in the page HTML")
        return match.group(1)

    # -- process control ---------------------------------------------------

    def is_alive(self) -> bool:
        return self.process.poll() is None

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def _snapshot_children(self) -> None:
        # Called while the server pid is still ours (not yet reaped), so the
        # /proc walk cannot pick up an unrelated process by pid reuse.
        if self.process.poll() is None:
            self._known_children.update(_descendants(self.pid))

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM the server, wait, SIGKILL if needed; then make sure its
        kernels and helpers are gone too. Idempotent."""
        with self._lock:
            self._snapshot_children()
            if self.process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(self.pid, signal.SIGTERM)
                try:
                    self.process.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(self.pid, signal.SIGKILL)
                    self.process.wait(timeout=10)
            _kill_leftovers(self._known_children, grace=3.0)
            self._known_children.clear()
            self._forget()

    def kill(self) -> None:
        """SIGKILL the server: a crash. Its registry file stays behind.
        Kernels it had spawned are killed as well. Idempotent."""
        with self._lock:
            self._snapshot_children()
            if self.process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(self.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
            _kill_leftovers(self._known_children, grace=0.0)
            self._known_children.clear()
            self._forget()

    def cleanup_files(self) -> None:
        """Remove the temp dir holding the log and the token file."""
        shutil.rmtree(self.workdir, ignore_errors=True)

    def _forget(self) -> None:
        with _LIVE_LOCK:
            _LIVE.discard(self)

    def __enter__(self) -> MarimoServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _log_tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "<no log>"


def _build_env(state_home: Path, env: Mapping[str, str] | None) -> dict[str, str]:
    child_env = dict(os.environ)
    child_env["XDG_STATE_HOME"] = str(state_home)
    child_env["MARIMO_SKIP_UPDATE_CHECK"] = "1"
    child_env["PYTHONUNBUFFERED"] = "1"
    # A developer's shell may carry a token for marimo's own client; the
    # server must not pick anything up from it.
    child_env.pop("MARIMO_TOKEN", None)
    # marimo's own safety net (used by its sandbox launcher): the server polls
    # this pid and kills its process group when it disappears, so a test
    # process that dies hard (os._exit, SIGKILL) does not leave servers behind.
    # Its kernels watch the server the same way.
    child_env["MARIMO_ANCESTOR_PID"] = str(os.getpid())
    if env:
        child_env.update(env)
    return child_env


def start_marimo_server(
    target: Path | str,
    *,
    state_home: Path | str,
    token: str | None = None,
    extra_args: Sequence[str] = (),
    timeout: float = DEFAULT_START_TIMEOUT,
    env: Mapping[str, str] | None = None,
    host: str = LOOPBACK,
    port_attempts: int = 3,
    port: int | None = None,
    python: str | None = None,
) -> MarimoServer:
    """Run ``<python> -m marimo edit --headless ... TARGET`` and wait for it.

    ``target`` is a notebook file or a directory of notebooks. With
    ``token=None`` the server runs with ``--no-token`` (and registers itself
    under ``<state_home>/marimo/servers/``); otherwise the token is passed in
    a 0600 file via ``--token-password-file``, never on the command line.
    ``env`` adds/overrides environment variables for the server.
    ``port`` asks for that port (a server restarted where another one ran);
    otherwise a free one is picked.
    ``python`` runs the server with another interpreter (another marimo release,
    tests/support/marimo_envs.py); this one by default.
    Raises :class:`MarimoStartError` with the log tail on failure.
    """
    target = Path(target).resolve()
    state_home = Path(state_home).resolve()
    state_home.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="marimo-test-server-"))
    log_path = workdir / "server.log"

    auth_args: list[str]
    if token is None:
        auth_args = ["--no-token"]
    else:
        if not token:
            raise ValueError("token must be None or a non-empty string")
        token_file = workdir / "token"
        fd = os.open(token_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(token)
        auth_args = ["--token-password-file", str(token_file)]

    cwd = target if target.is_dir() else target.parent
    child_env = _build_env(state_home, env)

    last_error: MarimoStartError | None = None
    wanted_port = port
    for _attempt in range(max(1, port_attempts) if wanted_port is None else 1):
        port = wanted_port if wanted_port is not None else free_port(host)
        argv = [
            python or sys.executable,
            "-m",
            "marimo",
            "edit",
            "--headless",
            "--host",
            host,
            "--port",
            str(port),
            *auth_args,
            "--skip-update-check",
            "--no-sandbox",
            *extra_args,
            str(target),
        ]
        with open(log_path, "ab") as log:
            log.write(f"$ {' '.join(argv)}\n".encode())
            log.flush()
            process = subprocess.Popen(
                argv,
                cwd=str(cwd) if cwd.is_dir() else None,
                env=child_env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        server = MarimoServer(
            host=host,
            port=port,
            pid=process.pid,
            token=token,
            state_home=state_home,
            log_path=log_path,
            target=target,
            argv=argv,
            workdir=workdir,
            process=process,
        )
        with _LIVE_LOCK:
            _LIVE.add(server)
        try:
            _wait_until_up(server, timeout)
            return server
        except MarimoStartError as error:
            server.stop(timeout=5)
            last_error = error
            exited_early = server.process.returncode not in (None, -signal.SIGTERM)
            if exited_early and any(
                marker in server.log_tail(15).lower() for marker in _ADDRESS_IN_USE
            ):
                continue  # lost the port race: try another port
            raise
        except BaseException:
            server.stop(timeout=5)
            raise
    assert last_error is not None
    raise last_error


def _wait_until_up(server: MarimoServer, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    health = server.url + "/health"
    with httpx.Client(timeout=2.0) as http:
        while True:
            code = server.process.poll()
            if code is not None:
                raise MarimoStartError(
                    f"marimo exited with code {code} before answering "
                    f"{health}\n--- log tail ({server.log_path}) ---\n"
                    f"{_log_tail(server.log_path)}"
                )
            try:
                response = http.get(health)
                if response.status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise MarimoStartError(
                    f"marimo did not answer {health} within {timeout:.0f}s\n"
                    f"--- log tail ({server.log_path}) ---\n"
                    f"{_log_tail(server.log_path)}"
                )
            time.sleep(0.1)
    # The registry entry is written in a startup lifespan, before uvicorn
    # serves; checking it keeps a regression from going unnoticed.
    registry = server.registry_file
    while registry is not None and not registry.exists():
        if time.monotonic() > deadline or server.process.poll() is not None:
            raise MarimoStartError(
                f"marimo answered /health but wrote no registry file {registry}\n"
                f"--- log tail ---\n{_log_tail(server.log_path)}"
            )
        time.sleep(0.05)


# --------------------------------------------------------------------------
# Browser-like sessions
# --------------------------------------------------------------------------


Message = dict[str, Any]


class BrowserSession:
    """A main (editor) websocket connection, as a browser tab holds one.

    Received messages are decoded JSON dicts ``{"op": ..., "data": {...}}``
    appended to :attr:`messages` by a background thread.
    """

    def __init__(
        self,
        server: MarimoServer,
        notebook: Path,
        routing_id: str,
        ws: ClientConnection,
    ) -> None:
        self.server = server
        self.notebook = notebook
        self.routing_id = routing_id
        self.session_id: str | None = None
        self.server_token: str | None = None
        self.kernel_ready: Message | None = None
        self.instantiate_run_id: str | None = None
        self.instantiate_mark: int | None = None
        self.close_code: int | None = None
        self.close_reason: str | None = None
        self._ws = ws
        self._messages: list[Message] = []
        self._cond = threading.Condition()
        self._closed = False
        self._thread = threading.Thread(
            target=self._drain, name=f"marimo-ws-{routing_id}", daemon=True
        )
        self._thread.start()

    # -- message store -----------------------------------------------------

    def _drain(self) -> None:
        try:
            for raw in self._ws:
                try:
                    message = json.loads(raw)
                except (TypeError, ValueError):
                    message = {"op": "__unparsed__", "data": raw}
                with self._cond:
                    self._messages.append(message)
                    self._cond.notify_all()
        except ConnectionClosed:
            pass
        except Exception as error:  # pragma: no cover - diagnostic only
            with self._cond:
                self._messages.append({"op": "__error__", "data": repr(error)})
        finally:
            with self._cond:
                with contextlib.suppress(Exception):
                    self.close_code = self._ws.close_code
                    self.close_reason = self._ws.close_reason
                self._closed = True
                self._cond.notify_all()

    @property
    def messages(self) -> list[Message]:
        """A snapshot copy of every message received so far."""
        with self._cond:
            return list(self._messages)

    def __len__(self) -> int:
        with self._cond:
            return len(self._messages)

    @property
    def connected(self) -> bool:
        with self._cond:
            return not self._closed

    def ops(self, op: str, *, since: int = 0) -> list[dict[str, Any]]:
        """The ``data`` of every message with this ``op`` (from index ``since``)."""
        return [m.get("data", {}) for m in self.messages[since:] if m.get("op") == op]

    def wait_for(
        self,
        predicate: Callable[[Message], bool],
        timeout: float = 10.0,
        *,
        since: int = 0,
    ) -> Message:
        """Block until a message (index >= ``since``) satisfies ``predicate``;
        return it. Raises ``TimeoutError`` (with the ops seen) otherwise."""
        deadline = time.monotonic() + timeout
        index = since
        with self._cond:
            while True:
                while index < len(self._messages):
                    message = self._messages[index]
                    index += 1
                    if predicate(message):
                        return message
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self._closed:
                    seen = [m.get("op") for m in self._messages[since:]][-30:]
                    why = "socket closed" if self._closed else f"{timeout}s passed"
                    raise TimeoutError(
                        f"{why} without a matching message; last ops: {seen}"
                        + (
                            f"; close {self.close_code} {self.close_reason!r}"
                            if self._closed
                            else ""
                        )
                    )
                self._cond.wait(remaining)

    def wait_for_op(
        self,
        op: str,
        timeout: float = 10.0,
        *,
        since: int = 0,
        where: Callable[[dict[str, Any]], bool] | None = None,
    ) -> dict[str, Any]:
        """Wait for a message with this ``op`` (and ``where(data)``); return its data."""
        message = self.wait_for(
            lambda m: m.get("op") == op and (where is None or where(m.get("data", {}))),
            timeout,
            since=since,
        )
        return message.get("data", {})

    # -- derived views -----------------------------------------------------

    @property
    def cell_ids(self) -> list[str]:
        return list((self.kernel_ready or {}).get("cell_ids", []))

    def console_text(self, cell_id: str | None = None) -> str:
        """All console text (stdout and stderr) received, optionally for one cell."""
        parts: list[str] = []
        for data in self.ops("cell-op"):
            if cell_id is not None and data.get("cell_id") != cell_id:
                continue
            console = data.get("console")
            items = console if isinstance(console, list) else [console]
            for item in items:
                if isinstance(item, dict) and isinstance(item.get("data"), str):
                    parts.append(item["data"])
        return "".join(parts)

    @property
    def kiosk(self) -> bool:
        """True when marimo made this connection a read-only viewer (kiosk):
        it does so for a second main connection to a notebook whose session
        already has a connected editor."""
        return bool((self.kernel_ready or {}).get("kiosk"))

    def instantiate(
        self, *, wait: bool = True, timeout: float = DEFAULT_SESSION_TIMEOUT
    ) -> None:
        """Do what the browser does after ``kernel-ready``: read the server
        token from ``GET /`` and ``POST /api/kernel/instantiate`` with
        ``autoRun: true``. With ``wait``, block until the ``completed-run``
        that ends the run (see :meth:`wait_for_run`)."""
        server = self.server
        self.server_token = server.server_token(self.notebook)
        self.instantiate_mark = len(self)
        response = server.post(
            "/api/kernel/instantiate",
            headers={
                "Marimo-Session-Id": self.routing_id,
                "Marimo-Server-Token": self.server_token,
            },
            json={"objectIds": [], "values": [], "autoRun": True},
        )
        if response.status_code != 200:
            raise RuntimeError(
                f"instantiate failed: {response.status_code} {response.text}"
            )
        if wait:
            self.wait_for_run(timeout)

    def wait_for_run(self, timeout: float = DEFAULT_SESSION_TIMEOUT) -> dict[str, Any]:
        """Wait for the ``completed-run`` following :meth:`instantiate`; return
        its data (``run_id``, ``outcome``, ``error``)."""
        if self.instantiate_mark is None:
            raise RuntimeError("instantiate() was not called")
        done = self.wait_for_op("completed-run", timeout, since=self.instantiate_mark)
        self.instantiate_run_id = done.get("run_id")
        return done

    def send(self, message: Any) -> None:
        self._ws.send(message if isinstance(message, str) else json.dumps(message))

    # -- lifecycle ---------------------------------------------------------

    def close(self) -> None:
        """Close the websocket (the server-side session lives on). Idempotent."""
        with contextlib.suppress(Exception):
            self._ws.close()
        self._thread.join(timeout=5)

    def __enter__(self) -> BrowserSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return (
            f"BrowserSession(routing_id={self.routing_id!r}, "
            f"session_id={self.session_id!r}, notebook={str(self.notebook)!r})"
        )


def new_routing_id(prefix: str = "s_test_") -> str:
    return f"{prefix}{secrets.token_hex(6)}"


def open_browser_session(
    server: MarimoServer,
    notebook: Path | str,
    *,
    instantiate: bool = True,
    wait_for_run: bool = True,
    timeout: float = DEFAULT_SESSION_TIMEOUT,
    routing_id: str | None = None,
    query: Mapping[str, str] | None = None,
) -> BrowserSession:
    """Open a notebook the way a browser tab does.

    1. Connect ``/ws?session_id=<fresh routing id>&file=<abs path>`` (with
       the bearer token on token servers) and wait for ``kernel-ready``.
    2. If ``instantiate``: read the server token from ``GET /`` and
       ``POST /api/kernel/instantiate`` with ``autoRun: true``, then wait for
       the ``completed-run`` that follows it (unless ``wait_for_run`` is
       False: then call ``browser.wait_for_run()`` later). Skipped for a
       read-only kiosk connection, which a browser would not instantiate.
    3. Look up the stable ``sess-…`` id in ``GET /api/sessions``.

    ``query`` adds websocket query parameters (e.g. ``{"kiosk": "true"}``).

    The websocket stays open and is drained in a thread until ``close()``.
    """
    notebook = Path(notebook).resolve()
    routing_id = routing_id or new_routing_id()
    params = {"session_id": routing_id, "file": str(notebook), **(query or {})}
    url = f"{server.ws_base}/ws?" + "&".join(
        f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in params.items()
    )
    deadline = time.monotonic() + timeout
    ws = connect(
        url,
        additional_headers=server.auth_headers(),
        open_timeout=min(timeout, 30.0),
        max_size=None,
        ping_interval=None,
    )
    # websockets >= 17.1 warns about connections not entered as a context
    # manager; entering is a no-op otherwise. close() ends it either way.
    ws = ws.__enter__()
    browser = BrowserSession(server, notebook, routing_id, ws)
    try:
        browser.kernel_ready = browser.wait_for_op(
            "kernel-ready", max(0.1, deadline - time.monotonic())
        )
        if instantiate and not browser.kiosk:
            browser.instantiate(
                wait=wait_for_run, timeout=max(0.1, deadline - time.monotonic())
            )
        browser.session_id = _lookup_stable_id(browser, deadline)
    except BaseException:
        browser.close()
        raise
    return browser


def _lookup_stable_id(browser: BrowserSession, deadline: float) -> str:
    expected = (browser.kernel_ready or {}).get("stable_session_id")
    while True:
        entry = browser.server.sessions().get(browser.routing_id)
        if entry is not None and entry.get("session_id"):
            stable = str(entry["session_id"])
            if expected and stable != expected:
                raise RuntimeError(
                    f"/api/sessions says {stable}, kernel-ready said {expected}"
                )
            return stable
        if expected and browser.kernel_ready and browser.kernel_ready.get("kiosk"):
            # A kiosk viewer has no routing entry of its own.
            return str(expected)
        if time.monotonic() > deadline:
            raise TimeoutError(
                f"routing id {browser.routing_id} never showed up in /api/sessions"
            )
        time.sleep(0.05)


def iter_cell_ops(messages: Iterable[Message]) -> Iterable[dict[str, Any]]:
    """The ``data`` of each ``cell-op`` message in ``messages``."""
    for message in messages:
        if message.get("op") == "cell-op":
            yield message.get("data", {})
