"""Kernel side of a batch of cell changes: checked as a whole, applied at once, run once.

Sent with base.py (appended to its text, so `OPERATIONS`,
`Refusal`, `Notebook`, `states` and the helpers are that module's). The
operations are checked one by one (cells, placements, conflicts, syntax),
then the notebook they would leave is checked as a whole (multiply-defined
names, cycles); a refusal names the operation (numbered from 1) and nothing
is queued. Then every operation goes into one code_mode batch, with a
`run_cell` for each created or edited cell, so the kernel runs the affected
cells (and their descendants) once, after the one document transaction.
"""

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # in the kernel these are the names base.py defined above
    from .base import (
        OPERATIONS, Notebook, Refusal, _apply, _refuse_apply_error, _run_affected, analyse, cell_state, code_hash,
        hash_matches, silent_code, states, syntax_check,
    )

NO_NAMES: tuple[frozenset[str], frozenset[str]] = (frozenset(), frozenset())


class Step:
    """One operation of the batch: its request and what checking it found."""

    def __init__(self, number: int, request: dict[str, Any]) -> None:
        self.number = number
        self.request = request
        self.op = str(request.get("op"))
        self.key: str | None = None  # the cell it acts on: an existing id, or "+N" for the cell operation N creates
        self.before: str | None = None  # placement (create, move), as keys
        self.after: str | None = None
        self.created: str | None = None  # code_mode's id for the created cell, once queued
        self.previous: str | None = None  # an edited cell's code before the edit

    @property
    def where(self) -> dict[str, Any]:
        return {"number": self.number, "op": self.op}

    def refuse(self, kind: str, message: str, **details: Any) -> "Refusal":
        return Refusal(kind, f"Operation {self.number} ({self.op}): {message}", operation=self.where, **details)

    def restate(self, refusal: "Refusal") -> "Refusal":
        """A refusal a shared check raised, said about this operation."""
        payload = dict(refusal.payload)
        kind, message = payload.pop("kind"), payload.pop("message")
        return self.refuse(kind, message, **payload)


def _new_key(step: Step) -> str:
    return f"+{step.number}"


