"""Warnings gathered during one call, returned with its value.

Discovery finds problems deep down (a dead registry entry, an ssh host that
answers badly) that are worth telling but must not fail the call. Each call
opens its own collector; code below it adds to whichever collector the
current task runs under, so concurrent calls never see each other's warnings
and nobody clears a shared list.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from typing import Iterable, Iterator

_current: ContextVar[list[str] | None] = ContextVar("marimo_pair_tui_notes", default=None)


def warn(*messages: str) -> None:
    """Add warnings to the call in progress (dropped when no call collects them)."""
    bucket = _current.get()
    if bucket is not None:
        bucket.extend(m for m in messages if m not in bucket)


def warn_all(messages: Iterable[str]) -> None:
    warn(*messages)


@contextmanager
def collecting() -> Iterator[list[str]]:
    """Collect the warnings raised in this block (and the tasks it starts) into a fresh list."""
    bucket: list[str] = []
    token = _current.set(bucket)
    try:
        yield bucket
    finally:
        _current.reset(token)
