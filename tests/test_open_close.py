"""`open` and `close` against real marimo servers: reuse what runs, start only when nothing serves the file."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from marimo_pair_tui.core.wire.discovery import pid_alive
from marimo_pair_tui.core.servers.processes import started_servers, stop_pid
from tests.clihelp import cli_env, run_cli


@pytest.fixture
def no_server_left(state_home: Path) -> Iterator[None]:
    """Whatever the command under test started is stopped by pid, even when an assertion failed."""
    yield
    for record in started_servers():
        stop_pid(int(record["pid"]))


def _stdout_of(server, session_id: str, code: str) -> str:
    """What `code` prints in the session, run through marimo's execute endpoint (SSE)."""
    response = server.post(
        "/api/kernel/execute",
        json={"code": code},
        headers={"Marimo-Stable-Session-Id": session_id},
        timeout=60,
    )
    response.raise_for_status()
    printed = []
    event = None
    for line in response.text.splitlines():
        if line.startswith("event:"):
            event = line.split(":", 1)[1].strip()
        elif line.startswith("data:") and event == "stdout":
            printed.append(json.loads(line.split(":", 1)[1])["data"])
    return "".join(printed)


def _assert_nothing_started() -> None:
    assert started_servers() == [], "open started a server although one already served the notebook"


def test_open_creates_the_session_on_a_running_server_without_one(
    demo_server, state_home: Path, no_server_left: None
) -> None:
    env = cli_env(state_home)
    notebook = demo_server.target
    assert demo_server.sessions() == {}
    opened = run_cli(["open", "--run", str(notebook)], env=env)
    assert opened.code == 0, opened.stdout + opened.stderr
    doc = opened.json
    _assert_nothing_started()
    assert doc["started_server"] is False and doc["created_session"] is True and doc["ran_cells"] is True
    assert doc["session"]["server"] == demo_server.url
    (info,) = demo_server.sessions().values()
    assert info["session_id"] == doc["session"]["session_id"]
    assert Path(info["path"]).resolve() == notebook.resolve()
    assert _stdout_of(demo_server, info["session_id"], "print(y)") == "42\n", "the cells of the new session ran"
    again = run_cli(["open", str(notebook)], env=env)
    assert again.code == 0
    assert again.json["created_session"] is False and again.json["started_server"] is False
    assert again.json["session"]["session_id"] == doc["session"]["session_id"]
    assert len(demo_server.sessions()) == 1


def test_a_directory_server_serves_the_notebooks_inside_it_only(
    marimo_factory, notebooks_dir: Path, state_home: Path, tmp_path: Path, no_server_left: None
) -> None:
    env = cli_env(state_home)
    server = marimo_factory(notebooks_dir)
    inside = notebooks_dir / "other.py"
    opened = run_cli(["open", "--no-run", str(inside)], env=env)
    assert opened.code == 0, opened.stdout + opened.stderr
    _assert_nothing_started()
    assert opened.json["started_server"] is False and opened.json["created_session"] is True
    assert opened.json["session"]["server"] == server.url
    (info,) = server.sessions().values()
    assert Path(info["path"]).resolve() == inside.resolve()
    assert info["session_id"] == opened.json["session"]["session_id"]

    outside = tmp_path / "elsewhere" / "demo.py"
    outside.parent.mkdir()
    shutil.copyfile(notebooks_dir / "demo.py", outside)
    refused = run_cli(["open", "--url", server.url, str(outside)], env=env)
    assert refused.code == 2, refused.stdout + refused.stderr
    error = refused.json["error"]
    assert "does not serve" in error["message"] and str(notebooks_dir) in error["message"]
    assert "--url" in error["next"]
    _assert_nothing_started()
    assert len(server.sessions()) == 1


def test_open_with_url_and_token_file_uses_that_token_server(
    marimo_factory, notebooks_dir: Path, state_home: Path, tmp_path: Path, no_server_left: None
) -> None:
    env = cli_env(state_home)
    server = marimo_factory(notebooks_dir / "demo.py", token="open-close-token")
    token_file = tmp_path / "token"
    token_file.write_text("open-close-token\n")
    token_file.chmod(0o600)
    notebook = notebooks_dir / "demo.py"

    no_token = run_cli(["open", "--url", server.url, str(notebook)], env=env)
    assert no_token.code == 3 and no_token.json["error"]["kind"] == "auth_failed"
    _assert_nothing_started()

    targeting = ["--url", server.url, "--token-file", str(token_file)]
    opened = run_cli(["open", *targeting, "--no-run", str(notebook)], env=env)
    assert opened.code == 0, opened.stdout + opened.stderr
    _assert_nothing_started()
    doc = opened.json
    assert doc["started_server"] is False and doc["created_session"] is True
    assert doc["session"]["server"] == server.url
    (info,) = server.sessions().values()
    assert info["session_id"] == doc["session"]["session_id"]

    again = run_cli(["open", *targeting, str(notebook)], env=env)
    assert again.code == 0
    assert again.json["created_session"] is False
    assert again.json["session"]["session_id"] == doc["session"]["session_id"]

    other = notebooks_dir / "other.py"
    refused = run_cli(["open", *targeting, str(other)], env=env)
    assert refused.code == 2, refused.stdout + refused.stderr
    message = refused.json["error"]["message"]
    assert "does not serve" in message and str(other) in message and "demo.py" in message
    _assert_nothing_started()
    assert len(server.sessions()) == 1


def test_close_tour_stops_the_server_open_tour_started(state_home: Path, no_server_left: None) -> None:
    env = cli_env(state_home)
    opened = run_cli(["open", "--tour", "--no-run"], env=env)
    assert opened.code == 0, opened.stdout + opened.stderr
    assert opened.json["started_server"] is True
    (record,) = started_servers()
    closed = run_cli(["close", "--tour"], env=env)
    assert closed.code == 0, closed.stdout + closed.stderr
    (stopped,) = closed.json["closed"]
    assert stopped["pid"] == record["pid"] and Path(stopped["notebook"]).name == "tour.py"
    assert not pid_alive(record["pid"])
    assert started_servers() == []


def test_close_refuses_tour_with_a_notebook(state_home: Path, notebooks_dir: Path) -> None:
    result = run_cli(["close", "--tour", str(notebooks_dir / "demo.py")], env=cli_env(state_home))
    assert result.code == 2 and result.json["error"]["kind"] == "usage"
