"""The per-user pairing service: one long-lived process that serves one-shot headless calls.

It keeps what a one-shot process would throw away: connections, ssh
forwards and the live mirrors of the sessions it was asked about (its
ServicePool, headless/service/pool.py), so reads are answered from memory
and the activity log spans calls. Each call comes from
headless/service/client.py over a Unix socket: after a handshake on the
event loop (the caller's uid checked, the request checked, then "go" with
the caller's stdin), the headless command runs here as it would in-process
(same documents, same exit codes), its argument parsing in a thread of its
own, its job on the service's event loop, where every `PairingService`
lives; its stdout and stderr are relayed to the client with a heartbeat.

Lifecycle: one per user and state directory (an flock decides a race
between two starts, and says which service is the one); the socket 0600 in
a 0700 directory, bound again if it is deleted; a stale socket left by a
crash is replaced; a caller of another version makes it step down; it
exits after MARIMO_PAIR_SERVICE_IDLE seconds without a call.

Each call itself is headless/service/call.py. Run as
`python -m marimo_pair_tui.headless.service.host SOCKET`.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import errno
import fcntl
import io
import os
import select
import signal
import socket
import sys
import threading
import time
from datetime import datetime, timezone
from typing import Any, AsyncContextManager, Awaitable, Iterator, TypeVar

from ...core.api import HubOptions, PairingService, Pictures, append_private, state_dir, serving_call, settle_gc
from .. import output
from . import trust
from . import wire
from .pool import ServicePool
from .call import (
    BadRequest, Call, CallStream, JobExit, Relay, check_request, check_stdin, current_call, run_headless, start_call,
)

T = TypeVar("T")

HANDSHAKE_TIMEOUT = 5.0  # seconds a connection may take to send a complete request (and then its go)
LOCK_TRIES = 10
DRAIN_SECONDS = 10.0  # how long a service asked to stop lets calls in flight finish


class ServiceHost:
    """The service's state: its socket, its PairingServices (a ServicePool), its calls in flight."""

    def __init__(self, path: str, lock_fd: int, idle_timeout: float) -> None:
        self.path = path
        self.lock_fd = lock_fd
        self.idle_timeout = idle_timeout
        self.version = wire.fingerprint()
        self.loop = asyncio.new_event_loop()
        self.pictures = Pictures()  # one set of warm browsers for every caller (core/service/pictures.py)
        self.pool = ServicePool(pictures=self.pictures)
        self.started = time.time()
        self.last_call = time.monotonic()
        self.calls = 0
        self.in_flight = 0
        self.stopping = asyncio.Event()
        self.drain_until: float | None = None  # when a stopping service ends calls in flight (None: never)
        self.listener: socket.socket | None = None
        self.alive_at = time.monotonic()  # the event loop's last turn: heartbeats stop when it hangs
        self._inode: int | None = None
        self._count = threading.Lock()
        self._accepting: asyncio.Future[None] = asyncio.Future(loop=self.loop)
        self._handshakes: set[asyncio.Future[None]] = set()
        self._starved = False

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

    def service(self, options: HubOptions) -> AsyncContextManager[PairingService]:
        """The PairingService for these options and the caller's environment, kept across calls."""
        return self.pool.service(options)

    # -- the socket ----------------------------------------------------------------------

    def bind(self) -> None:
        """Listen at the socket path, replacing a stale or vanished socket (the flock says we are the one)."""
        if self.listener is not None:
            with contextlib.suppress(OSError):
                self.listener.close()
            self.listener = None
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
        listener.listen(128)
        listener.setblocking(False)
        self.listener = listener

    def _holds_lock(self) -> bool:
        """The lock file at our path is still the one we hold (not deleted or replaced)."""
        try:
            return os.stat(trust.lock_path(self.path)).st_ino == os.fstat(self.lock_fd).st_ino
        except OSError:
            return False

    def _socket_is_ours(self) -> bool:
        try:
            return os.lstat(self.path).st_ino == self._inode
        except OSError:
            return False

    def check_socket(self) -> None:
        """The lock holder is the truth: a socket file deleted or replaced under us is bound again;
        a lock file deleted under us means another service may start, so we step down."""
        if self.stopping.is_set() or self.lock_fd < 0:
            return
        if not self._holds_lock():
            log("the lock file is gone: stepping down")
            self.step_down()
        elif not self._socket_is_ours():
            log("the socket file vanished: binding it again")
            try:
                wire.private_runtime(os.path.dirname(self.path))
                self.bind()
            except (OSError, trust.Untrusted) as exc:
                log(f"could not bind again ({exc}): stepping down")
                self.step_down()
                return
            self._accepting.cancel()
            self._accepting = asyncio.ensure_future(self._accept())

    def stop(self) -> None:
        """Asked to stop (SIGTERM, `service stop`): step down, and give calls in flight DRAIN_SECONDS."""
        deadline = time.monotonic() + DRAIN_SECONDS
        self.drain_until = deadline if self.drain_until is None else min(self.drain_until, deadline)
        self.step_down()

    @property
    def busy(self) -> bool:
        """Calls run, or connections taken are being handed over (each must be answered)."""
        return bool(self.in_flight or self._handshakes)

    def step_down(self) -> None:
        """Stop taking calls and give the path and the lock to a successor. Every connection already
        taken is answered and every call in flight finishes (unless `stop` set a deadline)."""
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
        if threading.current_thread() is threading.main_thread():
            self.stopping.set()  # (the loop runs in the main thread)
        else:
            self.loop.call_soon_threadsafe(self.stopping.set)

    async def main(self) -> None:
        self.loop.add_signal_handler(signal.SIGTERM, self.stop)
        self.loop.add_signal_handler(signal.SIGINT, self.stop)
        self.loop.add_signal_handler(signal.SIGUSR1, self.check_socket)  # a client found no socket
        self._accepting = asyncio.ensure_future(self._accept())
        self.pictures.prepare()  # the browser starts with the service (`service start`), not with its first call
        while not self.stopping.is_set():
            self.alive_at = time.monotonic()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), timeout=wire.BEAT_SECONDS)
            self.check_socket()
            if self.in_flight == 0 and time.monotonic() - self.last_call > self.idle_timeout:
                log(f"idle for {self.idle_timeout:.0f} s: exiting")
                self.step_down()
        self._accepting.cancel()
        while self.busy and (self.drain_until is None or time.monotonic() < self.drain_until):
            await asyncio.sleep(0.05)
        if self.busy:
            log(f"stopping with {self.in_flight} call(s) in flight after {DRAIN_SECONDS:.0f} s")
        await self.pool.aclose()
        await self.pictures.aclose()

    async def _accept(self) -> None:
        """Take connections until the listener closes; running out of descriptors only pauses it."""
        while self.listener is not None:
            listener = self.listener
            try:
                conn, _ = await self.loop.sock_accept(listener)
            except asyncio.CancelledError:
                raise
            except OSError as exc:
                if self.listener is not listener:
                    return  # closed or replaced
                if exc.errno in (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM):
                    if not self._starved:
                        log(f"cannot accept ({exc.strerror}): pausing until descriptors are free")
                    self._starved = True
                else:
                    log(f"accept failed: {exc}")
                await asyncio.sleep(0.1)
                continue
            if self._starved:
                log("accepting again")
                self._starved = False
            task = asyncio.ensure_future(self._handshake(conn))
            self._handshakes.add(task)
            task.add_done_callback(self._handshakes.discard)

    # -- one connection: the handshake on the event loop, the call in threads of its own ---

    async def _handshake(self, conn: socket.socket) -> None:
        """Check the caller, read its request and answer it; a call's thread takes `conn` over."""
        handed_over = False
        try:
            conn.setblocking(False)
            pid, uid = trust.peer(conn)
            if uid != os.getuid():
                log(f"refused a connection from uid {uid} (pid {pid}): not this user")
                return
            message, fds = await asyncio.wait_for(wire.receive_async(conn, want_fds=4), HANDSHAKE_TIMEOUT)
            wire.close_all(fds)  # a request carries no descriptors
            op = message.get("op")
            if op == "run":
                handed_over = await self._start_call(conn, message)
            elif op == "status":
                await self.loop.sock_sendall(conn, wire.encode(await self.status()))
            elif op == "stop":
                log("stop requested")
                reply = {**await self.status(), "stopping": True}
                try:
                    await self.loop.sock_sendall(conn, wire.encode(reply))
                finally:
                    self.stop()
            else:
                await self.loop.sock_sendall(conn, wire.encode({"refused": f"unknown op {op!r}"}))
        except asyncio.TimeoutError:
            log(f"a caller sent no complete request within {HANDSHAKE_TIMEOUT:.0f} s: dropped")
        except (wire.WireError, OSError) as exc:
            log(f"a connection ended in its handshake: {exc}")
        finally:
            if not handed_over:
                conn.close()

    async def _start_call(self, conn: socket.socket, message: dict[str, Any]) -> bool:
        """Handshake of a run: True once a thread owns `conn` and the call runs."""
        if message.get("version") != self.version:
            log(f"a caller of version {message.get('version')} came: stepping down")
            self.step_down()
            await self.loop.sock_sendall(conn, wire.encode({"mismatch": True, "version": self.version}))
            return False
        try:
            check_request(message)
        except BadRequest as why:
            log(f"refused a request: {why}")
            await self.loop.sock_sendall(conn, wire.encode({"refused": str(why)}))
            return False
        # A client that gave up waiting never says go (nothing runs twice); its stdin comes with it.
        try:
            await self.loop.sock_sendall(conn, wire.encode({"started": True, "pid": os.getpid()}))
            go, fds = await asyncio.wait_for(wire.receive_async(conn, want_fds=4), HANDSHAKE_TIMEOUT)
        except (wire.WireError, OSError, asyncio.TimeoutError):
            go, fds = {}, []
        if not go.get("go") or len(fds) != 1 or _closed(conn):
            wire.close_all(fds)
            log("a caller gave up before its call began: not run")
            return False
        try:
            check_stdin(fds[0])
            conn.setblocking(True)
            call = Call(message, fds[0], Relay(conn))
        except (BadRequest, OSError, ValueError) as why:
            wire.close_all(fds)
            log(f"refused a call: {why}")
            return False
        with self._count:
            self.in_flight += 1
            self.calls += 1
        threading.Thread(target=self._serve_call, args=(call, conn), daemon=True).start()
        return True

    def _serve_call(self, call: Call, conn: socket.socket) -> None:
        """Run the call in a worker; meanwhile watch the client (gone: cancel) and send heartbeats."""
        try:
            worker = threading.Thread(target=self._run_call, args=(call, conn), daemon=True)
            worker.start()
            while worker.is_alive():
                readable, _, _ = select.select([conn], [], [], wire.BEAT_SECONDS)
                if readable:
                    try:
                        if conn.recv(64):
                            continue  # the client sends nothing more; ignore what it does
                    except OSError:
                        pass
                    break  # the client went away (Ctrl+C, killed), or the call ended and shut the socket
                if time.monotonic() - self.alive_at < 3 * wire.BEAT_SECONDS:
                    call.relay.beat()  # only while the event loop turns: a stuck loop is a hung service
            if worker.is_alive():
                call.cancel()
            worker.join()
        finally:
            call.close()
            conn.close()
            with self._count:
                self.in_flight -= 1
            self.last_call = time.monotonic()

    def _run_call(self, call: Call, conn: socket.socket) -> None:
        start_call(call)
        code = 1
        try:
            with serving_call(call.caller):
                code = run_headless(call.argv, log, str(state_dir() / "service.log"))
        finally:
            if not call.cancelled:
                with contextlib.suppress(OSError):
                    call.relay.send({"exit": code})
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)

    async def status(self) -> dict[str, Any]:
        sessions = []
        for service in self.pool:
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


def _closed(conn: socket.socket) -> bool:
    """The caller closed its end after its go (it gave up, or was stopped, while we were not looking):
    its call must not run, as no one would read its answer."""
    try:
        return conn.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
    except (BlockingIOError, InterruptedError):
        return False
    except OSError:
        return True


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
    fd = os.open(trust.lock_path(path), os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    for attempt in range(LOCK_TRIES):
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if attempt == LOCK_TRIES - 1:
                os.close(fd)
                yield -1
                return
            time.sleep(0.01)  # a client looking who holds it holds it for microseconds
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
    # A client that finds the lock held and no socket asks the holder to bind (SIGUSR1): a service
    # still starting has nothing to bind yet, and must not die of it.
    signal.signal(signal.SIGUSR1, signal.SIG_IGN)
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
        settle_gc()
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
    # (1.4 s measured) would only keep a stopping service, and whoever waits for it, waiting. What
    # the process registered to do at exit (the defs/refs it learnt, core/model/analysis.py) is done first.
    atexit._run_exitfuncs()
    os._exit(code)
