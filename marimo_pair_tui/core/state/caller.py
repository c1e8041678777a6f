"""Who a call is made for: their working directory and environment.

A one-shot command run in-process reads its own. The pairing service
(headless/service/host.py) serves many callers from one process; it sets the
caller of each request here, and the core reads paths and environment
through these functions instead of the process's own.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Mapping


@dataclass(frozen=True)
class Caller:
    cwd: str
    environ: Mapping[str, str]


_CALLER: ContextVar[Caller | None] = ContextVar("marimo_pair_tui_caller", default=None)


def environ() -> Mapping[str, str]:
    """The caller's environment (the process's own outside the service)."""
    caller = _CALLER.get()
    return os.environ if caller is None else caller.environ


def cwd() -> Path:
    """The caller's working directory."""
    caller = _CALLER.get()
    return Path.cwd() if caller is None else Path(caller.cwd)


def path(value: str | os.PathLike[str]) -> Path:
    """`value` as the caller means it: `~` is their home, a relative path is from their directory."""
    text = os.fspath(value)
    home = environ().get("HOME")
    if home and (text == "~" or text.startswith("~/")):
        text = home + text[1:]
    candidate = Path(text).expanduser()  # ~user
    return candidate if candidate.is_absolute() else cwd() / candidate


@contextmanager
def serving(caller: Caller) -> Iterator[None]:
    """Within this block (and the tasks it starts), the core works for `caller`."""
    token = _CALLER.set(caller)
    try:
        yield
    finally:
        _CALLER.reset(token)
