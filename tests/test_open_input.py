"""`open --run` and `restart --run` on a notebook whose cell calls input(): they return with the prompt.

marimo waits for an answer forever, so a run that meets `input()` cannot be
waited out: the command returns the session, the cell that waits and its
prompt, and the `answer` command that goes on; another process answers it and
the kernel says what it got.
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

import pytest

from tests.clihelp import CliResult, cli_env, run_cli
from tests.support.waiting import wait_until
from tests.test_open_close import no_server_left  # noqa: F401 - the fixture: what `open` started is stopped

ASKS = '''import marimo

app = marimo.App()


@app.cell
def ask():
    name = input("name? ")
    return (name,)


@app.cell
def greet(name):
    greeting = "hi " + name
    return (greeting,)


if __name__ == "__main__":
    app.run()
'''


@pytest.fixture
def asks(tmp_path: Path) -> Path:
    path = tmp_path / "asks.py"
    path.write_text(ASKS, encoding="utf-8")
    return path


def flags(doc: dict[str, Any]) -> list[str]:
    return ["--url", doc["session"]["server"], "--session", doc["session"]["session_id"]]


def printed(env: dict[str, str], doc: dict[str, Any], code: str) -> str:
    """What `code` prints in the session's kernel."""
    result = run_cli(["exec", "-c", code, *flags(doc)], env=env)
    assert result.code == 0, result.stdout + result.stderr
    return str(result.json["stdout"])


def cell_id(env: dict[str, str], doc: dict[str, Any], name: str) -> str:
    result = run_cli(["cells", "--no-outputs", *flags(doc)], env=env)
    assert result.code == 0, result.stdout + result.stderr
    return next(c["id"] for c in result.json["cells"] if c["name"] == name)


def assert_waits(result: CliResult, env: dict[str, str]) -> dict[str, Any]:
    """The document says which cell waits and how to answer; `status` (the live stream) agrees."""
    assert result.code == 0, result.stdout + result.stderr
    doc = result.json
    assert doc["success"] is True and doc["ran_cells"] is False
    assert doc["waiting_for_input"] == [{"cell": cell_id(env, doc, "ask"), "prompt": "name? "}]
    status = run_cli(["status", *flags(doc)], env=env)
    assert status.json["kernel"]["waiting_for_input"] == doc["waiting_for_input"]
    assert f"--url {doc['session']['server']} --session {doc['session']['session_id']}" in doc["next"]
    assert "cell ask waits for input: 'name? '" in result.stderr  # as any waiting run says it
    return doc


def answer_from_next(doc: dict[str, Any], env: dict[str, str], text: str) -> None:
    """Run the `answer` command the document gives, with TEXT filled in, from another process."""
    command = shlex.split(doc["next"].split("`")[1])
    assert command[:3] == ["marimo-pair-tui", "--headless", "answer"] and command[3] == "TEXT"
    answered = run_cli(["answer", text, *command[4:]], env=env)
    assert answered.code == 0, answered.stdout + answered.stderr
    assert answered.json["answered"]["prompt"] == "name? "


def test_open_run_returns_at_input_and_answer_completes_the_run(
    asks: Path, state_home: Path, no_server_left: None
) -> None:
    env = cli_env(state_home)
    opened = run_cli(["open", "--run", str(asks)], env=env)  # starts a server: nothing serves the file
    doc = assert_waits(opened, env)
    assert doc["started_server"] is True and doc["created_session"] is True

    answer_from_next(doc, env, "Alice")
    assert printed(env, doc, "print(name)") == "Alice\n"  # what the kernel's input() returned
    wait_until(lambda: printed(env, doc, "print(globals().get('greeting'))") == "hi Alice\n",
               what="the cell after the prompt to run")


def test_open_on_a_running_server_and_restart_return_at_input(
    marimo_factory: Any, asks: Path, state_home: Path, no_server_left: None
) -> None:
    env = cli_env(state_home)
    server = marimo_factory(asks)
    opened = run_cli(["open", "--run", str(asks)], env=env)  # a session created on that server
    doc = assert_waits(opened, env)
    assert doc["started_server"] is False and doc["session"]["server"] == server.url
    answer_from_next(doc, env, "Bob")
    assert printed(env, doc, "print(name)") == "Bob\n"

    restarted = run_cli(["restart", "--run", *flags(doc)], env=env)
    assert restarted.code == 0, restarted.stdout + restarted.stderr
    assert "cell ask waits for input: 'name? '" in restarted.stderr
    new = {"session": restarted.json["session"]}
    status = run_cli(["status", *flags(new)], env=env)
    assert status.json["kernel"]["waiting_for_input"] == [{"cell": cell_id(env, new, "ask"), "prompt": "name? "}]
