"""Concurrent callers against a real server: 20 snippets at once, 5 cell creations at once.

Through one service (as the MCP server and the app use it) and through as
many separate headless processes. marimo may serialise the requests; what is
checked is that every caller gets exactly its own answer, that every request
ran exactly once, and that the notebook ends up holding every new cell once
and every old cell as it was.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import subprocess
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from marimo_pair_tui.core.model.op_results import CellState
from marimo_pair_tui.core.service.mirrors import caught_up
from marimo_pair_tui.core.model.notebook import Notebook
from marimo_pair_tui.core.service.pairing_service import HubOptions, PairingService, TargetSpec
from tests.clihelp import cli_env
from tests.support.cell_lab import CellLab, file_cells
from tests.support.waiting import wait_until
from tests.support.marimo_proc import BrowserSession

EXECS = 20
CREATES = 5


def snippet(marker: str, index: int, ledger: Path) -> str:
    """Code printing its marker around a yield point, to stderr too, ending on a value of its own;
    each run appends the marker to `ledger`, so the kernel's runs can be counted."""
    return (
        "import asyncio as _asyncio, sys as _sys\n"
        f"with open({str(ledger)!r}, 'a', encoding='utf-8') as _ledger:\n"
        f"    _ledger.write({marker!r} + '\\n')\n"
        f"print({marker!r}, 'start')\n"
        "await _asyncio.sleep(0)\n"
        f"print({marker!r}, 'square', {index} * {index})\n"
        f"print({marker!r}, 'err', file=_sys.stderr)\n"
        f"{index} * 1000 + 7"
    )


def expected_stdout(marker: str, index: int) -> str:
    return f"{marker} start\n{marker} square {index * index}\n"


def expected_output(index: int) -> dict[str, str]:
    return {"mimetype": "text/html", "data": f"<pre class='text-xs'>{index * 1000 + 7}</pre>"}


def markers(tag: str, count: int) -> list[str]:
    return [f"mk_{tag}_{i:02d}_{secrets.token_hex(3)}" for i in range(count)]


def assert_ran_once_each(ledger: Path, expected: Sequence[str]) -> None:
    """The kernel ran every snippet exactly once: none lost, none sent twice."""
    runs = ledger.read_text(encoding="utf-8").splitlines()
    assert Counter(runs) == Counter(expected), runs


def headless_argv(lab: CellLab, browser: BrowserSession, *args: str) -> list[str]:
    return [sys.executable, "-m", "marimo_pair_tui", "--headless", *args,
            "--url", lab.server.url, "--session", browser.session_id or ""]


def run_all(lab: CellLab, argvs: Sequence[list[str]]) -> list[tuple[int, str, str]]:
    """Start every process before waiting for any; (exit code, stdout, stderr) of each."""
    env = cli_env(lab.server.state_home)
    procs = [subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
             for argv in argvs]
    results: list[tuple[int, str, str]] = []
    try:
        for proc in procs:
            out, err = proc.communicate(timeout=100)
            results.append((proc.returncode, out.decode("utf-8"), err.decode("utf-8")))
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    return results


def one_document(code: int, stdout: str, stderr: str) -> dict[str, Any]:
    lines = stdout.rstrip("\n").split("\n")
    assert len(lines) == 1, (code, stdout, stderr)
    document = json.loads(lines[0])
    assert isinstance(document, dict)
    return document


def service_for(lab: CellLab) -> PairingService:
    return PairingService(HubOptions(urls=[lab.server.url], use_registry=False))


def cell_rows(cells: Sequence[CellState]) -> list[tuple[str, str, str]]:
    return [(c.id, c.name, c.code) for c in cells]


def assert_old_cells_kept(before: Sequence[tuple[str, str, str]], after: Sequence[tuple[str, str, str]],
                          added: int) -> None:
    """Every cell that was there is still there, unchanged and in its order; only `added` cells are new."""
    old_ids = {row[0] for row in before}
    assert [row for row in after if row[0] in old_ids] == list(before)
    assert len(after) == len(before) + added, after


def assert_created_once_each(after: Sequence[tuple[str, str, str]], wanted: dict[str, tuple[str, str]]) -> None:
    """`wanted`: the id each reply named -> (name, code). Each code is in exactly one cell, that one."""
    for cell_id, (name, code) in wanted.items():
        holders = [row for row in after if row[2] == code]
        assert holders == [(cell_id, name, code)], (cell_id, holders)


