"""Kernel side of the code_mode programs: sent as source text, run in the scratchpad.

The client never imports this module for its behaviour: `codemode/client.py` reads
this file's text and sends it, with the request as a JSON string literal, so
user code never becomes program text. Only the standard library is imported
at module level; marimo is imported inside functions (a kernel always has it).

`main(request_json)` does one operation inside `marimo._code_mode` and prints
exactly one reply, framed as lines `MARKER:<nonce>:<i>:<n>:<chunk>` (the JSON
split into chunks below marimo's console size limit). Everything else the
program or marimo prints is narration the client ignores.
"""

from __future__ import annotations

import contextlib
import difflib
import hashlib
import io
import json
import sys
from typing import Any

MARKER = "@@marimo-pair-tui/reply"
UNNAMED = "_"  # marimo's name for an unnamed cell, as the notebook file and kernel-ready say it
ERROR_MIMETYPE = "application/vnd.marimo+error"
CHUNK_CHARS = 200_000
# Bounds that keep a reply small: per cell, console keeps its tail, output its head.
CONSOLE_BUDGET = 64 * 1024
OUTPUT_BUDGET = 256 * 1024
_COMPILE_CACHE_MAX = 20_000
_COMPILED: dict[str, tuple[frozenset[str], frozenset[str]] | None] = {}


class Refusal(Exception):
    """A structured refusal: nothing was applied."""

    def __init__(self, kind: str, message: str, **details: Any) -> None:
        super().__init__(message)
        self.payload = {"kind": kind, "message": message, **details}


def code_hash(code: str) -> str:
    """First 12 hex chars of sha256(UTF-8 code): a cell's `hash`, computed in the kernel.

    Kernel-side code, sent as source text: it cannot import the package, so it
    repeats the host's one definition (core/model/cell.py), which tests keep equal.
    """
    return hashlib.sha256(code.encode("utf-8")).hexdigest()[:12]


def hash_matches(code: str, expected: str) -> bool:
    """True when `expected` is a prefix (>= 8 hex chars) of the code's sha256."""
    expected = expected.strip().lower()
    return len(expected) >= 8 and hashlib.sha256(code.encode("utf-8")).hexdigest().startswith(expected)


# ---------------------------------------------------------------- framing


def _chunk_chars() -> int:
    try:
        from marimo._messaging.streams import std_stream_max_bytes

        limit = int(std_stream_max_bytes()) - 512
    except Exception:
        limit = CHUNK_CHARS
    return max(1024, min(CHUNK_CHARS, limit))


def send(nonce: str, reply: dict[str, Any]) -> None:
    """Print the reply as framed ASCII lines, each within marimo's console limit."""
    text = json.dumps(reply, ensure_ascii=True, separators=(",", ":"), default=str)
    size = _chunk_chars()
    parts = [text[i : i + size] for i in range(0, len(text), size)] or [""]
    for index, part in enumerate(parts):
        sys.stdout.write(f"\n{MARKER}:{nonce}:{index}:{len(parts)}:{part}\n")
        sys.stdout.flush()


# ---------------------------------------------------------------- analysis


def analyse(code: str) -> tuple[frozenset[str], frozenset[str]] | None:
    """(defs, refs) of code as marimo's compiler sees them; None on a syntax error."""
    if code in _COMPILED:
        return _COMPILED[code]
    from marimo._ast.compiler import compile_cell
    from marimo._types.ids import CellId_t

    try:
        cell = compile_cell(code, cell_id=CellId_t("__mpt_probe__"))
        result: tuple[frozenset[str], frozenset[str]] | None = (frozenset(cell.defs), frozenset(cell.refs))
    except SyntaxError:
        result = None
    except Exception:
        result = None
    if len(_COMPILED) >= _COMPILE_CACHE_MAX:
        _COMPILED.clear()
    _COMPILED[code] = result
    return result


