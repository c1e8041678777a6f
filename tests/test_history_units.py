"""The code history as a pure record: who changed which cell's code from what to what, and how it is undone.

The model is fed websocket messages in the shapes marimo 0.25 sends (tests/fixtures/events/05_codemode_edits.json
shows a code_mode program's transaction between its scratch execution's `running` and `completed`).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from marimo_pair_tui.core.codemode.client import build_program
from marimo_pair_tui.core.errors import ConflictError, InvalidRequestError
from marimo_pair_tui.core.model.cell import code_hash
from marimo_pair_tui.core.model.history import CodeChange, CodeHistory, diff_lines, origin_of
from marimo_pair_tui.core.model.notebook import Notebook
from marimo_pair_tui.core.model.undo_plan import plan_revert, plan_undo
from marimo_pair_tui.core.service.code_history import checked_origin, since_time
from marimo_pair_tui.core.service.history_files import HistoryFiles, history_path
from marimo_pair_tui.core.wire.discovery import ServerInfo
from marimo_pair_tui.core.wire.sessions import SessionRef, Target


def notebook(door: str = "cli") -> Notebook:
    nb = Notebook()
    nb.history.door = door
    nb.apply_event({"op": "kernel-ready", "data": {
        "cell_ids": ["a", "b", "c"], "names": ["first", "_", "_"], "codes": ["x = 1", "y = x + 1", "z = 3"],
        "stable_session_id": "sess-1"}})
    return nb


def transaction(nb: Notebook, source: str, version: int, *changes: dict[str, object]) -> None:
    nb.apply_event({"op": "notebook-document-transaction", "data": {
        "transaction": {"changes": list(changes), "source": source, "version": version}}})


def execution(nb: Notebook, eid: str, cell: str, phase: str, code: str | None = None,
              caused_by: str | None = None) -> None:
    nb.apply_event({"op": "execution", "data": {"execution_id": eid, "cell_id": cell, "run_id": "r-" + eid,
                                                "phase": phase, "code": code, "caused_by": caused_by}})


def our_edit(nb: Notebook, eid: str, cell: str, code: str, version: int) -> None:
    """A code_mode program this process sent: logged as its call, planned on the scratchpad, its transaction, done."""
    program = build_program({"op": "edit", "cell": cell, "code": code, "nonce": "n" + eid})
    nb.activity.call(program, followed=lambda: True)
    execution(nb, eid, "__scratch__", "planned", program)
    execution(nb, eid, "__scratch__", "running")
    transaction(nb, "code-mode", version, {"type": "set-code", "cellId": cell, "code": code})
    execution(nb, "run-" + eid, cell, "planned", code, caused_by=eid)
    execution(nb, eid, "__scratch__", "completed")


def test_each_writer_is_recorded_with_the_code_before_and_after() -> None:
    nb = notebook()
    our_edit(nb, "e1", "a", "x = 2", 5)
    transaction(nb, "frontend", 6, {"type": "set-code", "cellId": "b", "code": "y = x + 10"})
    transaction(nb, "file-watch", 7, {"type": "create-cell", "cellId": "d", "code": "w = 4", "name": "four",
                                      "after": "c"})
    transaction(nb, "code-mode", 8, {"type": "delete-cell", "cellId": "b"})  # no program of ours runs: another client

    changes = nb.history.changes
    assert [(c.cell_id, c.kind, c.before, c.after, c.by) for c in changes] == [
        ("a", "edit", "x = 1", "x = 2", "cli"),
        ("b", "edit", "y = x + 1", "y = x + 10", "browser"),
        ("d", "create", "", "w = 4", "file"),
        ("b", "delete", "y = x + 10", "", "code_mode"),
    ]
    ours = changes[0]
    assert (ours.program, ours.execution, ours.run, ours.cell_name) == ("edit", "e1", "run-e1", "first")
    assert [origin_of(c, "cli") for c in changes] == ["self", "other", "file", "other"]
    assert [origin_of(c, "mcp") for c in changes] == ["other", "other", "file", "other"]
    assert (changes[3].place_after, changes[3].place_before) == ("a", "c")  # where it stood
    assert nb.cell("a").code == "x = 2" and nb.get("b") is None  # the model applied them as before


def test_a_browser_run_sent_before_its_edit_is_the_changes_run() -> None:
    nb = notebook()
    execution(nb, "br", "c", "planned", "z = 30")  # a browser runs the new code first...
    transaction(nb, "frontend", 3, {"type": "set-code", "cellId": "c", "code": "z = 30"})  # ...then sends it
    assert nb.history.changes[0].run == "br"


def test_the_same_change_has_the_same_id_in_every_process_and_the_better_record_wins() -> None:
    mine, theirs = notebook("cli"), notebook("app")
    our_edit(mine, "e1", "a", "x = 2", 5)
    transaction(theirs, "code-mode", 5, {"type": "set-code", "cellId": "a", "code": "x = 2"})
    [ours], [seen] = mine.history.changes, theirs.history.changes
    assert ours.id == seen.id and seen.by == "code_mode"
    assert theirs.history.merge([ours]) and theirs.history.changes[0].by == "cli"
    assert not mine.history.merge([seen])  # what it says is less: kept as it was
    assert mine.history.changes[0].by == "cli"


def test_the_history_is_bounded_and_code_is_cut() -> None:
    history = CodeHistory(limit=3)
    nb = notebook()
    nb.history = history
    for version in range(5):
        transaction(nb, "frontend", version, {"type": "set-code", "cellId": "c", "code": f"z = {version}"})
    assert [c.after for c in history.changes] == ["z = 2", "z = 3", "z = 4"]
    transaction(nb, "frontend", 9, {"type": "set-code", "cellId": "c", "code": "z = '" + "w" * 40000 + "'"})
    assert history.changes[-1].truncated and len(history.changes[-1].after) == 32 * 1024


def test_diff_lines_mark_removed_and_added_lines() -> None:
    change = CodeChange(id="h1", cell_id="a", cell_name="_", kind="edit", before="x = 1\n--y\nz = 3",
                        after="x = 1\nz = 4", by="cli", at=0.0)
    assert diff_lines(change) == ["@@ -1,3 +1,2 @@", " x = 1", "---y", "-z = 3", "+z = 4"]


def test_revert_plans_the_batch_that_puts_back_the_old_code() -> None:
    nb = notebook()
    our_edit(nb, "e1", "a", "x = 2", 5)
    edit = nb.history.changes[0]
    assert plan_revert(edit, nb).operations == [{"op": "edit", "cell": "a", "code": "x = 1", "expect": code_hash("x = 2")}]

    transaction(nb, "frontend", 6, {"type": "set-code", "cellId": "a", "code": "x = 3"})
    with pytest.raises(ConflictError) as refused:
        plan_revert(edit, nb)
    assert refused.value.details["theirs"] == "x = 3"
    assert plan_revert(edit, nb, force=True).operations == [{"op": "edit", "cell": "a", "code": "x = 1", "force": True}]


def test_reverting_a_create_deletes_and_a_delete_comes_back_at_its_place() -> None:
    nb = notebook()
    transaction(nb, "code-mode", 3, {"type": "create-cell", "cellId": "d", "code": "w = 4", "after": "c"})
    transaction(nb, "code-mode", 4, {"type": "delete-cell", "cellId": "b"})
    created, deleted = nb.history.changes
    assert plan_revert(created, nb).operations == [{"op": "delete", "cell": "d", "expect": code_hash("w = 4")}]
    assert plan_revert(created, nb, force=True).operations == [{"op": "delete", "cell": "d"}]
    assert plan_revert(deleted, nb).operations == [{"op": "create", "code": "y = x + 1", "id": "revert-1", "after": "a"}]


def test_undo_is_refused_whole_when_someone_else_changed_a_cell_after() -> None:
    nb = notebook()
    our_edit(nb, "e1", "a", "x = 2", 5)
    our_edit(nb, "e2", "c", "z = 4", 6)
    our_edit(nb, "e3", "a", "x = 5", 7)
    mine = nb.history.select(origin="self")
    plan = plan_undo(mine, nb.history.changes, nb)
    assert plan.operations == [  # each cell back to its code before the first undone change
        {"op": "edit", "cell": "a", "code": "x = 1", "expect": code_hash("x = 5")},
        {"op": "edit", "cell": "c", "code": "z = 3", "expect": code_hash("z = 4")},
    ]
    assert plan.reverted == [c.id for c in mine]

    transaction(nb, "frontend", 8, {"type": "set-code", "cellId": "c", "code": "z = 40"})
    with pytest.raises(ConflictError) as refused:
        plan_undo(nb.history.select(origin="self"), nb.history.changes, nb)
    assert refused.value.details["by"] == "browser"


def test_since_takes_a_change_id_a_time_or_a_duration() -> None:
    history = CodeHistory(clock=lambda: 1000.0)
    nb = notebook()
    nb.history = history
    transaction(nb, "frontend", 1, {"type": "set-code", "cellId": "c", "code": "z = 9"})
    change = history.changes[0]
    assert since_time(change.id, history) == 1000.0
    assert since_time("10m", history, now=5000.0) == 4400.0
    assert since_time("1234.5", history) == 1234.5
    assert since_time("1970-01-01T00:20:00+00:00", history) == 1200.0
    with pytest.raises(InvalidRequestError):
        since_time("yesterday-ish", history)


def test_a_history_file_is_private_and_read_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    target = Target(server=ServerInfo(url="http://127.0.0.1:2718", host="127.0.0.1", port=2718, pid=1,
                                      version="0.25.2", source="registry"),
                    notebook="/nb/demo.py", session=SessionRef("sess-1", "s_1"))
    nb = notebook()
    HistoryFiles().attach(nb, target)
    our_edit(nb, "e1", "a", "x = 2", 5)
    path = history_path(("", "http://127.0.0.1:2718", "/nb/demo.py"))
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700

    again = Notebook()
    HistoryFiles().attach(again, target)  # a new process
    [change] = again.history.changes
    assert (change.before, change.after, change.by, change.run) == ("x = 1", "x = 2", "cli", "run-e1")


def test_an_unknown_origin_is_refused_with_the_known_ones() -> None:
    assert checked_origin("self") == "self" and checked_origin("browser") == "browser" and checked_origin(None) is None
    with pytest.raises(InvalidRequestError) as refused:
        checked_origin("me")
    assert "self" in refused.value.next and "browser" in refused.value.next


def test_a_new_session_numbering_cells_afresh_is_compared_by_place_and_code() -> None:
    from marimo_pair_tui.core.model.unseen import SeenCell, differences

    # A cell was inserted at the top while nothing followed, and the server restarted: marimo numbers
    # the cells in file order, so every id moved down one place.
    known = [SeenCell("Hbol", "a", "a = 1"), SeenCell("MJUe", "b", "b = a + 1"), SeenCell("vblA", "c", "c = 3")]
    found = [SeenCell("Hbol", "_", "import os"), SeenCell("MJUe", "a", "a = 1"),
             SeenCell("vblA", "b", "b = a + 2"), SeenCell("bkHC", "c", "c = 3")]
    across = [(d.kind, d.cell.id, d.before, d.cell.code) for d in differences(known, found, same_session=False)]
    assert sorted(across) == [("create", "Hbol", "", "import os"), ("edit", "vblA", "b = a + 1", "b = a + 2")]
    # Compared by id, as within one session, the same states would read as four wrong changes.
    within = differences(known, found, same_session=True)
    assert len(within) == 4


def test_what_a_follower_recorded_after_the_state_seen_is_not_recorded_again_as_unseen() -> None:
    import itertools

    ticks = itertools.count(1000)
    first = notebook()
    first.history.clock = lambda: float(next(ticks))
    assert first.history.catch_up(first) == []  # nothing to compare with yet: the state is only seen
    transaction(first, "frontend", 6, {"type": "set-code", "cellId": "b", "code": "y = x + 10"})

    # Later another follower finds the session: b as recorded, and c changed while nobody followed.
    later = Notebook()
    later.apply_event({"op": "kernel-ready", "data": {
        "cell_ids": ["a", "b", "c"], "names": ["first", "_", "_"], "codes": ["x = 1", "y = x + 10", "z = 30"],
        "stable_session_id": "sess-1"}})
    later.history.clock = lambda: float(next(ticks))
    later.history.merge(first.history.changes)
    later.history.take_seen(first.history.seen)
    unseen = later.history.catch_up(later)
    assert [(c.cell_id, c.kind, c.before, c.after, c.by) for c in unseen] == [("c", "edit", "z = 3", "z = 30", "unseen")]
    assert first.history.seen is not None and unseen[0].since == first.history.seen.at < unseen[0].at
    assert later.history.catch_up(later) == []  # the state found is the one seen now