def assert_file_holds(path: Path, old: Sequence[tuple[str, str, str]], new_codes: Sequence[str]) -> None:
    """The saved notebook: the old cells first (marimo may reformat their code when it saves),
    then each new code exactly once, and nothing else."""

    def saved() -> list[tuple[str, str]] | None:
        cells = file_cells(path)
        codes = [code for _name, code in cells]
        complete = len(cells) == len(old) + len(new_codes) and all(codes.count(code) == 1 for code in new_codes)
        return cells if complete else None

    cells = wait_until(saved, what="exactly the old and the new cells in the saved notebook")
    assert [name for name, _code in cells[: len(old)]] == [row[1] for row in old]
    assert sorted(code for _name, code in cells[len(old):]) == sorted(new_codes)


# ---------------------------------------------------------------- 20 concurrent execs


async def test_twenty_concurrent_execs_through_one_service_each_get_exactly_their_own_output(
    lab: CellLab, tmp_path: Path,
) -> None:
    _path, browser = lab.fresh()
    ledger = tmp_path / "ledger.txt"
    ledger.touch()
    spec = TargetSpec(session=browser.session_id, url=lab.server.url)
    names = markers("svc", EXECS)
    codes = [snippet(marker, i, ledger) for i, marker in enumerate(names)]
    async with service_for(lab) as service:
        pairing = (await service.mirror(spec)).value
        replies = await asyncio.gather(*(service.execute(spec, code) for code in codes))

        for i, (marker, reply) in enumerate(zip(names, replies)):
            result = reply.value
            assert reply.target is not None and reply.target.session.session_id == browser.session_id
            assert result.success, result
            assert result.stdout == expected_stdout(marker, i)
            assert result.stderr == f"{marker} err\n"
            assert result.output == expected_output(i)
        assert_ran_once_each(ledger, names)

        # The live activity log: each snippet once, as this client's own, with its own output.
        finished = await pairing.wait_until(
            lambda nb: sum(1 for e in nb.activity if e.code in codes and e.finished) >= EXECS, timeout=60)
        assert finished, [(e.code[:40], e.outcome) for e in pairing.notebook.activity]
        entries = {code: [e for e in pairing.notebook.activity if e.code == code] for code in codes}
        for i, (marker, code) in enumerate(zip(names, codes)):
            [entry] = entries[code]
            assert (entry.kind, entry.origin, entry.outcome) == ("scratch", "self", "ok")
            assert entry.stdout == expected_stdout(marker, i)
            assert entry.stderr == f"{marker} err\n"


def test_twenty_concurrent_headless_execs_each_answer_with_exactly_their_own_output(
    lab: CellLab, tmp_path: Path,
) -> None:
    _path, browser = lab.fresh()
    ledger = tmp_path / "ledger.txt"
    ledger.touch()
    names = markers("cli", EXECS)
    results = run_all(lab, [headless_argv(lab, browser, "exec", "-c", snippet(marker, i, ledger))
                            for i, marker in enumerate(names)])

    for i, (marker, (code, stdout, stderr)) in enumerate(zip(names, results)):
        assert code == 0, (code, stdout, stderr)
        document = one_document(code, stdout, stderr)
        assert document["success"] is True
        assert document["session"]["session_id"] == browser.session_id
        assert document["stdout"] == expected_stdout(marker, i)
        assert document["stderr"] == f"{marker} err\n"
        assert document["output"] == {"text": str(i * 1000 + 7)}
        others = [m for m in names if m != marker and (m in stdout or m in stderr)]
        assert others == [], (marker, others)
    assert_ran_once_each(ledger, names)


# ---------------------------------------------------------------- 5 concurrent creates


