"""The activity log: every execution in a session, whoever started it, as it happens.

Built from the kiosk stream, and from this client's own calls. marimo announces each execution attempt
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
tells the log what it is about to send (`call(code)` or `expect(code)`, before
the request goes out); the first scratch execution planned afterwards with
exactly that code is taken as ours, and each expectation matches once, oldest first. The
scratchpad runs requests one at a time in arrival order, so this holds unless
another client sends the very same code at the same moment, in which case
the two runs may be attributed the wrong way round. Cell runs inherit the
origin of the execution that caused them (marimo's `caused_by`, e.g. our
code_mode program that ran the cell); without a known cause they are "other".

This client's own calls are logged whether or not a stream follows the
session (`call`, `control`): a call's entry is written before its request goes
out, linked to marimo's execution (and re-keyed to its id) once the stream
names it, and otherwise ended with what the call itself returned. Requests
that are not executions (interrupt, restart, an answer to `input()`) are
`control` entries. An execution already under way when the stream attaches
is in the replay only as its cell's state (a `running` cell-op: its id, its
console so far, since when; a snippet's code is not replayed): it becomes an
entry from that (`code` null for a snippet). It is ours when it is the call
this client has in flight: one sent before it started; of several, the one
whose printed text agrees, decided at the latest when that call is answered.

Everything is bounded: the newest `LIMIT` entries are kept, and each keeps
the newest `ENTRY_CONSOLE_CHARS` characters of console text (`truncated` says when
older text went) and an output cut to `ENTRY_OUTPUT_CHARS` characters.
"""

from __future__ import annotations

import ast
import json
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from .op_results import parse_reply
from ..parts.payloads import ERROR_MIMETYPE, CellError, error_status, parse_errors
from .outputs import ConsoleEntry, Output, append_console, bounded_output

SCRATCH_ID = "__scratch__"  # the kernel's scratchpad (as in notebook.py, which imports this module)
LIMIT = 200  # entries kept; the oldest go first
ENTRY_CONSOLE_CHARS = 32 * 1024  # characters of console text kept per entry (the newest)
ENTRY_OUTPUT_CHARS = 64 * 1024  # characters of output data kept per entry
PENDING_LIMIT = 64  # expectations of this client's own snippets kept
OUTCOMES = ("running", "ok", "error", "cancelled", "interrupted", "unknown")

NameOf = Callable[[str], str]
CodeOf = Callable[[str], "str | None"]  # a cell's code as it last ran, when the model knows the cell

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
    kind: str  # "scratch" (a snippet), "cell", or "control" (an interrupt, a restart, an answer to input())
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
    truncated: bool = False  # older console text was dropped (ENTRY_CONSOLE_CHARS)
    output: Output | None = None
    errors: list[CellError] = field(default_factory=list)
    console_chars: int = field(default=0, repr=False)
    last_stamp: float | None = field(default=None, repr=False)  # the kernel's clock on its latest cell-op
    clocked: bool = field(default=False, repr=False)  # started_at is the kernel's clock, not arrival
    nonce: str | None = field(default=None, repr=False)  # a program's nonce: its reply is framed with it
    code_known: bool = field(default=True, repr=False)  # False: a snippet found running (the replay has no code)
    linked: bool = field(default=True, repr=False)  # the stream reports this execution (else only our call does)
    sealed: bool = field(default=False, repr=False)  # ended by this client's call: the stream changes it no more
    sent_at: float | None = field(default=None, repr=False)  # when this client sent it (its own calls)
    maybe_ours: bool = field(default=False, repr=False)  # found running while several calls of ours were under way

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
            "code": None if self.program is not None or not self.code_known else self.code,
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


class Expectation:
    """Code this client is about to send, waiting for the stream to name its execution; `entry` is
    the call's own entry when the call is logged (`ActivityLog.call`), else one is made then."""

    __slots__ = ("code", "entry", "watched")

    def __init__(self, code: str, entry: ActivityEntry | None = None, watched: bool = True) -> None:
        self.code = code
        self.entry = entry
        self.watched = watched  # a live stream followed the session when it was sent: its `planned` will come


