"""50 MB outputs against a real server whose limits let them through (marimo caps them at 1-5 MB by default).

Every door bounds what it returns and says so; `--output-file` keeps
everything; a read that attaches while a 50 MB output is still arriving waits
for it instead of answering with a half-loaded view.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator

import pytest

from marimo_pair_tui.core.documents import CELL_FIELD_LIMIT, EXEC_FIELD_LIMIT
from tests.clihelp import CliResult, cli_env, run_cli
from tests.support.cell_lab import CellLab
from tests.support.marimo_proc import BrowserSession
from tests.support.mcp_client import call, mcp_session

BIG = 50_000_000
LIMITS = "[tool.marimo.runtime]\noutput_max_bytes = 60000000\nstd_stream_max_bytes = 60000000\n"


@pytest.fixture(scope="module")
def big_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CellLab]:
    base = tmp_path_factory.mktemp("big")
    (base / "pyproject.toml").write_text(LIMITS)  # marimo reads the notebook's project config from its parents
    lab = CellLab(base)
    try:
        yield lab
    finally:
        lab.close()


@pytest.fixture(scope="module")
def notebook(big_lab: CellLab) -> tuple[Path, BrowserSession]:
    return big_lab.fresh()


def cli(lab: CellLab, browser: BrowserSession, *args: str) -> CliResult:
    return run_cli([*args, "--url", lab.server.url, "--session", browser.session_id or ""],
                   env=cli_env(lab.server.state_home))


def test_a_50_mb_print_is_bounded_in_the_answer_and_whole_in_the_file(
        big_lab: CellLab, notebook: tuple[Path, BrowserSession], tmp_path: Path) -> None:
    _path, browser = notebook
    saved = tmp_path / "all.json"
    result = cli(big_lab, browser, "exec", "--output-file", str(saved), "-c", f"print('x' * {BIG})")
    assert result.code == 0, result.stderr[-2000:]
    doc = result.json
    assert doc["truncated"] is True and doc["chars"]["stdout"] == BIG + 1
    assert len(doc["stdout"]) == EXEC_FIELD_LIMIT and len(result.stdout) < 2 * EXEC_FIELD_LIMIT
    assert len(json.loads(saved.read_text())["stdout"]) == BIG + 1


def test_a_cell_with_a_50_mb_output_is_bounded_everywhere_and_read_whole_by_a_fresh_reader(
        big_lab: CellLab, notebook: tuple[Path, BrowserSession]) -> None:
    path, browser = notebook
    created = cli(big_lab, browser, "create", "--name", "huge", "--run", "-c", f"huge = 'y' * {BIG}\nhuge")
    assert created.code == 0, created.stdout[-2000:]
    (cell,) = created.json["cells"]
    assert cell["truncated"] is True and len(created.stdout) < 4 * CELL_FIELD_LIMIT
    # a new process attaches while marimo replays the 50 MB cell-op: it waits for it
    read = cli(big_lab, browser, "cells", "--cell", "huge")
    (live,) = read.json["cells"]
    assert live["status"] == "idle" and live["truncated"] is True
    assert live["output"]["text"].startswith("'" + "y" * 1000) and len(read.stdout) < 4 * CELL_FIELD_LIMIT


async def test_mcp_reads_of_a_50_mb_output_are_bounded(big_lab: CellLab, notebook: tuple[Path, BrowserSession]) -> None:
    path, _browser = notebook
    async with mcp_session(big_lab.server.state_home) as session:
        error, doc = await call(session, "cells", notebook=str(path), ids=["huge"])
    assert not error and doc["cells"][0]["truncated"] is True
    assert len(json.dumps(doc)) < 4 * CELL_FIELD_LIMIT
