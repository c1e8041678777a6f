"""`marimo-pair-tui --headless service status|start|stop`: the user's pairing service, never waited on long.

A service that does not answer within CONTROL_TIMEOUT is reported as such;
`stop` then ends it by the pid that holds its lock, once that pid proves to
be this user's service for this socket. Standard library only.
"""

from __future__ import annotations

import os
import time

from . import trust
from . import wire
from .client import EXIT_CONNECTION, EXIT_USAGE, Unavailable, emit, failure, log_path, open_service, start_service

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

CONTROL_TIMEOUT = 5.0  # seconds `service status` and `service stop` wait for an answer
FORCE_GRACE = 3.0  # seconds a service that did not answer `stop` gets after SIGTERM, before SIGKILL


def service_command(args: list[str]) -> int:
    """`service status|start|stop`: the service of this user and state directory (never waits
    long: a service that does not answer is reported, and `stop` ends it by its pid)."""
    action = args[0] if args else ""
    if action not in ("status", "start", "stop") or len(args) > 1:
        emit(failure("usage", f"Unknown service action {' '.join(args)!r}." if args else "No service action given.",
                     "Run `marimo-pair-tui --headless service status`, `service start` or `service stop`."))
        return EXIT_USAGE
    path = wire.socket_path(os.environ)
    try:
        sock = open_service(path, CONTROL_TIMEOUT)
        if sock is None and action == "start":
            sock = start_service(path)
    except Unavailable as why:
        if action == "stop":
            return _force_stop(path, str(why))
        emit(failure("service", f"The pairing service cannot be used: {why}.",
                     "Run commands with --no-service (or MARIMO_PAIR_NO_SERVICE=1) meanwhile."))
        return EXIT_CONNECTION
    if sock is None:
        emit({"success": True, "running": False, "socket": path})
        return 0
    with sock:
        try:
            sock.settimeout(CONTROL_TIMEOUT)
            wire.send(sock, {"op": "stop" if action == "stop" else "status"})
            reply, _ = wire.receive(sock)
        except (wire.WireError, OSError) as exc:
            silence = (f"did not answer within {CONTROL_TIMEOUT:.0f} s" if isinstance(exc, TimeoutError)
                       else f"did not answer ({exc})")
            if action == "stop":
                return _force_stop(path, silence)
            holder = _holder(path)
            emit(failure("service", f"The pairing service (pid {holder}) at {path} {silence}.",
                         "`marimo-pair-tui --headless service stop` ends it by its pid; calls meanwhile "
                         f"run in-process. Its log is {log_path()}."))
            return EXIT_CONNECTION
    if action == "stop":
        _wait_gone(reply.get("pid"))
        _clear_hung(path)
        reply = {"running": False, "stopped": True,
                 **{k: reply.get(k) for k in ("pid", "version", "uptime_s", "calls", "sessions")}}
    emit({"success": True, **reply, "socket": path})
    return 0


def _holder(path: str) -> int | None:
    try:
        return trust.lock_holder(path)
    except (trust.Untrusted, OSError):
        return None


def _clear_hung(path: str) -> None:
    try:
        os.unlink(wire.hung_marker(path))
    except OSError:
        pass


def _force_stop(path: str, why: str) -> int:
    """`stop` for a service that does not answer: end the lock holder by its pid (it must be this
    user's service process for this socket)."""
    import signal

    pid = _holder(path)
    if pid is None or pid < 0 or not trust.is_service_process(pid, path):
        emit(failure("service", f"The pairing service at {path} could not be stopped: {why}.",
                     f"No service process of yours holds {trust.lock_path(path)}; remove what is named above."))
        return EXIT_CONNECTION
    for sig in (signal.SIGTERM, signal.SIGCONT):  # a stopped (SIGSTOP) process takes SIGTERM once continued
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            break
    if not _wait_gone(pid, FORCE_GRACE):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        _wait_gone(pid)
    _clear_hung(path)
    emit({"success": True, "running": False, "stopped": True, "forced": True, "pid": pid, "socket": path,
           "warnings": [f"The service {why}; it was ended by its pid."]})
    return 0


def _wait_gone(pid: Any, timeout: float = 10.0) -> bool:
    """Until the stopped service's process has ended (so `stop` means stopped): True if it did."""
    if not isinstance(pid, int):
        return True
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
            with open(f"/proc/{pid}/stat") as stat:  # an exited process waits as a zombie until reaped
                if stat.read().rsplit(")", 1)[1].split()[0] == "Z":
                    return True
        except (ProcessLookupError, PermissionError, FileNotFoundError, IndexError):
            return True
        except OSError:
            pass  # no /proc here: wait for the pid to go
        time.sleep(0.02)
    return False
