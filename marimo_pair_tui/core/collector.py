"""The garbage collector of a long-lived process (the app, the pairing service, the MCP server).

A full collection walks every object the process holds: a model of thousands
of cells, a screen's widgets and their cached lines. Measured, they stalled
keys 20-170 ms in the app and were most of the live model's p95 lag at 5,000
cells. What exists once start-up is done lives as long as the process, so it
is frozen out of collections, and collections run less often.
"""

from __future__ import annotations

import gc

THRESHOLDS = (50_000, 20, 40)  # generation 0 allocations, then 1 and 2 collections between runs


def settle() -> None:
    """Call once start-up is done."""
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
