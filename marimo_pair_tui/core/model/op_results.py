"""What cell operations return: cells as the kernel reported them, and per-operation facts.

Kept apart from `codemode/client.py` (the transport) so views and tests can build and
read these without the program machinery.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from .outputs import kept_data, snapshot_errors

MARKER = "@@marimo-pair-tui/reply"  # the kernel program frames its reply lines with this and a nonce
FAILED_STATUSES = frozenset({"exception", "marimo-error", "interrupted", "cancelled"})


@dataclass(frozen=True)
class CellErrorInfo:
    kind: str
    message: str


@dataclass(frozen=True)
class ConsoleItem:
    channel: str
    mimetype: str
    data: str


@dataclass
class CellState:
    """One cell as the kernel reported it; `raw` keeps the snapshot shape (errors with `msg`)."""

    id: str
    name: str
    code: str
    hash: str
    status: str | None
    errors: list[CellErrorInfo]
    console: list[ConsoleItem]
    output: dict[str, str] | None
    defs: list[str]
    refs: list[str]
    disabled: bool
    hide_code: bool
    raw: dict[str, Any] = field(repr=False)

    @classmethod
    def from_raw(cls, raw: dict[str, Any]) -> "CellState":
        config = raw.get("config") or {}
        return cls(
            id=raw["id"],
            name=raw.get("name") or "",
            code=raw.get("code", ""),
            hash=raw.get("hash", ""),
            status=raw.get("status"),
            errors=[CellErrorInfo(e.kind, e.message) for e in snapshot_errors(raw)],
            console=[ConsoleItem(c["channel"], c["mimetype"], kept_data(c["mimetype"], c["data"]))
                     for c in raw.get("console", [])],
            output=raw.get("output"),
            defs=list(raw.get("defs", [])),
            refs=list(raw.get("refs", [])),
            disabled=bool(config.get("disabled")),
            hide_code=bool(config.get("hide_code")),
            raw=raw,
        )

    @property
    def failed(self) -> bool:
        return self.status in FAILED_STATUSES


@dataclass
class Snapshot:
    """Every cell in notebook order; `raw` is `{"cells": [...]}` for the notebook model."""

    cells: list[CellState]
    order: list[str]
    raw: dict[str, Any] = field(repr=False)


@dataclass
class OpResult:
    """What an operation changed: the affected cells' new state and op-specific facts."""

    op: str
    cells: list[CellState]
    order: list[str]
    extra: dict[str, Any] = field(default_factory=dict)
    narration: str = ""
    warnings: list[str] = field(default_factory=list)
    ran: bool = False  # the operation ran cells (run, or create/edit with run)

    @property
    def failed_cells(self) -> list[str]:
        """Cells this operation ran that failed; a status from an earlier run is not this operation's outcome."""
        return [c.id for c in self.cells if c.failed] if self.ran else []

    @property
    def success(self) -> bool:
        failed_packages = [p for p in self.extra.get("packages", []) if p.get("outcome") != "success"]
        return not self.failed_cells and not failed_packages


def parse_reply(stdout: str, nonce: str) -> tuple[dict[str, Any] | None, str]:
    """(the reply for this nonce or None, stdout without the reply lines)."""
    prefix = f"{MARKER}:{nonce}:"
    chunks: dict[int, str] = {}
    total: int | None = None
    kept: list[str] = []
    for line in stdout.split("\n"):
        if not line.startswith(prefix):
            kept.append(line)
            continue
        try:
            index_text, count_text, chunk = line[len(prefix) :].split(":", 2)
            index, count = int(index_text), int(count_text)
        except ValueError:
            return None, stdout
        if total not in (None, count) or index in chunks or not 0 <= index < count:
            return None, stdout
        total = count
        chunks[index] = chunk
    narration = "\n".join(kept).strip("\n")
    if total is None or len(chunks) != total:
        return None, narration
    try:
        reply = json.loads("".join(chunks[i] for i in range(total)))
    except ValueError:
        return None, narration
    return (reply if isinstance(reply, dict) else None), narration
