"""A server killed with SIGKILL is never answered for from the service's memory: every call through the
pairing service gives the document and exit code the same call gives in-process. Real servers, killed
by pid; the service's calls and `--no-service` calls side by side."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.clihelp import CliResult, cli_env, run_cli
from tests.support.waiting import wait_until
from tests.support.marimo_proc import BrowserSession, MarimoServer

GONE_KINDS = {"no_session", "unknown_session", "unreachable"}


def both_ways(state: Path, *args: str) -> tuple[CliResult, CliResult]:
    """The same call through the service and in-process."""
    env = cli_env(state)
    return run_cli(args, env=env), run_cli(["--no-service", *args], env=env)


def followed(state: Path) -> dict[str, str]:
    """Session id -> live state of every mirror the service keeps."""
    result = run_cli(["service", "status"], env=cli_env(state))
    assert result.code == 0, result.stderr
    return {s["session_id"]: s["live"] for s in result.json.get("sessions", [])}


def targets(server: MarimoServer, browser: BrowserSession, notebook: Path) -> dict[str, list[str]]:
    return {
        "notebook": ["--notebook", str(notebook)],  # found through the registry
        "session": ["--session", browser.session_id or ""],
        "url_and_session": ["--url", server.url, "--session", browser.session_id or ""],
    }


@pytest.mark.parametrize("form", ["notebook", "session", "url_and_session"])
def test_reads_and_runs_on_a_killed_server_answer_as_in_process(demo_server: MarimoServer, browser_factory,
                                                               state_home: Path, form: str) -> None:
    browser = browser_factory(demo_server)
    target = targets(demo_server, browser, demo_server.target)[form]
    before = run_cli(["status", *target], env=cli_env(state_home))
    assert before.code == 0 and before.json["kernel"]["live"] == "live", before.stdout
    assert run_cli(["exec", *target, "-c", "print(x)"], env=cli_env(state_home)).json["stdout"] == "41\n"
    assert followed(state_home) == {browser.session_id: "live"}

    demo_server.kill()  # SIGKILL by pid (its kernel too): no goodbye on any socket
    wait_until(lambda: followed(state_home).get(browser.session_id or "") != "live", 30,
               "the service's mirror to lose its stream")
    for call in (["status"], ["cells", "--no-outputs"], ["activity"], ["exec", "-c", "print(1)"], ["interrupt"]):
        served, local = both_ways(state_home, *call[:1], *target, *call[1:])
        assert local.code != 0 and local.json["success"] is False, (call, local.stdout)
        assert local.json["error"]["kind"] in GONE_KINDS, (call, local.stdout)
        assert (served.code, served.json) == (local.code, local.json), (call, served.stdout, local.stdout)


def test_a_remembered_session_followed_from_its_first_exec_answers_as_in_process_once_its_server_is_killed(
        demo_server: MarimoServer, browser_factory, state_home: Path) -> None:
    browser = browser_factory(demo_server)
    target = ["--notebook", str(demo_server.target)]
    for _ in range(2):  # resolved once, then remembered
        ran = run_cli(["exec", *target, "-c", "print(x)"], env=cli_env(state_home))
        assert ran.code == 0 and ran.json["stdout"] == "41\n", ran.stdout
    # exec alone made the service follow the session (what a run makes marimo say is kept for `status`)
    assert followed(state_home) == {browser.session_id: "live"}

    demo_server.kill()
    for call in (["exec", "-c", "print(1)"], ["interrupt"], ["status"]):
        served, local = both_ways(state_home, *call[:1], *target, *call[1:])
        assert local.code == 2 and local.json["error"]["kind"] == "no_session", (call, local.stdout)
        assert (served.code, served.json) == (local.code, local.json), (call, served.stdout, local.stdout)