class ActivityLog:
    """The newest executions of one session, fed by `Notebook.apply_event` and by this client's calls."""

    def __init__(self, limit: int = LIMIT, clock: Callable[[], float] = time.time) -> None:
        self.limit = limit
        self.clock = clock
        self._entries: OrderedDict[str, ActivityEntry] = OrderedDict()
        self._pending: list[Expectation] = []  # oldest first; identity is the ticket
        self._aliases: OrderedDict[str, str] = OrderedDict()  # a call's first id -> marimo's execution id
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
        """An entry by id (a call's entry also by the id it had before marimo named its execution)."""
        return self._entries.get(entry_id) or self._entries.get(self._aliases.get(entry_id, ""))

    @property
    def running(self) -> list[ActivityEntry]:
        return [e for e in self._entries.values() if not e.finished]

    # -- this client's own calls -------------------------------------------

    def expect(self, code: str) -> Callable[[], None]:
        """Note that this client is about to send `code`; the returned call withdraws it.

        Withdraw when the request was refused before anything ran, so a later
        identical snippet from someone else is not taken for ours.
        """
        return self._expect(Expectation(code))

    def _expect(self, expectation: Expectation) -> Callable[[], None]:
        self._pending.append(expectation)
        del self._pending[:-PENDING_LIMIT]

        def withdraw() -> None:
            self._pending[:] = [e for e in self._pending if e is not expectation]

        return withdraw

    def call(self, code: str, *, followed: Callable[[], bool] = lambda: False) -> "CallTicket":
        """Log code this client is about to send, as a running entry of its own, before it goes out.

        `followed` says whether a live stream feeds this log now: while it does, the stream ends
        an entry it linked; otherwise the call's own answer does (`CallTicket`)."""
        request = _program_call(code)
        nonce = request.pop("nonce", None) if request is not None else None
        now = self.clock()
        entry = self._add(ActivityEntry(
            id=f"call-{secrets.token_hex(8)}", seq=0, kind="scratch", origin="self", code=code, started_at=now,
            program=request, nonce=nonce if isinstance(nonce, str) else None, linked=False, sent_at=now))
        expectation = Expectation(code, entry, watched=followed())
        return CallTicket(self, entry, self._expect(expectation), expectation, followed)

    def control(self, request: Mapping[str, Any], started_at: float) -> ActivityEntry:
        """Log a request of this client's that is not an execution (an interrupt, a restart), once done."""
        return self._add(ActivityEntry(
            id=f"call-{secrets.token_hex(8)}", seq=0, kind="control", origin="self", code="", started_at=started_at,
            program=dict(request), ended_at=self.clock(), outcome="ok", linked=False, sealed=True))

    def _add(self, entry: ActivityEntry) -> ActivityEntry:
        self._seq += 1
        entry.seq = self._seq
        self._entries[entry.id] = entry
        while len(self._entries) > self.limit:
            old, _ = self._entries.popitem(last=False)
            self._error_data.pop(old, None)
        return entry

    def _unwatch(self) -> None:
        """The stream (re)connected: a `planned` sent meanwhile was missed, so calls already over
        wait for none, and those still running wait for theirs only until they end."""
        self._pending[:] = [e for e in self._pending if e.entry is None or not e.entry.finished]
        for expectation in self._pending:
            expectation.watched = False

    def _claim(self, code: str) -> Expectation | None:
        for index, expectation in enumerate(self._pending):
            if expectation.code == code:
                return self._pending.pop(index)
        return None

    def _link(self, entry: ActivityEntry, eid: str, data: Mapping[str, Any]) -> None:
        """From now on `entry` (a call of ours) is marimo's execution `eid`, and keyed by its id."""
        if entry.id != eid:
            self._entries = OrderedDict((eid if k == entry.id else k, v) for k, v in self._entries.items())
            self._aliases[entry.id] = eid
            while len(self._aliases) > self.limit:
                self._aliases.popitem(last=False)
            entry.id = eid
        entry.linked = True
        entry.run_id = data.get("run_id") or entry.run_id
        cause = data.get("caused_by")
        entry.caused_by = cause if isinstance(cause, str) else entry.caused_by
        self._pending[:] = [e for e in self._pending if e.entry is not entry]

    def _in_flight_call(self, data: Mapping[str, Any]) -> tuple[ActivityEntry | None, bool]:
        """The call of ours that a snippet found running is, and whether it could be one of several.

        Only a call sent before the snippet started can be it (the scratchpad runs snippets one
        at a time, in the order they came). With several, the one whose printed text agrees with
        the replayed console; if that does not decide, none yet (`_adopt` decides when one ends)."""
        stamp = data.get("timestamp")
        calls = [e.entry for e in self._pending if e.entry is not None and not e.entry.finished and
                 (not isinstance(stamp, (int, float)) or e.entry.sent_at is None or e.entry.sent_at <= stamp)]
        if len(calls) > 1:
            shown = _stdout_of(data.get("console"))
            calls = [c for c in calls if c.stdout and shown and (shown.startswith(c.stdout) or c.stdout.startswith(shown))]
            return (calls[0], False) if len(calls) == 1 else (None, True)
        return (calls[0] if calls else None), False

    def _adopt(self, call: ActivityEntry, stdout: str) -> ActivityEntry | None:
        """A snippet found running while several calls of ours were under way, which this call, now
        answered, printed the same as: it was this call. The call's entry gives way to it."""
        for entry in self._entries.values():
            if (entry.maybe_ours and entry.started_at >= (call.sent_at or 0.0)
                    and _in_order(entry.stdout, stdout)):
                entry.origin, entry.code, entry.code_known, entry.maybe_ours = "self", call.code, True, False
                entry.program, entry.nonce, entry.sent_at = call.program, call.nonce, call.sent_at
                self._entries.pop(call.id, None)
                self._aliases[call.id] = entry.id
                self._pending[:] = [e for e in self._pending if e.entry is not call]
                return entry
        return None

    # -- feed -------------------------------------------------------------

    def apply(self, op: str, data: Mapping[str, Any], name_of: NameOf, code_of: CodeOf | None = None
              ) -> frozenset[str]:
        """Apply one websocket message; returns the ids of the entries it changed. `code_of` gives
        a cell's code (for a cell run found already running, whose `planned` came before us)."""
        if op == "execution":
            return self._execution(data, name_of)
        if op == "cell-op":
            return self._cell_op(data, name_of, code_of)
        if op == "completed-run":
            run_id = data.get("run_id")
            return self._finish_where(lambda e: run_id is not None and e.run_id == run_id, None)
        if op == "interrupted":
            return self._finish_where(lambda e: True, "interrupted")
        if op == "kernel-ready":  # a (re)connection: what ran meanwhile may never complete for us
            self._unwatch()
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
                expectation = self._claim(code)
                if expectation is not None and expectation.entry is not None and expectation.entry.id in self._entries:
                    self._link(expectation.entry, eid, data)
                    return frozenset({eid})
                kind, origin = "scratch", "self" if expectation is not None else "other"
            else:
                kind, origin = "cell", cause_entry.origin if cause_entry is not None else "other"
            call = _program_call(code) if kind == "scratch" else None
            nonce = call.pop("nonce", None) if call is not None else None
            self._add(ActivityEntry(
                id=eid, seq=0, kind=kind, origin=origin, code=code, started_at=self.clock(),
                cell_id=None if kind == "scratch" else cid,
                cell_label=None if kind == "scratch" else name_of(cid),
                run_id=data.get("run_id"), caused_by=cause if isinstance(cause, str) else None,
                program=call, nonce=nonce if isinstance(nonce, str) else None,
            ))
            return frozenset({eid})
        known = self._entries.get(eid)
        if known is None or known.sealed or (known.finished and known.outcome != "unknown"):
            return frozenset()
        if phase == "completed":
            self._finish(known, None)
            return frozenset({eid})
        return frozenset()

    def _joined(self, eid: str, data: Mapping[str, Any], name_of: NameOf, code_of: CodeOf | None) -> ActivityEntry:
        """An execution found under way (its `planned` came before this log followed the session)."""
        cid = str(data.get("cell_id"))
        if cid == SCRATCH_ID:
            ours, undecided = self._in_flight_call(data)
            if ours is not None:
                self._link(ours, eid, data)
                return ours
            return self._add(ActivityEntry(id=eid, seq=0, kind="scratch", origin="other", code="", code_known=False,
                                           started_at=self.clock(), run_id=data.get("run_id"), maybe_ours=undecided))
        run_id = data.get("run_id")
        caused = run_id is not None and any(e.origin == "self" and e.run_id == run_id for e in self._entries.values())
        code = code_of(cid) if code_of is not None else None
        return self._add(ActivityEntry(
            id=eid, seq=0, kind="cell", origin="self" if caused else "other", code=code or "",
            code_known=code is not None, started_at=self.clock(), cell_id=cid, cell_label=name_of(cid), run_id=run_id))

    def _cell_op(self, data: Mapping[str, Any], name_of: NameOf, code_of: CodeOf | None = None) -> frozenset[str]:
        eid = data.get("execution_id")
        entry = self._entries.get(eid) if isinstance(eid, str) else None
        console, output = data.get("console"), data.get("output")
        stamp, status = data.get("timestamp"), data.get("status")
        if entry is None:
            if not isinstance(eid, str) or status not in ("queued", "running"):
                return frozenset()
            entry = self._joined(eid, data, name_of, code_of)
        if entry.sealed:
            return frozenset()
        if entry.outcome == "unknown":  # lost in a reconnection: the replay tells how it stands
            if status in ("queued", "running"):
                entry.outcome, entry.ended_at = "running", None
        elif entry.finished:
            return self._late_console(entry, console)
        if isinstance(stamp, (int, float)):
            self._clock(entry, float(stamp), status)
        self._take_console(entry, console)
        if isinstance(output, Mapping):
            self._take_output(entry, output, name_of)
        if status == "idle":
            self._went_idle(entry, stamp)
        return frozenset({entry.id})

    def _late_console(self, entry: ActivityEntry, console: Any) -> frozenset[str]:
        """A finished entry: background threads may still print under a completed attempt's id;
        full-state lists and outputs are a replay after a reconnection."""
        if isinstance(console, Mapping):
            self._append(entry, console)
            return frozenset({entry.id})
        return frozenset()

    @staticmethod
    def _clock(entry: ActivityEntry, stamp: float, status: Any) -> None:
        if not entry.clocked and status != "queued":  # the kernel's clock, once it gave one
            entry.started_at, entry.clocked = stamp, True
        entry.last_stamp = stamp

    def _take_console(self, entry: ActivityEntry, console: Any) -> None:
        if isinstance(console, list):  # the full console (or [] at start): replace
            entry.console, entry.console_chars = [], 0
        for item in [console] if isinstance(console, Mapping) else console or ():
            if isinstance(item, Mapping):
                self._append(entry, item)

    def _take_output(self, entry: ActivityEntry, output: Mapping[str, Any], name_of: NameOf) -> None:
        entry.output = bounded_output(output, ENTRY_OUTPUT_CHARS)
        if output.get("mimetype") == ERROR_MIMETYPE:
            self._error_data[entry.id] = output.get("data")
            entry.errors = parse_errors(output.get("data"), name_of)
        else:
            self._error_data.pop(entry.id, None)
            entry.errors = []

    def _went_idle(self, entry: ActivityEntry, stamp: Any) -> None:
        if isinstance(stamp, (int, float)):
            entry.ended_at = float(stamp)  # provisional; `completed` makes it final
        if entry.outcome == "unknown":
            self._finish(entry, None)

    def _append(self, entry: ActivityEntry, raw: Mapping[str, Any]) -> None:
        entry.console_chars, dropped = append_console(entry.console, raw, entry.console_chars, ENTRY_CONSOLE_CHARS)
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
        """End the running entries the stream reports (never a call of ours it has not linked)."""
        changed = set()
        for entry in self._entries.values():
            if not entry.finished and entry.linked and not entry.sealed and predicate(entry):
                self._finish(entry, outcome)
                changed.add(entry.id)
        return frozenset(changed)


