"""One call the pairing service runs for a caller: their streams and identity, and the command itself.

The service's sys.stdin/stdout/stderr are `CallStream`s: whatever a command
prints goes to the call it runs for (found through a context variable,
which the call's job on the event loop inherits), and to the service log
outside any call. A call's stdout and stderr are relayed to its client as
messages (`Relay`); its stdin is the caller's own descriptor.
"""

from __future__ import annotations

import asyncio
import codecs
import concurrent.futures
import contextlib
import io
import os
import socket
import stat
import sys
import threading
import traceback
from contextvars import ContextVar
from typing import Any, Callable

from ...core.api import Caller
from .. import output
from . import wire

# Kinds of descriptor a caller's stdin may be (a directory or an epoll would fail on first read).
_STDIN_KINDS = (stat.S_ISREG, stat.S_ISFIFO, stat.S_ISSOCK, stat.S_ISCHR, stat.S_ISBLK)


class BadRequest(Exception):
    """A request the service will not run (its reason goes back to the client)."""


def check_request(message: dict[str, Any]) -> None:
    """Refuse, before anything is run or received, a request whose fields have the wrong shape."""
    argv, env, cwd = message.get("argv"), message.get("env"), message.get("cwd")
    if not isinstance(argv, list) or not all(isinstance(a, str) for a in argv):
        raise BadRequest("argv is not a list of strings")
    if not isinstance(env, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in env.items()):
        raise BadRequest("env is not a mapping of strings")
    if not isinstance(cwd, str) or not cwd.startswith("/"):
        raise BadRequest("cwd is not an absolute path")
    encoding = message.get("stdout_encoding", "utf-8")
    try:
        codecs.lookup(encoding if isinstance(encoding, str) else "")
    except LookupError:
        raise BadRequest(f"unknown encoding {encoding!r}") from None


def check_stdin(fd: int) -> None:
    """The caller's stdin is something a command can read."""
    mode = os.fstat(fd).st_mode
    if not any(kind(mode) for kind in _STDIN_KINDS):
        raise BadRequest("stdin is not a file, pipe, socket or device")


class Relay:
    """Messages to the client: the call's output, heartbeats and the exit code (one writer at a time)."""

    def __init__(self, conn: socket.socket) -> None:
        self.conn = conn
        self.lock = threading.Lock()
        self.broken = False

    def text(self, key: str, text: str) -> None:
        for start in range(0, len(text), wire.MAX_TEXT):
            self.send({key: text[start:start + wire.MAX_TEXT]})

    def send(self, message: dict[str, Any]) -> None:
        with self.lock:
            self._send(message)

    def beat(self) -> None:
        """A sign of life, unless output is being written right now (that is one already)."""
        if self.lock.acquire(blocking=False):
            try:
                self._send({"beat": 1})
            except OSError:
                pass
            finally:
                self.lock.release()

    def _send(self, message: dict[str, Any]) -> None:
        if self.broken:
            raise BrokenPipeError("the caller went away")
        try:
            self.conn.sendall(wire.encode(message))
        except OSError:
            self.broken = True
            raise


class RelayStream(io.TextIOBase):
    """A call's stdout or stderr: text sent to the client, which writes it to its own stream."""

    def __init__(self, relay: Relay, key: str, encoding: str) -> None:
        self._relay = relay
        self._key = key
        self._encoding = encoding

    @property
    def encoding(self) -> str:  # type: ignore[override]  # the caller's: what the JSON is written for
        return self._encoding

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def write(self, text: str | bytes) -> int:  # (click may write bytes)
        if self.closed:
            raise ValueError("I/O operation on closed stream")
        if isinstance(text, (bytes, bytearray)):
            text = bytes(text).decode("utf-8", "replace")
        self._relay.text(self._key, text)
        return len(text)


