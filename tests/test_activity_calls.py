"""The activity log holds every call this client makes, mirror or not, and what was already running
when the log began following the session. Real server, real one-shot calls through the pairing
service, and the same through one in-process `PairingService`."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from marimo_pair_tui.core.model.activity import ActivityLog
from marimo_pair_tui.core.model.notebook import SCRATCH_ID
from marimo_pair_tui.core.service.pairing_service import HubOptions, PairingService, TargetSpec
from tests.clihelp import CliResult, cli_env, run_cli, start_cli
from tests.support.cell_lab import CellLab
from tests.support.waiting import wait_until

GATED = """import os, time
open({started!r}, "w").write(repr(time.time()))
print("waiting for the gate", flush=True)
while not os.path.exists({gate!r}):
    time.sleep(0.05)
print("through the gate")
"""


def gated(tmp_path: Path, name: str) -> tuple[str, Path, Path]:
    """Code that writes `started` (its start, by the kernel's clock) and then waits until `gate` exists."""
    started, gate = tmp_path / f"{name}.started", tmp_path / f"{name}.gate"
    return GATED.format(started=str(started), gate=str(gate)).rstrip("\n"), started, gate


def call(lab: CellLab, path: Path, *args: str, way: str = "service") -> CliResult:
    """One headless call on the notebook at `path`, through the service or in-process."""
    first = [] if way == "service" else ["--no-service"]
    return run_cli([*first, args[0], "--url", lab.server.url, "--notebook", str(path), *args[1:]],
                   env=cli_env(lab.server.state_home))


def entries(lab: CellLab, path: Path, way: str = "service") -> list[dict[str, Any]]:
    result = call(lab, path, "activity", "--limit", "50", way=way)
    assert result.code == 0, result.stdout + result.stderr
    return result.json["entries"]


def followed(lab: CellLab) -> list[str]:
    """The sessions the service follows with a mirror."""
    result = run_cli(["service", "status"], env=cli_env(lab.server.state_home))
    assert result.code == 0, result.stderr
    return [s["session_id"] for s in result.json.get("sessions", [])]


def requests(found: list[dict[str, Any]]) -> list[tuple[str, str | None]]:
    """(kind, program op) of each entry, oldest first."""
    return [(e["kind"], (e["program"] or {}).get("op")) for e in reversed(found)]


# ---------------------------------------------------------------- every call, mirror or not


def test_every_call_through_the_service_is_logged_and_the_session_followed_from_the_first(lab: CellLab) -> None:
    path, browser = lab.fresh()
    snippet = "print('from exec', x)"
    assert call(lab, path, "exec", "-c", snippet).json["stdout"] == "from exec 41\n"
    created = call(lab, path, "create", "--run", "-c", "z = x * 2\nprint('z is', z)")
    assert created.code == 0, created.stdout
    new_cell = created.json["created"]
    assert call(lab, path, "run", new_cell).code == 0
    assert call(lab, path, "interrupt").code == 0
    assert browser.session_id in followed(lab), "the first exec made the service follow the session"

    found = entries(lab, path)
    # the cells `create --run` and `run` ran are in the log too, heard on the stream the service follows
    assert requests(found) == [("scratch", None), ("scratch", "create"), ("cell", None), ("scratch", "snapshot"),
                               ("scratch", "run"), ("cell", None), ("scratch", "snapshot"), ("control", "interrupt")]
    assert all(e["origin"] == "self" and e["outcome"] == "ok" for e in found), found
    assert [e["seq"] for e in found] == sorted((e["seq"] for e in found), reverse=True)
    exec_entry = found[-1]
    assert (exec_entry["code"], exec_entry["stdout"]) == (snippet, "from exec 41\n")  # what the kernel printed
    assert exec_entry["started_at"] <= exec_entry["ended_at"]
    assert found[-2]["program"]["code"] == "z = x * 2\nprint('z is', z)"
    assert found[-3]["cell"]["id"] == found[-6]["cell"]["id"] == new_cell  # the new cell's two runs
    assert found[-5]["program"]["targets"] == [new_cell]


def test_set_ui_and_restart_through_the_service_are_logged(lab: CellLab) -> None:
    path, browser = lab.fresh()
    created = call(lab, path, "create", "--run", "--name", "knob", "-c", "s = mo.ui.slider(1, 10, value=3)\ns")
    assert created.code == 0, created.stdout
    assert call(lab, path, "set-ui", "knob", "7").code == 0
    restarted = call(lab, path, "restart")
    assert restarted.code == 0, restarted.stdout
    new_session = restarted.json["session"]["session_id"]
    assert new_session != browser.session_id

    found = entries(lab, path)
    assert call(lab, path, "status").json["session"]["session_id"] == new_session
    ops = requests(found)
    assert ("scratch", "ui_set") in ops and ops[-1] == ("control", "restart"), ops
    restart = found[0]
    assert restart["origin"] == "self" and restart["program"]["session"] == new_session
    [ui_set] = [e for e in found if (e["program"] or {}).get("op") == "ui_set"]
    assert ui_set["origin"] == "self" and ui_set["outcome"] == "ok" and ui_set["program"]["value"] == 7


async def test_one_in_process_service_logs_every_call_with_no_mirror(lab: CellLab) -> None:
    path, _browser = lab.fresh()
    spec = TargetSpec(notebook=str(path), url=lab.server.url)
    async with PairingService(HubOptions(urls=[lab.server.url])) as service:
        ran = await service.execute(spec, "print('in process', x)")
        assert ran.value.stdout == "in process 41\n"
        created = await service.create_cell(spec, "w = x + 1", run=True)
        await service.interrupt(spec)
        assert service.mirrors.followed() == [], "no mirror followed the session during these calls"
        page = (await service.activity(spec, limit=50)).value
    found = [e.to_json() for e in page.entries]
    assert requests(found) == [("scratch", None), ("scratch", "create"), ("scratch", "snapshot"),
                               ("control", "interrupt")]
    assert found[-1]["stdout"] == "in process 41\n" and found[-1]["origin"] == "self"
    assert found[-2]["program"]["code"] == "w = x + 1" and created.value.extra["created"]
    assert all(e["origin"] == "self" and e["outcome"] == "ok" for e in found), found


# ---------------------------------------------------------------- already running when the log attaches


def test_a_snippet_already_running_when_the_log_attaches_is_in_it(lab: CellLab, tmp_path: Path) -> None:
    path, browser = lab.fresh()
    code, started, gate = gated(tmp_path, "other")
    sent = time.time()
    other = threading.Thread(target=lab.execute, args=(browser, code))  # another client's snippet
    other.start()
    try:
        wait_until(lambda: started.exists() and started.read_text(), 60, "the other client's snippet to start")
        began = float(started.read_text())
        seen = {way: [e for e in entries(lab, path, way) if e["kind"] == "scratch"] for way in ("in_process", "service")}
        for way, found in seen.items():
            [entry] = found
            assert entry["outcome"] == "running" and entry["origin"] == "other", (way, entry)
            assert entry["code"] is None, "marimo's replay does not carry a running snippet's code"
            # since when: the kernel's own start of the run (the document rounds times to ms)
            assert round(sent, 3) <= entry["started_at"] <= round(began, 3)
            assert entry["stdout"] == "waiting for the gate\n"
        assert seen["service"][0]["id"] == seen["in_process"][0]["id"], "the same execution, marimo's id"
        status = call(lab, path, "status").json
        assert status["state"] == "running" and status["kernel"]["idle"] is False
    finally:
        gate.write_text("open")
        other.join(60)

    def ended() -> dict[str, Any] | None:
        [entry] = [e for e in entries(lab, path) if e["kind"] == "scratch"]
        return entry if entry["outcome"] != "running" else None

    entry = wait_until(ended, 60, "the snippet to end in the service's log")
    assert entry["id"] == seen["service"][0]["id"]
    assert entry["outcome"] == "ok" and entry["stdout"] == "waiting for the gate\nthrough the gate\n"


def test_a_cell_already_running_when_the_log_attaches_is_in_it(lab: CellLab, tmp_path: Path) -> None:
    body, started, gate = gated(tmp_path, "cell")
    cell_code = body
    text = ("import marimo\n\napp = marimo.App()\n\n\n@app.cell\ndef gated():\n"
            + "".join(f"    {line}\n" for line in cell_code.splitlines()) + "    return\n")
    path, browser = lab.fresh(text=text, instantiate=False)
    runner = start_cli(["--no-service", "run", "gated", "--url", lab.server.url, "--notebook", str(path)],
                       env=cli_env(lab.server.state_home))
    try:
        wait_until(lambda: started.exists() and started.read_text(), 60, "the cell to start")
        began = float(started.read_text())
        for way in ("in_process", "service"):
            cells = [e for e in entries(lab, path, way) if e["kind"] == "cell"]
            [entry] = cells
            assert entry["outcome"] == "running" and entry["cell"]["label"] == "gated", (way, entry)
            assert entry["code"] == cell_code
            assert entry["started_at"] <= round(began, 3) and entry["stdout"] == "waiting for the gate\n"
    finally:
        gate.write_text("open")
        runner.communicate(timeout=60)
    assert runner.returncode == 0


def test_our_own_snippet_running_when_a_mirror_attaches_is_one_entry(lab: CellLab, tmp_path: Path) -> None:
    path, browser = lab.fresh()
    code, started, gate = gated(tmp_path, "ours")
    assert browser.session_id not in followed(lab)
    proc = start_cli(["exec", "--url", lab.server.url, "--notebook", str(path), "-c", code],
                     env=cli_env(lab.server.state_home))
    try:
        wait_until(lambda: started.exists() and started.read_text(), 60, "our snippet to start")
        found = [e for e in entries(lab, path) if e["kind"] == "scratch"]  # a mirror attaches mid-run
        assert [(e["code"], e["origin"], e["outcome"]) for e in found] == [(code, "self", "running")], found
    finally:
        gate.write_text("open")
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err

    def ended() -> list[dict[str, Any]] | None:
        found = [e for e in entries(lab, path) if e["kind"] == "scratch"]
        return found if all(e["outcome"] != "running" for e in found) else None

    [entry] = wait_until(ended, 60, "our snippet to end in the log")
    assert (entry["code"], entry["origin"], entry["outcome"]) == (code, "self", "ok")
    assert entry["stdout"] == "waiting for the gate\nthrough the gate\n"


# ---------------------------------------------------------------- the rules, unit by unit


def planned(eid: str, code: str) -> dict[str, Any]:
    return {"execution_id": eid, "cell_id": SCRATCH_ID, "run_id": f"run-{eid}", "phase": "planned", "code": code}


def cell_op(eid: str, status: str | None, stamp: float, console: Any = None) -> dict[str, Any]:
    return {"cell_id": SCRATCH_ID, "execution_id": eid, "run_id": f"run-{eid}", "status": status, "output": None,
            "timestamp": stamp, "console": console}


def out(text: str) -> dict[str, str]:
    return {"channel": "stdout", "mimetype": "text/plain", "data": text}


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


def test_a_call_no_stream_saw_is_ended_by_its_own_answer() -> None:
    log = ActivityLog()
    ticket = log.call("print(1)")
    [entry] = log.newest_first()
    assert (entry.kind, entry.origin, entry.outcome, entry.code) == ("scratch", "self", "running", "print(1)")
    ticket.printed("stdout", "1\n")
    ticket.done(True, "1\n", "", {"mimetype": "text/plain", "data": "1"})
    assert entry.outcome == "ok" and entry.stdout == "1\n" and entry.ended_at is not None
    failing = log.call("1/0")
    failing.done(False, "", "Traceback (most recent call last):\nZeroDivisionError: division by zero\n", None)
    assert log.newest_first()[0].errors[0].message == "ZeroDivisionError: division by zero"
    log.call("import time; time.sleep(9)").unknown("", "")
    assert [e.outcome for e in log.newest_first()] == ["unknown", "error", "ok"]
    log.call("print(2)").withdraw()  # refused before anything ran: nothing to log
    assert len(log) == 3
    # Nobody watched it start: the same code run later by another client is theirs.
    log.apply("execution", planned("e1", "print(1)"), str)
    assert log.get("e1").origin == "other"  # type: ignore[union-attr]


def test_a_call_the_stream_names_late_is_linked_once_and_never_doubled() -> None:
    log = ActivityLog()
    ticket = log.call("print(1)", followed=lambda: True)
    first_id = log.newest_first()[0].id
    ticket.printed("stdout", "1\n")
    ticket.done(True, "1\n", "", None)  # the answer came before the stream's `planned` (two sockets)
    assert log.apply("execution", planned("e1", "print(1)"), str) == {"e1"}
    log.apply("cell-op", cell_op("e1", "running", 5.0, out("1\n")), str)
    log.apply("execution", {"execution_id": "e1", "cell_id": SCRATCH_ID, "phase": "completed"}, str)
    [entry] = list(log)
    assert entry.id == "e1" and log.get(first_id) is entry
    assert (entry.origin, entry.outcome, entry.stdout) == ("self", "ok", "1\n")


def test_a_stream_that_follows_the_call_has_the_last_word() -> None:
    log = ActivityLog()
    ticket = log.call("print(1)", followed=lambda: True)
    log.apply("execution", planned("e1", "print(1)"), str)
    log.apply("cell-op", cell_op("e1", "running", 5.0, []), str)
    ticket.printed("stdout", "1\n")
    log.apply("cell-op", cell_op("e1", None, 5.1, out("1\n")), str)
    log.apply("kernel-ready", {}, str)  # a reconnection meanwhile: the stream's own entry is unknown
    ticket.done(True, "1\n", "", None)
    [entry] = list(log)
    assert entry.outcome == "unknown" and entry.stdout == "1\n", "the answer does not overrule the stream"
    log.apply("cell-op", cell_op("e1", "idle", 5.2, [out("1\n")]), str)  # the replay tells how it ended
    assert entry.outcome == "ok" and entry.stdout == "1\n" and entry.started_at == 5.0


def test_our_call_found_running_by_the_replay_is_linked_to_it() -> None:
    clock = Clock()
    log = ActivityLog(clock=clock)
    ticket = log.call("work()")  # sent at 101
    ticket.printed("stdout", "so far\n")
    log.apply("kernel-ready", {}, str)
    assert list(log)[0].outcome == "running", "a call no stream reported is not the stream's to end"
    log.apply("cell-op", cell_op("x", "running", 101.5, [out("so far\n")]), str)
    [entry] = list(log)
    assert (entry.id, entry.origin, entry.code, entry.started_at) == ("x", "self", "work()", 101.5)
    # Another client's snippet, running since before our call was sent, is not ours.
    other = ActivityLog(clock=Clock())
    other.call("work()")
    other.apply("cell-op", cell_op("y", "running", 50.0, [out("theirs\n")]), str)
    theirs = other.get("y")
    assert theirs is not None and theirs.origin == "other" and theirs.to_json()["code"] is None
    assert theirs.started_at == 50.0 and theirs.stdout == "theirs\n" and len(other) == 2


def test_with_several_calls_under_way_the_one_that_printed_the_same_takes_the_running_snippet() -> None:
    log = ActivityLog(clock=Clock())
    first, second = log.call("a()"), log.call("b()")  # sent at 101 and 102
    log.apply("cell-op", cell_op("x", "running", 103.0, [out("from b\n")]), str)  # which one? not known yet
    x = log.get("x")
    assert x is not None and x.origin == "other" and x.to_json()["code"] is None
    second.done(True, "from b\n", "", None)  # b ends and printed what x printed: x was b
    assert x.origin == "self" and x.code == "b()" and len(log) == 2
    log.apply("execution", planned("y", "a()"), str)  # a starts next: the stream names it
    first.done(True, "", "", None)
    assert sorted((e.id, e.code, e.origin) for e in log) == [("x", "b()", "self"), ("y", "a()", "self")]
