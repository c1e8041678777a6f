"""The activity log: every execution in a session, whoever started it, as it happens.

Built from the kiosk stream alone. marimo announces each execution attempt
with `execution` events: `planned` carries the code, `running` means it
started, `completed` follows its last output (also for attempts that never
ran, such as a cell cancelled because an ancestor raised). Console writes and
outputs arrive as `cell-op`s that name the attempt by `execution_id`.
Snippets sent through `/api/kernel/execute` by any client run on the cell
`__scratch__`; cell runs (a browser's Shift+Enter, `/api/kernel/run`,
code_mode) on their own cell ids. So the log shows what a browser, an agent
or this client did, without polling.

Who ran it: `origin` is "self" for code this client sent and "other" for the
rest. The stream does not say which client sent a snippet, so the client
tells the log what it is about to send (`expect(code)`, before the request
goes out); the first scratch execution planned afterwards with exactly that
code is taken as ours, and each expectation matches once, oldest first. The
scratchpad runs requests one at a time in arrival order, so this holds unless
another client sends the very same code at the same moment, in which case
the two runs may be attributed the wrong way round. Cell runs inherit the
origin of the execution that caused them (marimo's `caused_by`, e.g. our
code_mode program that ran the cell); without a known cause they are "other".

Everything is bounded: the newest `LIMIT` entries are kept, and each keeps
the newest `CONSOLE_LIMIT` characters of console text (`truncated` says when
older text went) and an output cut to `OUTPUT_LIMIT` characters.
"""

from __future__ import annotations

import ast
import json
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from .codemode_results import parse_reply
from .outputs import (
    ERROR_MIMETYPE, CellError, ConsoleEntry, Output, append_console, bounded_output, error_status, parse_errors,
)

SCRATCH_ID = "__scratch__"  # the kernel's scratchpad (as in notebook.py, which imports this module)
LIMIT = 200  # entries kept; the oldest go first
CONSOLE_LIMIT = 32 * 1024  # characters of console text kept per entry (the newest)
OUTPUT_LIMIT = 64 * 1024  # characters of output data kept per entry
PENDING_LIMIT = 64  # expectations of this client's own snippets kept
OUTCOMES = ("running", "ok", "error", "cancelled", "interrupted", "unknown")

NameOf = Callable[[str], str]

# The shape `codemode.build_program` gives marimo-pair-tui's code_mode programs:
# a fixed loader, then one line that hands the request (JSON) to the kernel side.
_PROGRAM_FIRST_LINE = "import sys as _mpt_sys, types as _mpt_types"
_PROGRAM_CALL = "await _mpt_mod.main("


def program_request(code: str) -> dict[str, Any] | None:
    """The request of a marimo-pair-tui code_mode program (nonce dropped), else None.

    Those programs embed 20 KB of kernel source; views show their request
    (`{"op": "create", "code": ...}`) instead.
    """
    request = _program_call(code)
    if request is not None:
        request.pop("nonce", None)
    return request


def _program_call(code: str) -> dict[str, Any] | None:
    """The request of a marimo-pair-tui code_mode program, nonce included, else None."""
    if not code.startswith(_PROGRAM_FIRST_LINE):
        return None
    last = code.rstrip("\n").rsplit("\n", 1)[-1]
    if not (last.startswith(_PROGRAM_CALL) and last.endswith(")")):
        return None
    try:
        request = json.loads(ast.literal_eval(last[len(_PROGRAM_CALL):-1]))
    except (ValueError, SyntaxError, TypeError):
        return None
    if not isinstance(request, dict) or "op" not in request:
        return None
    return request


