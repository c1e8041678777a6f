"""One notebook cell: its document fields, what the kernel said, and its status.

Statuses use code_mode's words (idle, queued, running, stale, exception,
cancelled, interrupted, marimo-error, disabled, or None when nothing is known).
The wire only says idle/queued/running/disabled-transitively; the rest is read
from the error output, as code_mode reads it from the kernel's run result.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .analysis import static_defs_refs
from ..parts.payloads import CellError
from .outputs import ConsoleEntry, Output, append_console

UNNAMED = "_"  # marimo's name for a cell nobody named
BUSY = ("queued", "running")  # runtime states with a run still to finish


def code_hash(code: str) -> str:
    """Short content hash of a cell's code (first 12 hex of sha256 of UTF-8): a cell's `hash`, the
    `expect` an edit is checked against. The host's one definition; the kernel programs repeat it
    (core/codemode/programs/base.py)."""
    return hashlib.sha256(code.encode("utf-8")).hexdigest()[:12]


@dataclass
class CellConfig:
    disabled: bool = False
    hide_code: bool = False
    column: int | None = None
    expand_output: bool = False

    @classmethod
    def from_wire(cls, raw: Mapping[str, Any] | None) -> CellConfig:
        """Accepts marimo's snake_case config and set-config's camelCase."""
        raw = raw or {}
        return cls(disabled=bool(raw.get("disabled", False)),
                   hide_code=bool(raw.get("hide_code", raw.get("hideCode", False))),
                   column=raw.get("column"),
                   expand_output=bool(raw.get("expand_output", raw.get("expandOutput", False))))


@dataclass
class Cell:
    """One cell: document fields plus what the kernel last said about it."""

    id: str
    name: str = UNNAMED
    code: str = ""
    config: CellConfig = field(default_factory=CellConfig)
    errors: list[CellError] = field(default_factory=list)
    console: list[ConsoleEntry] = field(default_factory=list)
    console_truncated: bool = False
    output: Output | None = None
    # What the kernel's graph said (a `variables` event or a snapshot); only
    # used when the code does not compile, see `defs`.
    graph_defs: set[str] = field(default_factory=set)
    graph_refs: set[str] = field(default_factory=set)
    stale_inputs: bool = False
    runtime: str | None = None  # marimo's wire state: idle|queued|running|disabled-transitively
    result: str | None = None  # how the last run ended: idle|exception|cancelled|interrupted|...
    run_code: str | None = None  # the code the kernel last ran, when known
    marked_stale: bool = False  # a snapshot said "stale" and no run happened since
    # marimo's `timestamp` of the newest cell-op, kept as marimo's session view keeps it (a running
    # cell's later ops keep the run's): a picture waits until the browser has heard as much.
    op_stamp: float | None = None
    console_chars: int = field(default=0, repr=False)

    @property
    def hash(self) -> str:
        return code_hash(self.code)

    @property
    def defs(self) -> set[str]:
        """Names the code defines, by marimo's compiler (code_mode's meaning)."""
        return set(self._defs_refs()[0])

    @property
    def refs(self) -> set[str]:
        """Names the code reads, builtins included (`print`), as code_mode reports them.

        The stream's `variables` events name only notebook variables; code that
        does not compile keeps what the graph said.
        """
        return set(self._defs_refs()[1])

    def _defs_refs(self) -> tuple[Any, Any]:
        found = static_defs_refs(self.code) if self.code.strip() else ((), ())
        return found if found is not None else (self.graph_defs, self.graph_refs)

    @property
    def edited(self) -> bool:
        """The code changed since the kernel last ran this cell."""
        return self.run_code is not None and self.run_code != self.code

    @property
    def status(self) -> str | None:
        """code_mode's priority: queued/running/disabled > stale > last result.

        A cell with code and no run known is `stale` (never run), an empty one
        None, as in code_mode.
        """
        if self.runtime in BUSY:
            return self.runtime
        if self.runtime == "disabled-transitively":
            return "disabled"
        if self.stale_inputs or self.marked_stale or self.edited:
            return "stale"
        if self.result is None:
            return "stale" if self.code else None
        return self.result

    @property
    def label(self) -> str:
        """The name people know a cell by: its name, else its id."""
        return self.name if self.name and self.name != UNNAMED else self.id

    @property
    def prompt(self) -> str | None:
        """The prompt of an `input()` this cell waits on: while it runs, its last console write is on stdin."""
        if self.runtime == "running" and self.console and self.console[-1].channel == "stdin":
            data = self.console[-1].data
            return data if isinstance(data, str) else str(data)
        return None

    def console_text(self) -> str:
        return "".join(entry.text for entry in self.console)

    def append_console(self, raw: Mapping[str, Any]) -> None:
        self.console_chars, dropped = append_console(self.console, raw, self.console_chars)
        self.console_truncated = self.console_truncated or dropped

    def clear_console(self) -> None:
        self.console, self.console_chars, self.console_truncated = [], 0, False


# What the kernel said about a cell, as opposed to its document fields.
RUNTIME_FIELDS = ("errors", "console", "console_chars", "console_truncated", "output",
                  "stale_inputs", "runtime", "result", "run_code", "op_stamp")
