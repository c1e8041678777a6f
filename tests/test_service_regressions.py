"""Reads that never wait on the kernel, and bugs found by trying the doors as a new user would.

Real server, real CLI; each test fails on the build that had the bug.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path


import pytest

from tests.clihelp import cli_env, run_cli
from tests.support.cell_lab import CellLab, file_cells
from tests.support.waiting import wait_until

# define_x, shown (y = x + 1) and long_nap, which sleeps 30 s (bench/cells_busy.py uses it too).
LONG_CELL = (Path(__file__).resolve().parent / "notebooks" / "long_nap.py").read_text(encoding="utf-8")


def headless(lab: CellLab, *args: str, stdin: bytes | None = None):
    return run_cli([args[0], "--url", lab.server.url, *args[1:]], env=cli_env(lab.dir.parent / "state"), stdin=stdin)


def test_cells_answers_from_the_live_stream_while_a_cell_runs_30_s(lab: CellLab) -> None:
    _path, browser = lab.fresh(text=LONG_CELL, instantiate=False)
    session = browser.session_id or ""
    run = subprocess.Popen(  # the kernel is busy with long_nap for 30 s
        [sys.executable, "-m", "marimo_pair_tui", "--headless", "run", "long_nap", "--url", lab.server.url,
         "--session", session],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=cli_env(lab.dir.parent / "state"))
    try:
        wait_until(lambda: headless(lab, "status", "--session", session).json.get("state") == "running",
                   timeout=30, what="the 30 s cell to run")
        # The live mirror hears the cell's run from the stream; `status` may say so a moment sooner.
        wait_until(lambda: headless(lab, "cells", "--session", session, "--cell", "long_nap", "--no-outputs")
                   .json["cells"][0]["status"] == "running", timeout=30, what="the mirror to hear the run")
        began = time.monotonic()
        result = headless(lab, "cells", "--session", session, "--cell", "long_nap", "--cell", "define_x",
                          "--no-outputs")
        took = time.monotonic() - began
        assert run.poll() is None, "the 30 s run ended before the read: the read proves nothing"
    finally:
        run.kill()
        run.wait(timeout=30)
        headless(lab, "interrupt", "--session", session)
    print(f"one-shot `cells` while a 30 s cell runs: {took:.2f} s (process start included)")
    assert result.code == 0, result.stdout
    document = result.json
    assert document["source"] == "live"
    assert [c["name"] for c in document["cells"]] == ["long_nap", "define_x"]
    assert document["cells"][0]["status"] == "running"
    assert document["kernel"]["running"] == [document["cells"][0]["id"]]


def test_cells_leaves_outputs_out_on_request(lab: CellLab) -> None:
    _path, browser = lab.fresh()
    full = headless(lab, "cells", "--session", browser.session_id or "", "--raw")
    bare = headless(lab, "cells", "--session", browser.session_id or "", "--no-outputs")
    assert full.code == bare.code == 0
    with_output = [c for c in full.json["cells"] if c.get("output") and c["output"]["data"]]
    assert with_output, "the demo notebook shows something"
    by_id = {c["id"]: c for c in bare.json["cells"]}
    for cell in with_output:
        bare_output = by_id[cell["id"]]["output"]
        assert bare_output["data"] is None and bare_output["omitted"] is True
        assert bare_output["mimetype"] == cell["output"]["mimetype"]
        assert bare_output["chars"] == len(cell["output"]["data"])


def test_an_unknown_cell_id_is_refused_with_the_nearest(lab: CellLab) -> None:
    _path, browser = lab.fresh()
    result = headless(lab, "cells", "--session", browser.session_id or "", "--cell", "define_xx")
    assert result.code == 2
    assert result.json["error"]["kind"] == "cell_not_found"
    assert "define_x" in result.json["error"]["nearest"]


def test_move_after_an_interrupted_cell_is_a_success(lab: CellLab) -> None:
    go = lab.dir / "slow.go"  # nap runs until this file exists: through at the first run, held for the second
    go.touch()
    path, browser = lab.fresh("slow.py")
    go.unlink()
    session = browser.session_id or ""
    run = subprocess.Popen(
        [sys.executable, "-m", "marimo_pair_tui", "--headless", "run", "nap", "--url", lab.server.url,
         "--session", session], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=cli_env(lab.dir.parent / "state"))
    try:
        # the cell itself, not only the program that asks for its run: an interrupt before it starts would
        # leave it to run (and wait) after
        nap_id = next(c["id"] for c in headless(lab, "cells", "--session", session).json["cells"] if c["name"] == "nap")
        wait_until(lambda: nap_id in headless(lab, "status", "--session", session).json["kernel"]["running"],
                   timeout=30, what="nap to run")
        assert headless(lab, "interrupt", "--session", session).code == 0
        run.wait(timeout=30)
    finally:
        if run.poll() is None:
            run.kill()
    cells = headless(lab, "cells", "--session", session).json["cells"]
    nap = next(c for c in cells if c["name"] == "nap")
    assert nap["status"] in ("interrupted", "exception"), nap
    first = cells[0]["id"]
    moved = headless(lab, "move", "nap", "--before", first, "--session", session)
    assert moved.code == 0, moved.stdout
    assert moved.json["success"] is True and "failed" not in moved.json
    assert moved.json["order"][0] == nap["id"]


def test_a_heredoc_newline_does_not_reach_the_saved_file(lab: CellLab) -> None:
    path, browser = lab.fresh()
    created = headless(lab, "create", "--session", browser.session_id or "", "--name", "heredoc", "-",
                       stdin=b"z = 1\n")
    assert created.code == 0, created.stdout
    assert created.json["cells"][0]["code"] == "z = 1"
    saved = wait_until(lambda: dict(file_cells(path)).get("heredoc"), what="the new cell on disk")
    assert saved == "z = 1"
    text = path.read_text(encoding="utf-8")
    assert "z = 1\n    return" in text, text


@pytest.mark.parametrize("command", [["exec", "-"], ["create", "-"]])
def test_empty_code_on_stdin_is_refused(command: list[str]) -> None:
    result = run_cli([*command, "--url", "http://127.0.0.1:9"], stdin=b"  \n\n")
    assert result.code == 2
    assert result.json["error"]["kind"] == "usage"
    assert "empty" in result.json["error"]["message"]


def test_no_command_is_a_json_usage_error() -> None:
    result = run_cli([])
    assert result.code == 2
    assert result.json["error"]["kind"] == "usage"
    assert "exec" in result.json["error"]["next"]


def test_a_url_that_is_not_a_url_is_a_usage_error() -> None:
    result = run_cli(["exec", "--url", "not-a-url", "-c", "1"])
    assert result.code == 2
    assert result.json["error"]["kind"] == "invalid_url"
    assert "not-a-url" in result.json["error"]["message"]


def test_activity_hears_another_client_while_it_listens(lab: CellLab) -> None:
    """A one-shot read's log starts when it attaches; --listen keeps it open to hear others."""
    _path, browser = lab.fresh()
    session = browser.session_id or ""
    reader = subprocess.Popen(
        [sys.executable, "-m", "marimo_pair_tui", "--headless", "activity", "--url", lab.server.url,
         "--session", session, "--listen", "6"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=cli_env(lab.dir.parent / "state"))
    try:
        assert reader.stderr is not None and b"listening" in reader.stderr.readline()  # attached
        lab.execute(browser, "print('ran by someone else')")
        out, err = reader.communicate(timeout=60)
    finally:
        if reader.poll() is None:
            reader.kill()
    assert reader.returncode == 0, err
    document = json.loads(out)
    assert document["success"] is True and document["log_started_at"] is not None
    entries = [e for e in document["entries"] if e["code"] == "print('ran by someone else')"]
    assert len(entries) == 1, document["entries"]
    assert entries[0]["origin"] == "other" and entries[0]["outcome"] == "ok"
    assert entries[0]["stdout"] == "ran by someone else\n"
