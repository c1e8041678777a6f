"""What a door asks the service and what it gets back: plain data, JSON both ways.

A `TargetSpec` says which session a call means, exactly as the user said it
(flags, MCP arguments, a picked row); a `Reply` carries a call's value with
the target it resolved to and the warnings gathered on the way. Both turn
into JSON and back, so the service can later sit in another process.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from ..wire.sessions import Target

T = TypeVar("T")


@dataclass(frozen=True)
class TargetSpec:
    """Which session: a notebook (path or unique basename), a session id, a server URL."""

    notebook: str | None = None
    session: str | None = None
    url: str | None = None
    cwd: str | None = None  # relative notebook paths are read from here (the caller's directory)

    @property
    def named(self) -> bool:
        """The caller named a session or notebook (else: the only open session)."""
        return self.notebook is not None or self.session is not None

    def to_json(self) -> dict[str, Any]:
        return {"notebook": self.notebook, "session": self.session, "url": self.url, "cwd": self.cwd}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "TargetSpec":
        return cls(**{k: data.get(k) for k in ("notebook", "session", "url", "cwd")})


@dataclass
class Reply(Generic[T]):
    """A call's value, the session it acted on (if any), and what the caller should know."""

    value: T
    target: Target | None = None
    warnings: list[str] = field(default_factory=list)

    def warn(self, *messages: str) -> "Reply[T]":
        for message in messages:
            if message not in self.warnings:
                self.warnings.append(message)
        return self


@dataclass(frozen=True)
class KernelView:
    """Whether anything is queued or running, as the live mirror sees it, and the mirror's own state."""

    idle: bool
    running: list[str]
    queued: list[str]
    live: str
    waiting_for_input: list[dict[str, str]] = field(default_factory=list)  # [{cell, prompt}]
    notices: dict[str, Any] | None = None  # what marimo told besides cells (core/model/kernel_notices.py), as JSON
    stopped: str | None = None  # why the kernel process is gone (marimo's banner), until the session restarts

    @property
    def state(self) -> str:
        """The kernel's state in /api/kernel/status's words: idle, running (or stopped when the session went
        or its kernel process died)."""
        if self.live == "gone" or self.stopped:
            return "stopped"
        return "idle" if self.idle else "running"


@dataclass
class CellsView:
    """The notebook's cells (all, or those asked for) and where they were read."""

    cells: list[Any]  # live `Cell`s, or code_mode `CellState`s when source == "code_mode"
    source: str  # "live" or "code_mode"
    kernel: KernelView | None = None
    ui: dict[str, Any] = field(default_factory=dict)  # the kernel's values of the UI elements shown, by object id


@dataclass
class ActivityPage:
    """The newest activity entries (newest first), whether older ones matched, and when the log began."""

    entries: list[Any]  # core.activity.ActivityEntry
    more: bool
    log_started_at: float | None
    kernel: KernelView | None = None


@dataclass
class IdleWait:
    """How a wait for an idle kernel ended (idle, timeout or gone), and the cells then."""

    reason: str
    kernel: KernelView
    cells: list[Any]  # core.cell.Cell


@dataclass
class GrepView:
    """A search of the cells as the live mirror holds them, and the kernel's state then."""

    found: Any  # core.model.search.Found
    kernel: KernelView
