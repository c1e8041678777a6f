"""A one-shot headless call through the user's pairing service (standard library only).

An agent's shell pays every call's start-up: this path imports no httpx,
click or rich. Once the service proves to be this user's own
(headless/service/trust.py), the client hands it the command line, the
working directory, the part of the environment the core reads and its
stdin (headless/service/host.py, started here on first use); the service
runs the command as if in-process and sends back what to write on stdout
and stderr, a heartbeat while it works, and the exit code. A service that
goes silent is given up on (and bypassed by later calls until it answers).

`main` returns None when the call is better made in-process (the service is
switched off, cannot start, or the command is one the client keeps).
"""

from __future__ import annotations

import _socket  # (not `socket`, which imports enum and selectors: see trust.py)
import os
import sys
import time

from . import trust
from . import wire

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

START_TIMEOUT = 20.0  # seconds for a new service to accept its first call
ACCEPT_TIMEOUT = 15.0  # seconds for a running service to take a call (a hung one is bypassed)
PROBE_TIMEOUT = 0.3  # seconds a service that hung before gets to show it answers again
REBIND_TIMEOUT = 2.0  # seconds a service whose socket vanished gets to bind it again
EXIT_USAGE, EXIT_CONNECTION, EXIT_UNKNOWN_OUTCOME, EXIT_BROKEN_PIPE = 2, 3, 4, 141


class Unavailable(Exception):
    """No service can answer this call: make it in-process."""


class UnixSocket(_socket.socket):
    """The C socket type (what `socket.socket` wraps), closed on leaving a `with` block."""

    def __enter__(self) -> UnixSocket:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def emit(document: dict[str, Any]) -> None:
    from .. import json_text  # (only on the rare paths that write a document of their own)

    json_text.write_line(sys.stdout, document)


def failure(kind: str, message: str, next: str) -> dict[str, Any]:
    return {"success": False, "error": {"kind": kind, "message": message, "next": next}}


def switched_off(environ: Any = os.environ) -> bool:
    return (environ.get(wire.NO_SERVICE_ENV) or "").strip().lower() not in ("", "0", "false", "no")


def main(args: list[str]) -> int | None:
    """Run `args` (after --headless) through the service: its exit code, or None to run in-process."""
    command = args[0] if args and not args[0].startswith("-") else None
    if command == "service":
        from .control import service_command

        return service_command(args[1:])
    if command is None or command in wire.IN_PROCESS or switched_off() or not wire.can_pass_descriptors():
        return None  # (no Unix sockets with descriptor passing here: in-process)
    try:
        return _call(args, command)
    except Unavailable as why:
        if str(why):
            sys.stderr.write(f"The pairing service is not available ({why}); running in-process.\n")
        return None
    except KeyboardInterrupt:  # the socket is closed by now: the service cancels the call, as Ctrl+C does in-process
        emit(failure("error", "Interrupted by the user.",
                     "If code was running, closing the request interrupted the kernel; check its state."))
        return 130


def open_service(path: str, timeout: float, *, rebind: bool = True) -> UnixSocket | None:
    """A connection to this user's service at `path`, checked before a byte is sent; None when none runs.

    Refuses (Unavailable) a directory, socket or listening process that is not this user's own.
    With `rebind`, a service that holds the lock but lost its socket is asked to bind it again."""
    directory = os.path.dirname(path)
    try:
        trust.check_directory(directory)
        try:
            trust.check_socket(path)
        except FileNotFoundError:
            if not rebind or not _ask_holder_to_bind(path):
                return None
            trust.check_socket(path)
    except FileNotFoundError:
        return None
    except trust.Untrusted as why:
        raise Unavailable(_untrusted(why, directory)) from None
    sock = UnixSocket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect(path)
        trust.check_peer(sock, path)
    except (FileNotFoundError, ConnectionRefusedError):
        sock.close()
        return None
    except trust.Untrusted as why:
        pid, _uid = trust.peer(sock)
        sock.close()
        if pid > 0 and trust.is_service_process(pid, path):
            return None  # our service that stepped down a moment ago (another version came): not it
        raise Unavailable(_untrusted(why, directory)) from None
    except OSError as exc:
        sock.close()
        raise Unavailable(f"cannot reach {path}: {exc.strerror or exc}") from None
    return sock


