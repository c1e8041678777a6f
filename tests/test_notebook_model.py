"""The notebook model, fed with traffic recorded from a real marimo server.

Fixtures come from tests/record_events.py; each file replays on its own into an
empty model (it starts with the server's `kernel-ready` and replay).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from marimo_pair_tui.core.documents import cell_json
from marimo_pair_tui.core.model.notebook import (
    CELL_CONSOLE_CHARS,
    CELL_OUTPUT_CHARS,
    SCRATCH_ID,
    Cell,
    CellError,
    Notebook,
    code_hash,
)
from marimo_pair_tui.core.model.outputs import kept_data, snapshot_errors
from marimo_pair_tui.core.parts.payloads import describe_error, error_status

FIXTURES = Path(__file__).parent / "fixtures" / "events"
HEADLESS_KEYS = {"id", "name", "code", "hash", "status", "errors", "console", "output",
                 "defs", "refs", "config", "truncated"}  # one cell shape, every door


def notebook_json(nb: Notebook) -> dict[str, Any]:
    """Every cell in the headless cell shape, in notebook order."""
    return {"cells": [cell_json(c) for c in nb.cells]}


def load(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{name}.json").read_text())


def messages(name: str) -> list[dict[str, Any]]:
    return [e["message"] for e in load(name)["events"]]


def replay(msgs: list[dict[str, Any]], nb: Notebook | None = None) -> Notebook:
    nb = nb or Notebook()
    for m in msgs:
        nb.apply_event(m)
    return nb


def index_where(msgs: list[dict[str, Any]], op: str, start: int = 0, **fields: Any) -> int:
    for i in range(start, len(msgs)):
        data = msgs[i]["data"]
        if msgs[i]["op"] == op and all(data.get(k) == v for k, v in fields.items()):
            return i
    raise LookupError((op, fields))


def tx_index(msgs: list[dict[str, Any]], change_type: str, start: int = 0) -> int:
    """Index of the next transaction holding a change of `change_type`."""
    for i in range(start, len(msgs)):
        if msgs[i]["op"] == "notebook-document-transaction":
            if any(c["type"] == change_type for c in msgs[i]["data"]["transaction"]["changes"]):
                return i
    raise LookupError(change_type)


def cell_op(cell_id: str, **fields: Any) -> dict[str, Any]:
    return {"op": "cell-op", "data": {"op": "cell-op", "cell_id": cell_id, **fields}}


def stdout(text: str, channel: str = "stdout") -> dict[str, Any]:
    return {"channel": channel, "mimetype": "text/plain", "data": text}


def small_notebook(*ids: str) -> Notebook:
    nb = Notebook()
    nb.apply_event({"op": "kernel-ready", "data": {
        "cell_ids": list(ids), "codes": [f"v_{i} = {n}" for n, i in enumerate(ids)],
        "names": ["_"] * len(ids), "configs": [{}] * len(ids)}})
    return nb


# -- recorded scenarios -------------------------------------------------


def test_open_then_instantiate_runs_every_cell_to_idle() -> None:
    rec = load("01_open_instantiate")
    msgs = messages("01_open_instantiate")
    ready = msgs[0]["data"]
    before = replay(msgs[: rec["live_from"]])
    assert before.cell_ids == ready["cell_ids"]
    assert [c.code for c in before] == ready["codes"]
    # never run yet: code_mode calls a cell with code that never ran `stale`
    assert [c.status for c in before] == ["stale", "stale", "stale"]

    nb = replay(msgs)
    assert nb.cell_ids == ready["cell_ids"]
    assert [c.status for c in nb] == ["idle", "idle", "idle"]
    assert nb.cell("base").code == "x = 41"
    printer = nb.cell(ready["cell_ids"][2])
    assert printer.console_text() == "y is 42\n"
    assert printer.defs == {"y"} and printer.refs == {"print", "x"}  # code_mode's refs: builtins too
    assert nb.cell("imports").defs == {"sys", "time"}
    assert nb.is_idle() and nb.last_run_completed and nb.running_cell_ids() == []


def test_running_cell_is_visible_mid_sequence() -> None:
    msgs = messages("03_console_over_time")
    created = tx_index(msgs, "create-cell")
    ticker = msgs[created]["data"]["transaction"]["changes"][0]["cellId"]
    queued = index_where(msgs, "cell-op", cell_id=ticker, status="queued")
    running = index_where(msgs, "cell-op", cell_id=ticker, status="running")
    first_tick = running + 1

    nb = replay(msgs[: queued + 1])
    assert nb.cell(ticker).status == "queued" and nb.queued_cell_ids() == [ticker]
    assert not nb.is_idle() and not nb.last_run_completed
    nb = replay(msgs[queued + 1 : first_tick + 1], nb)
    assert nb.running_cell_ids() == [ticker] and nb.running_cell_id == ticker
    assert nb.cell(ticker).console_text() == "tick 0\n"
    nb = replay(msgs[first_tick + 1 :], nb)
    assert nb.cell(ticker).status == "idle" and nb.is_idle() and nb.last_run_completed


def test_console_keeps_stdout_and_stderr_in_arrival_order() -> None:
    nb = replay(messages("03_console_over_time"))
    ticker = nb.cell("ticker")
    assert [(e.channel, e.data) for e in ticker.console] == [
        ("stdout", "tick 0\n"), ("stderr", "warn 0\n"), ("stdout", "tick 1\n"),
        ("stderr", "warn 1\n"), ("stdout", "tick 2\n"), ("stderr", "warn 2\n")]
    assert ticker.output is not None and ticker.output.text == "'ticked'"


def test_a_new_run_replaces_the_console() -> None:
    # 08: the replay gives `_` console "y is 42"; rerunning with x = 40 prints "y is 41".
    msgs = messages("08_kiosk_attach")
    live = load("08_kiosk_attach")["live_from"]
    printer_id = msgs[0]["data"]["cell_ids"][3]
    nb = replay(msgs[:live])
    assert nb.cell(printer_id).console_text() == "y is 42\n"
    nb = replay(msgs[live:], nb)
    assert nb.cell(printer_id).console_text() == "y is 41\n"


def test_raising_cell_has_a_readable_exception_and_its_child_is_cancelled() -> None:
    nb = replay(messages("02_cell_raises"))
    boom, child = nb.cell("boom"), nb.cell("child")
    assert boom.status == "exception"
    assert boom.errors == [CellError("runtime", "ZeroDivisionError: division by zero")]
    assert "ZeroDivisionError" in boom.console_text() and "<span" not in boom.console_text()
    assert child.status == "cancelled"
    assert len(child.errors) == 1 and "in cell boom" in child.errors[0].message
    assert nb.cell_ids[-2:] == [boom.id, child.id]  # created after the original three
    assert cell_json(child)["errors"] == [{"kind": "runtime", "message": child.errors[0].message}]


def test_scratch_snippets_never_become_cells() -> None:
    rec = load("04_scratch_snippet")
    msgs = messages("04_scratch_snippet")
    nb = replay(msgs[: rec["live_from"]])
    ids_before = nb.cell_ids
    for m in msgs[rec["live_from"] :]:
        changes = nb.apply_event(m)
        if m["op"] == "cell-op":
            assert changes.scratch and not changes.cell_ids
    assert nb.cell_ids == ids_before and nb.get(SCRATCH_ID) is None
    assert SCRATCH_ID not in json.dumps(notebook_json(nb))
    assert nb.scratch.console_text() == "hello from scratch\nscratch warning\n"
    assert [e.channel for e in nb.scratch.console] == ["stdout", "stderr"]
    assert nb.scratch.output is not None and nb.scratch.output.text == "82"
    assert "print('hello from scratch')" in nb.scratch.code
    assert nb.scratch.status == "idle" and nb.scratch_runs == 1


def test_code_mode_edits_create_edit_rename_move_delete() -> None:
    msgs = messages("05_codemode_edits")
    start = msgs[index_where(msgs, "kernel-ready")]["data"]["cell_ids"]
    hbol, mjue, vbla, duyd, iqfj, noxj = start

    i = tx_index(msgs, "create-cell")
    nb = replay(msgs[:i])
    changes = nb.apply_event(msgs[i])
    q = msgs[i]["data"]["transaction"]["changes"][0]["cellId"]
    assert changes.structure and q in changes
    assert nb.cell_ids == [hbol, mjue, q, vbla, duyd, iqfj, noxj]
    assert nb.cell(q).code == "q = 1" and nb.cell(q).status == "stale"  # created, not run

    i2 = tx_index(msgs, "set-code", i + 1)
    nb = replay(msgs[i + 1 : i2 + 1], nb)
    assert nb.cell("qcell").code == "q = 2"
    assert nb.cell(q).hash == code_hash("q = 2")

    i3 = tx_index(msgs, "set-name", i2 + 1)
    nb = replay(msgs[i2 + 1 : i3 + 1], nb)
    assert nb.cell(q).name == "qcell2" and nb.get("qcell") is None
    assert nb.cell(q).config.disabled and not nb.cell(q).config.hide_code

    i4 = tx_index(msgs, "reorder-cells", i3 + 1)  # code_mode sends a move as a reorder
    nb = replay(msgs[i3 + 1 : i4 + 1], nb)
    assert nb.cell_ids == [q, hbol, mjue, vbla, duyd, iqfj, noxj]

    nb = replay(msgs[i4 + 1 :], nb)
    assert nb.cell_ids == [q, hbol, mjue, vbla, duyd, iqfj]
    assert nb.get("ticker") is None
    assert notebook_json(nb)["cells"][0]["config"] == {"disabled": True}  # the default (False) is left out


def test_multiply_defined_name_is_a_graph_error_naming_variable_and_cell() -> None:
    msgs = messages("06_multiple_defs")
    created = tx_index(msgs, "create-cell")
    dup = msgs[created]["data"]["transaction"]["changes"][0]["cellId"]
    # the error cell-op arrives *before* the create-cell: the model keeps it
    assert index_where(msgs, "cell-op", cell_id=dup) < created
    nb = replay(msgs[: created + 1])
    cell = nb.cell("dup")
    assert cell.status == "marimo-error"
    assert cell.errors == [CellError("graph", "The variable 'x' was defined by another cell (base)")]
    assert cell.defs == {"x"}  # from the `variables` that also came first

    deleted = tx_index(msgs, "delete-cell")
    nb = replay(msgs[created + 1 : deleted], nb)  # run again through /api/kernel/run
    assert nb.cell("dup").status == "marimo-error" and len(nb.cell("dup").errors) == 1
    nb = replay(msgs[deleted:], nb)
    assert nb.get("dup") is None and nb.cell("base").status == "idle"
    assert nb.cell("base").defs == {"x"}


def test_interrupting_a_sleeping_cell() -> None:
    msgs = messages("07_interrupt")
    created = tx_index(msgs, "create-cell")
    sleeper = msgs[created]["data"]["transaction"]["changes"][0]["cellId"]
    running = index_where(msgs, "cell-op", cell_id=sleeper, status="running")
    nb = replay(msgs[: running + 2])
    assert nb.running_cell_ids() == [sleeper] and nb.interrupt_count == 0
    assert nb.cell(sleeper).console_text() == "going to sleep\n"

    nb = replay(msgs[running + 2 :], nb)
    cell = nb.cell(sleeper)
    assert cell.status == "interrupted"
    assert cell.errors == [CellError("runtime", "This cell was interrupted and needs to be re-run")]
    assert cell.console_text().startswith("going to sleep\nTraceback")
    assert nb.interrupt_count == 1 and nb.interrupted and nb.is_idle()


def test_kiosk_replay_rebuilds_the_state_a_live_viewer_had() -> None:
    live_viewer = replay(messages("07_interrupt"))
    kiosk_msgs = messages("08_kiosk_attach")
    assert kiosk_msgs[0]["data"]["kiosk"] is True
    assert kiosk_msgs[0]["data"]["resumed"] is True
    mirror = replay(kiosk_msgs[: load("08_kiosk_attach")["live_from"]])
    assert notebook_json(mirror) == notebook_json(live_viewer)


def test_kiosk_and_main_connection_agree_and_track_the_code_that_ran() -> None:
    kiosk = replay(messages("08_kiosk_attach"))
    main = replay(messages("08_kiosk_main_side"))
    assert notebook_json(kiosk) == notebook_json(main)
    base = kiosk.cell("base")
    # /api/kernel/run ran `x = 40` without a document edit: the cell is stale
    assert base.run_code == "x = 40" and base.code == "x = 41" and base.status == "stale"
    assert kiosk.cell("boom").status == "exception"


# -- snapshots ----------------------------------------------------------


def test_snapshot_replaces_cells_with_statuses_and_headless_shape() -> None:
    snap = load("snapshot")
    nb = small_notebook("old1", "old2")
    changes = nb.apply_snapshot(snap)
    assert {"old1", "old2"} <= changes.cell_ids and changes.structure
    assert nb.cell_ids == [c["id"] for c in snap["cells"]]
    assert [c.status for c in nb] == [c["status"] for c in snap["cells"]]
    out = notebook_json(nb)["cells"]
    for got, raw in zip(out, snap["cells"]):
        assert {"id", "name", "code", "hash", "status"} <= set(got) <= HEADLESS_KEYS
        assert got["hash"] == code_hash(raw["code"])
        # errors as the stream reads them: the error output's items, else code_mode's list
        assert got.get("errors", []) == [{"kind": e.kind, "message": e.message} for e in snapshot_errors(raw)]
        # the console as sent, but a traceback as plain text (marimo highlights it for browsers)
        assert got.get("console", []) == [{**c, "data": kept_data(c["mimetype"], c["data"])} for c in raw["console"]]
        assert got.get("defs", []) == raw["defs"]
    assert nb.cell("boom").errors == [CellError("runtime", "ZeroDivisionError: division by zero")]
    assert nb.cell("boom").console[-1].data.endswith("\nZeroDivisionError: division by zero\n")
    assert nb.cell("qcell2").status == "stale"


def test_events_after_a_snapshot() -> None:
    nb = Notebook()
    nb.apply_snapshot(load("snapshot"))
    version = nb.version
    rec = load("08_kiosk_attach")
    printer_id = nb.cell_ids[3]
    nb = replay(messages("08_kiosk_attach")[rec["live_from"] :], nb)
    assert nb.version > version
    assert nb.cell(printer_id).console_text() == "y is 41\n"
    assert nb.cell("qcell2").status == "stale"  # never ran since the snapshot
    # an edit of an idle cell known only from a snapshot makes it stale
    nb.apply_event({"op": "notebook-document-transaction", "data": {"transaction": {
        "changes": [{"type": "set-code", "cellId": nb.cell("imports").id, "code": "import os"}]}}})
    assert nb.cell("imports").status == "stale"


def test_reload_asks_for_a_fresh_snapshot() -> None:
    nb = replay(messages("01_open_instantiate"))
    assert not nb.needs_snapshot
    assert nb.apply_event({"op": "reload", "data": {"op": "reload"}}).kernel
    assert nb.needs_snapshot
    nb.apply_snapshot({"cells": []})
    assert not nb.needs_snapshot and len(nb) == 0


# -- units --------------------------------------------------------------


def test_code_hash_is_12_hex_of_sha256() -> None:
    for code in ("x = 1", "", "名前 = 'é'\n"):
        assert code_hash(code) == hashlib.sha256(code.encode("utf-8")).hexdigest()[:12]
    assert code_hash("x = 1") != code_hash("x = 2")
    assert Cell(id="a", code="x = 1").hash == code_hash("x = 1")


def test_console_is_bounded_keeping_the_newest_text() -> None:
    nb = small_notebook("a")
    chunk = 10_000
    for n in range(20):  # alternate channels so entries do not merge
        nb.apply_event(cell_op("a", console=stdout(f"<{n}>" + "." * chunk, "stdout" if n % 2 else "stderr")))
    cell = nb.cell("a")
    total = sum(len(e.data) for e in cell.console)
    assert cell.console_truncated and total <= CELL_CONSOLE_CHARS
    assert cell.console[-1].data.startswith("<19>") and not cell.console[0].data.startswith("<0>")
    nb.apply_event(cell_op("a", console=stdout("x" * (CELL_CONSOLE_CHARS + 5) + "END")))
    assert len(cell.console) == 1 and cell.console[0].data.endswith("END")
    assert len(cell.console[0].data) == CELL_CONSOLE_CHARS
    nb.apply_event(cell_op("a", console=[]))
    assert cell.console == [] and not cell.console_truncated


def test_output_is_bounded_with_a_flag() -> None:
    nb = small_notebook("a")
    nb.apply_event(cell_op("a", output={"channel": "output", "mimetype": "text/html",
                                        "data": "y" * (CELL_OUTPUT_CHARS + 100)}))
    out = nb.cell("a").output
    assert out is not None and out.truncated and len(out.data) == CELL_OUTPUT_CHARS
    nb.apply_event(cell_op("a", output={"channel": "output", "mimetype": "text/plain", "data": "ok"}))
    out = nb.cell("a").output
    assert out is not None and not out.truncated and out.data == "ok"


def test_console_merges_consecutive_text_like_marimo() -> None:
    nb = small_notebook("a")
    for text in ("a", "b"):
        nb.apply_event(cell_op("a", console=stdout(text)))
    nb.apply_event(cell_op("a", console=[stdout("c", "stderr"), stdout("d")]))
    assert [(e.channel, e.data) for e in nb.cell("a").console] == [
        ("stdout", "ab"), ("stderr", "c"), ("stdout", "d")]


def test_queued_to_running_clears_console_and_old_errors() -> None:
    nb = small_notebook("a")
    nb.apply_event(cell_op("a", status="idle", console=stdout("old\n"), output={
        "channel": "marimo-error", "mimetype": "application/vnd.marimo+error",
        "data": [{"type": "exception", "msg": "bad", "exception_type": "ValueError", "raising_cell": None}]}))
    assert nb.cell("a").status == "exception"
    nb.apply_event(cell_op("a", status="queued"))
    assert nb.cell("a").console_text() == "old\n"  # queued keeps the last run's console
    nb.apply_event(cell_op("a", status="running"))  # no explicit `console: []`
    assert nb.cell("a").console == [] and nb.cell("a").errors == []
    nb.apply_event(cell_op("a", status="idle"))
    assert nb.cell("a").status == "idle"


def test_stale_inputs_and_disabled_statuses() -> None:
    nb = small_notebook("a")
    nb.apply_event(cell_op("a", status="idle"))
    nb.apply_event(cell_op("a", stale_inputs=True))
    assert nb.cell("a").status == "stale" and nb.cell("a").stale_inputs
    nb.apply_event(cell_op("a", stale_inputs=None, status=None))
    assert nb.cell("a").status == "stale"  # None means unchanged
    nb.apply_event(cell_op("a", stale_inputs=False))
    assert nb.cell("a").status == "idle"
    nb.apply_event(cell_op("a", status="disabled-transitively"))
    assert nb.cell("a").status == "disabled"


def test_unknown_ops_change_nothing() -> None:
    nb = replay(messages("01_open_instantiate"))
    before, version = notebook_json(nb), nb.version
    for m in ({"op": "focus-cell", "data": {"cell_id": "not-a-cell"}},
              {"op": "active-line", "data": {"line": 3}}, {"op": "no-such-op", "data": {}}, {},
              {"op": "cell-op", "data": ["not", "a", "dict"]}):
        assert not nb.apply_event(m)
    assert nb.version == version and notebook_json(nb) == before


def test_version_counts_applied_changes() -> None:
    nb = small_notebook("a", "b")
    v = nb.version
    changes = nb.apply_event(cell_op("b", status="queued"))
    assert set(changes) == {"b"} and changes.kernel and nb.version == v + 1
    assert not nb.apply_event(cell_op("zzz", status="idle"))  # unknown cell: kept aside
    assert nb.version == v + 1


def test_lookup_by_id_and_name() -> None:
    nb = replay(messages("02_cell_raises"))
    boom = nb.cell("boom")
    assert nb.cell(boom.id) is boom and nb.index_of(boom.id) == 3
    with pytest.raises(KeyError):
        nb.cell("_")  # unnamed cells cannot be found by name
    with pytest.raises(KeyError):
        nb.cell("nope")


def test_error_messages_for_other_marimo_errors() -> None:
    names = {"c1": "load", "c2": "plot"}.get
    cycle = {"type": "cycle", "edges_with_vars": [["c1", ["a"], "c2"], ["c2", ["b"], "c1"]]}
    assert describe_error(cycle, lambda c: names(c) or c) == \
        "This cell is in a cycle: load -(a)-> plot, plot -(b)-> load"
    assert error_status([cycle]) == "marimo-error"
    stopped = {"type": "ancestor-stopped", "msg": "stopped with `mo.stop`: ", "raising_cell": "c1"}
    assert describe_error(stopped, lambda c: names(c) or c) == "stopped with `mo.stop` (cell load)"
    assert error_status([stopped]) == "cancelled"
    assert error_status([{"type": "interruption"}]) == "interrupted"
    syntax = {"type": "syntax", "msg": "invalid syntax", "lineno": 3}
    assert describe_error(syntax) == "SyntaxError (line 3): invalid syntax"


# -- properties ---------------------------------------------------------


def _wire(tx: Any) -> dict[str, Any]:
    """A Transaction as marimo puts it on the websocket."""
    from marimo._messaging.notification import NotebookDocumentTransactionNotification
    from marimo._messaging.serde import serialize_kernel_message
    from marimo._server.api.endpoints.ws.ws_formatter import format_wire_message

    raw = serialize_kernel_message(NotebookDocumentTransactionNotification(transaction=tx))
    return json.loads(format_wire_message("notebook-document-transaction", raw))


_OPS = st.lists(st.tuples(st.sampled_from(["create", "delete", "move", "reorder", "code"]),
                          st.integers(0, 50), st.integers(0, 50), st.booleans()), max_size=30)


@settings(max_examples=150, deadline=None)
@given(_OPS)
@example([("create", 0, 0, False), ("create", 0, 0, False), ("move", 0, 1, False)])
@example([("create", 0, 0, False), ("create", 0, 0, True), ("create", 0, 1, False),
          ("reorder", 2, 1, False), ("delete", 1, 0, False), ("code", 0, 0, False)])
def test_transactions_match_marimos_own_document(ops: list[tuple[str, int, int, bool]]) -> None:
    """Any create/move/delete/reorder sequence keeps ids unique and the order
    marimo's own NotebookDocument computes from the same wire messages."""
    from marimo._ast.cell import CellConfig as MarimoConfig
    from marimo._messaging.notebook.changes import (
        CreateCell, DeleteCell, MoveCell, ReorderCells, SetCode, Transaction)
    from marimo._messaging.notebook.document import NotebookDocument

    doc = NotebookDocument()
    nb = Notebook()
    nb.apply_event({"op": "kernel-ready", "data": {"cell_ids": [], "codes": [], "names": [], "configs": []}})
    for n, (op, a, b, flag) in enumerate(ops):
        ids = doc.cell_ids
        pick = (lambda k: ids[k % len(ids)]) if ids else None
        anchor = {"after" if flag else "before": pick(b)} if pick else {}
        if op == "create":
            change: Any = CreateCell(cell_id=f"c{n}", code=f"v{n} = {n}", name="_",
                                     config=MarimoConfig(), **anchor)
        elif op == "code" and pick:
            change = SetCode(cell_id=pick(a), code=f"edited {n}")
        elif op == "delete" and pick:
            change = DeleteCell(cell_id=pick(a))
        elif op == "move" and pick and len(ids) > 1 and pick(a) != pick(b):
            change = MoveCell(cell_id=pick(a), **anchor)
        elif op == "reorder" and pick:
            change = ReorderCells(cell_ids=tuple(ids[a % len(ids):] + ids[: a % len(ids)])[: max(1, b % 4)])
        else:
            continue
        applied = doc.apply(Transaction(changes=(change,), source="frontend"))
        nb.apply_event(_wire(applied))
        assert nb.cell_ids == doc.cell_ids
        assert len(set(nb.cell_ids)) == len(nb.cell_ids)
        assert [c.code for c in nb] == [c.code for c in doc.cells]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["stdout", "stderr"]), st.text(max_size=3000)), max_size=60))