@dataclass
class ActivityEntry:
    """One execution: what ran, where, by whom, when, how it ended and what it printed."""

    id: str  # marimo's execution id
    seq: int  # 1, 2, ... in the order this log saw executions planned
    kind: str  # "scratch" (a snippet) or "cell"
    origin: str  # "self" (this client sent it) or "other"
    code: str
    started_at: float  # wall clock, seconds since the epoch
    cell_id: str | None = None  # None for snippets
    cell_label: str | None = None  # the cell's name (else its id) when the run was planned
    run_id: str | None = None
    caused_by: str | None = None  # the execution that started this one (same run)
    program: dict[str, Any] | None = None  # the request, when the code is a marimo-pair-tui program
    ended_at: float | None = None
    outcome: str = "running"  # running | ok | error | cancelled | interrupted | unknown
    console: list[ConsoleEntry] = field(default_factory=list)
    truncated: bool = False  # older console text was dropped (CONSOLE_LIMIT)
    output: Output | None = None
    errors: list[CellError] = field(default_factory=list)
    console_chars: int = field(default=0, repr=False)
    last_stamp: float | None = field(default=None, repr=False)  # the kernel's clock on its latest cell-op
    clocked: bool = field(default=False, repr=False)  # started_at is the kernel's clock, not arrival
    nonce: str | None = field(default=None, repr=False)  # a program's nonce: its reply is framed with it

    @property
    def finished(self) -> bool:
        return self.outcome != "running"

    @property
    def duration(self) -> float | None:
        """Seconds from start to end (None while running)."""
        return None if self.ended_at is None else max(0.0, self.ended_at - self.started_at)

    def text(self, channel: str) -> str:
        return "".join(entry.text for entry in self.console if entry.channel == channel)

    @property
    def stdout(self) -> str:
        return self.text("stdout")

    @property
    def stderr(self) -> str:
        return self.text("stderr")

    def to_json(self) -> dict[str, Any]:
        """The headless shape of an entry (`watch --activity`).

        A marimo-pair-tui code_mode program is given as its `program` request,
        with `code` null: its 20 KB of kernel source says nothing to a reader.
        """
        out = self.output
        return {
            "id": self.id, "seq": self.seq, "kind": self.kind, "origin": self.origin,
            "cell": None if self.cell_id is None else {"id": self.cell_id, "label": self.cell_label},
            "code": None if self.program is not None else self.code,
            "program": self.program,
            "outcome": self.outcome,
            "started_at": round(self.started_at, 3),
            "ended_at": None if self.ended_at is None else round(self.ended_at, 3),
            "duration": None if self.duration is None else round(self.duration, 3),
            "stdout": self.stdout, "stderr": self.stderr, "truncated": self.truncated,
            "output": None if out is None or out.data in ("", None) or out.mimetype == ERROR_MIMETYPE
            else {"mimetype": out.mimetype, "data": out.data},
            "errors": [{"kind": e.kind, "message": e.message} for e in self.errors],
            "run_id": self.run_id, "caused_by": self.caused_by,
        }


def _outcome_of(errors_data: Any) -> str:
    """Our outcome word for the error output of a finished execution."""
    status = error_status(errors_data)
    if status in ("interrupted", "cancelled"):
        return status
    return "error"


