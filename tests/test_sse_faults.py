"""Malformed and truncated execute streams: a loopback server imitating `POST /api/kernel/execute`.

marimo answers the execute request with Server-Sent Events: `stdout` and
`stderr` events whose data is `{"data": "<text>"}`, then one `done` with
`{"success": bool, "output": {...}}`. The fake server here sends that stream
broken in the ways a proxy, a crash or a bug would break it. Whatever it
sends, the command ends with a document and a documented exit code, never a
traceback; a stream cut before `done` is an unknown outcome (exit 4); and the
code is sent exactly once.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from marimo_pair_tui.core.wire.connection import Connection
from marimo_pair_tui.core.wire.discovery import parse_server_url
from marimo_pair_tui.core.errors import EXIT_UNKNOWN_OUTCOME, OutcomeUnknownError, PairError
from marimo_pair_tui.core.wire.execute import ExecResult, ExecStream, execute
from marimo_pair_tui.core.wire.sessions import SessionRef
from tests.clihelp import CliResult, cli_env, run_cli
from tests.support.fake_marimo import (
    Answer,
    FakeServer,
    Seen,
    chunked_stream,
    event_stream,
    json_answer,
    sessions_body,
    sse,
)

TOKEN = "sse-fault-token-5f3a9c1e"
NOTEBOOK = "/srv/notebooks/demo.py"
EXECUTE = "/api/kernel/execute"
CODE = "print('hello from the snippet')"

StartFake = Callable[[bytes], FakeServer]


def _marimo_like(stream: bytes) -> Callable[[Seen], Answer]:
    """Answers like a token marimo server with one session, whose execute stream is `stream`."""

    def respond(seen: Seen) -> Answer:
        if seen.headers.get("Authorization") != f"Bearer {TOKEN}":
            return json_answer({"detail": "Unauthorized"}, status=401)
        if seen.path == "/api/sessions":
            return sessions_body(NOTEBOOK)
        if seen.method == "POST" and seen.path == EXECUTE:
            return Answer(raw=stream)
        return json_answer({"detail": "Not Found"}, status=404)

    return respond


@pytest.fixture
def start_fake() -> Iterator[StartFake]:
    servers: list[FakeServer] = []

    def start(stream: bytes) -> FakeServer:
        server = FakeServer(_marimo_like(stream))
        servers.append(server)
        return server

    try:
        yield start
    finally:
        for server in servers:
            server.close()


def _exec(server: FakeServer, tmp_path: Path, *extra: str) -> CliResult:
    state = tmp_path / "state"
    state.mkdir(exist_ok=True)
    return run_cli(
        ["exec", "--url", server.url, *extra, "-c", CODE],
        env=cli_env(state, MARIMO_TOKEN=TOKEN),
        timeout=60,
    )


def _clean(result: CliResult) -> None:
    """No traceback, and the token nowhere in what the command printed."""
    assert "Traceback" not in result.stderr, result.stderr
    assert TOKEN not in result.stdout and TOKEN not in result.stderr


def _sent_once(server: FakeServer) -> None:
    posts = [r for r in server.requests() if r.method == "POST" and r.path == EXECUTE]
    assert len(posts) == 1, [(r.method, r.path) for r in server.requests()]
    assert json.loads(posts[0].body) == {"code": CODE}


OUT = ("stdout", json.dumps({"data": "started\n"}))
ERR = ("stderr", json.dumps({"data": "warming up\n"}))
DONE_OK = ("done", json.dumps({"success": True, "output": {"mimetype": "text/plain", "data": "42"}}))

# Each: how the stream ends before `done` could be read, and words the message must hold.
CUT = {
    "closed_before_done": (event_stream(sse(OUT, ERR)), "ended the stream before the run finished"),
    "closed_mid_body": (chunked_stream(sse(OUT, ERR)), "broke before the run finished"),
    "content_length_short": (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: 4096\r\n\r\n" + sse(OUT, ERR),
        "broke before the run finished",
    ),
    "done_never_terminated": (
        event_stream(sse(OUT, ERR) + b'event: done\ndata: {"success": true}'),
        "ended the stream before the run finished",
    ),
    "done_cut_mid_json": (
        event_stream(sse(OUT, ERR) + b'event: done\ndata: {"success": tr'),
        "ended the stream before the run finished",
    ),
    "done_bad_json": (event_stream(sse(OUT, ERR, ("done", '{"success": tr'))), "`done` event that could not be read"),
    "done_without_success": (event_stream(sse(OUT, ERR, ("done", '{"output": null}'))), "`done` event that could not be read"),
    "done_success_not_bool": (event_stream(sse(OUT, ERR, ("done", '{"success": "yes"}'))), "`done` event that could not be read"),
    "done_a_list": (event_stream(sse(OUT, ERR, ("done", "[true]"))), "`done` event that could not be read"),
}


@pytest.mark.parametrize("case", sorted(CUT))
def test_a_stream_without_a_readable_done_is_outcome_unknown_and_never_resent(
    case: str, start_fake: StartFake, tmp_path: Path
) -> None:
    stream, words = CUT[case]
    server = start_fake(stream)
    result = _exec(server, tmp_path)
    _clean(result)
    assert result.code == EXIT_UNKNOWN_OUTCOME == 4, (result.stdout, result.stderr)
    error = result.json["error"]
    assert error["kind"] == "outcome_unknown"
    assert server.url in error["message"] and words in error["message"]
    assert "not resent" in error["next"]
    assert (error["stdout"], error["stderr"]) == ("started\n", "warming up\n")
    assert result.json["success"] is False
    _sent_once(server)


def test_streamed_output_comes_before_the_unknown_outcome(start_fake: StartFake, tmp_path: Path) -> None:
    server = start_fake(chunked_stream(sse(OUT, ERR)))
    result = _exec(server, tmp_path, "--stream")
    _clean(result)
    assert result.code == 4
    lines = result.lines
    assert lines[:2] == [{"stream": "stdout", "data": "started\n"}, {"stream": "stderr", "data": "warming up\n"}]
    assert lines[-1]["error"]["kind"] == "outcome_unknown" and len(lines) == 3
    _sent_once(server)


@pytest.mark.parametrize(
    "op",
    [["create", "-c", "x = 1"], ["edit", "MJUe", "--force", "-c", "x = 2"], ["run", "MJUe"], ["delete", "MJUe"]],
    ids=lambda op: op[0],
)
def test_a_cell_operation_cut_short_is_outcome_unknown_and_never_resent(
    op: list[str], start_fake: StartFake, tmp_path: Path
) -> None:
    server = start_fake(chunked_stream(sse(("stdout", json.dumps({"data": "@@partial"})))))
    state = tmp_path / "state"
    state.mkdir()
    result = run_cli([op[0], "--url", server.url, *op[1:]], env=cli_env(state, MARIMO_TOKEN=TOKEN), timeout=60)
    _clean(result)
    assert result.code == 4, (result.stdout, result.stderr)
    assert result.json["error"]["kind"] == "outcome_unknown" and "not resent" in result.json["error"]["next"]
    assert server.count("POST", EXECUTE) == 1


MALFORMED = [
    ("stdout", json.dumps({"data": "one\n"})),
    ("stdout", "{not json"),
    ("stderr", "[1, 2]"),
    ("stdout", json.dumps({"data": 5})),
    ("stdout", json.dumps({"text": "no data field"})),
    ("stderr", ""),
    ("stdout", "[" * 5000),
    ("keepalive", "not json at all"),
    ("progress", json.dumps({"percent": 50})),
    (None, "an event without a name"),
    ("stderr", json.dumps({"data": "careful\n"})),
    ("stdout", json.dumps({"data": "two\n"})),
]


def test_malformed_and_unknown_events_are_left_out_and_the_run_completes(start_fake: StartFake, tmp_path: Path) -> None:
    body = b": a comment line\n\n" + sse(*MALFORMED, DONE_OK) + b"retry: soon\n\nid: \x00\n\n"
    server = start_fake(event_stream(body))
    result = _exec(server, tmp_path)
    _clean(result)
    assert result.code == 0, (result.stdout, result.stderr)
    document = result.json
    assert document["success"] is True
    assert (document["stdout"], document["stderr"]) == ("one\ntwo\n", "careful\n")
    assert "42" in document["output"]["text"]
    assert len(document["warnings"]) == 6  # each left-out event is named in the printed answer
    _sent_once(server)


def test_a_failed_done_is_exit_1_not_unknown(start_fake: StartFake, tmp_path: Path) -> None:
    server = start_fake(event_stream(sse(("stderr", json.dumps({"data": "Traceback: boom\n"})), ("done", '{"success": false}'))))
    result = _exec(server, tmp_path)
    _clean(result)
    assert result.code == 1 and result.json["success"] is False
    assert result.json["stderr"] == "Traceback: boom\n"
    _sent_once(server)


def _connection(server: FakeServer) -> Connection:
    return Connection(parse_server_url(server.url), token=TOKEN)


def test_left_out_events_are_named_in_the_result_warnings(start_fake: StartFake) -> None:
    server = start_fake(event_stream(sse(*MALFORMED, DONE_OK)))
    seen: list[tuple[str, str]] = []

    async def run() -> ExecResult:
        async with _connection(server) as connection:
            return await execute(connection, SessionRef("sess-fake01", "s_fake01"), CODE,
                                 lambda channel, text: seen.append((channel, text)))

    result = asyncio.run(run())
    assert seen == [("stdout", "one\n"), ("stderr", "careful\n"), ("stdout", "two\n")]
    assert (result.success, result.stdout, result.stderr) == (True, "one\ntwo\n", "careful\n")
    assert result.output == {"mimetype": "text/plain", "data": "42"}
    # Five stdout/stderr events could not be read; events of other names are not warned about.
    assert len(result.warnings) == 6
    assert all(server.url in w and "left out" in w for w in result.warnings)
    assert sum("a stdout event" in w for w in result.warnings) == 4
    assert not any("keepalive" in w or "progress" in w for w in result.warnings)


def test_an_unknown_outcome_after_left_out_events_carries_them(start_fake: StartFake) -> None:
    server = start_fake(event_stream(sse(OUT, ("stdout", "{broken"))))

    async def run() -> None:
        async with _connection(server) as connection:
            await execute(connection, SessionRef("sess-fake01", "s_fake01"), CODE)

    with pytest.raises(OutcomeUnknownError) as info:
        asyncio.run(run())
    payload = info.value.to_json()
    assert payload["stdout"] == "started\n" and len(payload["warnings"]) == 1
    assert server.count("POST", EXECUTE) == 1


# ------------------------------------------------------------------ properties

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
NAMES = st.sampled_from(["stdout", "stderr", "done", "message", "", "error", "close"]) | st.text(max_size=12)
DATA = (
    st.text(max_size=60)
    | JSON.map(json.dumps)
    | st.fixed_dictionaries({}, optional={"data": JSON, "success": JSON, "output": JSON}).map(json.dumps)
    | st.integers(1, 3000).map(lambda n: "[" * n)
)


@given(st.lists(st.tuples(NAMES, DATA), max_size=25))
def test_any_events_are_read_or_refused_with_our_error(events: list[tuple[str, str]]) -> None:
    stream = ExecStream("http://127.0.0.1:9")
    relayed: dict[str, list[str]] = {"stdout": [], "stderr": []}
    for name, data in events:
        try:
            chunk = stream.feed(name, data)
        except OutcomeUnknownError as exc:
            assert name == "done" and stream.result is None and exc.exit_code == 4
            assert exc.to_json()["stdout"] == "".join(relayed["stdout"])
            return
        if chunk is not None:
            channel, text = chunk
            assert channel == name and isinstance(text, str)
            relayed[channel].append(text)
        if stream.result is not None:
            break
    assert "".join(stream.stdout) == "".join(relayed["stdout"])
    assert "".join(stream.stderr) == "".join(relayed["stderr"])
    if stream.result is not None:
        assert isinstance(stream.result.success, bool)
        assert stream.result.stdout == "".join(relayed["stdout"])
        output = stream.result.output
        assert output is None or (isinstance(output["mimetype"], str) and isinstance(output["data"], str))


def _mock_connection(body: bytes) -> Connection:
    connection = Connection(parse_server_url("http://127.0.0.1:9"))

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body)

    connection._client = httpx.AsyncClient(base_url=connection.url, transport=httpx.MockTransport(handler))
    return connection


@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400) | st.lists(st.tuples(NAMES, DATA), max_size=8).map(lambda events: sse(*events)))
def test_any_bytes_on_the_stream_end_in_a_result_or_our_error(body: bytes) -> None:
    async def run() -> ExecResult:
        async with _mock_connection(body) as connection:
            return await execute(connection, SessionRef("sess-x", "s_x"), "1")

    try:
        result = asyncio.run(run())
    except PairError as exc:
        assert isinstance(exc, OutcomeUnknownError) and exc.message and exc.next
    else:
        assert isinstance(result.success, bool)


@pytest.mark.parametrize("kernel", ["idle", "running"])
def test_a_stream_left_open_by_an_idle_kernel_is_outcome_unknown(kernel: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The stream stays open without `done`: while the kernel runs, the run waits; once the kernel says
    idle (checked when the stream is silent), the answer was lost: outcome unknown, never a hang."""
    from marimo_pair_tui.core.wire import execute as execute_module

    monkeypatch.setattr(execute_module, "SILENT_CHECK", 0.2)
    release = threading.Event()
    status_asked = threading.Event()

    def respond(seen: Seen) -> Answer:
        if seen.path == "/api/sessions":
            return sessions_body(NOTEBOOK)
        if seen.path == "/api/kernel/status":
            status_asked.set()
            if kernel == "running" and len([s for s in server.requests() if s.path == "/api/kernel/status"]) > 3:
                release.set()  # after a few "running" answers, the stream ends normally
            return json_answer({"state": kernel})
        if seen.method == "POST" and seen.path == EXECUTE:
            return Answer(raw=event_stream(sse(OUT)), hold_open=release)
        return json_answer({"detail": "Not Found"}, status=404)

    server = FakeServer(respond)

    async def run() -> ExecResult:
        async with Connection(parse_server_url(server.url)) as connection:
            return await execute(connection, SessionRef("sess-fake01", "s_fake01"), CODE)

    try:
        if kernel == "idle":
            with pytest.raises(OutcomeUnknownError) as info:
                asyncio.run(run())
            assert "never ended the run's stream" in info.value.message
        else:
            with pytest.raises(OutcomeUnknownError) as info:
                asyncio.run(run())  # released after the checks: the stream ended without done
            assert "ended the stream" in info.value.message
        assert status_asked.is_set() and server.count("POST", EXECUTE) == 1
    finally:
        release.set()
        server.close()
