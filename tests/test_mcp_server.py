"""The MCP door end to end: the SDK's stdio client against `--headless mcp` and a real marimo server."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from marimo_pair_tui.guide import text as guide_text
from marimo_pair_tui.core.documents import ACTIVITY_TEXT_LIMIT
from marimo_pair_tui.core.service.pairing_service import ACTIVITY_DEFAULT
from tests.clihelp import cli_env, run_cli
from tests.support.cell_lab import CellLab, file_cells
from tests.support.waiting import gate, wait_until, wait_until_async
from tests.support.mcp_client import SERVER_ARGS, call, document, mcp_session, server_env

TARGETED_TOOLS = {
    "cells", "execute", "create_cell", "edit_cell", "run_cells", "move_cell", "delete_cell",
    "add_packages", "interrupt", "wait_until_idle", "activity", "output", "ui", "set_ui", "table_page", "variables", "graph", "restart_kernel", "answer", "status",
    "apply_changes", "debug", "grep", "history", "revert", "undo", "screenshot",
}
ALL_TOOLS = TARGETED_TOOLS | {"servers", "notebooks", "open_notebook"}


async def test_lists_the_tools_with_targeting_and_time_limits(lab: CellLab) -> None:
    async with mcp_session(lab.server.state_home) as session:
        tools = {t.name: t for t in (await session.list_tools()).tools}
        assert set(tools) == ALL_TOOLS
        for name in TARGETED_TOOLS:
            props = tools[name].input_schema["properties"]
            assert {"notebook", "session", "url"} <= set(props), name
        for name in ("execute", "create_cell", "edit_cell", "run_cells", "add_packages", "wait_until_idle"):
            assert "timeout" in tools[name].input_schema["properties"], name
        assert tools["execute"].input_schema["required"] == ["code"]
        limit = tools["activity"].input_schema["properties"]["limit"]
        assert limit["default"] == ACTIVITY_DEFAULT and limit["minimum"] == 1
        assert f"newest {ACTIVITY_TEXT_LIMIT} characters" in (tools["activity"].description or "")
        guide = await session.read_resource("marimo-pair-tui://guide")
        assert guide.contents[0].text == guide_text()


async def test_cells_come_from_the_live_model_and_match_code_mode(lab: CellLab) -> None:
    path, browser = lab.fresh()
    async with mcp_session(lab.server.state_home) as session:
        error, live = await call(session, "cells", notebook=str(path))
        assert not error and live["source"] == "live"
        assert live["session"]["session_id"] == browser.session_id
        error, snap = await call(session, "cells", notebook=str(path), refresh=True)
        assert not error and snap["source"] == "code_mode"
    assert [c["id"] for c in live["cells"]] == browser.cell_ids == [c["id"] for c in snap["cells"]]
    for mine, theirs in zip(live["cells"], snap["cells"]):
        for key in ("id", "name", "code", "hash", "status", "errors", "defs", "refs", "config"):
            assert mine.get(key) == theirs.get(key), (key, mine, theirs)
        assert mine["status"] == "idle"  # markdown shown at startup included: one status on both channels
    printed = [c for c in live["cells"] if "print" in c["code"]][0]
    assert printed["console"][0]["data"] == "y is 42\n"
    assert live["kernel"]["idle"] is True


async def test_cells_picks_cells_and_leaves_outputs_out(lab: CellLab) -> None:
    path, browser = lab.fresh()
    async with mcp_session(lab.server.state_home) as session:
        error, full = await call(session, "cells", notebook=str(path), raw=True)
        shown = [c for c in full["cells"] if c.get("output") and c["output"]["data"]]
        assert not error and shown
        wanted = [shown[0]["id"], full["cells"][0]["id"]]
        error, picked = await call(session, "cells", notebook=str(path), ids=wanted, outputs=False)
    assert not error and [c["id"] for c in picked["cells"]] == wanted
    bare = picked["cells"][0]["output"]
    assert bare == {"mimetype": shown[0]["output"]["mimetype"], "data": None, "omitted": True,
                    "chars": len(shown[0]["output"]["data"])}


async def test_cells_answer_while_the_kernel_is_busy(lab: CellLab) -> None:
    path, browser = lab.fresh()
    release = path.parent / f"release-{path.stem}"
    holder = threading.Thread(target=lab.execute, args=(browser, gate(release)))
    try:
        async with mcp_session(lab.server.state_home) as session:
            await call(session, "cells", notebook=str(path))  # attach while idle
            holder.start()

            async def busy_read() -> dict[str, Any] | None:
                error, doc = await call(session, "cells", notebook=str(path))
                assert not error, doc
                return None if doc["kernel"]["idle"] else doc

            busy = await wait_until_async(busy_read, 60, "a read that says the kernel is busy", interval=0)
            # A read that went through the kernel would have waited for the snippet to end.
            assert holder.is_alive() and not release.exists()
            assert [c["id"] for c in busy["cells"]] == browser.cell_ids
            release.touch()
            error, idle = await call(session, "wait_until_idle", notebook=str(path), timeout=60)
            assert not error and idle["reason"] == "idle" and idle["kernel"]["idle"]
    finally:
        release.touch()
        holder.join(timeout=30)


async def test_execute_streams_output_as_progress(lab: CellLab, tmp_path: Path) -> None:
    path, _browser = lab.fresh()
    # Each line waits until its progress message has reached the client: they can only come one by one.
    heard = [tmp_path / f"heard-{i}" for i in range(3)]
    code = "import sys\n" + "".join(f"print('line {i}', flush=True)\n{gate(heard[i])}" for i in range(3))
    code += "print('oops', file=sys.stderr, flush=True)\n"
    messages: list[tuple[float, str | None]] = []

    async def progress(value: float, total: float | None, message: str | None) -> None:
        if len(messages) < len(heard):
            heard[len(messages)].touch()
        messages.append((value, message))

    async with mcp_session(lab.server.state_home) as session:
        result = await session.call_tool("execute", {"code": code, "notebook": path.name}, progress_callback=progress)
    doc = document(result)
    assert not result.is_error and doc["success"] is True
    assert doc["stdout"] == "line 0\nline 1\nline 2\n" and doc["stderr"] == "oops\n"
    assert [m for _v, m in messages] == ["line 0\n", "line 1\n", "line 2\n", "[stderr] oops\n"]
    assert [v for v, _m in messages] == sorted(v for v, _m in messages)


async def test_a_time_limit_interrupts_and_reports_the_outcome_unknown(lab: CellLab) -> None:
    path, _browser = lab.fresh()
    code = "import builtins, time\nprint('started', flush=True)\ntime.sleep(30)\nbuiltins._mpt_slept = True\n"
    async with mcp_session(lab.server.state_home) as session:
        error, doc = await call(session, "execute", code=code, notebook=str(path), timeout=1.5)
        assert error and doc["error"]["kind"] == "timeout"
        assert "interrupt" in doc["error"]["message"] and doc["error"]["next"]
        assert doc["error"]["stdout"] == "started\n"
        # Had the run not been interrupted, this would wait for the sleep and print True.
        error, after = await call(
            session, "execute", code="import builtins\nprint(getattr(builtins, '_mpt_slept', None))", notebook=str(path)
        )
        assert not error and after["stdout"] == "None\n"


async def test_create_cell_lands_in_the_file_and_in_the_next_read(lab: CellLab) -> None:
    path, _browser = lab.fresh()
    async with mcp_session(lab.server.state_home) as session:
        error, created = await call(session, "cells", notebook=str(path))  # attach the mirror first
        error, created = await call(
            session, "create_cell", notebook=str(path), code="z = y * 2\nprint(z)", name="double", run=True
        )
        assert not error and created["success"], created
        cell = created["cells"][0]
        assert cell["id"] == created["created"] and cell["console"][0]["data"] == "84\n"
        # Read-your-writes: the live mirror already holds the new cell, run.
        error, live = await call(session, "cells", notebook=str(path), ids=["double"])
        assert not error and live["cells"][0]["code"] == "z = y * 2\nprint(z)"
        assert live["cells"][0]["status"] == "idle" and live["cells"][0]["defs"] == ["z"]
    assert wait_until(lambda: ("double", "z = y * 2\nprint(z)") in file_cells(path), what="the cell in the file")


async def test_errors_are_structured_and_carry_next(lab: CellLab) -> None:
    path, browser = lab.fresh()
    async with mcp_session(lab.server.state_home) as session:
        error, cells = await call(session, "cells", notebook=str(path))
        target = cells["cells"][1]
        error, doc = await call(session, "edit_cell", notebook=str(path), cell=target["id"], code="x = 1", expect="0" * 12)
        assert error and doc["success"] is False
        assert doc["error"]["kind"] == "conflict" and doc["error"]["theirs"] == target["code"]
        assert doc["error"]["next"].startswith("Someone changed the cell")
        wrong = target["id"][:-1] + ("A" if target["id"][-1] != "A" else "B")
        error, doc = await call(session, "run_cells", notebook=str(path), cells=[wrong])
        assert error and doc["error"]["kind"] == "cell_not_found" and target["id"] in doc["error"]["nearest"]
        error, doc = await call(session, "cells", notebook=str(path), ids=[wrong])
        assert error and doc["error"]["kind"] == "cell_not_found" and target["id"] in doc["error"]["nearest"]
        error, doc = await call(session, "cells", notebook="no-such-notebook.py")
        assert error and doc["error"]["kind"] == "no_session" and doc["error"]["next"]
    assert browser.cell_ids[1] == target["id"]


async def activity_until(
    session: Any, done: Callable[[list[dict[str, Any]]], bool], what: str, **arguments: Any
) -> dict[str, Any]:
    """Read `activity` until its entries satisfy `done` (with a deadline)."""
    last: list[Any] = [None]

    async def read() -> dict[str, Any] | None:
        error, doc = await call(session, "activity", **arguments)
        assert not error, doc
        last[0] = doc["entries"]
        return doc if done(doc["entries"]) else None

    return await wait_until_async(read, 60, what, detail=lambda: f"entries: {last[0]}")


def finished(code: str) -> Callable[[list[dict[str, Any]]], bool]:
    return lambda entries: any(e["code"] == code and e["outcome"] != "running" for e in entries)


async def test_activity_tells_another_clients_runs_from_ours(lab: CellLab) -> None:
    path, browser = lab.fresh()
    theirs_code = "print('from elsewhere', x)"
    ours_code = "print('from the mcp client')\nprint('a' * 3000)\nprint('b' * 3000)"
    async with mcp_session(lab.server.state_home) as session:
        error, first = await call(session, "activity", notebook=str(path))  # start following the session
        assert not error and first["entries"] == [] and first["more"] is False
        assert first["log_started_at"] <= time.time()

        other = run_cli(["exec", "--url", lab.server.url, "--session", browser.session_id or "", "-c", theirs_code],
                        env=cli_env(lab.server.state_home), timeout=60)
        assert other.code == 0 and other.json["stdout"] == "from elsewhere 41\n", other.stderr
        await activity_until(session, finished(theirs_code), "the other process's snippet", notebook=str(path))

        error, ran = await call(session, "execute", notebook=str(path), code=ours_code)
        assert not error and ran["stdout"].startswith("from the mcp client\n")
        error, cells_run = await call(session, "run_cells", notebook=str(path), cells=["define_x"])
        assert not error and cells_run["success"]
        log = await activity_until(
            session,
            lambda entries: finished(ours_code)(entries) and not any(e["outcome"] == "running" for e in entries)
            and any(e["kind"] == "cell" for e in entries),
            "our snippet and cell run", notebook=str(path),
        )
        entries = log["entries"]
        theirs = next(e for e in entries if e["code"] == theirs_code)
        ours = next(e for e in entries if e["code"] == ours_code)
        assert (theirs["kind"], theirs["origin"], theirs["outcome"]) == ("scratch", "other", "ok")
        assert theirs["stdout"] == "from elsewhere 41\n" and theirs["truncated"] is False
        assert theirs["started_at"] <= theirs["ended_at"]
        assert (ours["kind"], ours["origin"], ours["outcome"]) == ("scratch", "self", "ok")
        # Cut to the newest text, and flagged.
        assert len(ours["stdout"]) == ACTIVITY_TEXT_LIMIT and ours["stdout"].endswith("b" * 3000 + "\n")
        assert ours["truncated"] is True
        # Our code_mode program (shown as its request) and the cell run it caused are ours too.
        program = next(e for e in entries if e["program"] == {"op": "run", "targets": ["define_x"]})
        assert program["origin"] == "self" and program["code"] is None
        caused = [e for e in entries if e["caused_by"] == program["id"]]
        assert "define_x" in [e["cell"]["label"] for e in caused] and {e["origin"] for e in caused} == {"self"}
        # Newest first.
        seqs = [e["seq"] for e in entries]
        assert seqs == sorted(seqs, reverse=True) and seqs.index(ours["seq"]) < seqs.index(theirs["seq"])

        error, after = await call(session, "activity", notebook=str(path), since=theirs["id"])
        assert not error and {e["id"] for e in after["entries"]} == {e["id"] for e in entries if e["seq"] > theirs["seq"]}
        assert theirs["id"] not in {e["id"] for e in after["entries"]}
        error, newest = await call(session, "activity", notebook=str(path), limit=1)
        assert not error and [e["id"] for e in newest["entries"]] == [entries[0]["id"]] and newest["more"] is True
        error, unknown = await call(session, "activity", notebook=str(path), since="no-such-entry")
        assert error and unknown["error"]["kind"] == "invalid_request" and unknown["error"]["next"]
        error, refused = await call(session, "activity", notebook=str(path), limit=0)
        assert error and refused["error"]["kind"] == "invalid_request"


def test_without_the_extra_it_says_how_to_install_it(lab: CellLab) -> None:
    code = (
        "import sys\nsys.modules['mcp'] = None\n"
        "from marimo_pair_tui.__main__ import main\nmain(['--headless', 'mcp'])\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          env=server_env(lab.server.state_home), stdin=subprocess.DEVNULL)
    assert proc.returncode == 2
    doc = json.loads(proc.stdout)
    assert doc["success"] is False and doc["error"]["kind"] == "missing_extra"
    assert doc["error"]["next"] == "pip install 'marimo-pair-tui[mcp]'"


def test_the_headless_door_does_not_import_mcp() -> None:
    code = "import sys, marimo_pair_tui.headless.cli.entry\nprint(any(m.split('.')[0] in ('mcp', 'mcp_types') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_guide_command_prints_the_shipped_skill() -> None:
    proc = subprocess.run([sys.executable, "-m", "marimo_pair_tui", "--headless", "guide"], capture_output=True, timeout=60)
    assert proc.returncode == 0
    text = proc.stdout.decode("utf-8")
    assert text == guide_text()
    front = text.split("---\n")[1]
    assert "name: marimo-pair-tui\n" in front and "\ndescription: " in front
    for must in ("notebooks", "--notebook", "<<'PY'", "packages add", "watch --until-idle", "--headless mcp", "exit 5", "exit 4"):
        assert must in text, must


@pytest.mark.parametrize("how", ["eof", "sigterm"])
def test_shuts_down_cleanly_and_leaves_the_session_alone(lab: CellLab, how: str) -> None:
    path, browser = lab.fresh()
    proc = subprocess.Popen([sys.executable, *SERVER_ARGS], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=server_env(lab.server.state_home))
    assert proc.stdin is not None and proc.stdout is not None
    messages = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}},
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "cells", "arguments": {"notebook": str(path)}}},
    ]
    for message in messages:
        proc.stdin.write((json.dumps(message) + "\n").encode())
    proc.stdin.flush()
    replies = {}
    while 2 not in replies:
        reply = json.loads(proc.stdout.readline())
        replies[reply.get("id")] = reply
    assert replies[2]["result"]["structuredContent"]["source"] == "live"
    if how == "eof":
        proc.stdin.close()
    else:
        os.kill(proc.pid, signal.SIGTERM)
    assert proc.wait(timeout=30) == 0, proc.stderr.read() if proc.stderr else ""
    assert b"Traceback" not in (proc.stderr.read() if proc.stderr else b"")
    # The browser's session lives on and still answers.
    assert "42" in lab.execute(browser, "print(x + 1)")


async def test_operations_return_once_the_live_read_shows_them(lab: CellLab) -> None:
    """Read-your-writes: each operation's reported cells equal the next live read, status included."""
    path, _browser = lab.fresh()
    async with mcp_session(lab.server.state_home) as session:
        await call(session, "cells", notebook=str(path))  # the mirror follows the session
        error, created = await call(session, "create_cell", notebook=str(path), code="w = 5", name="five")
        assert not error
        error, ran = await call(session, "run_cells", notebook=str(path), cells=["five"])
        assert not error
        error, edited = await call(session, "edit_cell", notebook=str(path), cell="five", code="w = 6",
                                   expect=ran["cells"][0]["hash"])
        assert not error
        error, live = await call(session, "cells", notebook=str(path), ids=["five"])
    assert not error
    (now,) = live["cells"]
    (last,) = [c for c in edited["cells"] if c["id"] == now["id"]]
    for key in ("code", "hash", "status", "errors", "defs", "refs"):
        assert now.get(key) == last.get(key), key
    assert [c["status"] for c in (created["cells"][0], ran["cells"][0], edited["cells"][0])] == ["stale", "idle", "stale"]