def syntax_check(code: str) -> None:
    """Refuse code that does not compile, with the line and column."""
    from marimo._ast.compiler import compile_cell
    from marimo._types.ids import CellId_t

    try:
        compile_cell(code, cell_id=CellId_t("__mpt_probe__"))
    except SyntaxError as exc:
        raise Refusal(
            "syntax_error",
            f"Syntax error: {exc.msg} (line {exc.lineno}, column {exc.offset}).",
            line=exc.lineno,
            column=exc.offset,
            text=(exc.text or "").rstrip("\n"),
        ) from None


class Notebook:
    """The document's cells in order, with defs/refs for each (graph first, compiler second)."""

    def __init__(self, ctx: Any) -> None:
        self.ctx = ctx
        self.cells = list(ctx.cells.values())
        self.by_id = {c.id: c for c in self.cells}
        self.order = [c.id for c in self.cells]
        self._analysis: dict[str, tuple[frozenset[str], frozenset[str]]] = {}

    def analysis(self, cell_id: str) -> tuple[frozenset[str], frozenset[str]]:
        """(defs, refs) by the compiler; code that does not compile keeps what the graph says."""
        if cell_id not in self._analysis:
            code = silent_code(self.by_id[cell_id])
            impl = self.ctx.graph.cells.get(cell_id)
            if impl is not None and impl.code == code:
                found: tuple[frozenset[str], frozenset[str]] | None = (frozenset(impl.defs), frozenset(impl.refs))
            else:
                found = analyse(code) if code.strip() else (frozenset(), frozenset())
                if found is None and impl is not None:
                    found = (frozenset(impl.defs), frozenset(impl.refs))
            self._analysis[cell_id] = found or (frozenset(), frozenset())
        return self._analysis[cell_id]

    def label(self, cell_id: str) -> dict[str, str]:
        cell = self.by_id.get(cell_id)
        return {"id": cell_id, "name": cell.name if cell is not None else ""}

    def display_label(self, cell_id: str) -> str:
        """The name people know a cell by: its name, else its id (as the client's model says)."""
        cell = self.by_id.get(cell_id)
        name = cell.name if cell is not None else ""
        return name if name not in ("", UNNAMED) else cell_id

    def resolve(self, target: str) -> str:
        """A cell id from an id or a cell name; refuse with the nearest candidates."""
        if target in self.by_id:
            return target
        named = [c.id for c in self.cells if c.name == target and target not in ("", "_")]
        if len(named) == 1:
            return named[0]
        if len(named) > 1:
            raise Refusal(
                "cell_not_found",
                f"The name {target!r} belongs to {len(named)} cells; use an id.",
                target=target,
                nearest=named,
                known=self.order[:10],
                count=len(self.order),
            )
        names = sorted({c.name for c in self.cells if c.name not in ("", "_")})
        nearest = difflib.get_close_matches(target, self.order + names, n=5, cutoff=0.4)
        hint = f" Nearest: {', '.join(nearest)}." if nearest else ""
        raise Refusal(
            "cell_not_found",
            f"No cell {target!r} in the notebook ({len(self.order)} cells).{hint}",
            target=target,
            nearest=nearest,
            known=self.order[:10],
            count=len(self.order),
        )

    def children(self, defs: frozenset[str], exclude: str) -> list[str]:
        return [cid for cid in self.order if cid != exclude and defs & self.analysis(cid)[1]]

    def descendants(self, cell_id: str, defs: frozenset[str] | None = None) -> list[str]:
        """Cells that read, directly or not, what `cell_id` defines (notebook order)."""
        start = self.analysis(cell_id)[0] if defs is None else defs
        seen: set[str] = set()
        frontier = self.children(start, cell_id)
        while frontier:
            nxt: list[str] = []
            for cid in frontier:
                if cid in seen:
                    continue
                seen.add(cid)
                nxt.extend(self.children(self.analysis(cid)[0], cid))
            frontier = nxt
        return [cid for cid in self.order if cid in seen]

    def check_defs(self, code: str, cell_id: str | None) -> None:
        """Refuse names another cell already defines, and new cycles (every cell, not only the graph)."""
        found = analyse(code)
        if found is None:
            syntax_check(code)
            return
        defs, refs = found
        old_defs = self.analysis(cell_id)[0] if cell_id is not None else frozenset()
        clashes: dict[str, list[str]] = {}
        for other in self.order:
            if other == cell_id:
                continue
            other_defs = self.analysis(other)[0]
            for name in defs & other_defs:
                if name in old_defs:
                    continue  # the clash was already there; this edit does not add it
                clashes.setdefault(name, []).append(other)
        if clashes:
            parts = []
            for name, owners in sorted(clashes.items()):
                labels = ", ".join(f"{o} ({self.by_id[o].name})" if self.by_id[o].name not in ("", "_") else o for o in owners)
                parts.append(f"{name!r} is already defined in cell {labels}")
            raise Refusal(
                "multiply_defined",
                "Multiply-defined names: " + "; ".join(parts) + ".",
                names={name: owners for name, owners in sorted(clashes.items())},
                cells=[self.label(o) for o in sorted({o for owners in clashes.values() for o in owners}, key=self.order.index)],
            )
        self._check_cycle(defs, refs, cell_id)

    def _check_cycle(self, defs: frozenset[str], refs: frozenset[str], cell_id: str | None) -> None:
        probe = cell_id or "__mpt_new__"
        ancestors = {cid for cid in self.order if cid != probe and self.analysis(cid)[0] & refs}
        if not ancestors or not defs:
            return
        reach = set(self.children(defs, probe))
        frontier = list(reach)
        while frontier:
            cid = frontier.pop()
            for child in self.children(self.analysis(cid)[0], cid):
                if child not in reach and child != probe:
                    reach.add(child)
                    frontier.append(child)
        loop = sorted(reach & ancestors, key=self.order.index)
        if not loop:
            return
        if cell_id is not None:
            old_defs, old_refs = self.analysis(cell_id)
            if old_defs == defs and old_refs == refs:
                return  # unchanged dependencies: not a cycle this edit introduces
        raise Refusal(
            "cycle",
            "This code would create a cycle through cell(s) " + ", ".join(loop) + ".",
            cells=[self.label(c) for c in loop],
        )