class Batch:
    """The operations checked against the notebook, and the notebook they would leave (cell -> code)."""

    def __init__(self, nb: "Notebook", requests: list[dict[str, Any]]) -> None:
        self.nb = nb
        self.steps = [Step(i + 1, r) for i, r in enumerate(requests)]
        self.codes: dict[str, str] = {}  # the cells' code after the batch, by key
        self.code_by: dict[str, Step] = {}  # the operation that set a cell's code in this batch
        self.handles: dict[str, Step] = {}  # temporary ids and names of the cells created so far
        self.deleted: dict[str, Step] = {}
        self.edited: dict[str, Step] = {}
        self.moved: dict[str, Step] = {}

    # -- one operation at a time ------------------------------------------------

    def check(self) -> None:
        """Check every operation in order, then the notebook they leave; a refusal names the operation."""
        self.codes = {cid: silent_code(self.nb.by_id[cid]) for cid in self.nb.order}
        for step in self.steps:
            {"create": self._create, "edit": self._edit, "move": self._move, "delete": self._delete}[step.op](step)
        self._check_graph()

    def _resolve(self, step: Step, target: str, role: str) -> str:
        """The key of the cell `target` names: a cell created earlier in the batch, else an existing cell."""
        if target in self.handles:
            return _new_key(self.handles[target])
        try:
            key = self.nb.resolve(target)
        except Refusal as refusal:
            creator = next((s for s in self.steps[step.number:] if s.op == "create"
                            and target in (s.request.get("id"), s.request.get("name"))), None)
            if creator is not None:
                raise step.refuse(
                    "invalid",
                    f"{role} {target!r} is the cell operation {creator.number} creates, which comes later: "
                    "order the operations so that it is created first.",
                ) from None
            raise step.restate(refusal) from None
        if key in self.deleted:
            raise step.refuse(
                "invalid",
                f"{role} {target!r} is deleted by operation {self.deleted[key].number}.",
                cell=self.nb.label(key),
            )
        return key

    def _placement(self, step: Step) -> None:
        before, after = step.request.get("before"), step.request.get("after")
        if before is not None and after is not None:
            raise step.refuse("invalid", "Give either before or after, not both.")
        step.before = self._resolve(step, before, "The 'before' cell") if before is not None else None
        step.after = self._resolve(step, after, "The 'after' cell") if after is not None else None

    def _syntax(self, step: Step, code: str) -> None:
        try:
            syntax_check(code)
        except Refusal as refusal:
            raise step.restate(refusal) from None

    def _create(self, step: Step) -> None:
        request = step.request
        label, name = request.get("id"), request.get("name") or None
        for handle, what in ((label, "temporary id"), (name, "name")):
            if handle is None:
                continue
            if handle in self.nb.by_id or any(c.name == handle and c.id not in self.deleted for c in self.nb.cells):
                raise step.refuse(
                    "invalid",
                    f"The {what} {handle!r} is already a cell's id or name; pick another "
                    "(names and temporary ids must be unique to address cells).",
                )
        self._placement(step)
        self._syntax(step, request["code"])
        step.key = _new_key(step)
        self.codes[step.key] = request["code"]
        self.code_by[step.key] = step
        for handle in (label, name):
            if handle is not None:
                self.handles[handle] = step

    def _existing(self, step: Step) -> str:
        """The cell an edit or a delete acts on: one that exists, not deleted, edited or moved before."""
        key = self._resolve(step, step.request["cell"], "The cell")
        if key.startswith("+"):
            raise step.refuse(
                "invalid",
                f"The cell {step.request['cell']!r} is created by operation {key[1:]} of this batch: "
                "give the final code (and place) in that create instead.",
            )
        return key

    def _edit(self, step: Step) -> None:
        request = step.request
        key = self._existing(step)
        if key in self.edited:
            raise step.refuse(
                "invalid",
                f"Cell {key} is edited by operation {self.edited[key].number} already; edit a cell once per batch.",
                cell=self.nb.label(key),
            )
        current = self.nb.by_id[key].code  # a recorded read: code_mode's own staleness guard then accepts the edit
        code = request["code"]
        if not request.get("force"):
            expect = request.get("expect")
            if expect is None:
                raise step.refuse("invalid", "An edit needs the hash you read (expect), or force.")
            if not hash_matches(current, expect):
                raise self._changed(
                    step, key, expect, yours=code, yours_hash=code_hash(code),
                    next="Someone changed the cell since you read it. Read it again (`cells`), merge, and send the "
                         "batch again with its new hash as expect (or \"force\": true to overwrite on purpose).",
                )
        self._syntax(step, code)
        step.key, step.previous = key, current
        self.codes[key] = code
        self.code_by[key] = step
        self.edited[key] = step

    def _changed(self, step: Step, key: str, expect: str, **details: Any) -> "Refusal":
        """The conflict of an operation whose cell no longer holds the code read (its hash `expect`)."""
        current = self.nb.by_id[key].code
        return step.refuse(
            "conflict",
            f"Cell {key} changed since you read it (base {expect}, now {code_hash(current)}); nothing was applied.",
            cell={"id": key, "name": self.nb.by_id[key].name}, base_hash=expect, theirs=current,
            theirs_hash=code_hash(current), **details)

    def _move(self, step: Step) -> None:
        key = self._resolve(step, step.request["cell"], "The cell")
        self._placement(step)
        if step.before is None and step.after is None:
            raise step.refuse("invalid", "A move needs before or after.")
        if key in (step.before, step.after):
            raise step.refuse("invalid", "A cell cannot be moved next to itself.")
        step.key = key
        self.moved[key] = step

    def _delete(self, step: Step) -> None:
        key = self._existing(step)
        expect = step.request.get("expect")
        if expect is not None and not hash_matches(self.nb.by_id[key].code, expect):
            raise self._changed(step, key, expect,
                                next="Someone changed the cell since you read it. Read it again (`cells`) before "
                                     "deleting it.")
        for seen, what in ((self.edited, "edited"), (self.moved, "moved")):
            if key in seen:
                raise step.refuse(
                    "invalid",
                    f"Cell {key} is {what} by operation {seen[key].number}; a cell cannot be {what} and deleted "
                    "in one batch.",
                    cell=self.nb.label(key),
                )
        step.key = key
        self.deleted[key] = step
        del self.codes[key]

    # -- the notebook the batch leaves -----------------------------------------------

    def _names(self, key: str) -> tuple[frozenset[str], frozenset[str]]:
        if key in self.code_by:
            return analyse(self.codes[key]) or NO_NAMES
        return self.nb.analysis(key)

    def describe(self, key: str) -> str:
        if key.startswith("+"):
            step = self.steps[int(key[1:]) - 1]
            label = step.request.get("id") or step.request.get("name")
            return f"the cell operation {step.number} creates" + (f" ({label})" if label else "")
        name = self.nb.by_id[key].name
        return f"{name} ({key})" if name not in ("", "_") else key

    def _blame(self, keys: Any) -> Step | None:
        """The last operation that set the code of one of `keys` (the one that made the problem)."""
        steps = [self.code_by[k] for k in keys if k in self.code_by]
        return max(steps, key=lambda s: s.number) if steps else None

    def _check_graph(self) -> None:
        before = {cid: self.nb.analysis(cid) for cid in self.nb.order}
        after = {key: self._names(key) for key in self.codes}
        self._check_definitions(before, after)
        self._check_cycles(before, after)

    def _check_definitions(self, before: dict[str, Any], after: dict[str, Any]) -> None:
        was = {name for name, keys in _definers(before).items() if len(keys) > 1}
        clashes = {name: keys for name, keys in _definers(after).items() if len(keys) > 1 and name not in was}
        blamed: dict[int, tuple[Step, dict[str, list[str]]]] = {}
        for name, keys in sorted(clashes.items()):
            step = self._blame(keys)
            if step is None:
                continue
            others = [k for k in keys if k != step.key]
            blamed.setdefault(step.number, (step, {}))[1][name] = others
        if not blamed:
            return
        step, names = blamed[min(blamed)]
        parts = [f"{name!r} is already defined in {', '.join(self.describe(k) for k in owners)}"
                 for name, owners in names.items()]
        existing = sorted({k for owners in names.values() for k in owners if not k.startswith("+")},
                          key=self.nb.order.index)
        raise step.refuse(
            "multiply_defined",
            "Multiply-defined names: " + "; ".join(parts) + ". Nothing was applied.",
            names={name: [self._public(k) for k in owners] for name, owners in names.items()},
            cells=[self.nb.label(k) for k in existing],
        )

    def _public(self, key: str) -> str:
        """A key as the caller knows the cell: its id, or `operation N` for a cell the batch creates."""
        return f"operation {key[1:]}" if key.startswith("+") else key

    def _check_cycles(self, before: dict[str, Any], after: dict[str, Any]) -> None:
        was = {frozenset(c) for c in _cycles(before)}
        new = [c for c in _cycles(after) if frozenset(c) not in was]
        blamed: list[tuple[Step, list[str]]] = []
        for cycle in new:
            culprit = self._blame(cycle)
            if culprit is not None:
                blamed.append((culprit, cycle))
        if not blamed:
            return
        step, cycle = min(blamed, key=lambda b: b[0].number)
        ordered = [k for k in self.nb.order if k in cycle] + sorted((k for k in cycle if k.startswith("+")),
                                                                    key=lambda k: int(k[1:]))
        raise step.refuse(
            "cycle",
            "This would create a cycle through " + ", ".join(self.describe(k) for k in ordered) + ". Nothing was applied.",
            cells=[self.nb.label(k) if not k.startswith("+") else {"operation": int(k[1:])} for k in ordered],
        )

    def blame_apply_error(self, exc: BaseException) -> None:
        """code_mode refused the batch on exit (nothing applied): say which operation, when it can be told."""
        text = str(exc)
        if isinstance(exc, RuntimeError) and text.startswith("Multiply-defined names"):
            names = set(re.findall(r"^\s*- '([^']+)'", text, flags=re.MULTILINE))
            keys = [k for k in self.code_by if names & self._names(k)[0]]
            step = self._blame(keys)
            if step is not None:
                raise step.refuse("multiply_defined", text.split("\n\nTo skip validation")[0].replace("\n", " "),
                                  names={n: [] for n in sorted(names)}, cells=[])
        _refuse_apply_error(exc)

    # -- applying ----------------------------------------------------------------

    def target(self, key: str) -> str:
        """What code_mode calls a cell: its id, or the id it gave the cell created in this batch."""
        if key.startswith("+"):
            created = self.steps[int(key[1:]) - 1].created
            assert created is not None  # placements only refer to earlier operations
            return created
        return key

    def queue(self, ctx: Any, run: bool) -> list[str]:
        """Queue every operation in one code_mode batch; the cells to run."""
        to_run: list[str] = []
        for step in self.steps:
            request = step.request
            before = self.target(step.before) if step.before is not None else None
            after = self.target(step.after) if step.after is not None else None
            try:
                if step.op == "create":
                    step.created = ctx.create_cell(request["code"], before=before, after=after,
                                                   name=request.get("name") or None, hide_code=False)
                    to_run.append(step.created)
                elif step.op == "edit":
                    assert step.key is not None
                    ctx.edit_cell(step.key, code=request["code"])
                    to_run.append(step.key)
                elif step.op == "move":
                    assert step.key is not None
                    ctx.move_cell(self.target(step.key), before=before, after=after)
                else:
                    assert step.key is not None
                    ctx.delete_cell(step.key)
            except Refusal:
                raise
            except Exception as exc:  # anything code_mode refuses while queueing discards the whole batch
                raise step.refuse("invalid", f"{type(exc).__name__}: {exc}") from None
        if run:
            for cid in to_run:
                ctx.run_cell(cid)
        return to_run if run else []


