"""A running cell's progress bar, spinner and appended outputs, read mid-run in every door.

Each cell stops at gates (tests/support/progress_cells.py) and writes what
the kernel holds at that moment; `output`, `cells` and MCP must say the same.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import threading
from pathlib import Path
from typing import Any

from tests.clihelp import cli_env, run_cli, start_cli
from tests.support.cell_lab import CellLab
from tests.support.waiting import wait_until
from tests.support.mcp_client import call, mcp_session
from tests.support.progress_cells import append_cell, bar_cell, notebook, reached, release, spinner_cell, ticks_cell


def _read(lab: CellLab, path: Path, *args: str) -> dict[str, Any]:
    result = run_cli([*args, "--parts", "--url", lab.server.url, "--notebook", str(path)], env=cli_env(lab.server.state_home))
    assert result.code == 0, result.stderr + result.stdout
    return result.json


def _run(lab: CellLab, path: Path, name: str) -> subprocess.Popen[bytes]:
    return start_cli(["--no-service", "run", name, "--url", lab.server.url, "--notebook", str(path)],
                     env=cli_env(lab.server.state_home))


def _progress(output: dict[str, Any] | None) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []

    def visit(parts: list[dict[str, Any]]) -> None:
        for part in parts:
            if part["type"] == "progress":
                found.append(part)
            visit(part.get("children") or [])

    visit((output or {}).get("parts") or [])
    return found


async def _mcp_output(lab: CellLab, path: Path, cell: str) -> dict[str, Any]:
    async with mcp_session(lab.server.state_home) as session:
        is_error, doc = await call(session, "output", cell=cell, notebook=str(path), parts=True)
    assert not is_error, doc
    return doc


def _finish(proc: subprocess.Popen[bytes]) -> None:
    out, err = proc.communicate(timeout=90)
    assert proc.returncode == 0, err.decode() + out.decode()


def test_a_progress_bar_reads_as_the_kernel_counts_it_mid_run(lab: CellLab, tmp_path: Path) -> None:
    path, _browser = lab.fresh(text=notebook(tmp_path, bar=bar_cell(tmp_path, 40, (12, 30))), instantiate=False)
    proc = _run(lab, path, "bar")
    try:
        for step in (12, 30):
            truth = reached(tmp_path, step)

            def shown() -> dict[str, Any] | None:
                doc = _read(lab, path, "output", "bar")
                bars = _progress(doc["output"])
                return doc if bars and bars[0]["current"] == truth["current"] else None

            doc = wait_until(shown, 30, f"output to show the bar at {truth['current']}")
            (bar,) = _progress(doc["output"])
            assert doc["cell"]["status"] == "running"
            assert (bar["kind"], bar["total"], bar["title"], bar["subtitle"]) == (
                "bar", truth["total"], truth["title"], truth["subtitle"])
            assert bar["fraction"] == truth["current"] / truth["total"] and bar["done"] is False
            share = f"{truth['current'] / truth['total']:.0%}"
            assert f"[progress] Loading · items {truth['current']}/{truth['total']} ({share})" in doc["output"]["text"]
            (cell,) = [c for c in _read(lab, path, "cells")["cells"] if c["name"] == "bar"]
            assert [(b["current"], b["total"]) for b in _progress(cell["output"])] == [(truth["current"], truth["total"])]
            got = asyncio.run(_mcp_output(lab, path, "bar"))
            assert [(b["current"], b["total"]) for b in _progress(got["output"])] == [(truth["current"], truth["total"])]
            release(tmp_path, step)
    finally:
        for step in (12, 30):
            release(tmp_path, step)
        _finish(proc)
    (bar,) = _progress(_read(lab, path, "output", "bar")["output"])
    assert (bar["current"], bar["total"], bar["done"]) == (40, 40, True)


def test_a_spinner_reads_with_its_title_as_it_changes(lab: CellLab, tmp_path: Path) -> None:
    path, _browser = lab.fresh(text=notebook(tmp_path, spin=spinner_cell(tmp_path)), instantiate=False)
    proc = _run(lab, path, "spin")
    try:
        for step in (1, 2):
            truth = reached(tmp_path, step)

            def shown() -> dict[str, Any] | None:
                doc = _read(lab, path, "output", "spin")
                spins = _progress(doc["output"])
                return doc if spins and spins[0]["title"] == truth["title"] else None

            doc = wait_until(shown, 30, f"the spinner titled {truth['title']!r}")
            (spin,) = _progress(doc["output"])
            assert (spin["kind"], spin["current"], spin["total"], spin["subtitle"]) == ("spinner", None, None, truth["subtitle"])
            assert f"[spinner] {truth['title']} · {truth['subtitle']}" in doc["output"]["text"]
            release(tmp_path, step)
    finally:
        for step in (1, 2):
            release(tmp_path, step)
        _finish(proc)
    assert _progress(_read(lab, path, "output", "spin")["output"]) == []  # removed on exit, as marimo does


def _texts(output: dict[str, Any] | None) -> list[str]:
    found: list[str] = []

    def visit(parts: list[dict[str, Any]]) -> None:
        for part in parts:
            if part["type"] == "markdown":
                found.append(part["markdown"])
            visit(part.get("children") or [])

    visit((output or {}).get("parts") or [])
    return found


def test_appended_outputs_then_replace_then_clear_read_as_the_kernel_holds_them(lab: CellLab, tmp_path: Path) -> None:
    path, _browser = lab.fresh(text=notebook(tmp_path, grow=append_cell(tmp_path)), instantiate=False)
    proc = _run(lab, path, "grow")
    try:
        for step in (1, 2, 3):
            truth = reached(tmp_path, step)

            def shown() -> dict[str, Any] | None:
                doc = _read(lab, path, "output", "grow")
                return doc if _texts(doc["output"]) == truth else None

            doc = wait_until(shown, 30, f"output to read {truth}")
            assert doc["cell"]["status"] == "running"
            assert (doc["output"] or {}).get("text", "") == "\n\n".join(truth)
            release(tmp_path, step)
    finally:
        for step in (1, 2, 3):
            release(tmp_path, step)
        _finish(proc)


def test_watch_prints_a_running_bar_coalesced_and_its_final_state(lab: CellLab, tmp_path: Path) -> None:
    ticks = 1000
    path, browser = lab.fresh(text=notebook(tmp_path, tick=ticks_cell(tmp_path, ticks)), instantiate=False)
    proc = _run(lab, path, "tick")
    watch = None
    try:
        at_gate = reached(tmp_path, 1)
        watch = start_cli(["watch", "--until-idle", "--url", lab.server.url, "--notebook", str(path)],
                          env=cli_env(lab.server.state_home))
        heard: list[dict[str, Any]] = []
        reader = threading.Thread(target=lambda: heard.extend(json.loads(line) for line in watch.stdout or []),
                                  daemon=True)
        reader.start()

        def bars(line: dict[str, Any]) -> list[dict[str, Any]]:
            return [p for c in line.get("cells") or [] if c["id"] == cell_id for p in (c.get("output") or {}).get("progress", [])]

        cell_id = browser.cell_ids[0]
        seen = wait_until(lambda: [b for line in list(heard) for b in bars(line)], 60, "watch to print the bar")
        assert seen[0]["current"] == at_gate["current"] and seen[0]["total"] == ticks  # the running cell, as it stands
        release(tmp_path, 1)
        final = reached(tmp_path, 2)
        _finish(proc)
        out, err = watch.communicate(timeout=90)
        reader.join(30)
        assert watch.returncode == 0, err
    finally:
        release(tmp_path, 1)
        if watch is not None and watch.poll() is None:
            watch.kill()
    printed = [b for line in heard for b in bars(line)]
    assert heard[-1]["reason"] == "idle"
    assert (printed[-1]["current"], printed[-1]["total"], printed[-1]["done"]) == (final["current"], final["total"], True)
    counts = [b["current"] for b in printed]
    assert counts == sorted(counts)
    sent = [m for m in browser.ops("cell-op") if m.get("cell_id") == cell_id and m.get("output")]
    assert len(sent) >= ticks and len(printed) < len(sent) / 2  # coalesced: marimo sent every tick, watch a few a second