# ---------------------------------------------------------------- state


def _text(data: Any) -> str:
    if isinstance(data, str):
        return data
    try:
        import msgspec

        return msgspec.json.encode(data).decode("utf-8")
    except Exception:
        return json.dumps(data, default=str)


def _console(outputs: list[Any]) -> list[dict[str, str]]:
    items = [
        {"channel": str(getattr(o.channel, "value", o.channel)), "mimetype": str(o.mimetype), "data": _text(o.data)}
        for o in outputs
        if o is not None
    ]
    total = sum(len(i["data"]) for i in items)
    if total <= CONSOLE_BUDGET:
        return items
    kept: list[dict[str, str]] = []
    room = CONSOLE_BUDGET
    for item in reversed(items):
        if room <= 0:
            break
        if len(item["data"]) > room:
            item = {**item, "data": item["data"][-room:]}
        kept.append(item)
        room -= len(item["data"])
    kept.reverse()
    kept[0] = {**kept[0], "data": f"[... {total - CONSOLE_BUDGET} earlier characters omitted ...]\n" + kept[0]["data"]}
    return kept


def _output(output: Any) -> dict[str, str] | None:
    if output is None:
        return None
    data = _text(output.data)
    if data == "":
        return None
    if len(data) > OUTPUT_BUDGET:
        data = data[:OUTPUT_BUDGET] + f"\n[... {len(data) - OUTPUT_BUDGET} characters omitted ...]"
    return {"mimetype": str(output.mimetype), "data": data}


def silent_code(cell: Any) -> str:
    """A cell's code without recording an agent read.

    `NotebookCell.code` records a read in the kernel-wide tracker that guards
    every agent's edits; a snapshot must not vouch for other agents' reads.
    """
    inner = getattr(cell, "_cell", None)
    return inner.code if inner is not None else cell.code


