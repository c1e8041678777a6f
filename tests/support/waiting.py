"""The suite's one way to wait for something that happens elsewhere (a server, a kernel, the app).

`wait_until` polls a probe until it returns something truthy and returns that; `wait_until_async`
does the same inside a running event loop (the probe may be a coroutine function, and `pause` lets the
Textual pilot run the app between looks). At the deadline both fail with what was waited for and
the probe's last answer (and `detail()`, e.g. the screen), so a timeout says what never happened.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

# A file caught mid-write, a process not there yet: a look that may go right the next time.
TRANSIENT: tuple[type[BaseException], ...] = (OSError, ValueError, SyntaxError)
INTERVAL = 0.05


def _failure(what: str, timeout: float, last: Any, detail: Callable[[], object] | None) -> AssertionError:
    told = f"\n{detail()}" if detail is not None else ""
    return AssertionError(f"timed out after {timeout}s waiting for {what}; last: {last!r}{told}")


def wait_until(
    probe: Callable[[], T | None],
    timeout: float = 15.0,
    what: str = "condition",
    *,
    interval: float = INTERVAL,
    ignoring: tuple[type[BaseException], ...] = TRANSIENT,
    detail: Callable[[], object] | None = None,
) -> T:
    """Poll `probe` until it returns something truthy (returned); fail after `timeout` seconds.
    An exception in `ignoring` counts as a falsy answer (the next look may go right)."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while True:
        try:
            last = probe()
        except ignoring as exc:
            last = exc
        if last and not isinstance(last, BaseException):
            return last
        if time.monotonic() > deadline:
            raise _failure(what, timeout, last, detail)
        time.sleep(interval)


async def wait_until_async(
    probe: Callable[[], T | None | Awaitable[T | None]],
    timeout: float = 15.0,
    what: str = "condition",
    *,
    interval: float = INTERVAL,
    ignoring: tuple[type[BaseException], ...] = TRANSIENT,
    pause: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    detail: Callable[[], object] | None = None,
) -> T:
    """`wait_until` for async tests: the loop (and the app, through `pause`) runs between looks."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while True:
        try:
            last = probe()
            if inspect.isawaitable(last):
                last = await last
        except ignoring as exc:
            last = exc
        if last and not isinstance(last, BaseException):
            return last
        if time.monotonic() > deadline:
            raise _failure(what, timeout, last, detail)
        await pause(interval)


def gate(release: Path) -> str:
    """Python that waits until `release` exists: a cell or snippet holds the kernel busy exactly
    as long as the test wants (it creates the file), where a sleep would guess how long is enough.
    Its names are cell-private (`_…`), so it can go into any cell."""
    return (f"import pathlib as _pathlib, time as _time\n"
            f"while not _pathlib.Path({str(release)!r}).exists():\n    _time.sleep(0.05)\n")