def _untrusted(why: Exception, directory: str) -> str:
    return (f"{why}; nothing was sent to it, as another user may be trying to intercept the call. "
            f"Remove {directory} (it is recreated privately) or set XDG_RUNTIME_DIR to a private directory")


def _ask_holder_to_bind(path: str) -> bool:
    """No socket file: if a service still holds the lock (its socket was deleted), ask it to bind
    again and wait briefly for the socket; False when no service holds it."""
    holder = trust.lock_holder(path)
    deadline = time.monotonic() + REBIND_TIMEOUT
    while holder is not None and holder < 0 and time.monotonic() < deadline:
        time.sleep(0.005)  # a service starting this moment: it writes its pid right after it locks
        holder = trust.lock_holder(path)
    if holder is None:
        return False
    if holder < 0 or not trust.is_service_process(holder, path):
        raise Unavailable(f"{trust.lock_path(path)} is held by a process (pid {holder}) that is not a pairing service")
    import signal

    os.kill(holder, signal.SIGUSR1)
    deadline = time.monotonic() + REBIND_TIMEOUT
    while time.monotonic() < deadline:
        if os.path.lexists(path):
            return True
        time.sleep(0.005)
    raise Unavailable(f"the service (pid {holder}) lost its socket and did not bind it again")


def _stdin() -> int:
    """Our stdin for the service (a closed one stands in as /dev/null)."""
    try:
        os.fstat(0)
        return 0
    except OSError:
        return os.open(os.devnull, os.O_RDONLY)


def _request(args: list[str]) -> dict[str, Any]:
    return {
        "op": "run",
        "version": wire.fingerprint(),
        "argv": args,
        "cwd": os.getcwd(),
        "env": wire.caller_environ(os.environ),
        "stdout_encoding": getattr(sys.stdout, "encoding", None) or "utf-8",
    }


def _call(args: list[str], command: str) -> int:
    path = wire.socket_path(os.environ)
    _check_hung(path)
    request = _request(args)
    for _attempt in range(3):
        sock = open_service(path, ACCEPT_TIMEOUT) or start_service(path)
        try:
            try:
                sock.settimeout(ACCEPT_TIMEOUT)
                wire.send(sock, request)
                first, _ = wire.receive(sock)
                if first.get("started"):
                    # Only now may it run, and only now does it get our stdin: a call given up on
                    # never runs. Our stdout and stderr never leave us: it sends what to write.
                    wire.send(sock, {"go": True}, [_stdin()])
            except TimeoutError:
                _mark_hung(path, sock)
                raise Unavailable(f"it did not take the call within {ACCEPT_TIMEOUT:.0f} s; see {log_path()}") from None
            except (wire.WireError, OSError):
                continue  # it went away before taking the call: nothing ran
            if first.get("mismatch"):
                continue  # an older service stepped down; the next attempt starts ours
            if not first.get("started"):
                raise Unavailable(str(first.get("refused") or "it refused the call"))
            return _relay(sock, path, command, first.get("pid"))
        finally:
            sock.close()
    raise Unavailable("it kept going away before taking the call")


def _relay(sock: _socket.socket, path: str, command: str, pid: Any) -> int:
    """Write what the service sends to our own streams until its exit code comes."""
    sock.settimeout(wire.SILENCE_LIMIT)
    out = _Writer(sys.stdout)
    err = _Writer(sys.stderr)
    while True:
        try:
            message, _ = wire.receive(sock)
        except TimeoutError:
            _mark_hung(path, sock)
            return _lost(command, pid, why=f"stopped answering while running `{command}` (nothing for {wire.SILENCE_LIMIT:.0f} s)")
        except (wire.WireError, OSError):
            return _lost(command, pid, why=f"ended while running `{command}`")
        if "out" in message:
            if not out.write(message["out"]):
                return EXIT_BROKEN_PIPE  # our reader went away: closing the socket cancels the call
        elif "err" in message:
            err.write(message["err"])
        elif "exit" in message:
            try:
                return int(message["exit"])
            except (TypeError, ValueError):
                return _lost(command, pid, why="sent a malformed exit code")


