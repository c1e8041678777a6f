"""The headless cell commands end to end: a real server, the real CLI, the file on disk."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from marimo_pair_tui.core.codemode.client import saving_warnings
from marimo_pair_tui.core.model.cell import code_hash
from tests.support.cell_lab import CellLab, file_cells
from tests.support.waiting import wait_until
from tests.support.marimo_proc import BrowserSession

CELL_KEYS = {"id", "name", "code", "hash", "status", "errors", "console", "output", "defs", "refs", "config", "truncated"}


def cli(
    lab: CellLab,
    browser: BrowserSession | None,
    command: Sequence[str],
    *args: str,
    stdin: str | None = None,
) -> tuple[int, dict[str, Any]]:
    """Run `marimo-pair-tui --headless COMMAND --url U --session S ARGS`; (exit code, the one JSON document)."""
    target = ["--url", lab.server.url, "--session", browser.session_id or ""] if browser else []
    proc = subprocess.run(
        [sys.executable, "-m", "marimo_pair_tui", "--headless", *command, *target, *args],
        input=None if stdin is None else stdin.encode("utf-8"),
        capture_output=True,
        timeout=120,
        env={**os.environ, "XDG_STATE_HOME": str(lab.server.state_home)},
    )
    # Split on \n only: the JSON may carry raw U+2028 / U+0085, which splitlines() breaks on.
    lines = proc.stdout.decode("utf-8").rstrip("\n").split("\n")
    assert len(lines) == 1, (proc.returncode, proc.stdout, proc.stderr)
    return proc.returncode, json.loads(lines[0])


def disk_code(path: Path, code: str) -> bool:
    return code in [c for _name, c in file_cells(path)]


# ---------------------------------------------------------------- round trip

SPECIAL = ['"', "'", '"""', "'''", "\\", "\\n", "${x}", "`", "```", "{", "}", "%s", "\t", "é", "∑", "🙂",
           "\u2028", "\x0c", "\x0b", "\u00a0", "#", "x" * 300, " ", "\r\n", "\n", "\r", "\x00"]
texts = st.one_of(st.text(max_size=200), st.lists(st.sampled_from(SPECIAL), max_size=25).map("".join))