def _status(nb: Notebook, cell: Any, output: dict[str, str] | None) -> str | None:
    """code_mode's status word, corrected where it contradicts the kernel's own notifications.

    code_mode calls every cell missing from the dataflow graph `stale`. Two
    such cells are not: one the kernel refused to register (a syntax error:
    its error output says so, the stream says `marimo-error`), and a markdown
    cell the kernel rendered at instantiation without running it (the kernel
    broadcast it `idle`, not stale, with its output).
    """
    status = cell.status
    word = None if status is None else str(getattr(status, "value", status))
    if word != "stale" or cell.id in nb.ctx.graph.cells:
        return word
    try:
        kernel = nb.ctx._kernel
        registration_error = cell.id in kernel.errors
        pending = cell.id in getattr(kernel, "_uninstantiated_execution_requests", {})
    except AttributeError:
        return word
    if registration_error:
        return "marimo-error"
    if not pending and output is not None and output.get("mimetype") != ERROR_MIMETYPE:
        return "idle"
    return word


def _error_labels(nb: Notebook, output: dict[str, str] | None) -> dict[str, str]:
    """Labels of the cells an error output names (raising cell, other definers, cycle members)."""
    if output is None or output.get("mimetype") != ERROR_MIMETYPE:
        return {}
    try:
        items = json.loads(output["data"])
    except ValueError:
        return {}
    named: set[str] = set()
    for item in items if isinstance(items, list) else ():
        if not isinstance(item, dict):
            continue
        if item.get("raising_cell"):
            named.add(str(item["raising_cell"]))
        named.update(str(c) for c in item.get("cells") or ())
        for edge in item.get("edges_with_vars") or ():
            if isinstance(edge, list) and len(edge) == 3:
                named.update((str(edge[0]), str(edge[2])))
    return {cid: nb.display_label(cid) for cid in sorted(named)}


def cell_state(nb: Notebook, cell: Any) -> dict[str, Any]:
    """One cell in the snapshot shape core/model/notebook.py consumes."""
    code = silent_code(cell)
    defs, refs = nb.analysis(cell.id) if cell.id in nb.by_id else (analyse(code) or (frozenset(), frozenset()))
    config = cell.config
    output = _output(cell.output)
    return {
        "id": cell.id,
        "name": cell.name or UNNAMED,
        "code": code,
        "hash": code_hash(code),
        "status": _status(nb, cell, output),
        "errors": [{"kind": e.kind, "msg": e.msg} for e in cell.errors],
        "labels": _error_labels(nb, output),
        "console": _console(cell.console_outputs),
        "output": output,
        "defs": sorted(defs),
        "refs": sorted(refs),
        "config": {"disabled": bool(config.disabled), "hide_code": bool(config.hide_code)},
    }


def states(ctx: Any, ids: list[str]) -> list[dict[str, Any]]:
    """Fresh states (re-read after an apply) of `ids` that still exist, in notebook order."""
    nb = Notebook(ctx)
    wanted = set(ids)
    return [cell_state(nb, c) for c in nb.cells if c.id in wanted]


# ---------------------------------------------------------------- operations


class Phase:
    """Where an operation is: `before` nothing applied, `applying` inside code_mode's exit, `applied`."""

    state = "before"


def _refuse_apply_error(exc: BaseException) -> None:
    """Turn code_mode's own validation on exit into refusals (nothing applied)."""
    if isinstance(exc, SyntaxError):
        raise Refusal("syntax_error", f"Syntax error: {exc.msg} (line {exc.lineno}).", line=exc.lineno, column=exc.offset)
    text = str(exc)
    if isinstance(exc, RuntimeError) and text.startswith("Multiply-defined names"):
        raise Refusal("multiply_defined", text.split("\n\nTo skip validation")[0], names={}, cells=[])
    if isinstance(exc, RuntimeError) and text.startswith("Cycles detected"):
        raise Refusal("cycle", text.split("\n\nTo skip validation")[0], cells=[])
    if isinstance(exc, ValueError):
        raise Refusal("invalid", text)


async def _apply(ctx: Any, phase: Phase, queue: Any) -> None:
    async with ctx:
        queue()
        phase.state = "applying"
    phase.state = "applied"