async def test_an_unknown_tool_is_a_structured_error(lab: CellLab) -> None:
    async with mcp_session(lab.server.state_home) as session:
        error, doc = await call(session, "exec_code", code="1")
    assert error is True
    assert doc["error"]["kind"] == "invalid_request" and "'exec_code'" in doc["error"]["message"]
    assert "execute" in doc["error"]["tools"] and "execute" in doc["error"]["next"]


async def test_execute_and_cells_bound_large_outputs(lab: CellLab, tmp_path) -> None:
    from marimo_pair_tui.core.documents import CELL_FIELD_LIMIT, EXEC_FIELD_LIMIT

    path, _browser = lab.fresh()
    saved = tmp_path / "out.json"
    async with mcp_session(lab.server.state_home) as session:
        is_error, doc = await call(session, "execute", code="'y' * 600000", notebook=path.name, save_to=str(saved))
        size = doc["chars"]["output"]  # the value as marimo shows it (e.g. in a <pre>)
        assert not is_error and doc["truncated"] is True and size >= 600000
        assert doc["output"]["truncated"] is True and doc["output"]["chars"] == size
        assert len(doc["output"]["text"]) < EXEC_FIELD_LIMIT + 20 and "data" not in doc["output"]
        assert doc["saved_to"] == str(saved)
        assert len(json.loads(saved.read_text())["output"]["data"]) == size

        is_error, doc = await call(session, "create_cell", code="big = 'z' * 500000\nbig", notebook=path.name, run=True)
        assert not is_error, doc
        cell_id = doc["cells"][0]["id"]
        assert doc["cells"][0]["truncated"] is True and len(doc["cells"][0]["output"]["text"]) <= CELL_FIELD_LIMIT + 20

        async def cut_in_cells() -> bool:
            _e, read = await call(session, "cells", notebook=path.name, ids=[cell_id], raw=True)
            out = read["cells"][0]["output"]
            return bool(out and out.get("truncated") and len(out["data"]) == CELL_FIELD_LIMIT and read["cells"][0]["truncated"])

        await wait_until_async(cut_in_cells, 20, "cells to show the cut output", interval=0.1)