def test_console_bound_holds_and_keeps_the_last_write(writes: list[tuple[str, str]]) -> None:
    nb = small_notebook("a")
    for channel, text in writes:
        nb.apply_event(cell_op("a", console=stdout(text, channel)))
    cell = nb.cell("a")
    full = "".join(text for _, text in writes)
    kept = cell.console_text()
    assert len(kept) <= CELL_CONSOLE_CHARS
    assert full.endswith(kept)  # only the oldest text is ever dropped
    assert cell.console_truncated == (len(kept) < len(full))


def test_the_replay_is_pending_until_every_cell_that_ran_has_its_cell_op() -> None:
    nb = Notebook()
    nb.apply_event({"op": "kernel-ready", "data": {"cell_ids": ["a", "b", "c"], "names": ["_"] * 3,
                                                   "codes": ["1", "2", "3"], "last_executed_code": {"a": "1", "b": "2", "c": "3"},
                                                   "last_execution_time": {"a": 5, "c": 2, "__scratch__": 9}}})
    assert nb.replay_pending == {"a", "c"}  # b was created, never run: marimo replays nothing for it
    nb.apply_event({"op": "cell-op", "data": {"cell_id": "c", "status": "idle"}})
    assert nb.replay_pending == {"a"}
    nb.apply_event({"op": "cell-op", "data": {"cell_id": "a", "status": "idle"}})
    assert not nb.replay_pending