async def op_snapshot(request: dict[str, Any], phase: Phase) -> dict[str, Any]:
    import marimo._code_mode as cm

    ctx = cm.get_context()
    nb = Notebook(ctx)
    ids = request.get("ids")
    if ids is not None:
        resolved = {nb.resolve(t) for t in ids}
        cells = [cell_state(nb, c) for c in nb.cells if c.id in resolved]
    else:
        cells = [cell_state(nb, c) for c in nb.cells]
    return {"cells": cells, "order": nb.order}


def _placement(nb: Notebook, request: dict[str, Any]) -> tuple[str | None, str | None]:
    before, after = request.get("before"), request.get("after")
    if before is not None and after is not None:
        raise Refusal("invalid", "Give either before or after, not both.")
    return (nb.resolve(before) if before is not None else None, nb.resolve(after) if after is not None else None)


def _run_affected(ctx: Any, nb: Notebook, ids: list[str]) -> list[str]:
    affected = set(ids)
    for cid in ids:
        if cid in ctx.graph.cells:
            affected |= set(ctx.graph.descendants(cid))
        if cid in nb.by_id:
            affected |= set(nb.descendants(cid))
    return list(affected)


async def op_create(request: dict[str, Any], phase: Phase) -> dict[str, Any]:
    import marimo._code_mode as cm

    ctx = cm.get_context()
    nb = Notebook(ctx)
    code = request["code"]
    name = request.get("name") or None
    before, after = _placement(nb, request)
    if name is not None and any(c.name == name for c in nb.cells):
        raise Refusal("invalid", f"A cell is already named {name!r}; names must be unique to address cells.")
    syntax_check(code)
    nb.check_defs(code, None)
    created: list[str] = []

    def queue() -> None:
        try:
            cid = ctx.create_cell(code, before=before, after=after, name=name, hide_code=bool(request.get("hide_code", False)))
        except ValueError as exc:
            raise Refusal("invalid", str(exc)) from None
        created.append(cid)
        if request.get("run"):
            ctx.run_cell(cid)

    await _apply(ctx, phase, queue)
    after_nb = Notebook(ctx)
    ids = [created[0]]
    if request.get("run"):
        ids = _run_affected(ctx, after_nb, ids)
    return {"created": created[0], "cells": states(ctx, ids), "order": after_nb.order}


async def op_edit(request: dict[str, Any], phase: Phase) -> dict[str, Any]:
    import marimo._code_mode as cm

    ctx = cm.get_context()
    nb = Notebook(ctx)
    cid = nb.resolve(request["target"])
    cell = nb.by_id[cid]
    current = cell.code  # a recorded read: code_mode's own staleness guard then accepts the edit
    code = request["code"]
    if not request.get("force"):
        expect, base = request.get("expect"), request.get("base")
        if expect is not None:
            fresh = hash_matches(current, expect)
            base_hash = expect
        elif base is not None:
            fresh = current == base
            base_hash = code_hash(base)
        else:
            raise Refusal("invalid", "An edit needs the expected hash, the base code, or force.")
        if not fresh:
            raise Refusal(
                "conflict",
                f"Cell {cid} changed since you read it (base {base_hash}, now {code_hash(current)}); nothing was applied.",
                cell={"id": cid, "name": cell.name},
                base_hash=base_hash,
                theirs=current,
                theirs_hash=code_hash(current),
                yours=code,
                yours_hash=code_hash(code),
            )
    syntax_check(code)
    nb.check_defs(code, cid)

    def queue() -> None:
        ctx.edit_cell(cid, code=code)
        if request.get("run"):
            ctx.run_cell(cid)

    await _apply(ctx, phase, queue)
    after_nb = Notebook(ctx)
    ids = _run_affected(ctx, after_nb, [cid]) if request.get("run") else [cid]
    return {"edited": cid, "previous_hash": code_hash(current), "cells": states(ctx, ids), "order": after_nb.order}


async def op_run(request: dict[str, Any], phase: Phase) -> dict[str, Any]:
    import marimo._code_mode as cm

    ctx = cm.get_context()
    nb = Notebook(ctx)
    ids = [nb.resolve(t) for t in request["targets"]]

    def queue() -> None:
        for cid in ids:
            ctx.run_cell(cid)

    await _apply(ctx, phase, queue)
    after_nb = Notebook(ctx)
    return {"ran": ids, "cells": states(ctx, _run_affected(ctx, after_nb, ids)), "order": after_nb.order}


