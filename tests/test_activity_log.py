"""The activity log, fed with traffic recorded from a real marimo server.

Fixtures come from tests/record_events.py (09_scratch_outcomes: a snippet
that raises, one that is interrupted, a code_mode program that runs a cell).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from marimo_pair_tui.core.codemode import client as codemode
from marimo_pair_tui.core.model.activity import ENTRY_CONSOLE_CHARS, LIMIT, ActivityLog, program_request
from marimo_pair_tui.core.model.notebook import SCRATCH_ID, Notebook

FIXTURES = Path(__file__).parent / "fixtures" / "events"
ENTRY_KEYS = {"id", "seq", "kind", "origin", "cell", "code", "program", "outcome", "started_at", "ended_at",
              "duration", "stdout", "stderr", "truncated", "output", "errors", "run_id", "caused_by"}


def recording(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{name}.json").read_text())


def messages(name: str) -> list[dict[str, Any]]:
    return [e["message"] for e in recording(name)["events"]]


def replay(msgs: list[dict[str, Any]], nb: Notebook | None = None) -> Notebook:
    nb = Notebook() if nb is None else nb  # (an empty Notebook is falsy)
    for m in msgs:
        nb.apply_event(m)
    return nb


def planned_code(msgs: list[dict[str, Any]], cell_id: str = SCRATCH_ID, nth: int = 0) -> str:
    codes = [m["data"]["code"] for m in msgs
             if m["op"] == "execution" and m["data"]["phase"] == "planned" and m["data"]["cell_id"] == cell_id]
    return codes[nth]


def execution(eid: str, phase: str, cell_id: str = SCRATCH_ID, code: str | None = None,
              caused_by: str | None = None, run_id: str = "run-1") -> dict[str, Any]:
    return {"op": "execution", "data": {"execution_id": eid, "cell_id": cell_id, "run_id": run_id, "phase": phase,
                                        "code": code, "caused_by": caused_by}}


def write(eid: str, text: str, channel: str = "stdout", cell_id: str = SCRATCH_ID) -> dict[str, Any]:
    return {"op": "cell-op", "data": {"cell_id": cell_id, "execution_id": eid, "status": None, "output": None,
                                      "console": {"channel": channel, "mimetype": "text/plain", "data": text}}}


def test_a_snippet_from_another_client_is_one_scratch_entry_with_its_output() -> None:
    rec = recording("04_scratch_snippet")
    msgs = messages("04_scratch_snippet")
    before = replay(msgs[: rec["live_from"]])
    assert len(before.activity) == 0, "the replay on attach is state, not an execution we saw"
    nb = replay(msgs[rec["live_from"]:], before)
    [entry] = list(nb.activity)
    assert entry.kind == "scratch" and entry.origin == "other" and entry.cell_id is None
    assert entry.code == "import sys as _sys\nprint('hello from scratch')\nprint('scratch warning', file=_sys.stderr)\nx * 2\n"
    assert entry.outcome == "ok" and not entry.errors
    assert entry.stdout == "hello from scratch\n" and entry.stderr == "scratch warning\n"
    assert entry.output is not None and "82" in entry.output.text
    # Times are the kernel's own clock: the `running` cell-op to the `idle` one.
    assert entry.started_at == pytest.approx(1795465502.8393517)
    assert entry.ended_at == pytest.approx(1795465502.8430712)
    assert entry.duration == pytest.approx(0.0037195, abs=1e-6)
    data = entry.to_json()
    assert set(data) == ENTRY_KEYS
    assert data["output"] == {"mimetype": "text/html", "data": "<pre class='text-xs'>82</pre>"}
    assert data["cell"] is None and data["program"] is None and data["truncated"] is False


def test_the_entry_is_running_until_completed_and_reports_each_step() -> None:
    msgs = messages("04_scratch_snippet")
    nb = Notebook()
    planned = next(i for i, m in enumerate(msgs) if m["op"] == "execution" and m["data"]["phase"] == "planned")
    replay(msgs[:planned], nb)
    changes = nb.apply_event(msgs[planned])
    eid = msgs[planned]["data"]["execution_id"]
    assert changes.activity == {eid} and changes  # a change views hear about
    entry = nb.activity.get(eid)
    assert entry is not None and entry.outcome == "running" and entry.duration is None and not entry.finished
    assert nb.activity.running == [entry]
    completed = next(i for i, m in enumerate(msgs) if m["op"] == "execution" and m["data"]["phase"] == "completed")
    replay(msgs[planned + 1: completed], nb)
    assert entry.outcome == "running" and "hello from scratch" in entry.stdout
    assert nb.apply_event(msgs[completed]).activity == {eid}
    assert entry.outcome == "ok" and nb.activity.running == []


def test_this_clients_snippet_is_marked_self_by_code_and_order() -> None:
    msgs = messages("04_scratch_snippet")
    code = planned_code(msgs)
    nb = Notebook()
    nb.activity.expect("print('something else')")
    nb.activity.expect(code)
    [entry] = list(replay(msgs, nb).activity)
    assert entry.origin == "self"

    # The same code again (from someone else) is not ours: each expectation matches once.
    again = Notebook()
    again.activity.expect(code)
    again.apply_event(execution("e1", "planned", code=code))
    again.apply_event(execution("e2", "planned", code=code))
    assert [e.origin for e in again.activity] == ["self", "other"]

    # A withdrawn expectation (the request was refused before it ran) matches nothing.
    withdrawn = Notebook()
    withdraw = withdrawn.activity.expect(code)
    withdraw()
    [entry] = list(replay(msgs, withdrawn).activity)
    assert entry.origin == "other"


def test_cell_runs_are_cell_entries_and_caused_runs_inherit_the_origin() -> None:
    nb = replay(messages("01_open_instantiate"))
    assert [(e.kind, e.cell_id, e.cell_label, e.outcome) for e in nb.activity] == [
        ("cell", "Hbol", "imports", "ok"), ("cell", "MJUe", "base", "ok"), ("cell", "vblA", "vblA", "ok")]
    assert [e.seq for e in nb.activity] == [1, 2, 3]
    assert [e.cell_id for e in nb.activity.newest_first()] == ["vblA", "MJUe", "Hbol"]
    assert nb.activity.newest_first()[0].stdout == "y is 42\n"
    assert nb.activity.newest_first()[0].to_json()["cell"] == {"id": "vblA", "label": "vblA"}

    # A code_mode program runs `base`: the cell's run names the program as its cause.
    msgs = messages("09_scratch_outcomes")
    program = planned_code(msgs, nth=2)
    assert "run_cell('base')" in program
    nb = Notebook()
    nb.activity.expect(program)
    replay(msgs, nb)
    *_, scratch, cell = sorted(nb.activity, key=lambda e: e.seq)
    assert (scratch.kind, scratch.origin, cell.kind, cell.cell_label) == ("scratch", "self", "cell", "base")
    assert cell.caused_by == scratch.id and cell.origin == "self"
    assert scratch.stdout == "re-ran cell 'MJUe' (base)\n"
    # Nobody claimed it: the program and the cell it ran are someone else's.
    assert [e.origin for e in replay(msgs).activity][-2:] == ["other", "other"]


def test_outcomes_error_cancelled_and_interrupted() -> None:
    nb = replay(messages("02_cell_raises"))
    by_cell = {e.cell_label: e for e in nb.activity if e.kind == "cell"}
    assert by_cell["boom"].outcome == "error"
    assert by_cell["boom"].errors[0].message == "ZeroDivisionError: division by zero"
    assert "Traceback" in by_cell["boom"].stderr and "<span" not in by_cell["boom"].stderr
    assert by_cell["child"].outcome == "cancelled"
    assert "in cell boom" in by_cell["child"].errors[0].message
    assert by_cell["boom"].to_json()["output"] is None, "errors are in `errors`, not repeated as output"

    nb = replay(messages("07_interrupt"))
    sleeper = [e for e in nb.activity if e.cell_label == "sleeper"][0]
    assert sleeper.outcome == "interrupted" and sleeper.stdout == "going to sleep\n"
    assert sleeper.duration == pytest.approx(1795465508.8681 - 1795465508.3449488)

    nb = replay(messages("09_scratch_outcomes"))
    fails, sleeps = [e for e in nb.activity if e.kind == "scratch"][:2]
    assert fails.code == "print('about to fail')\n1 / 0\n" and fails.outcome == "error"
    assert fails.stdout == "about to fail\n"
    assert fails.stderr.startswith("Traceback (most recent call last):\n") and ", in <module>\n" in fails.stderr
    assert fails.to_json()["errors"] == [{"kind": "runtime", "message": "ZeroDivisionError: division by zero"}]
    assert sleeps.outcome == "interrupted" and sleeps.stdout == "sleeping\n" and "KeyboardInterrupt" in sleeps.stderr


def test_console_over_time_accumulates_and_times_the_run() -> None:
    msgs = messages("03_console_over_time")
    nb = Notebook()
    first_tick = next(i for i, m in enumerate(msgs) if "tick 0" in json.dumps(m["data"].get("console")))
    replay(msgs[: first_tick + 1], nb)
    ticker = [e for e in nb.activity if e.cell_label == "ticker"][0]
    assert ticker.outcome == "running" and ticker.stdout == "tick 0\n"
    replay(msgs[first_tick + 1:], nb)
    assert ticker.stdout == "tick 0\ntick 1\ntick 2\n" and ticker.stderr == "warn 0\nwarn 1\nwarn 2\n"
    assert ticker.outcome == "ok" and "ticked" in ticker.output.text  # type: ignore[union-attr]
    assert ticker.duration == pytest.approx(1795465501.5701902 - 1795465500.6650898)


def test_a_reconnection_keeps_history_without_doubling_it() -> None:
    # 05's replay on attach carries the 04 snippet's full console again, under its execution id.
    nb = replay(messages("04_scratch_snippet"))
    [entry] = list(nb.activity)
    replay(messages("05_codemode_edits"), nb)
    assert nb.activity.get(entry.id) is entry
    assert entry.stdout == "hello from scratch\n", "a replayed console must not be appended again"
    assert len(nb.activity) == 1 + 5  # the five code_mode snippets of 05

    # An execution still running when the stream reconnects never reports its end to us.
    nb = Notebook()
    nb.apply_event(execution("e1", "planned", code="import time; time.sleep(60)"))
    changes = nb.apply_event({"op": "kernel-ready", "data": {"cell_ids": [], "codes": [], "names": []}})
    assert changes.activity == {"e1"} and nb.activity.get("e1").outcome == "unknown"  # type: ignore[union-attr]
    # The replay that follows tells how it stands: still running, then done...
    replayed = {"cell_id": SCRATCH_ID, "execution_id": "e1", "output": None, "status": "running", "timestamp": 10.0,
                "console": [{"channel": "stdout", "mimetype": "text/plain", "data": "so far\n"}]}
    nb.apply_event({"op": "cell-op", "data": replayed})
    entry = nb.activity.get("e1")
    assert entry is not None and entry.outcome == "running" and entry.stdout == "so far\n" and entry.ended_at is None
    nb.apply_event(write("e1", "more\n"))
    nb.apply_event(execution("e1", "completed"))
    assert entry.outcome == "ok" and entry.stdout == "so far\nmore\n"
    # ... or already over: an idle replay ends it with what its output says.
    nb.apply_event(execution("e2", "planned", code="1 / 0"))
    nb.apply_event({"op": "kernel-ready", "data": {"cell_ids": [], "codes": [], "names": []}})
    error = [{"type": "exception", "msg": "division by zero", "exception_type": "ZeroDivisionError"}]
    nb.apply_event({"op": "cell-op", "data": {
        "cell_id": SCRATCH_ID, "execution_id": "e2", "status": "idle", "timestamp": 20.0, "console": [],
        "output": {"channel": "marimo-error", "mimetype": "application/vnd.marimo+error", "data": error}}})
    failed = nb.activity.get("e2")
    assert failed is not None and failed.outcome == "error" and failed.ended_at == 20.0


def test_the_log_and_each_entry_are_bounded() -> None:
    nb = Notebook()
    for i in range(LIMIT + 5):
        nb.apply_event(execution(f"e{i}", "planned", code=f"print({i})"))
        nb.apply_event(execution(f"e{i}", "completed"))
    assert len(nb.activity) == LIMIT
    assert nb.activity.get("e4") is None and nb.activity.get("e5") is not None
    assert nb.activity.newest_first()[0].code == f"print({LIMIT + 4})"
    assert nb.activity.newest_first()[0].seq == LIMIT + 5

    log = ActivityLog(limit=3)
    log.apply("execution", execution("big", "planned", code="spam()")["data"], str)
    chunk = "x" * 1000 + "\n"
    for i in range(40):
        log.apply("cell-op", write("big", f"{i:03d}" + chunk)["data"], str)
    entry = log.get("big")
    assert entry is not None and entry.truncated and len(entry.stdout) <= ENTRY_CONSOLE_CHARS
    assert entry.stdout.endswith("039" + chunk), "the newest text is kept"
    assert entry.to_json()["truncated"] is True


def test_code_mode_programs_of_this_tool_are_shown_as_their_request() -> None:
    program = codemode.build_program({"op": "create", "nonce": "abc", "code": "y = 'it''s'\n", "after": "MJUe"})
    assert program_request(program) == {"op": "create", "code": "y = 'it''s'\n", "after": "MJUe"}
    assert program_request("print('import sys as _mpt_sys')") is None
    assert program_request("import sys as _mpt_sys, types as _mpt_types\nawait _mpt_mod.main('not json')") is None
    nb = Notebook()
    nb.apply_event(execution("p1", "planned", code=program))
    data = nb.activity.get("p1").to_json()  # type: ignore[union-attr]
    assert data["program"] == {"op": "create", "code": "y = 'it''s'\n", "after": "MJUe"} and data["code"] is None


def test_a_code_mode_program_whose_operation_was_refused_is_an_error_not_ok() -> None:
    """The snippet ran fine, but its reply says the operation was refused: that is how the entry ended."""
    log = ActivityLog()
    for eid, reply in (("refused", {"ok": False, "error": {"kind": "conflict", "message": "Cell changed meanwhile."}}),
                       ("applied", {"ok": True, "op": "delete", "cells": []})):
        nonce = f"nonce-{eid}"
        program = codemode.build_program({"op": "delete", "nonce": nonce, "target": "MJUe"})
        log.apply("execution", execution(eid, "planned", code=program)["data"], str)
        text = json.dumps(reply, separators=(",", ":"))
        log.apply("cell-op", write(eid, f"narration\n\n{codemode.MARKER}:{nonce}:0:1:{text}\n")["data"], str)
        log.apply("execution", execution(eid, "completed")["data"], str)
    refused, applied = log.get("refused"), log.get("applied")
    assert refused is not None and applied is not None
    assert refused.outcome == "error"
    assert [(e.kind, e.message) for e in refused.errors] == [("refused", "conflict: Cell changed meanwhile.")]
    assert refused.to_json()["program"] == {"op": "delete", "target": "MJUe"}, "the nonce stays out of the request"
    assert applied.outcome == "ok" and applied.errors == []


def test_a_reply_with_another_nonce_decides_nothing() -> None:
    """Only the program's own reply counts: a cell printing a refusal-shaped line cannot fail it."""
    log = ActivityLog()
    program = codemode.build_program({"op": "delete", "nonce": "mine", "target": "MJUe"})
    log.apply("execution", execution("p", "planned", code=program)["data"], str)
    fake = json.dumps({"ok": False, "error": {"kind": "conflict", "message": "no"}})
    log.apply("cell-op", write("p", f"{codemode.MARKER}:theirs:0:1:{fake}\n")["data"], str)
    log.apply("cell-op", write("p", f"{codemode.MARKER}:mine:0:1:" + '{"ok":true}' + "\n")["data"], str)
    log.apply("execution", execution("p", "completed")["data"], str)
    assert log.get("p").outcome == "ok"  # type: ignore[union-attr]