def test_focus_prompts_and_missing_packages_are_kept() -> None:
    nb = replay(messages("01_open_instantiate"))
    first = nb.cell_ids[0]
    assert nb.apply_event({"op": "focus-cell", "data": {"cell_id": first}}).focus and nb.focused_cell == first
    nb.apply_event({"op": "missing-package-alert", "data": {"packages": ["humanize"], "isolated": True}})
    assert nb.missing_packages == ["humanize"]
    nb.apply_event({"op": "cell-op", "data": {"cell_id": first, "status": "running", "console": None}})
    nb.apply_event({"op": "cell-op", "data": {"cell_id": first, "console": {"channel": "stdin", "mimetype": "text/plain",
                                                                          "data": "name? "}}})
    assert [(c.id, p) for c, p in nb.waiting_for_input()] == [(first, "name? ")]
    nb.apply_event({"op": "cell-op", "data": {"cell_id": first, "console": {"channel": "stdout", "mimetype": "text/plain",
                                                                          "data": "hello\n"}}})
    assert nb.waiting_for_input() == []


def test_changes_merge_every_field() -> None:
    from dataclasses import fields

    from marimo_pair_tui.core.model.notebook import Changes

    one = Changes(cell_ids=frozenset({"a"}), focus=True, ui_values=frozenset({"X-0"}))
    two = Changes(cell_ids=frozenset({"b"}), kernel=True, variables=frozenset({"n"}), activity=frozenset({"e1"}))
    both = one | two
    assert both.cell_ids == {"a", "b"} and both.focus and both.kernel and both.ui_values == {"X-0"}
    assert both.variables == {"n"} and both.activity == {"e1"} and not both.structure
    for field in fields(Changes):  # no field is left out of a merge
        assert getattr(both, field.name) == (getattr(one, field.name) | getattr(two, field.name))


