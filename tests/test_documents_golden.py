"""The JSON documents pinned as golden files: one shape per concept, whichever door prints it.

Each case builds a document from fixed values through core/documents.py and
compares it with tests/golden/NAME.json. A shape that changes fails here
first; after an intended change, regenerate with
`UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_documents_golden.py`
and review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Callable

import pytest

from marimo_pair_tui.core import documents
from marimo_pair_tui.core.model.activity import ActivityEntry
from marimo_pair_tui.core.model.op_results import CellState, OpResult
from marimo_pair_tui.core.wire.discovery import ServerInfo
from marimo_pair_tui.core.errors import ConflictError, UnknownSessionError
from marimo_pair_tui.core.wire.execute import ExecResult
from marimo_pair_tui.core.model.notebook import Notebook
from marimo_pair_tui.core.model.outputs import ConsoleEntry, Output
from marimo_pair_tui.core.service.values import ActivityPage, CellsView, IdleWait, KernelView, Reply
from marimo_pair_tui.core.wire.sessions import NotebookEntry, SessionRef, Target

GOLDEN = Path(__file__).resolve().parent / "golden"
SERVER = ServerInfo(url="http://127.0.0.1:2718", host="127.0.0.1", port=2718, pid=4242, version="0.25.2", source="registry")
TARGET = Target(server=SERVER, notebook="/home/me/demo.py", session=SessionRef("sess-abc", "s_abc"))
KERNEL = KernelView(idle=False, running=["Hbol"], queued=["MJUe"], live="live")


def _live_notebook() -> Notebook:
    """A notebook model fed as the kiosk stream feeds it: kernel-ready, then cell-ops."""
    notebook = Notebook()
    notebook.apply_event({"op": "kernel-ready", "data": {
        "cell_ids": ["Hbol", "MJUe"], "names": ["define_x", "_"], "codes": ["x = 41", "y = x + 1\nprint(y)"],
        "configs": [{}, {"hide_code": True}],
    }})
    notebook.apply_event({"op": "cell-op", "data": {"cell_id": "Hbol", "status": "idle",
                                                    "output": {"mimetype": "text/plain", "data": ""}}})
    notebook.apply_event({"op": "cell-op", "data": {
        "cell_id": "MJUe", "status": "idle",
        "console": {"channel": "stdout", "mimetype": "text/plain", "data": "42\n"},
        "output": {"mimetype": "text/html", "data": "<pre>42</pre>"},
    }})
    return notebook


def _code_mode_cell() -> CellState:
    return CellState.from_raw({
        "id": "MJUe", "name": "_", "code": "y = x + 1\nprint(y)", "hash": "a1b2c3d4e5f6", "status": "exception",
        "errors": [{"kind": "runtime", "msg": "NameError: name 'x' is not defined"}],
        "console": [{"channel": "stderr", "mimetype": "text/plain", "data": "Traceback ..."}],
        "output": None, "defs": ["y"], "refs": ["print", "x"], "config": {"disabled": False, "hide_code": True},
    })


def _entry() -> ActivityEntry:
    entry = ActivityEntry(id="exec-1", seq=3, kind="scratch", origin="other", code="print(x)",
                          started_at=1795465502.8391, ended_at=1795465502.8433, outcome="ok")
    entry.console.append(ConsoleEntry("stdout", "text/plain", "41\n"))
    entry.output = Output("text/plain", "x" * 5000)
    return entry


def _cases() -> dict[str, Callable[[], dict[str, Any]]]:
    live = _live_notebook()
    return {
        "cells_live": lambda: documents.cells_document(
            Reply(CellsView(cells=live.cells, source="live", kernel=KERNEL), target=TARGET,
                  warnings=["demo.py has 2 sessions"])),
        "cells_live_parts": lambda: documents.cells_document(
            Reply(CellsView(cells=live.cells, source="live", kernel=KERNEL), target=TARGET), parts=True),
        "cells_live_no_outputs": lambda: documents.cells_document(
            Reply(CellsView(cells=live.cells, source="live", kernel=KERNEL), target=TARGET), outputs=False),
        "cells_code_mode": lambda: documents.cells_document(
            Reply(CellsView(cells=[_code_mode_cell()], source="code_mode"), target=TARGET)),
        "operation_move": lambda: documents.operation_document(Reply(
            OpResult(op="move", cells=[_code_mode_cell()], order=["MJUe", "Hbol"], extra={"moved": "MJUe"}),
            target=TARGET)),
        "operation_run_failed": lambda: documents.operation_document(Reply(
            OpResult(op="run", cells=[_code_mode_cell()], order=[], ran=True, warnings=["saved with a blank line"]),
            target=TARGET, warnings=["demo.py has 2 sessions"])),
        "exec": lambda: documents.exec_document(Reply(
            ExecResult(success=True, stdout="2\n", stderr="", output={"mimetype": "text/plain", "data": "2"}),
            target=TARGET)),
        "status": lambda: documents.status_document(Reply(KERNEL, target=TARGET)),
        "interrupt": lambda: documents.done_document(Reply(None, target=TARGET)),
        "idle_wait": lambda: documents.idle_document(Reply(
            IdleWait("timeout", KERNEL, live.cells), target=TARGET)),
        "activity": lambda: documents.activity_document(Reply(
            ActivityPage([_entry()], more=True, log_started_at=1795465500.12345, kernel=KERNEL), target=TARGET)),
        "activity_entry": lambda: documents.activity_entry_json(_entry()),
        "error_unknown_session": lambda: documents.error_json(UnknownSessionError(
            "No session 'sess-x' is known on the servers searched (known sessions: sess-abc).",
            candidates=[{"server": SERVER.url, "notebook": TARGET.notebook, "session_id": "sess-abc",
                         "routing_id": "s_abc", "select_with": "--session sess-abc"}])),
        "error_conflict": lambda: documents.error_json(ConflictError(
            "define_x changed since you read it.", theirs="x = 7", yours="x = 8", cell="Hbol")),
        "servers": lambda: documents.servers_document(Reply([SERVER], warnings=["a dead entry; skipped"])),
        "notebooks": lambda: documents.notebooks_document(Reply(
            [NotebookEntry(SERVER, TARGET.notebook, [TARGET.session])])),
        "watch_line": lambda: documents.watch_line(
            [live.cells[1], "gone1"], idle=False, running=["MJUe"], scratch=None, live="live", order=live.cell_ids),
        "watch_summary": lambda: documents.watch_summary(
            Reply(None, target=TARGET), reason="idle", success=True, idle=True, cells=live.cells),
    }


@pytest.mark.parametrize("name", sorted(_cases()))
def test_document_matches_its_golden_file(name: str) -> None:
    document = _cases()[name]()
    text = json.dumps(document, indent=2, sort_keys=False, ensure_ascii=False) + "\n"
    path = GOLDEN / f"{name}.json"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file {path.name}: run with UPDATE_GOLDEN=1 once and review it"
    assert text == path.read_text(encoding="utf-8"), f"{name} no longer has its pinned shape"


def test_a_live_cell_and_a_code_mode_cell_have_one_shape() -> None:
    live = documents.cell_json(_live_notebook().cells[1])
    code_mode = documents.cell_json(_code_mode_cell())
    for cell in (live, code_mode):  # one order of fields, the optional ones there only when not empty
        assert list(cell) == [f for f in documents.CELL_FIELDS if f in cell]
        assert list(cell)[:5] == ["id", "name", "code", "hash", "status"]
    assert "errors" in code_mode and "errors" not in live  # code_mode's cell has one, the live one none
    assert live["refs"] == code_mode["refs"] == ["print", "x"]  # builtins included on both sides
    assert live["defs"] == code_mode["defs"] == ["y"]


def test_no_outputs_keeps_the_mimetype_and_size_but_not_the_data() -> None:
    cell = _live_notebook().cells[1]
    full, bare = documents.cell_json(cell), documents.cell_json(cell, outputs=False)
    raw, typed = documents.cell_json(cell, outputs="raw"), documents.cell_json(cell, parts=True)
    assert full["output"]["text"] == "```\n42\n```" and "data" not in full["output"]
    assert "parts" not in full["output"] and "handles" not in full["output"]  # nothing the text leaves out
    assert typed["output"]["parts"] == [{"type": "markdown", "markdown": "```\n42\n```"}] and typed["output"]["text"] == full["output"]["text"]
    assert raw["output"]["data"] == "<pre>42</pre>" and "parts" not in raw["output"]
    assert bare["output"] == {"mimetype": "text/html", "data": None, "omitted": True, "chars": 13}
    assert bare["console"] == full["console"]


def test_an_activity_read_cuts_long_texts_and_says_so() -> None:
    (entry,) = documents.activity_document(Reply(ActivityPage([_entry()], False, None)))["entries"]
    assert len(entry["output"]["data"]) == documents.ACTIVITY_TEXT_LIMIT and entry["truncated"] is True
    assert documents.activity_entry_json(_entry())["truncated"] is False


def test_requests_and_replies_are_plain_data() -> None:
    """What a door sends the service, and what a reply turns into, survive JSON both ways."""
    from marimo_pair_tui.core.service.values import TargetSpec

    spec = TargetSpec(notebook="demo.py", session="sess-abc", url="http://127.0.0.1:2718", cwd="/home/me")
    assert TargetSpec.from_json(json.loads(json.dumps(spec.to_json()))) == spec
    assert TargetSpec.from_json({}) == TargetSpec() and not TargetSpec().named
    for name, build in _cases().items():
        document = build()
        assert json.loads(json.dumps(document)) == document, name
