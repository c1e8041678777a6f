"""The code history: every change of every cell's code, whoever made it, so it can be reviewed and undone.

Fed by the kiosk stream as the activity log is (`Notebook.apply_event` calls
`observe` before the model applies the message, so the code a change replaces
is still there). marimo sends each document change as a
`notebook-document-transaction` whose `source` says who wrote it: "frontend"
(a browser), "file-watch" (the notebook file changed on disk, `marimo edit
--watch`), "code-mode" (a code_mode program: ours, another tool's or an
agent's). A code_mode change is made while its program runs on the
scratchpad, and the activity log knows whose that is (`origin`, and the
request of a marimo-pair-tui program): a program this process sent is
recorded with the door it serves (`door`: cli, mcp or app).

`by` says who made a change, absolutely: a door of this tool ("cli", "mcp",
"app"), "marimo-pair-tui" (a program of this tool another process sent),
"code_mode" (another client's program), "browser", "file", "unseen" (a change
made while nothing followed the notebook, found by comparing states:
core/model/unseen.py), or marimo's own word for other writers. Whether a change is the reader's own is relative
(`origin_of`): "self" when it was made through the reader's door, "file" for
the file watcher, "other" for the rest.

A change's id is made from the session, marimo's document version and the
cell, so two processes following one notebook record the same change under
the same id and their files merge (`merge`). Bounded: the newest `LIMIT`
changes, each side's code cut at `CODE_CHARS` (a cut change is shown, never
reverted).
"""

from __future__ import annotations

import difflib
import hashlib
import secrets
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from .unseen import UNSEEN, Seen, SeenCell, brought_forward, differences, unseen_id

if TYPE_CHECKING:
    from .notebook import Notebook

LIMIT = 1000  # changes kept per notebook; the oldest go first
CODE_CHARS = 32 * 1024  # characters of code kept per side of a change
DOORS = ("cli", "mcp", "app")
KINDS = ("edit", "create", "delete")
RUN_LOOKBACK = 50  # activity entries searched for the run a browser's change came with
_SOURCES = {"frontend": "browser", "file-watch": "file"}
# How much a record says about who made it: a door beats "one of our programs" beats the rest.
_RANK = {**{door: 3 for door in DOORS}, "marimo-pair-tui": 2}


@dataclass
class CodeChange:
    """One change of one cell's code: created (before ""), edited, or deleted (after "")."""

    id: str
    cell_id: str
    cell_name: str
    kind: str  # edit | create | delete
    before: str
    after: str
    by: str  # cli | mcp | app | marimo-pair-tui | code_mode | browser | file | marimo's word
    at: float  # wall clock, seconds since the epoch
    session: str | None = None  # marimo's stable session id
    version: int | None = None  # marimo's document version after the change
    execution: str | None = None  # the code_mode program's execution, when one made it
    program: str | None = None  # that program's operation, when it was one of this tool's
    run: str | None = None  # the execution that ran the new code, when one followed
    run_id: str | None = None  # marimo's run that execution belonged to
    place_after: str | None = None  # a deleted cell's neighbours then: where a re-created one goes
    place_before: str | None = None
    truncated: bool = False  # a side's code was cut at CODE_CHARS
    since: float | None = None  # by "unseen": made after this time (the state last seen), noticed at `at`

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> "CodeChange | None":
        """A stored change, or None when the record is not one (a newer or damaged file)."""
        try:
            change = cls(**{k: raw[k] for k in cls.__dataclass_fields__ if k in raw})
        except TypeError:
            return None
        ok = (isinstance(change.id, str) and isinstance(change.cell_id, str) and change.kind in KINDS
              and isinstance(change.before, str) and isinstance(change.after, str)
              and isinstance(change.at, (int, float)))
        return change if ok else None

    @property
    def sort_key(self) -> tuple[float, int]:
        return (self.at, self.version or 0)


def origin_of(change: CodeChange, door: str) -> str:
    """"self" when `door` made it, "file" for the file watcher, "other" for everyone else."""
    if change.by == door:
        return "self"
    return "file" if change.by == "file" else "other"


def _cut(code: str) -> tuple[str, bool]:
    return (code, False) if len(code) <= CODE_CHARS else (code[:CODE_CHARS], True)


def _change_id(session: str | None, version: Any, cell_id: str) -> str:
    """The same in every process that saw the change (marimo stamps each transaction with a version)."""
    if not isinstance(version, int) or not session:
        return "h" + secrets.token_hex(5)
    return "h" + hashlib.sha256(f"{session}:{version}:{cell_id}".encode()).hexdigest()[:10]


@dataclass
class _Writer:
    """Who wrote one transaction, as far as this process can tell."""

    by: str
    execution: str | None = None
    program: str | None = None