async def test_five_concurrent_creates_through_one_service_each_land_once(lab: CellLab) -> None:
    path, browser = lab.fresh()
    spec = TargetSpec(session=browser.session_id, url=lab.server.url)
    tag = secrets.token_hex(3)
    wanted = [(f"made_{tag}_{i}", f"made_{tag}_{i}_v = {i} * 11\nprint('made', made_{tag}_{i}_v)")
              for i in range(CREATES)]
    async with service_for(lab) as service:
        pairing = (await service.mirror(spec)).value
        before = cell_rows((await service.cells(spec, refresh=True)).value.cells)
        replies = await asyncio.gather(
            *(service.create_cell(spec, code, name=name, run=True) for name, code in wanted))

        created: dict[str, tuple[str, str]] = {}
        for i, ((name, code), reply) in enumerate(zip(wanted, replies)):
            result = reply.value
            cell_id = result.extra["created"]
            assert result.success, result
            assert [(c.id, c.name, c.code) for c in result.cells] == [(cell_id, name, code)]
            assert result.cells[0].status == "idle"
            assert "".join(item.data for item in result.cells[0].console) == f"made {i * 11}\n"
            assert cell_id in result.order
            created[cell_id] = (name, code)
        assert len(created) == CREATES, "two replies named the same cell"

        # The operations returned once the live mirror showed them, and the mirror stayed attached.
        target = replies[0].target
        assert target is not None and service.mirrors.held(target) is pairing
        assert pairing.live_state == "live"
        live_rows = [(c.id, c.name, c.code) for c in pairing.notebook.cells]
        assert_created_once_each(live_rows, created)

        after = cell_rows((await service.cells(spec, refresh=True)).value.cells)

        # A deletion still returns only once the mirror no longer shows the cell.
        doomed = next(iter(created))
        await service.delete_cell(spec, doomed)
        assert doomed not in pairing.notebook.cell_ids
        assert service.mirrors.held(target) is pairing
    assert_old_cells_kept(before, after, CREATES)
    assert_created_once_each(after, created)
    assert_file_holds(path, before, [code for cell_id, (_name, code) in created.items() if cell_id != doomed])


def test_five_concurrent_headless_creates_each_land_once(lab: CellLab) -> None:
    path, browser = lab.fresh()
    tag = secrets.token_hex(3)
    wanted = [(f"cli_{tag}_{i}", f"cli_{tag}_{i}_v = {i} + 100") for i in range(CREATES)]

    def listing() -> list[tuple[str, str, str]]:
        [(code, stdout, stderr)] = run_all(lab, [headless_argv(lab, browser, "cells", "--refresh")])
        assert code == 0, (code, stdout, stderr)
        document = one_document(code, stdout, stderr)
        assert document["source"] == "code_mode"
        return [(c["id"], c["name"], c["code"]) for c in document["cells"]]

    before = listing()
    results = run_all(lab, [headless_argv(lab, browser, "create", "--name", name, "-c", code)
                            for name, code in wanted])

    created: dict[str, tuple[str, str]] = {}
    for (name, code), (status, stdout, stderr) in zip(wanted, results):
        assert status == 0, (status, stdout, stderr)
        document = one_document(status, stdout, stderr)
        assert document["success"] is True
        cell_id = document["created"]
        assert [(c["id"], c["name"], c["code"]) for c in document["cells"]] == [(cell_id, name, code)]
        assert cell_id in document["order"]
        created[cell_id] = (name, code)
    assert len(created) == CREATES, "two replies named the same cell"

    after = listing()
    assert_old_cells_kept(before, after, CREATES)
    assert_created_once_each(after, created)
    assert_file_holds(path, before, [code for _name, code in wanted])


# ---------------------------------------------------------------- the rule behind it


def mirror_of(*ids: str) -> Notebook:
    notebook = Notebook()
    notebook.apply_snapshot({"cells": [{"id": i, "name": "_", "code": f"{i.lower()} = 1", "status": "idle"}
                                       for i in ids]})
    return notebook


def test_a_mirror_that_moved_past_an_operation_has_caught_up_and_a_deletion_is_still_awaited() -> None:
    made = [CellState.from_raw({"id": "N", "name": "_", "code": "n = 1", "status": "idle"})]
    assert not caught_up(mirror_of("A", "B"), ["A", "B", "N"], made, ran=True)
    assert caught_up(mirror_of("A", "B", "N"), ["A", "B", "N"], made, ran=True)
    assert caught_up(mirror_of("A", "B", "N", "M"), ["A", "B", "N"], made, ran=True)  # a later create
    assert caught_up(mirror_of("B", "N"), ["A", "B", "N"], made, ran=True)  # a later delete
    assert not caught_up(mirror_of("A", "N", "B"), ["A", "B", "N"], made, ran=True)
    assert not caught_up(mirror_of("A", "B", "C"), ["A", "C"], [], ran=False, gone=["B"])
    assert caught_up(mirror_of("A", "C"), ["A", "C"], [], ran=False, gone=["B"])
    assert caught_up(mirror_of("A", "C", "M"), ["A", "C"], [], ran=False, gone=["B"])
