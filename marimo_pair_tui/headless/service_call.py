"""One call the pairing service runs for a caller: their streams and identity, and the command itself.

The service's sys.stdin/stdout/stderr are `CallStream`s: whatever a command
prints goes to the streams of the call it runs for (found through a context
variable, which the call's job on the event loop inherits), and to the
service log outside any call.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import io
import sys
import threading
import traceback
from contextvars import ContextVar
from typing import Any, Callable

from ..core.service import caller
from . import output


class Call:
    """One caller's call: their streams and identity while it runs, and how to cancel it."""

    def __init__(self, message: dict[str, Any], fds: list[int]) -> None:
        self.argv = [str(a) for a in message.get("argv", [])]
        env = message.get("env")
        self.caller = caller.Caller(cwd=str(message.get("cwd") or "/"),
                                    environ=dict(env) if isinstance(env, dict) else {})
        encoding = str(message.get("stdout_encoding") or "utf-8")
        stdin_fd, stdout_fd, stderr_fd = (fds + [-1, -1, -1])[:3]
        self.stdin = _text(stdin_fd, "rb", "utf-8", "strict")
        self.stdout = _text(stdout_fd, "wb", encoding, "strict")
        self.stderr = _text(stderr_fd, "wb", encoding, "backslashreplace")
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
        for stream in (self.stdout, self.stderr, self.stdin):
            if stream is not None:
                with contextlib.suppress(Exception):
                    stream.flush()
                with contextlib.suppress(Exception):
                    stream.close()


def _text(fd: int, mode: str, encoding: str, errors: str) -> io.TextIOWrapper | None:
    """A text stream over a descriptor the caller sent (closed with the call)."""
    if fd < 0:
        return None
    if mode == "rb":
        return io.TextIOWrapper(io.BufferedReader(io.FileIO(fd, "r")), encoding=encoding, errors=errors)
    return io.TextIOWrapper(io.BufferedWriter(io.FileIO(fd, "w")), encoding=encoding, errors=errors,
                            write_through=True)


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
    """The headless command line as in-process: its exit code (SystemExit caught)."""
    from .cli import main

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
