"""A one-shot headless call through the user's pairing service (standard library only).

An agent's shell pays every call's start-up: this path imports no httpx,
click or rich. It hands the command line, the working directory, the
environment and its stdin/stdout/stderr to the service (headless/
service_host.py, started here on first use), which runs the command as if
in-process and writes the caller's output itself; the client exits with
the code it is sent.

`main` returns None when the call is better made in-process (the service is
switched off, cannot start, or the command is one the client keeps).
"""

from __future__ import annotations

import json
import os
import socket
import sys
import time

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

from . import service_wire as wire

START_TIMEOUT = 20.0  # seconds for a new service to accept its first call
ACCEPT_TIMEOUT = 15.0  # seconds for a running service to take a call (a hung one is bypassed)
EXIT_USAGE, EXIT_CONNECTION, EXIT_UNKNOWN_OUTCOME = 2, 3, 4


class Unavailable(Exception):
    """No service can answer this call: make it in-process."""


def _emit(document: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(document, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def _failure(kind: str, message: str, next: str) -> dict[str, Any]:
    return {"success": False, "error": {"kind": kind, "message": message, "next": next}}


def switched_off(environ: Any = os.environ) -> bool:
    return (environ.get(wire.NO_SERVICE_ENV) or "").strip().lower() not in ("", "0", "false", "no")


def main(args: list[str]) -> int | None:
    """Run `args` (after --headless) through the service: its exit code, or None to run in-process."""
    command = args[0] if args and not args[0].startswith("-") else None
    if command == "service":
        return service_command(args[1:])
    if command is None or command in wire.IN_PROCESS or switched_off() or not hasattr(socket, "send_fds"):
        return None  # (no Unix sockets with descriptor passing here: in-process)
    try:
        return _call(args, command)
    except Unavailable as why:
        if str(why):
            sys.stderr.write(f"The pairing service is not available ({why}); running in-process.\n")
        return None
    except KeyboardInterrupt:  # the socket is closed by now: the service cancels the call, as Ctrl+C does in-process
        _emit(_failure("error", "Interrupted by the user.",
                       "If code was running, closing the request interrupted the kernel; check its state."))
        return 130


def _connect(path: str) -> socket.socket | None:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(path)
    except (FileNotFoundError, ConnectionRefusedError):
        sock.close()
        return None
    except OSError as exc:
        sock.close()
        raise Unavailable(f"cannot reach {path}: {exc.strerror or exc}") from None
    return sock


def _descriptors() -> list[int]:
    """Our stdin, stdout and stderr for the service (a closed one stands in as /dev/null)."""
    fds = []
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
            fds.append(fd)
        except OSError:
            fds.append(os.open(os.devnull, os.O_RDWR))
    return fds


def _request(args: list[str]) -> dict[str, Any]:
    return {
        "op": "run",
        "version": wire.fingerprint(),
        "argv": args,
        "cwd": os.getcwd(),
        "env": dict(os.environ),
        "stdout_encoding": getattr(sys.stdout, "encoding", None) or "utf-8",
    }


def _call(args: list[str], command: str) -> int:
    path = wire.socket_path(os.environ)
    request = _request(args)
    for _attempt in range(3):
        sock = _connect(path) or _start(path)
        try:
            try:
                sock.settimeout(ACCEPT_TIMEOUT)
                wire.send(sock, request)
                first, _ = wire.receive(sock)
                sock.settimeout(None)
                if first.get("started"):
                    # Only now may it run, and only now does it get our stdin/stdout/stderr: a call
                    # given up on never runs, and a hung service never holds our pipes open.
                    wire.send(sock, {"go": True}, _descriptors())
            except socket.timeout:
                raise Unavailable(f"it did not take the call within {ACCEPT_TIMEOUT:.0f} s; see {_log_path()}") from None
            except (wire.WireError, OSError):
                continue  # it went away before taking the call: nothing ran
            if first.get("mismatch"):
                continue  # an older service stepped down; the next attempt starts ours
            if not first.get("started"):
                raise Unavailable(str(first.get("refused") or "it refused the call"))
            try:
                final, _ = wire.receive(sock)
                return int(final["exit"])
            except (wire.WireError, OSError, KeyError, ValueError):
                return _lost(command, first.get("pid"))
        finally:
            sock.close()
    raise Unavailable("it kept going away before taking the call")


def _lost(command: str, pid: Any) -> int:
    """The service ended while running the call: a read is asked again in-process; anything
    else may or may not have happened, so it is reported, never resent."""
    if command in wire.READ_ONLY:
        sys.stderr.write(f"The pairing service (pid {pid}) ended while answering; asking again in-process.\n")
        raise Unavailable("")
    _emit(_failure(
        "outcome_unknown",
        f"The pairing service (pid {pid}) ended while running `{command}`: whether it took effect is unknown.",
        "Nothing was sent again. Check the session (`status`, `cells`, `activity`) before repeating it; "
        f"the service log is {_log_path()}.",
    ))
    return EXIT_UNKNOWN_OUTCOME


def _log_path() -> str:
    return os.path.join(wire._state_home(os.environ), "marimo-pair-tui", "service.log")


def _start(path: str) -> socket.socket:
    """Start a detached service for this user and state directory and connect to it."""
    import subprocess

    try:
        wire.private_runtime(os.path.dirname(path))
    except OSError as exc:
        raise Unavailable(f"{os.path.dirname(path)}: {exc}") from None
    env = {k: v for k, v in os.environ.items() if k != "MARIMO_TOKEN"}  # requests bring their own
    # The service runs the very code this client is (a checkout, another install): the version check
    # would otherwise refuse it on every call.
    env["PYTHONPATH"] = os.pathsep.join(p for p in (os.path.dirname(wire.PACKAGE), env.get("PYTHONPATH")) if p)
    process = subprocess.Popen(
        [sys.executable, "-m", "marimo_pair_tui.headless.service_host", path],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True, close_fds=True, env=env, cwd="/",
    )
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        sock = _connect(path)
        if sock is not None:
            return sock
        if process.poll() is not None and process.returncode != 0:
            raise Unavailable(f"it exited with {process.returncode} on start; see {_log_path()}")
        time.sleep(0.01)
    raise Unavailable(f"it did not start within {START_TIMEOUT:.0f} s; see {_log_path()}")


def service_command(args: list[str]) -> int:
    """`service status|start|stop`: the service of this user and state directory."""
    action = args[0] if args else ""
    if action not in ("status", "start", "stop") or len(args) > 1:
        _emit(_failure("usage", f"Unknown service action {' '.join(args)!r}." if args else "No service action given.",
                       "Run `marimo-pair-tui --headless service status`, `service start` or `service stop`."))
        return EXIT_USAGE
    path = wire.socket_path(os.environ)
    sock = _connect_quietly(path)
    if sock is None and action == "start":
        try:
            sock = _start(path)
        except Unavailable as why:
            _emit(_failure("service", f"The pairing service could not start: {why}.",
                           "Run commands with --no-service (or MARIMO_PAIR_NO_SERVICE=1) meanwhile."))
            return EXIT_CONNECTION
    if sock is None:
        _emit({"success": True, "running": False, "socket": path})
        return 0
    with sock:
        try:
            wire.send(sock, {"op": "stop" if action == "stop" else "status"})
            reply, _ = wire.receive(sock)
        except (wire.WireError, OSError) as exc:
            _emit(_failure("service", f"The pairing service at {path} did not answer ({exc}).",
                           f"Its log is {_log_path()}; stop it by its pid if it hangs."))
            return EXIT_CONNECTION
    if action == "stop":
        _wait_gone(reply.get("pid"))
        reply = {"running": False, "stopped": True,
                 **{k: reply.get(k) for k in ("pid", "version", "uptime_s", "calls", "sessions")}}
    _emit({"success": True, **reply, "socket": path})
    return 0


def _connect_quietly(path: str) -> socket.socket | None:
    try:
        return _connect(path)
    except Unavailable:
        return None


def _wait_gone(pid: Any, timeout: float = 10.0) -> None:
    """Until the stopped service's process has ended (so `stop` means stopped)."""
    if not isinstance(pid, int):
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
            with open(f"/proc/{pid}/stat") as stat:  # an exited process waits as a zombie until reaped
                if stat.read().rsplit(")", 1)[1].split()[0] == "Z":
                    return
        except (ProcessLookupError, PermissionError, FileNotFoundError, IndexError):
            return
        except OSError:
            pass  # no /proc here: wait for the pid to go
        time.sleep(0.02)
