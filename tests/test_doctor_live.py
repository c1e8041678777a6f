"""`doctor` against real marimo servers, as a user runs it: each server's version (read from the
server itself) and its standing, no token in the output, a wrong mode and a missing program
reported with what to do, and the exit code that says whether a check found a problem."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from marimo_pair_tui.core.api import marimo_standing
from marimo_pair_tui.headless.service.wire import socket_path
from tests.clihelp import cli_env, run_cli
from tests.support.marimo_proc import MarimoServer, start_marimo_server

TOKEN = "doctor-secret-token-4711"


@pytest.fixture(scope="module")
def token_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MarimoServer]:
    """One server with a token for the module (not in the registry: named by --url)."""
    base = tmp_path_factory.mktemp("doctor")
    notebook = base / "demo.py"
    shutil.copy(Path(__file__).parent / "notebooks" / "demo.py", notebook)
    (base / "state").mkdir()
    server = start_marimo_server(notebook, state_home=base / "state", token=TOKEN)
    try:
        yield server
    finally:
        server.stop()
        server.cleanup_files()


def served_version(server: MarimoServer) -> str:
    """What the server itself says it runs."""
    headers = {"Authorization": f"Bearer {server.token}"} if server.token else {}
    response = httpx.get(f"{server.url}/api/version", headers=headers, timeout=10)
    response.raise_for_status()
    return response.text.strip()


def checks(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {check["check"]: check for check in document["checks"]}


def test_each_server_s_version_and_standing_is_reported_and_the_token_is_not(
    shared_server: MarimoServer, token_server: MarimoServer
) -> None:
    env = cli_env(shared_server.state_home, MARIMO_TOKEN=TOKEN)
    result = run_cli(["doctor", "--url", token_server.url], env=env)
    assert TOKEN not in result.stdout + result.stderr
    document = result.json
    assert result.code == (0 if document["ok"] else 1)
    found = checks(document)
    for server, source in ((shared_server, "registry"), (token_server, "url")):
        check = found[f"server:{server.url}"]
        version = served_version(server)
        assert (check["facts"]["version"], check["facts"]["source"]) == (version, source)
        assert check["facts"]["standing"] == marimo_standing(version)
        assert check["status"] == {"supported": "ok", "too_old": "problem", "newer": "warning"}[marimo_standing(version)]


def test_a_wrong_mode_and_missing_programs_say_what_to_do_and_set_the_exit_code(tmp_path: Path) -> None:
    state_home = tmp_path / "state"
    ours = state_home / "marimo-pair-tui"
    (ours / "drafts").mkdir(parents=True)
    draft = ours / "drafts" / "demo.py.json"
    draft.write_text("{}")
    ours.chmod(0o755)
    (ours / "drafts").chmod(0o755)
    draft.chmod(0o644)
    empty = tmp_path / "bin"  # a PATH without Chromium, ssh or tmux
    empty.mkdir()
    env = {**cli_env(state_home, PATH=str(empty)), "TERM": "xterm-256color"}
    env.pop("MARIMO_PAIR_BROWSER", None)
    result = run_cli(["doctor"], env=env)
    document = result.json
    found = checks(document)
    assert result.code == 1 and document["ok"] is False
    state = found["state"]
    assert state["status"] == "problem"
    for fix in (f"chmod 700 {ours}", f"chmod 700 {ours / 'drafts'}", f"chmod 600 {draft}"):
        assert fix in state["next"]
    assert found["browser"]["status"] == "warning" and "Chromium" in found["browser"]["next"]
    assert found["ssh"]["status"] == "warning" and "openssh" in found["ssh"]["next"].lower()
    for path, mode in ((ours, 0o700), (ours / "drafts", 0o700), (draft, 0o600)):  # the fixes, applied
        os.chmod(path, mode)
    fixed = run_cli(["doctor"], env=env)
    assert checks(fixed.json)["state"]["status"] == "ok"
    assert (fixed.code, fixed.json["problems"]) == (0, 0)


def test_the_readable_form_is_the_same_report_made_in_the_caller_s_process(tmp_path: Path) -> None:
    env = cli_env(tmp_path / "state")
    readable = subprocess.run([sys.executable, "-m", "marimo_pair_tui", "doctor"], capture_output=True, text=True,
                              env=env, stdin=subprocess.DEVNULL, timeout=120)
    document = json.loads(subprocess.run(
        [sys.executable, "-m", "marimo_pair_tui", "doctor", "--json"], capture_output=True, text=True, env=env,
        stdin=subprocess.DEVNULL, timeout=120).stdout)
    assert readable.returncode == (0 if document["ok"] else 1)
    text = readable.stdout
    assert text.splitlines()[0] == f"marimo-pair-tui doctor: {document['summary']}"
    for check in document["checks"]:
        assert f" {check['check']} " in text and check["detail"] in text
    headless = run_cli(["doctor", "--human"], env=env)  # (the pairing service would answer with its own terminal)
    assert headless.stdout.splitlines()[0] == text.splitlines()[0]
    assert not os.path.exists(socket_path(env)), "doctor went through the pairing service"
    assert checks(document)["service"]["facts"]["running"] is False


def test_a_running_pairing_service_is_reported_not_restarted(tmp_path: Path) -> None:
    env = cli_env(tmp_path / "state")
    started = run_cli(["service", "start"], env=env).json
    found = checks(run_cli(["doctor"], env=env).json)["service"]
    assert found["status"] == "ok"
    assert (found["facts"]["pid"], found["facts"]["running"], found["facts"]["this_version"]) == (started["pid"], True, True)
    assert run_cli(["service", "status"], env=env).json["pid"] == started["pid"]


def test_a_bad_url_is_a_usage_error_not_a_finding(tmp_path: Path) -> None:
    result = run_cli(["doctor", "--url", "not-a-url"], env=cli_env(tmp_path / "state"))
    assert result.code == 2 and result.json["error"]["kind"] == "invalid_url"


@pytest.mark.parametrize("args, said", [
    (["--bogus"], "No such option '--bogus'."),
    (["--url", "not-a-url"], "'not-a-url' is not a server URL."),
])
def test_the_readable_form_says_a_bad_argument_in_words(tmp_path: Path, args: list[str], said: str) -> None:
    """`marimo-pair-tui doctor` is read by a person: its errors are lines, not the agents' JSON."""
    env = cli_env(tmp_path / "state")
    proc = subprocess.run([sys.executable, "-m", "marimo_pair_tui", "doctor", *args], capture_output=True, text=True,
                          env=env, stdin=subprocess.DEVNULL, timeout=120)
    assert (proc.returncode, proc.stdout) == (2, "")
    first, then = proc.stderr.splitlines()[:2]
    assert first == f"marimo-pair-tui doctor: {said}" and then
    assert run_cli(["doctor", *args], env=env).json["success"] is False  # agents still get the document
