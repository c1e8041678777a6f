"""The debugger against a real server: `debug`'s one-shot post-mortem and the interactive session.

The kernel is the oracle: the values the frames show are what the kernel's
own globals hold (the cell computed them), and pdb's answer is compared with
what the kernel computes for the same expression. After every post-mortem the
kernel is idle (by the live stream) and runs the next snippet: nothing is left
waiting in pdb.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from marimo_pair_tui.core.api import HubOptions, PairingService, TargetSpec
from tests.support import kernel_probe
from tests.support.cell_lab import CellLab
from tests.support.marimo_proc import BrowserSession
from tests.support.mcp_client import call, mcp_session



@pytest.fixture(scope="module")
def failing(lab: CellLab) -> tuple[Path, BrowserSession]:
    return lab.fresh("debugging.py")  # the browser runs every cell: `fails` raises, its traceback is kept


def cli(lab: CellLab, browser: BrowserSession, *args: str, code: int = 0) -> dict[str, Any]:
    result = kernel_probe.session_cli(lab.server, browser, *args)
    assert result.code == code, result.stderr + result.stdout
    return result.json


def assert_kernel_free(lab: CellLab, browser: BrowserSession) -> None:
    """Idle by the live stream, and the next snippet runs (pdb would hold it)."""
    assert cli(lab, browser, "status")["kernel"]["idle"] is True
    assert kernel_probe.kernel(lab.server, browser, "6 * 7") == 42


def test_debug_reads_the_failed_cells_frame_and_runs_commands(lab: CellLab, failing: tuple[Path, BrowserSession]) -> None:
    _path, browser = failing
    truth = kernel_probe.kernel(lab.server, browser, "{'x': repr(x), 'y': repr(y), 'x2': repr(x * 2)}")
    assert truth == {"x": "41", "y": "42", "x2": "82"}  # what the cell computed, by the kernel

    doc = cli(lab, browser, "debug", "fails", "--cmd", "p x*2")
    assert doc["cell"] == "Hbol" and doc["error"] == "ZeroDivisionError: division by zero"
    assert doc["current"]["code"] == "1/0" and doc["current"]["cell"] == "Hbol"
    (frame,) = doc["frames"]
    assert frame["code"] == "1/0" and frame["function"] == "<module>"
    assert {name: value["repr"] for name, value in frame["locals"].items()} == {"x": truth["x"], "y": truth["y"]}
    assert frame["locals"]["x"]["type"] == "int"
    assert f"(Pdb) p x*2\n{truth['x2']}\n" in doc["transcript"]
    assert_kernel_free(lab, browser)


def test_debug_refuses_a_cell_without_a_kept_traceback(lab: CellLab, failing: tuple[Path, BrowserSession]) -> None:
    _path, browser = failing
    doc = cli(lab, browser, "debug", "fine", code=2)
    assert doc["error"]["kind"] == "no_traceback" and "run" in doc["error"]["next"]
    refused = cli(lab, browser, "debug", "fails", "--cmd", "interact", code=2)
    assert refused["error"]["kind"] == "invalid_request"
    assert_kernel_free(lab, browser)


async def test_an_interactive_post_mortem_holds_the_kernel_until_it_ends(
        lab: CellLab, failing: tuple[Path, BrowserSession]) -> None:
    path, browser = failing
    async with PairingService(HubOptions(urls=[lab.server.url])) as service:
        spec = TargetSpec(notebook=str(path), url=lab.server.url)
        console = (await service.debugger(spec, "fails")).value
        first = await console.start()
        assert "-> 1/0\n(Pdb) " in first and console.where is not None and console.where.line == 3
        assert console.locals == {"x": ("int", "41"), "y": ("int", "42")}
        # pdb holds the kernel: a one-shot call says so instead of waiting, `status` shows the prompt
        held = await asyncio.to_thread(cli, lab, browser, "exec", "-c", "print(1)", code=2)
        assert held["error"]["kind"] == "kernel_held"
        waiting = (await asyncio.to_thread(cli, lab, browser, "status"))["kernel"]["waiting_for_input"]
        assert [w["cell"] for w in waiting] == ["__scratch__"]
        assert await console.send("p y") == "42\n(Pdb) "
        await console.close()
        assert console.ended and console.transcript.endswith("(Pdb) p y\n42\n(Pdb) q\n")
    assert_kernel_free(lab, browser)


async def test_the_mcp_tool_gives_the_same_post_mortem(lab: CellLab, failing: tuple[Path, BrowserSession]) -> None:
    path, browser = failing
    async with mcp_session(lab.server.state_home) as session:
        failed, doc = await call(session, "debug", notebook=str(path), cell="fails", commands=["p y - x"])
        assert not failed, doc
        assert doc["current"]["code"] == "1/0" and doc["frames"][-1]["locals"]["y"]["repr"] == "42"
        assert "(Pdb) p y - x\n1\n" in doc["transcript"]
        refused, error = await call(session, "debug", notebook=str(path), cell="fine")
        assert refused and error["error"]["kind"] == "no_traceback"
    assert_kernel_free(lab, browser)

