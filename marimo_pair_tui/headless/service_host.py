"""The per-user pairing service: one long-lived process that serves one-shot headless calls.

It keeps what a one-shot process would throw away: connections, ssh
forwards and the live mirrors of the sessions it was asked about, so reads
are answered from memory and the activity log spans calls. Each call comes
from headless/service_client.py over a Unix socket with the caller's
working directory, environment and stdin/stdout/stderr; the headless
command runs here as it would in-process (same documents, same exit codes):
its argument parsing in a thread of its own, its job on the service's event
loop, where every `PairingService` lives.

Lifecycle: one per user and state directory (an flock decides a race
between two starts); the socket 0600 in a 0700 directory; a stale socket
left by a crash is replaced; a caller of another version makes it step
down; it exits after MARIMO_PAIR_SERVICE_IDLE seconds without a call.

Each call itself is headless/service_call.py. Run as
`python -m marimo_pair_tui.headless.service_host SOCKET`.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import io
import os
import signal
import socket
import sys
import threading
import time
from datetime import datetime, timezone
from typing import Any, Awaitable, Iterator, TypeVar

from ..core.service import HubOptions, PairingService, append_private, caller, collector, state_dir
from . import output
from . import service_wire as wire
from .service_call import Call, CallStream, JobExit, current_call, run_headless, start_call

T = TypeVar("T")

# Environment names that change what a `PairingService` finds or sends: callers
# that differ in them get services of their own.
SERVICE_ENV_PREFIXES = ("MARIMO_",)
SERVICE_ENV_NAMES = ("HOME", "PATH", "USER", "SSH_AUTH_SOCK", "XDG_STATE_HOME", "XDG_CONFIG_HOME",
                     "XDG_RUNTIME_DIR", "XDG_CACHE_HOME", "XDG_DATA_HOME")  # not a login's own (SSH_TTY, …)
MAX_SERVICES = 16  # PairingServices kept for different options; the least recently used goes
DRAIN_SECONDS = 10.0  # how long a stopping service lets calls in flight finish


class ServiceHost:
    """The service's state: its socket, its PairingServices, its calls in flight."""

    def __init__(self, path: str, lock_fd: int, idle_timeout: float) -> None:
        self.path = path
        self.lock_fd = lock_fd
        self.idle_timeout = idle_timeout
        self.version = wire.fingerprint()
        self.loop = asyncio.new_event_loop()
        self.services: dict[tuple[Any, ...], PairingService] = {}
        self.used: dict[tuple[Any, ...], float] = {}
        self.in_use: dict[tuple[Any, ...], int] = {}
        self.service_lock = asyncio.Lock()
        self.started = time.time()
        self.last_call = time.monotonic()
        self.calls = 0
        self.in_flight = 0
        self.stopping = asyncio.Event()
        self.listener: socket.socket | None = None
        self._inode: int | None = None
        self._count = threading.Lock()

    # -- the output.Host side: what headless commands call --------------------------------

    def run(self, coroutine: Awaitable[T]) -> T:
        """Run a job on the service's loop for the current call (from its thread)."""

        async def guarded() -> T:
            try:
                return await coroutine
            except SystemExit as exit:
                raise JobExit(exit.code) from None

        future = asyncio.run_coroutine_threadsafe(guarded(), self.loop)
        call = current_call()
        if call is not None:
            call.attach(future)
        try:
            return future.result()
        except JobExit as exit:
            raise SystemExit(exit.code) from None

    @contextlib.asynccontextmanager
    async def service(self, options: HubOptions) -> Any:
        """The PairingService for these options and the caller's environment, kept across calls."""
        key = self._key(options)
        async with self.service_lock:
            service = self.services.get(key)
            if service is None:
                service = PairingService(options)
                await service.__aenter__()
                service.on_prompt = output.tell_prompt
                self.services[key] = service
                await self._evict()
            self.in_use[key] = self.in_use.get(key, 0) + 1
        try:
            yield service
        finally:
            self.in_use[key] -= 1
            self.used[key] = time.monotonic()

    @staticmethod
    def _key(options: HubOptions) -> tuple[Any, ...]:
        env = caller.environ()
        relevant = tuple(sorted((k, v) for k, v in env.items()
                                if k.startswith(SERVICE_ENV_PREFIXES) or k in SERVICE_ENV_NAMES))
        return (tuple(options.urls), options.token, options.use_registry, tuple(options.ssh_hosts),
                options.allow_insecure_token, tuple(options.notices), relevant)

    async def _evict(self) -> None:
        idle = [k for k in self.services if not self.in_use.get(k)]
        while len(self.services) > MAX_SERVICES and idle:
            oldest = min(idle, key=lambda k: self.used.get(k, 0.0))
            idle.remove(oldest)
            await self.services.pop(oldest).aclose()

    # -- the socket ----------------------------------------------------------------------

    def bind(self) -> None:
        """Listen at the socket path, replacing a stale socket (the flock says none is live)."""
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old = os.umask(0o177)
        try:
            listener.bind(self.path)
        finally:
            os.umask(old)
        os.chmod(self.path, 0o600)
        self._inode = os.stat(self.path).st_ino
        listener.listen(64)
        listener.setblocking(False)
        self.listener = listener

    def step_down(self) -> None:
        """Stop taking calls and give the path and the lock to a successor; calls in flight finish."""
        if self.listener is not None:
            with contextlib.suppress(OSError):
                self.listener.close()
            self.listener = None
            with contextlib.suppress(OSError):
                if os.stat(self.path).st_ino == self._inode:
                    os.unlink(self.path)
        if self.lock_fd >= 0:
            with contextlib.suppress(OSError):
                os.close(self.lock_fd)
            self.lock_fd = -1
        self.loop.call_soon_threadsafe(self.stopping.set)

    async def main(self) -> None:
        self.loop.add_signal_handler(signal.SIGTERM, self.step_down)
        self.loop.add_signal_handler(signal.SIGINT, self.step_down)
        accepting = asyncio.ensure_future(self._accept())
        while not self.stopping.is_set():
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), timeout=1.0)
            if self.in_flight == 0 and time.monotonic() - self.last_call > self.idle_timeout:
                log(f"idle for {self.idle_timeout:.0f} s: exiting")
                self.step_down()
        accepting.cancel()
        deadline = time.monotonic() + DRAIN_SECONDS
        while self.in_flight and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        for service in list(self.services.values()):
            with contextlib.suppress(Exception):
                await service.aclose()

    async def _accept(self) -> None:
        while self.listener is not None:
            try:
                conn, _ = await self.loop.sock_accept(self.listener)
            except OSError:
                return
            conn.setblocking(True)
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    # -- one connection, in a thread of its own ------------------------------------------

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            try:
                if wire.peer_uid(conn) != os.getuid():
                    return  # not this user's: the 0700 directory should have kept them out
                message, _ = wire.receive(conn)
            except (wire.WireError, OSError, ValueError):
                return
            op = message.get("op")
            try:
                if op == "run":
                    self._serve_call(conn, message)
                elif op == "status":
                    wire.send(conn, self.loop_call(self.status()))
                elif op == "stop":
                    log("stop requested")
                    reply = {**self.loop_call(self.status()), "stopping": True}
                    try:
                        wire.send(conn, reply)
                    finally:
                        self.step_down()
                else:
                    wire.send(conn, {"refused": f"unknown op {op!r}"})
            except (wire.WireError, OSError):
                pass

    def loop_call(self, coroutine: Awaitable[T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result()  # type: ignore[arg-type]

    def _serve_call(self, conn: socket.socket, message: dict[str, Any]) -> None:
        if message.get("version") != self.version:
            log(f"a caller of version {message.get('version')} came: stepping down")
            self.step_down()
            wire.send(conn, {"mismatch": True, "version": self.version})
            return
        fds: list[int] = []
        try:
            wire.send(conn, {"started": True, "pid": os.getpid()})
            # A client that gave up waiting never says go (nothing runs twice); its streams come with it.
            go, fds = wire.receive(conn, want_fds=3)
        except (wire.WireError, OSError):
            go = {}
        if not go.get("go") or len(fds) != 3:
            for fd in fds:
                os.close(fd)
            log("a caller gave up before its call began: not run")
            return
        call = Call(message, fds)
        with self._count:
            self.in_flight += 1
            self.calls += 1
        try:
            worker = threading.Thread(target=self._run_call, args=(call, conn), daemon=True)
            worker.start()
            with contextlib.suppress(OSError):
                while conn.recv(64):
                    pass  # the client sends nothing more: this returns when it goes away or the call ends
            if worker.is_alive():
                call.cancel()
            worker.join()
        finally:
            call.close()
            with self._count:
                self.in_flight -= 1
            self.last_call = time.monotonic()

    def _run_call(self, call: Call, conn: socket.socket) -> None:
        start_call(call)
        code = 1
        try:
            with caller.serving(call.caller):
                code = run_headless(call.argv, log, str(state_dir() / "service.log"))
        finally:
            with contextlib.suppress(Exception):
                assert call.stdout is not None
                call.stdout.flush()
            if not call.cancelled:
                with contextlib.suppress(OSError):
                    wire.send(conn, {"exit": code})
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)

    async def status(self) -> dict[str, Any]:
        sessions = []
        for service in self.services.values():
            for pairing in service.mirrors.followed():
                sessions.append({**pairing.target.to_json(), "live": pairing.live_state})
        return {
            "running": True,
            "pid": os.getpid(),
            "version": self.version,
            "started": datetime.fromtimestamp(self.started, timezone.utc).isoformat(timespec="seconds"),
            "uptime_s": round(time.time() - self.started, 1),
            "idle_timeout_s": self.idle_timeout,
            "idle_s": round(time.monotonic() - self.last_call, 1) if not self.in_flight else 0.0,
            "calls": self.calls,
            "in_flight": self.in_flight,
            "sessions": sessions,
        }


_LOG: Any = None


def log(text: str) -> None:
    if _LOG is not None:
        stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
        with contextlib.suppress(Exception):
            _LOG.write(f"{stamp} [{os.getpid()}] {text}\n")
            _LOG.flush()


@contextlib.contextmanager
def _service_lock(path: str) -> Iterator[int]:
    """The flock that makes this the one service at `path` (-1 when another holds it)."""
    fd = os.open(os.path.splitext(path)[0] + ".lock", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        yield -1
        return
    os.ftruncate(fd, 0)
    os.write(fd, f"{os.getpid()}\n".encode())
    yield fd


def idle_timeout(environ: Any = os.environ) -> float:
    try:
        return max(float(environ.get(wire.IDLE_ENV, "")), 1.0)
    except ValueError:
        return wire.IDLE_DEFAULT


def main(argv: list[str]) -> int:
    global _LOG
    path = argv[0]
    wire.private_runtime(os.path.dirname(path))
    os.chdir("/")
    _LOG = io.TextIOWrapper(append_private(state_dir() / "service.log"), encoding="utf-8",
                            errors="backslashreplace", write_through=True)
    with _service_lock(path) as lock_fd:
        if lock_fd < 0:
            return 0  # another start won the race; its socket answers
        host = ServiceHost(path, lock_fd, idle_timeout())
        host.bind()
        sys.stdin = CallStream("stdin", io.StringIO())
        sys.stdout = CallStream("stdout", _LOG)
        sys.stderr = CallStream("stderr", _LOG)
        output.HOST = host
        collector.settle()
        log(f"serving {path} (version {host.version}, idle timeout {host.idle_timeout:.0f} s)")
        asyncio.set_event_loop(host.loop)
        try:
            host.loop.run_until_complete(host.main())
        finally:
            host.step_down()
            log("stopped")
    return 0


if __name__ == "__main__":
    code = main(sys.argv[1:])
    # Everything is closed and logged by now; the interpreter's own teardown of a long-lived heap
    # (1.4 s measured) would only keep a stopping service, and whoever waits for it, waiting.
    os._exit(code)