def test_ui_element_names_are_those_whose_value_is_an_element() -> None:
    nb = Notebook()
    nb.apply_event({"op": "variable-values", "data": {"variables": [
        {"name": "slider", "datatype": "slider", "value": "7"}, {"name": "span", "datatype": "range_slider", "value": "[1, 2]"},
        {"name": "n", "datatype": "int", "value": "7"}, {"name": "df", "datatype": "DataFrame", "value": "3 rows"}]}})
    assert nb.ui_element_names(["slider", "span", "n", "df", "unknown"]) == {"slider", "span"}
    nb.apply_event({"op": "variable-values", "data": {"variables": [{"name": "slider", "datatype": "int", "value": "2"}]}})
    assert nb.ui_element_names(["slider"]) == {"slider"}  # a browser's move reports the value's type


def test_an_unchanged_variables_message_changes_nothing_and_a_changed_one_does() -> None:
    nb = small_notebook("a", "b")
    graph = {"op": "variables", "data": {"variables": [
        {"name": "x", "declared_by": ["a"], "used_by": ["b"]}]}}
    first = nb.apply_event(graph)
    assert first.cell_ids == {"a", "b"} and nb.cell("a").graph_defs == {"x"} and nb.cell("b").graph_refs == {"x"}
    version = nb.version
    again = nb.apply_event(json.loads(json.dumps(graph)))  # equal, not the same object
    assert not again and nb.version == version and nb.cell("b").graph_refs == {"x"}
    moved = nb.apply_event({"op": "variables", "data": {"variables": [
        {"name": "x", "declared_by": ["b"], "used_by": []}]}})
    assert moved.cell_ids == {"a", "b"} and nb.cell("a").graph_defs == set() and nb.cell("b").graph_defs == {"x"}
    # A reconnection starts the model afresh: the same graph then applies again.
    nb.apply_event({"op": "kernel-ready", "data": {"cell_ids": ["a", "b"], "names": ["_", "_"],
                                                    "codes": ["", ""], "configs": [{}, {}]}})
    assert nb.cell("b").graph_defs == set()
    assert nb.apply_event({"op": "variables", "data": {"variables": [
        {"name": "x", "declared_by": ["b"], "used_by": []}]}}).cell_ids == {"b"}
    assert nb.cell("b").graph_defs == {"x"}
