"""The memory of a long-lived process (the app, the pairing service, the MCP server).

A full collection walks every object the process holds: a model of thousands
of cells, a screen's widgets and their cached lines. Measured, they stalled
keys 20-170 ms in the app and were most of the live model's p95 lag at 5,000
cells. What exists once start-up is done lives as long as the process, so it
is frozen out of collections; the app also collects far less often.

A process that serves calls keeps the interpreter's own thresholds: every
call leaves reference cycles (httpx's requests and responses, asyncio's
tasks), and with the app's thresholds a service held the garbage of hundreds
of calls at a time, and the allocators kept the peak: 15-20 MB more RSS over
2,000 calls, still climbing. With the defaults, a call's garbage goes within
a few calls, and CPython runs a full collection only once the long-lived
objects grew by a quarter.

glibc's malloc gives each thread that allocates at the same time as another
an arena of its own (up to 8 per core), and the service starts threads for
every call: freed memory, scattered over those arenas, is kept by each. Under
the GIL threads rarely allocate at once, so two arenas cost nothing and keep
the free memory in one place to be reused.
"""

from __future__ import annotations

import gc
import os

INTERACTIVE = (50_000, 20, 40)  # the app: generation 0 allocations, then 1 and 2 collections between runs
SERVING = (700, 10, 10)  # the interpreter's defaults: the service and the MCP server
ARENA_MAX = 2
M_ARENA_MAX = -8  # glibc's mallopt parameter number


def settle(thresholds: tuple[int, int, int] = SERVING) -> None:
    """Call once start-up is done, before the threads that serve calls start."""
    gc.freeze()
    gc.set_threshold(*thresholds)
    limit_arenas()


def limit_arenas(count: int = ARENA_MAX) -> bool:
    """At most `count` malloc arenas (glibc only; elsewhere nothing changes): whether it took."""
    try:
        libc_version = os.confstr("CS_GNU_LIBC_VERSION") or ""
    except (ValueError, OSError, AttributeError):
        return False
    if not libc_version.startswith("glibc"):
        return False
    import ctypes  # (here: a one-shot command imports this module and never settles)

    try:
        return bool(ctypes.CDLL(None).mallopt(M_ARENA_MAX, count))
    except (OSError, AttributeError):
        return False