def as_code(text: str) -> str:
    """Valid Python holding `text` three ways: a repr literal, raw in comments, raw in a triple-quoted string."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").split("\n")
    comments = "".join(f"# {line}\n" for line in lines)
    raw = text.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "\\r").replace("\x00", "\\x00")
    return f"_t = {text!r}\n{comments}_u = \"\"\"{raw}\"\"\""


@pytest.fixture(scope="module")
def round_trip_session(lab: CellLab) -> tuple[Path, BrowserSession]:
    return lab.fresh()


# Each example is three CLI calls on a real server: few examples, and no shrinking (it
# would take minutes); a failure prints the example as found. The text takes the same
# path in both ways (argv, stdin and a file read by the same command code, one JSON
# line out); through the service it is also relayed, so that way gets the most examples,
# and in-process, where each call starts a fresh interpreter, fewer.
EXAMPLES = {"service": 15, "in_process": 5}


def test_any_text_round_trips_through_create_edit_and_cells(
    lab: CellLab, round_trip_session: tuple[Path, BrowserSession], tmp_path_factory: pytest.TempPathFactory,
    headless_way: str,
) -> None:
    path, browser = round_trip_session

    @settings(max_examples=EXAMPLES[headless_way], deadline=None,
              phases=[Phase.explicit, Phase.reuse, Phase.generate])
    @given(first=texts, second=texts)
    def round_trip(first: str, second: str) -> None:
        code1, code2 = as_code(first), as_code(second)
        status, created = cli(lab, browser, ["create"], "-", stdin=code1)
        assert status == 0, created
        cell_id = created["created"]
        assert created["cells"][0]["code"] == code1 and created["cells"][0]["hash"] == code_hash(code1)

        source = tmp_path_factory.mktemp("code") / "cell.py"
        with open(source, "w", encoding="utf-8", newline="") as handle:
            handle.write(code2)
        status, edited = cli(lab, browser, ["edit"], cell_id, "--expect", code_hash(code1), "--file", str(source))
        assert status == 0, edited
        status, listing = cli(lab, browser, ["cells"])
        assert status == 0
        (cell,) = [c for c in listing["cells"] if c["id"] == cell_id]
        assert cell["code"] == code2 and cell["hash"] == code_hash(code2)
        # The file marimo saved parses, and holds exactly that code, unless the
        # code has characters marimo's writer alters: then the reply says so.
        expected_warnings = saving_warnings(code2)
        assert [w for w in edited["warnings"] if w in expected_warnings] == expected_warnings
        if not expected_warnings:
            wait_until(lambda: disk_code(path, code2), what="the edited cell in the saved notebook")
        else:
            wait_until(
                lambda: file_cells(path)[-1][1].startswith(f"_t = {second!r}\n"), what="the edited cell on disk"
            )

    round_trip()


# ---------------------------------------------------------------- commands


@pytest.mark.one_way
def test_cells_lists_every_cell_with_the_headless_shape(lab: CellLab) -> None:
    path, browser = lab.fresh("errors.py")
    status, doc = cli(lab, browser, ["cells"])
    assert status == 0 and doc["success"] is True
    assert doc["session"]["session_id"] == browser.session_id
    assert [c["code"] for c in doc["cells"]] == [code for _n, code in file_cells(path)]
    for cell in doc["cells"]:
        assert {"id", "name", "code", "hash", "status"} <= set(cell) <= CELL_KEYS
        for error in cell.get("errors", []):
            assert set(error) == {"kind", "message"}
    assert any(e["kind"] == "runtime" for c in doc["cells"] for e in c.get("errors", []))


def test_conflict_carries_both_versions_and_force_overwrites(lab: CellLab) -> None:
    path, browser = lab.fresh()
    _s, doc = cli(lab, browser, ["cells"])
    cell = doc["cells"][1]
    lab.execute(
        browser,
        "import marimo._code_mode as cm\n"
        "async with cm.get_context(skip_staleness_check=True) as ctx:\n"
        f"    ctx.edit_cell({cell['id']!r}, code='x = 99')\n",
    )
    wait_until(lambda: disk_code(path, "x = 99"), what="the other client's edit on disk")
    status, conflict = cli(lab, browser, ["edit"], cell["id"], "--expect", cell["hash"], "-c", "x = 1")
    assert status == 5
    error = conflict["error"]
    assert error["kind"] == "conflict" and conflict["success"] is False
    assert (error["theirs"], error["yours"], error["base_hash"]) == ("x = 99", "x = 1", cell["hash"])
    assert disk_code(path, "x = 99") and not disk_code(path, "x = 1")

    base = path.parent / "base.py"
    base.write_text("x = 41", encoding="utf-8")
    status, again = cli(lab, browser, ["edit"], cell["id"], "--base-file", str(base), "-c", "x = 1")
    assert status == 5 and again["error"]["theirs"] == "x = 99"

    status, forced = cli(lab, browser, ["edit"], cell["id"], "--force", "--run", "-c", "x = 1")
    assert status == 0 and forced["success"] is True
    by_id = {c["id"]: c for c in forced["cells"]}
    assert by_id[cell["id"]]["code"] == "x = 1"
    assert by_id[doc["cells"][2]["id"]]["console"][0]["data"] == "y is 2\n"
    wait_until(lambda: disk_code(path, "x = 1"), what="the forced edit on disk")


@pytest.mark.one_way
@pytest.mark.parametrize("instantiate", [True, False], ids=["ran", "never-ran"])
def test_multiply_defined_name_is_refused_and_names_the_other_cell(lab: CellLab, instantiate: bool) -> None:
    path, browser = lab.fresh(instantiate=instantiate)
    before = path.read_bytes()
    status, doc = cli(lab, browser, ["create"], "-c", "x = 5\nw = 1")
    assert status == 1, doc
    assert doc["error"]["kind"] == "multiply_defined"
    assert doc["error"]["names"] == {"x": [browser.cell_ids[1]]}
    assert doc["error"]["cells"] == [{"id": browser.cell_ids[1], "name": "define_x"}]
    _s, listing = cli(lab, browser, ["cells"])
    assert len(listing["cells"]) == 4
    assert path.read_bytes() == before


@pytest.mark.one_way
def test_syntax_error_is_refused(lab: CellLab) -> None:
    path, browser = lab.fresh()
    before = path.read_bytes()
    status, doc = cli(lab, browser, ["edit"], "define_x", "--force", "-c", "x = = 2")
    assert status == 1 and doc["error"]["kind"] == "syntax_error" and doc["error"]["line"] == 1
    assert path.read_bytes() == before


@pytest.mark.one_way
def test_unknown_cell_lists_nearby_ids(lab: CellLab) -> None:
    _path, browser = lab.fresh()
    wrong = browser.cell_ids[2][:-1] + ("A" if browser.cell_ids[2][-1] != "A" else "B")
    status, doc = cli(lab, browser, ["run"], wrong)
    assert status == 2
    assert doc["error"]["kind"] == "cell_not_found"
    assert browser.cell_ids[2] in doc["error"]["nearest"]
    assert doc["error"]["known"] == browser.cell_ids


@pytest.mark.one_way
def test_move_and_delete_change_the_file(lab: CellLab) -> None:
    path, browser = lab.fresh()
    ids = browser.cell_ids
    status, moved = cli(lab, browser, ["move"], ids[2], "--before", ids[0])
    assert status == 0 and moved["order"] == [ids[2], ids[0], ids[1], ids[3]]
    wait_until(lambda: file_cells(path)[0][1] == 'y = x + 1\nprint("y is", y)', what="the move on disk")

    status, deleted = cli(lab, browser, ["delete"], "define_x")
    # marimo does not re-run the cell that read x: it keeps its last result, so it is not stale,
    # and `delete` lists as stale only what a read then reports stale.
    assert status == 0 and deleted["stale"] == [] and deleted["cells"] == []
    status, after = cli(lab, browser, ["cells"], "--refresh")
    assert status == 0 and {c["id"]: c["status"] for c in after["cells"]}[ids[2]] == "idle"
    wait_until(lambda: len(file_cells(path)) == 3, what="the deletion on disk")
    assert "x = 41" not in [code for _n, code in file_cells(path)]


def test_run_reports_results_and_fails_with_the_cell(lab: CellLab) -> None:
    _path, browser = lab.fresh()
    ids = browser.cell_ids
    status, doc = cli(lab, browser, ["run"], ids[1])
    assert status == 0 and doc["success"] is True
    assert [c["id"] for c in doc["cells"]] == [ids[1], ids[2]]
    assert doc["cells"][1]["console"] == [{"channel": "stdout", "mimetype": "text/plain", "data": "y is 42\n"}]

    status, created = cli(lab, browser, ["create"], "--after", ids[2], "--name", "boom", "--run", "-c", "raise ValueError('no')")
    assert status == 1 and created["success"] is False
    assert created["failed"] == [created["created"]]
    (cell,) = created["cells"]
    assert cell["status"] == "exception" and "ValueError: no" in cell["errors"][0]["message"]
    assert created["order"].index(created["created"]) == 3


def test_usage_errors_exit_2_before_touching_the_server(lab: CellLab) -> None:
    _path, browser = lab.fresh()
    status, doc = cli(lab, browser, ["edit"], "define_x", "-c", "x = 1")  # no --expect/--base-file/--force
    assert status == 2 and doc["error"]["kind"] == "usage"
    status, doc = cli(lab, browser, ["move"], "define_x")
    assert status == 2
    status, doc = cli(lab, browser, ["create"], "--name", "not an identifier", "-c", "q = 1")
    assert status == 2 and doc["error"]["kind"] == "invalid_request"


@pytest.mark.one_way
def test_packages_add_reports_failure(lab: CellLab, tmp_path: Path) -> None:
    _path, browser = lab.fresh()
    missing = str(tmp_path / "nothing-here")
    status, doc = cli(lab, browser, ["packages", "add"], missing)
    assert status == 1 and doc["packages"] == [{"name": missing, "outcome": "failed"}]