class CodeHistory:
    """The newest code changes of one notebook, oldest first; `on_record` hears each new batch of them."""

    def __init__(self, door: str = "cli", limit: int = LIMIT, clock: Callable[[], float] = time.time) -> None:
        self.door = door
        self.limit = limit
        self.clock = clock
        self._changes: dict[str, CodeChange] = {}
        self.version = 0  # +1 whenever the changes held change
        self.on_record: Callable[[list[CodeChange]], None] | None = None
        self.seen: Seen | None = None  # the cells as a follower last saw them (core/model/unseen.py)

    # -- queries --------------------------------------------------------

    def __len__(self) -> int:
        return len(self._changes)

    @property
    def changes(self) -> list[CodeChange]:
        """Oldest first."""
        return sorted(self._changes.values(), key=lambda c: c.sort_key)

    def get(self, change_id: str) -> CodeChange | None:
        return self._changes.get(change_id)

    def of_cell(self, cell_id: str) -> list[CodeChange]:
        return [c for c in self.changes if c.cell_id == cell_id]

    def select(self, *, cell: str | None = None, since: float | None = None, origin: str | None = None
               ) -> list[CodeChange]:
        """Changes of `cell` (an id), at or after `since`, whose origin (relative to this door) or `by` is
        `origin`; oldest first."""
        return [c for c in self.changes
                if (cell is None or c.cell_id == cell) and (since is None or c.at >= since)
                and (origin in (None, "any") or origin in (origin_of(c, self.door), c.by))]

    # -- the stream -------------------------------------------------------

    def observe(self, op: str, data: Mapping[str, Any], notebook: "Notebook") -> None:
        """One websocket message, before the model applies it."""
        if op == "notebook-document-transaction":
            transaction = data.get("transaction")
            if isinstance(transaction, Mapping):
                self._record(self._transaction(transaction, notebook))
        elif op == "execution" and data.get("phase") == "planned":
            self._ran(data)

    def _transaction(self, transaction: Mapping[str, Any], notebook: "Notebook") -> list[CodeChange]:
        writer = self._writer(transaction.get("source"), notebook)
        codes = {c.id: c.code for c in notebook.cells}
        names = {c.id: c.name for c in notebook.cells}
        order = notebook.cell_ids
        found: list[CodeChange] = []
        for raw in transaction.get("changes") or ():
            if not isinstance(raw, Mapping):
                continue
            kind, cid = raw.get("type"), raw.get("cellId", raw.get("cell_id"))
            if not isinstance(cid, str):
                continue
            change = self._one(str(kind), cid, raw, codes, names, order)
            if change is None:
                continue
            change.by, change.execution, change.program = writer.by, writer.execution, writer.program
            change.session, change.version = notebook.stable_session_id, transaction.get("version")
            change.id = _change_id(change.session, change.version, cid)
            if writer.by == "browser":
                self._browser_run(change, notebook)
            found.append(change)
        return found

    def _one(self, kind: str, cid: str, raw: Mapping[str, Any], codes: dict[str, str], names: dict[str, str],
             order: list[str]) -> CodeChange | None:
        """The change one document change makes to a cell's code (`codes`, `order` kept up to date), if any."""
        now = self.clock()
        if kind == "create-cell" and cid not in codes:
            code = str(raw.get("code") or "")
            codes[cid], names[cid] = code, str(raw.get("name") or "_")
            order.append(cid)
            return self._made(cid, names[cid], "create", "", code, now)
        if kind == "set-code" and cid in codes and str(raw.get("code") or "") != codes[cid]:
            before, codes[cid] = codes[cid], str(raw.get("code") or "")
            return self._made(cid, names[cid], "edit", before, codes[cid], now)
        if kind == "set-name" and cid in names:
            names[cid] = str(raw.get("name") or "_")
        if kind == "delete-cell" and cid in codes:
            at = order.index(cid)
            change = self._made(cid, names[cid], "delete", codes.pop(cid), "", now)
            change.place_after = order[at - 1] if at > 0 else None
            change.place_before = order[at + 1] if at + 1 < len(order) else None
            order.remove(cid)
            return change
        return None

    @staticmethod
    def _made(cid: str, name: str, kind: str, before: str, after: str, at: float) -> CodeChange:
        before, cut_before = _cut(before)
        after, cut_after = _cut(after)
        return CodeChange(id="", cell_id=cid, cell_name=name, kind=kind, before=before, after=after, by="",
                          at=at, truncated=cut_before or cut_after)

    def _writer(self, source: Any, notebook: "Notebook") -> _Writer:
        """Who wrote a transaction: the source marimo names; for code_mode, the program running then."""
        if source != "code-mode":
            return _Writer(_SOURCES.get(str(source), str(source or "other")))
        running = [e for e in notebook.activity.running if e.kind == "scratch"]
        running.sort(key=lambda e: (e.linked, e.seq))
        entry = running[-1] if running else None
        if entry is None:
            return _Writer("code_mode")
        program = entry.program.get("op") if entry.program is not None else None
        execution = entry.id if entry.linked else None
        if entry.origin == "self":
            return _Writer(self.door, execution, str(program) if program else None)
        return _Writer("marimo-pair-tui" if program else "code_mode", execution, str(program) if program else None)

    def _browser_run(self, change: CodeChange, notebook: "Notebook") -> None:
        """A browser runs a cell before it sends the edit: the run that ran the new code, if it came first."""
        for entry in notebook.activity.newest_first()[:RUN_LOOKBACK]:
            if entry.kind == "cell" and entry.cell_id == change.cell_id and entry.code == change.after:
                change.run, change.run_id = entry.id, entry.run_id
                return

    def _ran(self, data: Mapping[str, Any]) -> None:
        """A cell's run planned: it is the run of the cell's newest change when it runs that change's code."""
        cid, code, eid = data.get("cell_id"), data.get("code"), data.get("execution_id")
        if not isinstance(cid, str) or not isinstance(code, str) or not isinstance(eid, str):
            return
        newest = max((c for c in self._changes.values() if c.cell_id == cid), key=lambda c: c.sort_key, default=None)
        if newest is not None and newest.kind != "delete" and newest.run is None and newest.after == code:
            newest.run, newest.run_id = eid, data.get("run_id")
            self._record([newest])

    # -- what changed while nothing followed -----------------------------------

    def catch_up(self, notebook: "Notebook") -> list[CodeChange]:
        """Record how the cells found now differ from the state last seen (`by` "unseen"), then make the
        found state the one seen. Nothing is recorded the first time: there is no state to compare with."""
        found = [SeenCell(c.id, c.name, c.code) for c in notebook.cells]
        now, session, seen = self.clock(), notebook.stable_session_id, self.seen
        recorded: list[CodeChange] = []
        if seen is not None:
            known = brought_forward(seen, self.changes)
            same = seen.session is not None and seen.session == session
            for difference in differences(known, found, same_session=same):
                cell = difference.cell
                change = self._made(cell.id, cell.name, difference.kind, difference.before,
                                    "" if difference.kind == "delete" else cell.code, now)
                change.by, change.session, change.since = UNSEEN, session, seen.at
                change.place_after, change.place_before = difference.place_after, difference.place_before
                change.id = unseen_id(seen.at, difference)
                recorded.append(change)
        self.seen = Seen(session, now, found)
        self._record(recorded)
        return recorded

    def take_seen(self, other: Seen | None) -> None:
        """Keep the newer of two states seen (another process may have followed the notebook since)."""
        if other is not None and (self.seen is None or other.at > self.seen.at):
            self.seen = other

    # -- keeping ------------------------------------------------------------

    def _record(self, changes: list[CodeChange]) -> None:
        if not changes:
            return
        for change in changes:
            self._changes[change.id] = change
        self._trim()
        self.version += 1
        if self.on_record is not None:
            self.on_record(changes)

    def _trim(self) -> None:
        if len(self._changes) > self.limit:
            for old in self.changes[:len(self._changes) - self.limit]:
                del self._changes[old.id]

    def merge(self, records: Iterable[CodeChange]) -> bool:
        """Take in changes another process (or an earlier run) recorded; True when something was new.

        A change both recorded is kept as the one that says more about who made it and what ran it."""
        changed = False
        for record in records:
            held = self._changes.get(record.id)
            if held is None or _better(record, held):
                if held is not None and record.run is None:
                    record.run, record.run_id = held.run, held.run_id
                self._changes[record.id] = record
                changed = True
        if changed:
            self._trim()
            self.version += 1
        return changed


def _better(new: CodeChange, held: CodeChange) -> bool:
    """Whether a record of the same change says more than the one held."""
    rank_new, rank_held = _RANK.get(new.by, 0), _RANK.get(held.by, 0)
    if rank_new != rank_held:
        return rank_new > rank_held
    return held.run is None and new.run is not None


def parse_changes(raw: Any) -> list[CodeChange]:
    """The changes of a stored list (records that are not changes are skipped)."""
    found = [CodeChange.from_json(item) for item in raw or () if isinstance(item, Mapping)]
    return [c for c in found if c is not None]


__all__ = ["CODE_CHARS", "DOORS", "LIMIT", "CodeChange", "CodeHistory", "diff_lines", "origin_of", "parse_changes"]


def diff_lines(change: CodeChange, context: int = 3) -> list[str]:
    """The change as a unified diff of the cell's code (`-` removed, `+` added), without the file headers."""
    lines = list(difflib.unified_diff(change.before.splitlines(), change.after.splitlines(), lineterm="", n=context))
    return lines[2:]  # the "---" and "+++" headers