class ActivityLog:
    """The newest executions of one session, fed by `Notebook.apply_event`."""

    def __init__(self, limit: int = LIMIT, clock: Callable[[], float] = time.time) -> None:
        self.limit = limit
        self.clock = clock
        self._entries: OrderedDict[str, ActivityEntry] = OrderedDict()
        self._pending: list[list[str]] = []  # [code] boxes, oldest first; identity is the ticket
        self._seq = 0
        self._error_data: dict[str, Any] = {}  # execution id -> data of its error output

    # -- queries --------------------------------------------------------

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[ActivityEntry]:
        """Oldest first."""
        return iter(self._entries.values())

    def newest_first(self) -> list[ActivityEntry]:
        return list(reversed(self._entries.values()))

    def get(self, entry_id: str) -> ActivityEntry | None:
        return self._entries.get(entry_id)

    @property
    def running(self) -> list[ActivityEntry]:
        return [e for e in self._entries.values() if not e.finished]

    # -- this client's own snippets ---------------------------------------

    def expect(self, code: str) -> Callable[[], None]:
        """Note that this client is about to send `code`; the returned call withdraws it.

        Withdraw when the request was refused before anything ran, so a later
        identical snippet from someone else is not taken for ours.
        """
        box = [code]
        self._pending.append(box)
        del self._pending[:-PENDING_LIMIT]

        def withdraw() -> None:
            if any(b is box for b in self._pending):
                self._pending[:] = [b for b in self._pending if b is not box]

        return withdraw

    def _claim(self, code: str) -> bool:
        for index, box in enumerate(self._pending):
            if box[0] == code:
                del self._pending[index]
                return True
        return False

    # -- feed -------------------------------------------------------------

    def apply(self, op: str, data: Mapping[str, Any], name_of: NameOf) -> frozenset[str]:
        """Apply one websocket message; returns the ids of the entries it changed."""
        if op == "execution":
            return self._execution(data, name_of)
        if op == "cell-op":
            return self._cell_op(data, name_of)
        if op == "completed-run":
            run_id = data.get("run_id")
            return self._finish_where(lambda e: run_id is not None and e.run_id == run_id, None)
        if op == "interrupted":
            return self._finish_where(lambda e: True, "interrupted")
        if op == "kernel-ready":  # a reconnection: what ran meanwhile may never complete for us
            return self._finish_where(lambda e: True, "unknown")
        return frozenset()

    def _execution(self, data: Mapping[str, Any], name_of: NameOf) -> frozenset[str]:
        eid, phase = data.get("execution_id"), data.get("phase")
        if not isinstance(eid, str):
            return frozenset()
        if phase == "planned":
            code = data.get("code")
            if not isinstance(code, str) or eid in self._entries:
                return frozenset()
            cid = str(data.get("cell_id"))
            cause = data.get("caused_by")
            cause_entry = self._entries.get(cause) if isinstance(cause, str) else None
            if cid == SCRATCH_ID:
                kind, origin = "scratch", "self" if self._claim(code) else "other"
            else:
                kind, origin = "cell", cause_entry.origin if cause_entry is not None else "other"
            self._seq += 1
            call = _program_call(code) if kind == "scratch" else None
            nonce = call.pop("nonce", None) if call is not None else None
            entry = ActivityEntry(
                id=eid, seq=self._seq, kind=kind, origin=origin, code=code, started_at=self.clock(),
                cell_id=None if kind == "scratch" else cid,
                cell_label=None if kind == "scratch" else name_of(cid),
                run_id=data.get("run_id"), caused_by=cause if isinstance(cause, str) else None,
                program=call, nonce=nonce if isinstance(nonce, str) else None,
            )
            self._entries[eid] = entry
            while len(self._entries) > self.limit:
                old, _ = self._entries.popitem(last=False)
                self._error_data.pop(old, None)
            return frozenset({eid})
        known = self._entries.get(eid)
        if known is None or (known.finished and known.outcome != "unknown"):
            return frozenset()
        if phase == "completed":
            self._finish(known, None)
            return frozenset({eid})
        return frozenset()

    def _cell_op(self, data: Mapping[str, Any], name_of: NameOf) -> frozenset[str]:
        entry = self._entries.get(str(data.get("execution_id")))
        if entry is None:
            return frozenset()
        console, output = data.get("console"), data.get("output")
        stamp, status = data.get("timestamp"), data.get("status")
        if entry.outcome == "unknown":  # lost in a reconnection: the replay tells how it stands
            if status in ("queued", "running"):
                entry.outcome, entry.ended_at = "running", None
        elif entry.finished:
            # Background threads may still print under a completed attempt's id;
            # full-state lists and outputs are a replay after a reconnection.
            if isinstance(console, Mapping):
                self._append(entry, console)
                return frozenset({entry.id})
            return frozenset()
        if isinstance(stamp, (int, float)):
            if not entry.clocked and status != "queued":  # the kernel's clock, once it gave one
                entry.started_at, entry.clocked = float(stamp), True
            entry.last_stamp = float(stamp)
        if isinstance(console, list):  # the full console (or [] at start): replace
            entry.console, entry.console_chars = [], 0
        for item in [console] if isinstance(console, Mapping) else console or ():
            if isinstance(item, Mapping):
                self._append(entry, item)
        if isinstance(output, Mapping):
            entry.output = bounded_output(output, OUTPUT_LIMIT)
            if output.get("mimetype") == ERROR_MIMETYPE:
                self._error_data[entry.id] = output.get("data")
                entry.errors = parse_errors(output.get("data"), name_of)
            else:
                self._error_data.pop(entry.id, None)
                entry.errors = []
        if status == "idle" and isinstance(stamp, (int, float)):
            entry.ended_at = float(stamp)  # provisional; `completed` makes it final
        if status == "idle" and entry.outcome == "unknown":
            self._finish(entry, None)
        return frozenset({entry.id})

    def _append(self, entry: ActivityEntry, raw: Mapping[str, Any]) -> None:
        entry.console_chars, dropped = append_console(entry.console, raw, entry.console_chars, CONSOLE_LIMIT)
        entry.truncated = entry.truncated or dropped

    def _finish(self, entry: ActivityEntry, outcome: str | None) -> None:
        if outcome is None:
            errors = self._error_data.pop(entry.id, None)
            outcome = "ok" if errors is None else _outcome_of(errors)
            if outcome == "ok" and entry.nonce is not None:
                outcome = self._program_outcome(entry)
        entry.outcome = outcome
        if entry.ended_at is None:
            entry.ended_at = entry.last_stamp if entry.last_stamp is not None else self.clock()

    @staticmethod
    def _program_outcome(entry: ActivityEntry) -> str:
        """A code_mode program ran without raising; "error" when its reply says the operation was
        refused or failed (a conflict, a refused delete), with the reply's reason as an error."""
        assert entry.nonce is not None
        reply, _narration = parse_reply(entry.stdout, entry.nonce)
        if reply is None or reply.get("ok"):
            return "ok"  # no reply (cut off, or its console text dropped): the execution's word stands
        error = reply.get("error")
        error = error if isinstance(error, Mapping) else {}
        kind, message = error.get("kind"), error.get("message")
        reason = f"{kind}: {message}" if kind and message else str(message or kind or "the operation was refused")
        entry.errors = [*entry.errors, CellError("refused", reason)]
        return "error"

    def _finish_where(self, predicate: Callable[[ActivityEntry], bool], outcome: str | None) -> frozenset[str]:
        changed = set()
        for entry in self._entries.values():
            if not entry.finished and predicate(entry):
                self._finish(entry, outcome)
                changed.add(entry.id)
        return frozenset(changed)