class Call:
    """One caller's call: their streams and identity while it runs, and how to cancel it."""

    def __init__(self, message: dict[str, Any], stdin_fd: int, relay: Relay) -> None:
        """`message` has passed `check_request`; `stdin_fd` (ours to close) `check_stdin`."""
        self.argv = list(message["argv"])
        self.caller = Caller(cwd=message["cwd"], environ=wire.caller_environ(message["env"]))
        encoding = codecs.lookup(message.get("stdout_encoding") or "utf-8").name
        self.relay = relay
        self.stdin: io.TextIOBase | None = io.TextIOWrapper(
            io.BufferedReader(io.FileIO(stdin_fd, "r")), encoding="utf-8", errors="strict")
        self.stdout: io.TextIOBase | None = RelayStream(relay, "out", encoding)
        self.stderr: io.TextIOBase | None = RelayStream(relay, "err", encoding)
        self.open = True
        self.cancelled = False
        self.future: concurrent.futures.Future[Any] | None = None
        self._lock = threading.Lock()

    def stream(self, name: str) -> io.TextIOBase | None:
        return getattr(self, name) if self.open else None

    def cancel(self) -> None:
        """The caller went away (Ctrl+C, killed): stop writing to them and cancel the job."""
        with self._lock:
            self.cancelled = True
            self.open = False
            if self.future is not None:
                self.future.cancel()

    def attach(self, future: concurrent.futures.Future[Any]) -> None:
        with self._lock:
            self.future = future
            if self.cancelled:
                future.cancel()

    def close(self) -> None:
        self.open = False
        self.future = None  # its callbacks hold the job's task, whose context holds this call: a cycle
        for stream in (self.stdout, self.stderr, self.stdin):
            if stream is not None:
                with contextlib.suppress(Exception):
                    stream.flush()
                with contextlib.suppress(Exception):
                    stream.close()


_CALL: ContextVar[Call | None] = ContextVar("marimo_pair_tui_call", default=None)


class CallStream:
    """sys.stdin/stdout/stderr in the service: the current call's own, the service log otherwise."""

    def __init__(self, name: str, fallback: Any) -> None:
        self._name = name
        self._fallback = fallback

    def _target(self) -> Any:
        call = _CALL.get()
        stream = call.stream(self._name) if call is not None else None
        return stream if stream is not None else self._fallback

    def write(self, text: str) -> int:
        try:
            return self._target().write(text)
        except (OSError, ValueError):
            return len(text)  # the caller's pipe closed: their loss, not the service's

    def flush(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self._target().flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._target(), name)


class JobExit(Exception):
    """A job called sys.exit: carried out of the event loop (where SystemExit would stop it)."""

    def __init__(self, code: Any) -> None:
        super().__init__(code)
        self.code = code


def current_call() -> Call | None:
    return _CALL.get()


def start_call(call: Call) -> None:
    """From now on, in this thread (and the jobs it starts), output goes to `call`."""
    _CALL.set(call)


def run_headless(argv: list[str], log: Callable[[str], None], log_path: str) -> int:
    """The headless command line as in-process: its exit code (SystemExit caught).

    Whatever fails, loading the commands' code included, is answered with a document: the
    caller gets its exit code and one JSON document, never an exit code alone."""
    try:
        from ..cli.entry import main  # (loaded on the first call: a package changed on disk may fail here)
    except Exception as exc:
        log("the commands' code did not load:\n" + traceback.format_exc())
        output.emit({"success": False, "error": {
            "kind": "internal",
            "message": f"The pairing service could not load marimo-pair-tui's code ({type(exc).__name__}: {exc}); "
                       "its files may be changing (an edit or an upgrade under way).",
            "next": "Run it again once the files are whole (a changed package gets a service of its own), "
                    f"or with --no-service; the service log is {log_path}."}})
        return 1
    try:
        main(argv)
        return 0
    except SystemExit as exit:
        if exit.code is None:
            return 0
        if isinstance(exit.code, int):
            return exit.code
        sys.stderr.write(f"{exit.code}\n")
        return 1
    except (concurrent.futures.CancelledError, asyncio.CancelledError):
        return 130
    except Exception:
        log("a call failed:\n" + traceback.format_exc())
        output.emit({"success": False, "error": {
            "kind": "internal", "message": "The pairing service failed on this call (a bug).",
            "next": f"Run it again with --no-service; the service log is {log_path}."}})
        return 1