async def op_delete(request: dict[str, Any], phase: Phase) -> dict[str, Any]:
    import marimo._code_mode as cm

    ctx = cm.get_context()
    nb = Notebook(ctx)
    cid = nb.resolve(request["target"])
    gone = cell_state(nb, nb.by_id[cid])
    stale = set(nb.descendants(cid))
    if cid in ctx.graph.cells:
        from marimo._types.ids import CellId_t

        stale |= set(ctx.graph.descendants(CellId_t(cid)))
    stale.discard(cid)

    def queue() -> None:
        ctx.delete_cell(cid)

    await _apply(ctx, phase, queue)
    after_nb = Notebook(ctx)
    # Descendants the kernel left as they were (in autorun mode code_mode does
    # not re-run them) are not stale: report only what a snapshot calls stale.
    candidates = states(ctx, [c for c in after_nb.order if c in stale])
    really = [c for c in candidates if c["status"] == "stale"]
    return {"deleted": gone, "stale": [c["id"] for c in really], "cells": really, "order": after_nb.order}


async def op_move(request: dict[str, Any], phase: Phase) -> dict[str, Any]:
    import marimo._code_mode as cm

    ctx = cm.get_context()
    nb = Notebook(ctx)
    cid = nb.resolve(request["target"])
    before, after = _placement(nb, request)
    if before is None and after is None:
        raise Refusal("invalid", "A move needs before or after.")
    if cid in (before, after):
        raise Refusal("invalid", "A cell cannot be moved next to itself.")

    def queue() -> None:
        ctx.move_cell(cid, before=before, after=after)

    await _apply(ctx, phase, queue)
    after_nb = Notebook(ctx)
    return {"moved": cid, "cells": states(ctx, [cid]), "order": after_nb.order}


async def op_packages_add(request: dict[str, Any], phase: Phase) -> dict[str, Any]:
    import marimo._code_mode as cm

    ctx = cm.get_context()
    names = list(request["names"])
    captured = io.StringIO()
    # Only package operations run here (no cells), so capturing stdout cannot
    # swallow a cell's output; the summary lines are marimo's per-package outcome.
    with contextlib.redirect_stdout(captured):
        await _apply(ctx, phase, lambda: ctx.packages.add(*names))
    summary = captured.getvalue()
    sys.stdout.write(summary)
    lines = summary.splitlines()
    results = []
    for pkg in names:
        if f"installed {pkg}" in lines:
            outcome = "success"
        elif f"failed to install {pkg}" in lines:
            outcome = "failed"
        elif any(line.startswith(f"changes saved for {pkg};") for line in lines):
            outcome = "restart-required"
        else:
            outcome = "unknown"
        results.append({"name": pkg, "outcome": outcome})
    return {"packages": results, "cells": []}


OPERATIONS = {
    "snapshot": op_snapshot,
    "create": op_create,
    "edit": op_edit,
    "run": op_run,
    "delete": op_delete,
    "move": op_move,
    "packages_add": op_packages_add,
}


async def main(request_json: str) -> None:
    """Run one request and print its framed reply (refusals and failures included)."""
    request = json.loads(request_json)
    nonce = request["nonce"]
    phase = Phase()
    try:
        try:
            reply = {"ok": True, "op": request["op"], **(await OPERATIONS[request["op"]](request, phase))}
        except Refusal:
            raise
        except Exception as exc:
            if phase.state == "applying":
                _refuse_apply_error(exc)
            raise
    except Refusal as refusal:
        reply = {"ok": False, "op": request.get("op"), "error": refusal.payload}
    except Exception as exc:
        import traceback

        reply = {
            "ok": False,
            "op": request.get("op"),
            "error": {
                "kind": "internal",
                "message": f"{type(exc).__name__}: {exc}",
                "applied": {"before": "no", "applying": "unknown", "applied": "yes"}[phase.state],
                "traceback": traceback.format_exc()[-4000:],
            },
        }
    send(nonce, reply)