class _Writer:
    """One of our streams, written with its own encoding (unencodable text escaped, never lost)."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.buffer = getattr(stream, "buffer", None)
        self.encoding = getattr(stream, "encoding", None) or "utf-8"
        self.broken = False

    def write(self, text: Any) -> bool:
        if self.broken or not isinstance(text, str):
            return not self.broken
        try:
            if self.buffer is not None:
                self.buffer.write(text.encode(self.encoding, "backslashreplace"))
                self.buffer.flush()
            else:
                self.stream.write(text)
                self.stream.flush()
        except (BrokenPipeError, ValueError):
            self.broken = True
            _silence(self.stream)
            return False
        except OSError:
            return True
        return True


def _silence(stream: Any) -> None:
    """Our reader is gone: later writes (and the interpreter's last flush) go nowhere."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, stream.fileno())
        os.close(null)
    except (OSError, ValueError, AttributeError):
        pass


def _mark_hung(path: str, sock: _socket.socket) -> None:
    """Remember which service stopped answering: later calls bypass it until it answers again."""
    try:
        pid, _uid = trust.peer(sock)
        fd = os.open(wire.hung_marker(path), os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
        try:
            os.write(fd, f"{pid}\n".encode())
        finally:
            os.close(fd)
    except OSError:
        pass


def _check_hung(path: str) -> None:
    """A service that did not answer a recent call is bypassed at once, unless a quick probe shows
    it answers again (then it is used, and the mark goes)."""
    marker = wire.hung_marker(path)
    try:
        with open(marker) as file:
            text = file.read().strip()
    except OSError:
        return
    try:
        holder = trust.lock_holder(path)
    except (trust.Untrusted, OSError):
        holder = None
    pid = int(text) if text.isdigit() else None
    if holder is not None and holder == pid and _status(path, PROBE_TIMEOUT) is None:
        raise Unavailable(f"the service (pid {pid}) did not answer an earlier call and still does not; "
                          "`marimo-pair-tui --headless service stop` ends it")
    try:
        os.unlink(marker)
    except OSError:
        pass


def _status(path: str, timeout: float) -> dict[str, Any] | None:
    """The service's status, or None when it does not answer within `timeout`."""
    try:
        sock = open_service(path, timeout)
    except Unavailable:
        return None
    if sock is None:
        return None
    with sock:
        try:
            wire.send(sock, {"op": "status"})
            reply, _ = wire.receive(sock)
            return reply
        except (wire.WireError, OSError):
            return None


def _lost(command: str, pid: Any, why: str) -> int:
    """The service ended or hung while running the call: a read is asked again in-process; anything
    else may or may not have happened, so it is reported, never resent."""
    if command in wire.READ_ONLY:
        sys.stderr.write(f"The pairing service (pid {pid}) {why}; asking again in-process.\n")
        raise Unavailable("")
    emit(failure(
        "outcome_unknown",
        f"The pairing service (pid {pid}) {why}: whether it took effect is unknown.",
        "Nothing was sent again. Check the session (`status`, `cells`, `activity`) before repeating it; "
        f"the service log is {log_path()}.",
    ))
    return EXIT_UNKNOWN_OUTCOME


def log_path() -> str:
    return os.path.join(wire._state_home(os.environ), "marimo-pair-tui", "service.log")


def start_service(path: str) -> UnixSocket:
    """Start a detached service for this user and state directory and connect to it."""
    import subprocess

    try:
        wire.private_runtime(os.path.dirname(path))
    except trust.Untrusted as why:
        raise Unavailable(_untrusted(why, os.path.dirname(path))) from None
    except OSError as exc:
        raise Unavailable(f"{os.path.dirname(path)}: {exc.strerror or exc}") from None
    env = {k: v for k, v in os.environ.items() if k != "MARIMO_TOKEN"}  # requests bring their own
    # The service runs the very code this client is (a checkout, another install): the version check
    # would otherwise refuse it on every call.
    env["PYTHONPATH"] = os.pathsep.join(p for p in (os.path.dirname(wire.PACKAGE), env.get("PYTHONPATH")) if p)
    process = subprocess.Popen(
        [sys.executable, "-m", "marimo_pair_tui.headless.service.host", path],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True, close_fds=True, env=env, cwd="/",
    )
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        sock = open_service(path, ACCEPT_TIMEOUT, rebind=False)  # (it holds the lock before it binds)
        if sock is not None:
            return sock
        if process.poll() is not None and process.returncode != 0:
            raise Unavailable(f"it exited with {process.returncode} on start; see {log_path()}")
        time.sleep(0.01)
    raise Unavailable(f"it did not start within {START_TIMEOUT:.0f} s; see {log_path()}")
