"""input() prompts, kernel restarts and missing packages, through the agent door against real servers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.clihelp import CliResult, cli_env, run_cli, start_cli
from tests.support.cell_lab import CellLab
from tests.support.marimo_proc import BrowserSession
from tests.support.waiting import wait_until, wait_until_async


def cli(lab: CellLab, browser: BrowserSession, *args: str) -> CliResult:
    return run_cli([*args, "--url", lab.server.url, "--session", browser.session_id or ""],
                   env=cli_env(lab.server.state_home))


def waiting(lab: CellLab, browser: BrowserSession) -> list[dict[str, str]]:
    return cli(lab, browser, "status").json["kernel"].get("waiting_for_input", [])


def test_a_snippet_waiting_on_input_is_reported_and_answered_from_another_process(lab: CellLab) -> None:
    _path, browser = lab.fresh()
    proc = start_cli(["exec", "--stream", "-c", "name = input('name? ')\nprint('hello', name)",
                      "--url", lab.server.url, "--session", browser.session_id or ""], env=cli_env(lab.server.state_home))
    try:
        assert proc.stdout is not None and proc.stderr is not None
        told = json.loads(proc.stdout.readline())  # the run says it waits: no silent hang
        assert told == {"waiting_for_input": {"cell": "__scratch__", "prompt": "name? "}}
        said = proc.stderr.readline().decode()
        assert "the snippet waits for input: 'name? '" in said and "answer TEXT" in said
        assert waiting(lab, browser) == [{"cell": "__scratch__", "prompt": "name? "}]
        answered = cli(lab, browser, "answer", "Alice")
        assert answered.code == 0 and answered.json["answered"] == {"cell": "__scratch__", "prompt": "name? ", "text": "Alice"}
        out, _err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    lines = [json.loads(line) for line in out.decode().splitlines()]
    assert lines[-1]["success"] is True and lines[-1]["stdout"] == "hello Alice\n"
    assert waiting(lab, browser) == []


def test_an_answer_when_nothing_waits_is_refused_and_never_queued(lab: CellLab) -> None:
    _path, browser = lab.fresh()
    refused = cli(lab, browser, "answer", "stray")
    assert refused.code == 2 and refused.json["error"]["kind"] == "nothing_waiting" and refused.json["error"]["next"]
    result = cli(lab, browser, "exec", "--input", "Carol", "--input", "Dan",
                 "-c", "print(input('one? '), input('two? '))")
    assert result.code == 0 and result.json["stdout"] == "Carol Dan\n"  # "stray" never reached the kernel


def test_a_cell_waiting_on_input_is_answered(lab: CellLab) -> None:
    _path, browser = lab.fresh()
    proc = start_cli(["create", "--name", "ask", "--run", "-c", "who = input('who? ')\nprint('hi', who)",
                      "--url", lab.server.url, "--session", browser.session_id or ""], env=cli_env(lab.server.state_home))
    try:
        assert proc.stderr is not None
        said = proc.stderr.readline().decode()
        assert "waits for input: 'who? '" in said
        (entry,) = waiting(lab, browser)
        assert entry["prompt"] == "who? " and entry["cell"] != "__scratch__"
        assert cli(lab, browser, "answer", "Eve").code == 0
        out, _err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    (cell,) = json.loads(out)["cells"]
    assert cell["status"] == "idle" and "hi Eve" in json.dumps(cell["console"])


@pytest.mark.one_way
def test_restart_loses_memory_and_gives_the_notebook_a_new_session(lab: CellLab, headless_way: str) -> None:
    path, browser = lab.fresh()
    assert cli(lab, browser, "exec", "-c", "kept = 7").code == 0
    restarted = run_cli(["restart", "--run", "--url", lab.server.url, "--notebook", str(path)],
                        env=cli_env(lab.server.state_home))
    assert restarted.code == 0, restarted.stdout
    new = restarted.json["session"]
    assert new["session_id"] and new["session_id"] != browser.session_id
    after = run_cli(["exec", "-c", "print(x, 'kept' in globals())", "--url", lab.server.url, "--session", new["session_id"]],
                    env=cli_env(lab.server.state_home))
    assert after.code == 0 and after.json["stdout"] == "41 False\n"  # cells ran again; the snippet's name is gone
    old = cli(lab, browser, "status")
    if headless_way == "service":  # the service restarted it, so it knows where the old session went
        assert old.code == 0 and old.json["session"]["session_id"] == new["session_id"]
        assert any(new["session_id"] in w and browser.session_id in w for w in old.json["warnings"]), old.json
    else:  # a new process asked for the old session: it points at the new one
        assert old.code == 2 and old.json["error"]["kind"] == "unknown_session" and new["session_id"] in old.stdout


def test_an_exec_whose_kernel_is_restarted_mid_run_ends_as_outcome_unknown(lab: CellLab, headless_way: str,
                                                                          tmp_path: Path) -> None:
    path, browser = lab.fresh()
    marker = tmp_path / "started"
    proc = start_cli(["exec", "-c", f"open({str(marker)!r}, 'w').write('x')\nimport time\ntime.sleep(300)",
                      "--url", lab.server.url, "--session", browser.session_id or ""], env=cli_env(lab.server.state_home))
    try:
        wait_until(marker.exists, 40, "the snippet to start")
        restarted = run_cli(["restart", "--url", lab.server.url, "--notebook", str(path)],
                            env=cli_env(lab.server.state_home))
        assert restarted.code == 0, restarted.stdout
        out, _err = proc.communicate(timeout=120)  # marimo never ends that run's stream: it must not hang
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 4, out
    document = json.loads(out)
    assert document["error"]["kind"] == "outcome_unknown"
    assert "session ended" in document["error"]["message"] and "restarted" in document["error"]["message"]
    assert marker.read_text() == "x", "run once, never resent"


@pytest.mark.one_way
def test_a_missing_package_is_named_with_the_command_that_installs_it(lab: CellLab) -> None:
    _path, browser = lab.fresh()
    result = cli(lab, browser, "create", "--run", "-c", "import some_missing_pkg_xyz")
    assert result.code == 1
    assert result.json["missing_packages"] in (["some-missing-pkg-xyz"], ["some_missing_pkg_xyz"])
    assert "packages add some" in result.json["next"]


@pytest.mark.one_way
async def test_a_held_mirror_follows_the_restart_once(lab: CellLab) -> None:
    from marimo_pair_tui.core.service.pairing_service import HubOptions, PairingService, TargetSpec

    path, _browser = lab.fresh()
    async with PairingService(HubOptions(urls=[lab.server.url])) as service:
        spec = TargetSpec(notebook=str(path), url=lab.server.url)
        pairing = (await service.mirror(spec)).value
        states: list[str] = []
        pairing.subscribe(on_state=lambda state, detail: states.append(state))
        new = (await service.restart(spec, run=True)).value
        assert await pairing.wait_until(lambda nb: nb.stable_session_id == new.session.session_id, 40)
        # "moved" is said once the new stream is live, just after its kernel-ready.
        await wait_until_async(lambda: "moved" in states, 40, "the mirror to say it moved", detail=lambda: states)
        assert states.count("moved") == 1
        reread = await service.cells(spec)
        assert reread.target is not None and reread.target.session.session_id == new.session.session_id
        assert [c.status for c in reread.value.cells].count("idle") == len(reread.value.cells)


@pytest.mark.one_way
async def test_mcp_execute_takes_answers_and_answer_refuses_when_nothing_waits(lab: CellLab) -> None:
    from tests.support.mcp_client import call, mcp_session

    path, _browser = lab.fresh()
    async with mcp_session(lab.server.state_home) as session:
        error, doc = await call(session, "execute", code="print('hi', input('who? '))", input=["Zed"], notebook=str(path))
        assert not error and doc["stdout"] == "hi Zed\n"
        error, refused = await call(session, "answer", text="stray", notebook=str(path))
        assert error and refused["error"]["kind"] == "nothing_waiting"