def _definers(names: dict[str, tuple[frozenset[str], frozenset[str]]]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for key, (defs, _refs) in names.items():
        for name in defs:
            found.setdefault(name, []).append(key)
    return found


def _cycles(names: dict[str, tuple[frozenset[str], frozenset[str]]]) -> list[list[str]]:
    """The strongly connected groups of two or more cells (an edge: one defines what the other reads)."""
    search = _GroupSearch(_reader_edges(names))
    for root in names:
        if root not in search.index:
            search.from_root(root)
    return [group for group in search.groups if len(group) > 1]


def _reader_edges(names: dict[str, tuple[frozenset[str], frozenset[str]]]) -> dict[str, set[str]]:
    """From each cell to the cells that read a name it defines."""
    definers = _definers(names)
    edges: dict[str, set[str]] = {key: set() for key in names}
    for reader, (_defs, refs) in names.items():
        for name in refs:
            for writer in definers.get(name, ()):
                if writer != reader:
                    edges[writer].add(reader)
    return edges


class _GroupSearch:
    """Tarjan's strongly connected groups, walked with a list instead of recursion: a long chain
    of cells must not reach the kernel's recursion limit."""

    def __init__(self, edges: dict[str, set[str]]) -> None:
        self.edges = edges
        self.index: dict[str, int] = {}
        self.low: dict[str, int] = {}
        self.stack: list[str] = []
        self.on_stack: set[str] = set()
        self.groups: list[list[str]] = []

    def _enter(self, node: str) -> tuple[str, list[str]]:
        self.index[node] = self.low[node] = len(self.index)
        self.stack.append(node)
        self.on_stack.add(node)
        return node, sorted(self.edges[node])

    def from_root(self, root: str) -> None:
        work = [self._enter(root)]
        while work:
            node, pending = work[-1]
            if pending:
                child = pending.pop()
                if child not in self.index:
                    work.append(self._enter(child))
                elif child in self.on_stack:
                    self.low[node] = min(self.low[node], self.index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                self.low[parent] = min(self.low[parent], self.low[node])
            if self.low[node] == self.index[node]:
                self.groups.append(self._close(node))

    def _close(self, node: str) -> list[str]:
        """The group `node` roots: the stack down to it."""
        group: list[str] = []
        while True:
            member = self.stack.pop()
            self.on_stack.discard(member)
            group.append(member)
            if member == node:
                return group


def _orphans(ctx: Any, nb: Notebook, deleted: list[str]) -> set[str]:
    """The cells that depended on a deleted one (by the code, and by the kernel's graph): they may go stale."""
    orphans: set[str] = set()
    for key in deleted:
        orphans |= set(nb.descendants(key))
        if key in ctx.graph.cells:
            from marimo._types.ids import CellId_t

            orphans |= set(ctx.graph.descendants(CellId_t(key)))
    return orphans - set(deleted)


async def _queue_batch(ctx: Any, phase: Any, batch: Batch, run: bool) -> list[str]:
    """Apply every operation in one code_mode batch; the cells queued to run. An error code_mode
    raises while applying is blamed on the operation that caused it."""
    queued: list[str] = []

    def queue() -> None:
        queued.extend(batch.queue(ctx, run))

    try:
        await _apply(ctx, phase, queue)
    except Refusal:
        raise
    except Exception as exc:
        if phase.state == "applying":
            batch.blame_apply_error(exc)
        raise
    return queued


def _applied(batch: Batch) -> tuple[list[dict[str, Any]], dict[str, str], list[str]]:
    """Per operation what it did (`applied`), the temporary ids' cells, and the cells left changed."""
    applied: list[dict[str, Any]] = []
    ids: dict[str, str] = {}
    touched: list[str] = []
    for step in batch.steps:
        entry: dict[str, Any] = {"number": step.number, "op": step.op}
        if step.op == "create":
            assert step.created is not None
            entry["cell"] = step.created
            touched.append(step.created)
            label = step.request.get("id")
            if label is not None:
                entry["id"] = label
                ids[label] = step.created
        else:
            assert step.key is not None
            entry["cell"] = batch.target(step.key)
            if step.op != "delete":
                touched.append(entry["cell"])
            if step.op == "edit" and step.previous is not None:
                entry["previous_hash"] = code_hash(step.previous)
        applied.append(entry)
    return applied, ids, touched


async def op_apply(request: dict[str, Any], phase: Any) -> dict[str, Any]:
    import marimo._code_mode as cm

    ctx = cm.get_context()
    nb = Notebook(ctx)
    batch = Batch(nb, list(request["operations"]))
    batch.check()
    run = bool(request.get("run", True))
    gone = [cell_state(nb, nb.by_id[key]) for key in batch.deleted]
    orphans = _orphans(ctx, nb, list(batch.deleted))
    queued = await _queue_batch(ctx, phase, batch, run)
    after_nb = Notebook(ctx)
    ran = _run_affected(ctx, after_nb, queued) if queued else []
    applied, ids, touched = _applied(batch)
    stale_candidates = states(ctx, [c for c in after_nb.order if c in orphans])
    stale = [c["id"] for c in stale_candidates if c["status"] == "stale"]
    affected = set(touched) | set(ran) | set(stale)
    ordered_ran = [c for c in after_nb.order if c in set(ran)]
    return {"applied": applied, "ids": ids, "ran": ordered_ran, "deleted": gone, "stale": stale,
            "cells": states(ctx, list(affected)), "order": after_nb.order}


OPERATIONS.update({"apply": op_apply})
