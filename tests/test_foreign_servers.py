"""Servers that are not marimo: an HTML page, or JSON that is not JSON, where marimo's API belongs.

Each foreign server is a real HTTP server on a free loopback port. Every
command aimed at one with `--url` says which URL it tried and that what
answered there is not a marimo server (or answered something that is not
JSON), with exit 3 and a `next` hint, and never a traceback. `servers` is a
listing: it keeps the URL the user named and says in `warnings` that it does
not answer as marimo does.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from marimo_pair_tui.core.errors import EXIT_CONNECTION
from tests.clihelp import CliResult, cli_env, run_cli
from tests.support.fake_marimo import Answer, FakeServer, Seen, html_answer, json_answer, sessions_body

TOKEN = "foreign-token-9d2e77b0"
NOTEBOOK = "/srv/notebooks/demo.py"

# What a server answers (200, application/json) on marimo's API paths, none of it JSON.
BROKEN_JSON = {
    "truncated": b'{"s_1": {"session_id": "sess-ab12", "path": "/srv/notebooks/de',
    "empty": b"",
    "nested_too_deep": b"[" * 100_000,
    "html_labelled_json": b"<html><body>502 Bad Gateway</body></html>",
}

FOREIGN = ["html", *(f"json:{name}" for name in BROKEN_JSON)]


def _respond(kind: str) -> Callable[[Seen], Answer]:
    if kind == "html":
        return html_answer
    body = BROKEN_JSON[kind.split(":", 1)[1]]
    return lambda _seen: Answer(200, "application/json", body)


def _foreign(kind: str) -> Iterator[FakeServer]:
    server = FakeServer(_respond(kind))
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(params=FOREIGN)
def foreign(request: pytest.FixtureRequest) -> Iterator[FakeServer]:
    yield from _foreign(request.param)


@pytest.fixture(params=["html", "json:truncated"])
def foreign_pair(request: pytest.FixtureRequest) -> Iterator[FakeServer]:
    yield from _foreign(request.param)


def _run(args: list[str], tmp_path: Path, **env: str) -> CliResult:
    state = tmp_path / "state"
    state.mkdir(exist_ok=True)
    return run_cli(args, env=cli_env(state, MARIMO_TOKEN=TOKEN, **env), timeout=60)


def _clean(result: CliResult) -> None:
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout, result.stderr
    assert TOKEN not in result.stdout and TOKEN not in result.stderr


def _says_not_marimo(text: str, url: str) -> None:
    assert url in text, text
    assert "does not look like a marimo" in text or "not JSON" in text, text


COMMANDS = {
    "status": ["status"],
    "cells": ["cells"],
    "exec": ["exec", "-c", "print(1)"],
    "notebooks": ["notebooks"],
    "interrupt": ["interrupt"],
    "cells-refresh": ["cells", "--refresh"],
}
# Every command against the HTML page; each kind of broken JSON against one of them (they all
# meet it first in the session list).
CASES = [("html", name) for name in COMMANDS] + [
    ("json:truncated", "status"), ("json:empty", "cells"), ("json:nested_too_deep", "exec"),
    ("json:html_labelled_json", "notebooks"),
]


@pytest.mark.parametrize("kind, command", CASES)
def test_a_command_aimed_at_a_foreign_server_says_it_is_not_marimo(kind: str, command: str, tmp_path: Path) -> None:
    args = COMMANDS[command]
    server = FakeServer(_respond(kind))
    try:
        result = _run([args[0], "--url", server.url, *args[1:]], tmp_path)
        posts = server.count("POST", "/api/kernel/execute")
    finally:
        server.close()
    _clean(result)
    assert result.code == EXIT_CONNECTION == 3, (result.stdout, result.stderr)
    error = result.json["error"]
    assert error["kind"] == "not_marimo"
    _says_not_marimo(error["message"], server.url)
    assert error["next"] and "servers" in error["next"]
    assert posts == 0, "no code goes to a server that failed the session list"


@pytest.mark.one_way
def test_servers_names_the_foreign_url_and_says_it_is_not_marimo(foreign: FakeServer, tmp_path: Path) -> None:
    result = _run(["servers", "--url", foreign.url], tmp_path)
    _clean(result)
    assert result.code == 0
    (listed,) = result.json["servers"]
    assert (listed["url"], listed["source"], listed["version"]) == (foreign.url, "url", None)
    (warning,) = result.json["warnings"]
    _says_not_marimo(warning, foreign.url)
    assert "servers" in warning  # the next hint rides along


@pytest.mark.one_way
def test_a_registry_entry_pointing_at_a_foreign_server_is_skipped(foreign_pair: FakeServer, tmp_path: Path) -> None:
    foreign = foreign_pair
    registry = tmp_path / "state" / "marimo" / "servers"
    registry.mkdir(parents=True)
    entry = {"server_id": f"127.0.0.1:{foreign.port}", "pid": os.getpid(), "host": "127.0.0.1",
             "port": foreign.port, "base_url": "", "version": "0.25.2"}
    (registry / f"127.0.0.1_{foreign.port}.json").write_text(json.dumps(entry))
    for command in ("servers", "notebooks"):
        result = _run([command], tmp_path)
        _clean(result)
        assert result.code == 0, (command, result.stdout, result.stderr)
        assert result.json[command] == []
        (warning,) = result.json["warnings"]
        assert foreign.url in warning and "/health" in warning and "skipped" in warning
    assert foreign.count("GET", "/health") == 2


# A server whose session list is marimo's, and whose execute endpoint is not.
EXECUTE_ANSWERS = {
    "html_page": html_answer(),
    "truncated_json": Answer(200, "application/json", b'{"success": true, "outp'),
    "plain_text": Answer(200, "text/plain", b"event: done\ndata: {\"success\": true}\n\n"),
}


@pytest.mark.parametrize("answer", sorted(EXECUTE_ANSWERS))
def test_an_execute_answer_that_is_not_an_event_stream_is_not_marimo_and_not_resent(answer: str, tmp_path: Path) -> None:
    def respond(seen: Seen) -> Answer:
        if seen.path == "/api/sessions":
            return sessions_body(NOTEBOOK)
        if seen.path == "/api/kernel/execute":
            return EXECUTE_ANSWERS[answer]
        return json_answer({"detail": "Not Found"}, status=404)

    server = FakeServer(respond)
    try:
        result = _run(["exec", "--url", server.url, "-c", "print(1)"], tmp_path)
        posts = server.count("POST", "/api/kernel/execute")
    finally:
        server.close()
    _clean(result)
    assert result.code == 3, (result.stdout, result.stderr)
    error = result.json["error"]
    assert error["kind"] == "not_marimo" and error["next"]
    assert server.url in error["message"] and "event stream" in error["message"]
    assert posts == 1


@pytest.mark.parametrize("command", ["status", "cells"])
def test_a_server_without_marimos_live_stream_is_not_marimo_at_once(command: str, tmp_path: Path) -> None:
    """Its session list looks like marimo's; its websocket upgrade answers a web page."""

    def respond(seen: Seen) -> Answer:
        if seen.path == "/api/sessions":
            return sessions_body(NOTEBOOK)
        return html_answer()

    server = FakeServer(respond)
    try:
        result = _run([command, "--url", server.url], tmp_path)
    finally:
        server.close()
    _clean(result)
    assert result.code == 3, (result.stdout, result.stderr)
    error = result.json["error"]
    assert error["kind"] == "not_marimo" and server.url in error["message"] and "HTTP 200" in error["message"]
