"""The kiosk mirror and sessions without a browser, against real marimo servers."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

from marimo_pair_tui.core.codemode import client as codemode
from marimo_pair_tui.core.wire.discovery import pid_alive
from marimo_pair_tui.core.servers.hub import Hub, HubOptions
from marimo_pair_tui.core.service.mirror import Mirror
from marimo_pair_tui.core.service.pairing_service import PairingService, TargetSpec
from tests.clihelp import cli_env, run_cli, start_cli
from tests.support.waiting import gate


async def _pair(server_url: str, notebook: str | None = None) -> tuple[Hub, Mirror]:
    service = PairingService(HubOptions(urls=[server_url]))
    hub = service.hub
    target = (await service.resolve(TargetSpec(notebook=notebook))).value
    pairing = Mirror(hub, target)
    await pairing.start()
    return hub, pairing


async def _close(hub: Hub, pairing: Mirror) -> None:
    await pairing.stop()
    await hub.aclose()


async def test_mirror_sees_another_clients_edit_and_leaves_the_browser_alone(demo_server, browser_factory) -> None:
    browser = browser_factory(demo_server)
    hub, pairing = await _pair(demo_server.url)
    try:
        assert pairing.live_state == "live"
        names = [c.name for c in pairing.notebook.cells]
        assert "define_x" in names and pairing.notebook.cell("define_x").code == "x = 41"
        # Another client (a separate process) edits a cell through the headless door.
        cell = pairing.notebook.cell("define_x")
        started = time.monotonic()
        proc = start_cli(
            ["edit", cell.id, "--url", demo_server.url, "--expect", cell.hash, "--run", "-c", "x = 1000"],
            env=cli_env(),
        )
        seen = await pairing.wait_until(lambda nb: nb.cell("define_x").code == "x = 1000", timeout=60)
        latency = time.monotonic() - started
        assert seen, "the edit never reached the mirror"
        assert proc.wait(timeout=60) == 0
        print(f"edit by another process reached the mirror {latency:.2f} s after it was started")
        # The browser that owns the session still receives everything.
        before = len(browser)
        browser.wait_for_op("notebook-document-transaction", since=0, timeout=30)
        assert browser.connected
        sessions = demo_server.sessions()
        assert list(sessions) == [browser.routing_id], "our mirror must not create or replace a session"
        assert pairing._stream.consumer_id != browser.routing_id
    finally:
        await _close(hub, pairing)
    # After the mirror left, the browser still gets the kernel's messages.
    after = len(browser)
    result = run_cli(["exec", "--url", demo_server.url, "-c", "print('still there')"])
    assert result.code == 0
    browser.wait_for(lambda m: "still there" in str(m), since=after, timeout=30)
    assert before <= after


async def test_running_cell_shows_while_execute_would_block(marimo_factory, browser_factory, notebooks_dir: Path) -> None:
    go = notebooks_dir / "slow.go"  # nap runs until this file exists
    go.touch()
    server = marimo_factory(notebooks_dir / "slow.py")
    browser_factory(server)
    go.unlink()
    hub, pairing = await _pair(server.url)
    try:
        nap = pairing.notebook.cell("nap")
        run = asyncio.create_task(codemode.run_cells(pairing.connection, pairing.target.session, [nap.id]))
        assert await pairing.wait_until(lambda nb: nb.running_cell_id == nap.id, timeout=60)
        assert not run.done(), "execute returns only after the run: the model showed 'running' before that"
        assert not pairing.notebook.is_idle()
        go.touch()
        result = await asyncio.wait_for(run, timeout=60)
        assert nap.id in [c.id for c in result.cells]
        assert await pairing.wait_until(lambda nb: nb.is_idle(), timeout=60)
        assert "after the gate" in pairing.notebook.cell("nap").console_text()
    finally:
        go.touch()
        await _close(hub, pairing)


async def test_mirror_on_a_file_without_session_reports_gone(demo_server) -> None:
    hub = Hub(HubOptions(urls=[demo_server.url]))
    from marimo_pair_tui.core.wire.sessions import SessionRef, Target

    target = Target(server=(await hub.servers())[0], notebook=str(demo_server.target), session=SessionRef(None, "s_none"))
    pairing = Mirror(hub, target)
    try:
        await pairing.start(wait_ready=30)
        assert pairing.live_state == "gone"
        assert "session" in pairing.live_detail
    finally:
        await _close(hub, pairing)


def test_watch_until_idle_waits_for_a_snippet(demo_server, browser_factory, tmp_path: Path) -> None:
    browser_factory(demo_server)
    env = cli_env()
    marker, release = tmp_path / "finished", tmp_path / "release"
    code = f"print('go', flush=True)\n{gate(release)}open({str(marker)!r}, 'w').write('done')"
    runner = start_cli(["exec", "--url", demo_server.url, "--stream", "-c", code], env=env)
    watch = None
    try:
        assert runner.stdout is not None and b"go" in runner.stdout.readline()
        watch = start_cli(["watch", "--url", demo_server.url, "--until-idle", "--timeout", "60"], env=env)
        assert watch.stdout is not None
        lines: list[dict[str, Any]] = []
        while not any(line.get("scratch") == "running" for line in lines):
            raw = watch.stdout.readline()
            assert raw, f"the watch ended before it saw the snippet run: {lines}"
            lines.append(json.loads(raw))
        release.touch()  # the snippet ends only now, with the watch already waiting
        out, _err = watch.communicate(timeout=60)
        assert marker.exists(), "watch --until-idle ended while the snippet still ran"
    finally:
        release.touch()
        runner.wait(timeout=60)
        if watch is not None and watch.poll() is None:
            watch.kill()
    assert watch.returncode == 0
    summary = json.loads(out.decode().splitlines()[-1])
    assert summary["reason"] == "idle" and summary["idle"] is True


def test_watch_times_out_with_a_summary(shared_server) -> None:
    # The service follows the session first: one second may end before a loaded machine's first snapshot.
    assert run_cli(["cells", "--url", shared_server.url]).code == 0
    watched = run_cli(["watch", "--url", shared_server.url, "--timeout", "1"])
    assert watched.code == 0
    summary = watched.lines[-1]
    assert summary["reason"] == "timeout"
    assert [c["name"] for c in summary["cells"]][:2] == ["_", "define_x"]


def test_open_starts_a_server_runs_cells_and_is_reused(state_home: Path, notebooks_dir: Path) -> None:
    env = cli_env(state_home)
    notebook = notebooks_dir / "demo.py"
    first = run_cli(["open", "--run", str(notebook)], env=env)
    assert first.code == 0, first.stdout + first.stderr
    doc = first.json
    try:
        assert doc["started_server"] is True and doc["created_session"] is True and doc["ran_cells"] is True
        assert doc["session"]["session_id"].startswith("sess-")
        assert Path(doc["log"]).is_file() and str(state_home) in doc["log"]
        ran = run_cli(["exec", "--notebook", str(notebook), "-c", "print(y)"], env=env)
        assert ran.json["stdout"] == "42\n", "the new session's cells ran"
        again = run_cli(["open", str(notebook)], env=env)
        assert again.json["started_server"] is False
        assert again.json["session"]["session_id"] == doc["session"]["session_id"]
    finally:
        closed = run_cli(["close", str(notebook)], env=env)
    assert closed.code == 0
    (record,) = closed.json["closed"]
    assert not pid_alive(record["pid"])
    assert run_cli(["servers"], env=env).json["servers"] == []


def test_open_honours_auto_instantiate_off(state_home: Path, notebooks_dir: Path) -> None:
    env = cli_env(state_home)
    notebook = notebooks_dir / "other.py"
    opened = run_cli(["open", str(notebook)], env=env)
    try:
        assert opened.code == 0
        assert opened.json["ran_cells"] is False  # marimo 0.25's default: runtime.auto_instantiate = false
    finally:
        run_cli(["close", str(notebook)], env=env)


def test_close_refuses_servers_it_did_not_start(demo_server, state_home: Path) -> None:
    result = run_cli(["close", "--url", demo_server.url], env=cli_env(state_home))
    assert result.code == 2 and "started" in result.json["error"]["message"]
    assert demo_server.is_alive()


def test_open_missing_file_is_a_usage_error(state_home: Path, tmp_path: Path) -> None:
    result = run_cli(["open", str(tmp_path / "nope.py")], env=cli_env(state_home))
    assert result.code == 2 and "does not exist" in result.json["error"]["message"]
