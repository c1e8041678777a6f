"""The activity log against a real server: other processes' runs, our own, and `watch --activity`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time

from pathlib import Path

import pytest

from marimo_pair_tui.core.wire.discovery import ServerInfo
from marimo_pair_tui.core.errors import MultiplyDefinedError
from marimo_pair_tui.core.service.pairing_service import HubOptions, PairingService
from marimo_pair_tui.core.service.mirror import Mirror
from marimo_pair_tui.core.wire.sessions import SessionRef, Target
from tests.support.cell_lab import CellLab, file_cells
from tests.support.marimo_proc import BrowserSession
from tests.support.waiting import gate


def headless(lab: CellLab, *args: str) -> list[str]:
    """argv of a headless command (a separate process) aimed at the lab's server."""
    return [sys.executable, "-m", "marimo_pair_tui", "--headless", *args, "--url", lab.server.url]


def env(lab: CellLab) -> dict[str, str]:
    return {**os.environ, "XDG_STATE_HOME": str(lab.server.state_home)}


async def pair(lab: CellLab, path: Path, browser: BrowserSession) -> tuple[PairingService, Mirror, Target]:
    """The service following the session: its live mirror, and the target its operations take."""
    service = PairingService(HubOptions(urls=[lab.server.url]))
    server = ServerInfo(url=lab.server.url, host=lab.server.host, port=lab.server.port, source="url")
    target = Target(server=server, notebook=str(path), session=SessionRef(browser.session_id, browser.routing_id))
    pairing = (await service.mirror(target)).value
    assert pairing.live_state == "live"
    return service, pairing, target


async def test_other_processes_and_our_own_runs_in_the_log(lab: CellLab) -> None:
    path, browser = lab.fresh()
    service, pairing, target = await pair(lab, path, browser)
    try:
        log = pairing.notebook.activity
        code = "print('agent says', x)\nx + 1"
        started = time.monotonic()
        proc = subprocess.Popen(headless(lab, "exec", "--session", browser.session_id or "", "-c", code),
                                env=env(lab), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            seen = await pairing.wait_until(lambda nb: any(e.code == code and e.finished for e in nb.activity), 60)
            latency = time.monotonic() - started
        finally:
            out, err = proc.communicate(timeout=60)
        assert seen, err.decode()
        print(f"a snippet from another process was in the activity log, finished, {latency:.2f} s after the process started")
        assert json.loads(out)["stdout"] == "agent says 41\n"
        [entry] = [e for e in log if e.code == code]
        assert (entry.kind, entry.origin, entry.outcome, entry.stdout) == ("scratch", "other", "ok", "agent says 41\n")
        assert entry.output is not None and "42" in entry.output.text
        assert entry.duration is not None and entry.duration >= 0

        # Our own snippet, and our own code_mode operation with the cell run it caused.
        result = (await service.execute(target, "print('from us')")).value
        assert result.success
        await pairing.wait_until(lambda nb: any(e.code == "print('from us')" and e.finished for e in nb.activity), 30)
        [ours] = [e for e in log if e.code == "print('from us')"]
        assert ours.origin == "self"
        run = (await service.run_cells(target, ["define_x"])).value
        assert run.success
        await pairing.wait_until(lambda nb: not nb.activity.running and any(
            e.program and e.program.get("op") == "run" for e in nb.activity), 30)
        program = [e for e in log if e.program and e.program.get("op") == "run"][-1]
        assert program.origin == "self" and program.program == {"op": "run", "targets": ["define_x"]}
        caused = [e for e in log if e.caused_by == program.id]
        assert [(e.cell_label, e.origin) for e in caused][:1] == [("define_x", "self")]

        # A refused operation is logged too (it ran in the kernel), and stays ours.
        with pytest.raises(MultiplyDefinedError) as refused:
            await service.create_cell(target, "x = 5")
        assert "define_x" in refused.value.message
        assert [n for _name, n in file_cells(path)].count("x = 5") == 0
    finally:
        await service.aclose()


def test_watch_activity_shows_another_process_snippet(lab: CellLab) -> None:
    path, browser = lab.fresh()
    watch = subprocess.Popen(
        headless(lab, "watch", "--activity", "--session", browser.session_id or "", "--timeout", "90"),
        env=env(lab), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    try:
        assert watch.stdout is not None
        first = watch.stdout.readline()  # the replay on attach: the watch is live
        assert first, watch.stderr.read().decode() if watch.stderr else ""
        code = "import sys\nprint('visible to the supervisor')\nprint('careful', file=sys.stderr)"
        started = time.monotonic()
        # In a process of its own (not through the pairing service the watch runs in: that one's runs are "self").
        ran = subprocess.run(headless(lab, "--no-service", "exec", "--session", browser.session_id or "", "-c", code),
                             env=env(lab), capture_output=True, timeout=60)
        assert ran.returncode == 0, ran.stderr.decode()
        lines = []
        while True:  # ends at the latest when the watch's --timeout passes
            raw = watch.stdout.readline()
            assert raw, f"the watch ended without the snippet; lines: {lines}"
            line = json.loads(raw)
            lines.append(line)
            entry = line.get("activity")
            if entry and entry["code"] == code and entry["outcome"] != "running":
                break
        print(f"watch --activity printed the finished snippet {time.monotonic() - started:.2f} s after exec started")
    finally:
        watch.kill()
        watch.wait(timeout=30)
    activity = [line["activity"] for line in lines if "activity" in line]
    assert all(set(line) == {"activity"} for line in lines if "activity" in line)
    start, end = [a for a in activity if a["code"] == code]
    assert start["outcome"] == "running" and start["ended_at"] is None and start["stdout"] == ""
    assert end["id"] == start["id"] and end["outcome"] == "ok" and end["origin"] == "other"
    assert end["kind"] == "scratch" and end["cell"] is None
    assert end["stdout"] == "visible to the supervisor\n" and end["stderr"] == "careful\n"
    assert end["duration"] is not None and end["truncated"] is False
    # The usual change lines still come.
    assert any("cells" in line for line in lines)


def test_watch_without_activity_prints_no_activity_lines(lab: CellLab) -> None:
    path, browser = lab.fresh()
    release = path.parent / f"release-{path.stem}"
    watch = subprocess.Popen(
        headless(lab, "watch", "--session", browser.session_id or "", "--timeout", "90"),
        env=env(lab), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    # The snippet runs until the watch has seen it running.
    snippet = threading.Thread(target=lab.execute, args=(browser, f"print('quiet')\n{gate(release)}"))
    try:
        assert watch.stdout is not None and watch.stdout.readline()
        snippet.start()
        lines = []
        while True:
            raw = watch.stdout.readline()
            assert raw, f"the watch ended early; lines: {lines}"
            lines.append(json.loads(raw))
            if lines[-1].get("scratch") == "running":
                release.touch()
            if lines[-1].get("scratch") == "idle" and release.exists():
                break
    finally:
        release.touch()
        if snippet.is_alive():
            snippet.join(timeout=60)
        watch.kill()
        watch.wait(timeout=30)
    assert not any("activity" in line for line in lines)
    assert any(line.get("scratch") == "running" for line in lines)