class CallTicket:
    """One call of this client's, as `execute` reports it: what it printed and how it ended.

    While a live stream feeds the log and has linked the entry, the stream's word is the one
    kept; otherwise the call's own answer ends the entry, and it is sealed (the stream no longer
    changes it; a `planned` still on its way links it to marimo's id). Only the first ending counts.
    """

    def __init__(self, log: ActivityLog, entry: ActivityEntry, withdraw: Callable[[], None],
                 expectation: Expectation, followed: Callable[[], bool]) -> None:
        self.log = log
        self.entry = entry
        self._withdraw = withdraw
        self._expectation = expectation
        self._followed = followed
        self._over = False

    def printed(self, channel: str, text: str) -> None:
        if not self._over and not self.entry.linked:
            self.log._append(self.entry, {"channel": channel, "mimetype": "text/plain", "data": text})

    def withdraw(self) -> None:
        """Refused before anything ran: the entry goes (nothing ran)."""
        if self._over:
            return
        self._over = True
        self._withdraw()
        self.log._entries.pop(self.entry.id, None)

    def done(self, success: bool, stdout: str, stderr: str, output: Mapping[str, Any] | None) -> None:
        self._end("ok" if success else "error", stdout, stderr, output)

    def unknown(self, stdout: str, stderr: str) -> None:
        """The answer was lost (the connection broke, the time limit closed the request, cancelled)."""
        self._end("unknown", stdout, stderr, None)

    def _end(self, outcome: str, stdout: str, stderr: str, output: Mapping[str, Any] | None) -> None:
        if self._over:
            return
        self._over = True
        entry = self.entry
        if not entry.linked:
            entry = self.entry = self.log._adopt(entry, stdout) or entry
        if (entry.finished and entry.outcome != "unknown") or (entry.linked and self._followed()):
            return  # the stream tells how it ended
        if entry.linked:  # the stream that linked it is gone: what it printed is in the answer
            entry.console, entry.console_chars, entry.ended_at = [], 0, None
            for channel, text in (("stdout", stdout), ("stderr", stderr)):
                if text:
                    self.log._append(entry, {"channel": channel, "mimetype": "text/plain", "data": text})
        if output is not None:
            entry.output = bounded_output(output, ENTRY_OUTPUT_CHARS)
        if outcome == "error":
            last = next((line for line in reversed(stderr.splitlines()) if line.strip()), "")
            entry.errors = [CellError("runtime", last or "the snippet failed")]
            outcome = "interrupted" if last.startswith("KeyboardInterrupt") else outcome
        entry.sealed = True
        self.log._finish(entry, None if outcome == "ok" else outcome)
        if not self._expectation.watched:
            self._withdraw()  # no `planned` of it will come


def _stdout_of(console: Any) -> str:
    """The stdout text of a cell-op's console (one write or a list)."""
    items = [console] if isinstance(console, Mapping) else console if isinstance(console, list) else []
    return "".join(str(c.get("data", "")) for c in items if isinstance(c, Mapping) and c.get("channel") == "stdout")


def _in_order(part: str, whole: str) -> bool:
    """`part`'s characters appear in `whole` in order (the scratch cell's own console, within a call's
    stdout that may interleave the console of the cells its program ran)."""
    rest = iter(whole)
    return all(char in rest for char in part)
