"""The headless core commands against real marimo servers: discovery, targeting, exec, control."""

from __future__ import annotations

import http.server
import json
import threading
import time
from pathlib import Path
from typing import Iterator

import pytest

from tests.clihelp import cli_env, run_cli, start_cli
from tests.support.marimo_proc import free_port
from tests.support.waiting import gate


def _read_json_line(proc, deadline: float) -> dict:
    line = proc.stdout.readline()
    assert line, f"stream ended early; stderr: {proc.stderr.read().decode()}"
    assert time.monotonic() < deadline
    return json.loads(line)


# --------------------------------------------------------------- discovery


def test_servers_lists_two_registered_servers(marimo_factory, notebooks_dir: Path, state_home: Path) -> None:
    first = marimo_factory(notebooks_dir / "demo.py")
    second = marimo_factory(notebooks_dir / "other.py")
    result = run_cli(["servers"], env=cli_env(state_home))
    assert result.code == 0, result.stderr
    servers = sorted(result.json["servers"], key=lambda s: s["port"])
    expected = sorted([first, second], key=lambda s: s.port)
    assert [(s["url"], s["pid"], s["source"]) for s in servers] == [(e.url, e.pid, "registry") for e in expected]
    assert all(s["version"] == "0.25.2" or s["version"].startswith("0.") for s in servers)
    assert result.json["warnings"] == []


@pytest.mark.one_way
def test_dead_and_malformed_registry_entries_are_skipped_with_warnings(
    marimo_factory, notebooks_dir: Path, state_home: Path
) -> None:
    alive = marimo_factory(notebooks_dir / "demo.py")
    dead = marimo_factory(notebooks_dir / "other.py")
    dead.kill()
    assert dead.registry_file is not None and dead.registry_file.exists(), "a killed server leaves its entry"
    (alive.registry_file.parent / "garbage.json").write_text("{ this is not json")
    result = run_cli(["servers"], env=cli_env(state_home))
    assert result.code == 0
    assert [s["port"] for s in result.json["servers"]] == [alive.port]
    warnings = "\n".join(result.json["warnings"])
    assert str(dead.pid) in warnings and "garbage.json" in warnings


@pytest.mark.one_way
def test_named_url_is_listed_with_its_version(shared_server, state_home: Path) -> None:
    result = run_cli(["servers", "--url", shared_server.url], env=cli_env(state_home))
    assert result.code == 0
    (server,) = result.json["servers"]
    assert (server["url"], server["source"], server["version"]) == (shared_server.url, "url", "0.25.2")


# --------------------------------------------------------------- targeting


@pytest.fixture
def two_notebooks(marimo_factory, browser_factory, notebooks_dir: Path, state_home: Path):
    """A server on the notebooks directory with sessions on demo.py and other.py."""
    server = marimo_factory(notebooks_dir)
    demo = browser_factory(server, "demo.py")
    other = browser_factory(server, "other.py")
    return server, demo, other


@pytest.mark.one_way
def test_notebooks_lists_every_session(two_notebooks, state_home: Path, notebooks_dir: Path) -> None:
    server, demo, other = two_notebooks
    result = run_cli(["notebooks"], env=cli_env(state_home))
    assert result.code == 0
    listed = {n["name"]: n for n in result.json["notebooks"]}
    assert set(listed) == {"demo.py", "other.py"}
    assert listed["demo.py"]["path"] == str((notebooks_dir / "demo.py").resolve())
    assert listed["demo.py"]["sessions"] == [{"session_id": demo.session_id, "routing_id": demo.routing_id}]
    assert listed["other.py"]["server"] == server.url


@pytest.mark.one_way
def test_untargeted_exec_with_two_sessions_lists_candidates(two_notebooks, state_home: Path) -> None:
    _, demo, other = two_notebooks
    result = run_cli(["exec", "-c", "print('never runs')"], env=cli_env(state_home))
    assert result.code == 2
    error = result.json["error"]
    assert error["kind"] == "ambiguous_target"
    flags = sorted(c["select_with"] for c in error["candidates"])
    assert flags == sorted([f"--notebook {demo.notebook}", f"--notebook {other.notebook}"])
    assert error["next"]


@pytest.mark.one_way
@pytest.mark.parametrize("form", ["basename", "relative", "absolute", "stable", "routing"])
def test_target_forms_select_the_right_kernel(two_notebooks, state_home: Path, notebooks_dir: Path, form: str) -> None:
    _, demo, _ = two_notebooks
    flags = {
        "basename": ["--notebook", "demo.py"],
        "relative": ["--notebook", "./demo.py"],
        "absolute": ["--notebook", str(demo.notebook)],
        "stable": ["--session", demo.session_id],
        "routing": ["--session", demo.routing_id],
    }[form]
    # demo.py defines y = 42; other.py does not.
    result = run_cli(["exec", *flags, "-c", "print(y)"], env=cli_env(state_home), cwd=notebooks_dir)
    assert result.code == 0, result.stdout
    assert result.json["stdout"] == "42\n"
    assert result.json["session"]["session_id"] == demo.session_id


@pytest.mark.one_way
def test_unknown_session_id_is_a_target_error(shared_server, shared_state_home: Path) -> None:
    result = run_cli(["exec", "--session", "sess-doesnotexist", "-c", "1"], env=cli_env(shared_state_home))
    assert result.code == 2
    assert result.json["error"]["kind"] == "unknown_session"
    assert "sess-doesnotexist" in result.json["error"]["message"]
    assert "closed or restarted" not in result.json["error"]["next"]


# --------------------------------------------------------------- exec


def test_exec_streams_stdout_and_stderr_in_order(shared_server, shared_state_home: Path, tmp_path: Path) -> None:
    # Each print waits until the test has read the one before: the chunks can only arrive one by one.
    after_one, after_two = tmp_path / "after-one", tmp_path / "after-two"
    code = (
        "import sys\n"
        f"print('one', flush=True)\n{gate(after_one)}"
        f"print('two', file=sys.stderr, flush=True)\n{gate(after_two)}"
        "print('three', flush=True)\n"
    )
    proc = start_cli(["exec", "--stream", "-c", code], env=cli_env(shared_state_home))
    try:
        assert proc.stdout is not None
        chunks = []
        for release in (after_one, after_two):
            chunks.append(json.loads(proc.stdout.readline()))
            release.touch()
        out, err = proc.communicate(timeout=60)
    finally:
        for release in (after_one, after_two):
            release.touch()
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, (out, err)
    *rest, summary = [json.loads(line) for line in out.decode().splitlines() if line.strip()]
    chunks += rest
    assert [(c["stream"], c["data"]) for c in chunks] == [("stdout", "one\n"), ("stderr", "two\n"), ("stdout", "three\n")]
    assert summary["success"] is True
    assert summary["stdout"] == "one\nthree\n" and summary["stderr"] == "two\n"


def test_exec_of_raising_code_exits_1_with_traceback(shared_server, shared_state_home: Path) -> None:
    result = run_cli(["exec", "-c", "print('before')\nraise ValueError('boom')"], env=cli_env(shared_state_home))
    assert result.code == 1
    doc = result.json
    assert doc["success"] is False and doc["stdout"] == "before\n"
    assert "Traceback" in doc["stderr"] and "ValueError: boom" in doc["stderr"]


@pytest.mark.one_way
def test_last_expression_comes_back_as_output(shared_server, shared_state_home: Path) -> None:
    result = run_cli(["exec", "-c", "x + 1"], env=cli_env(shared_state_home))
    assert result.code == 0
    output = result.json["output"]
    assert output == {"text": "42"}  # the text says it all: no handles, no parts, no data
    raw = run_cli(["exec", "--raw", "-c", "x + 1"], env=cli_env(shared_state_home))
    assert "<pre" in raw.json["output"]["data"] and raw.json["output"]["text"] == "42"
    assert raw.json["output"]["mimetype"] == "text/html"
    typed = run_cli(["exec", "--parts", "-c", "x + 1"], env=cli_env(shared_state_home))
    assert typed.json["output"]["parts"] == [{"type": "text", "text": "42"}]


TRICKY = "quotes ' \" ''' \"\"\" back\\slash \\n ${HOME} $(echo no) `tick` ünïcødé 🚀 \t tab"


def _tricky_program() -> str:
    # The value travels inside a raw triple-quoted string; the kernel prints it as JSON.
    return "import json\nvalue = r'''" + TRICKY.replace("'''", "''' \"'''\" r'''") + "'''\nprint(json.dumps(value))\n"


@pytest.mark.parametrize("how", ["file", "stdin"])
def test_code_passes_through_file_and_stdin_unchanged(shared_server, shared_state_home: Path, tmp_path: Path, how: str) -> None:
    program = _tricky_program()
    if how == "file":
        path = tmp_path / "snippet.py"
        path.write_text(program, encoding="utf-8")
        result = run_cli(["exec", "--file", str(path)], env=cli_env(shared_state_home))
    else:
        result = run_cli(["exec", "-"], env=cli_env(shared_state_home), stdin=program.encode("utf-8"))
    assert result.code == 0, result.stdout
    assert json.loads(result.json["stdout"]) == TRICKY


@pytest.mark.one_way
def test_code_given_two_ways_is_a_usage_error(shared_server, shared_state_home: Path) -> None:
    result = run_cli(["exec", "-c", "1", "-"], env=cli_env(shared_state_home), stdin=b"2")
    assert result.code == 2 and result.json["error"]["kind"] == "usage"


# --------------------------------------------------------------- failures


def test_wrong_token_exits_3_and_never_prints_tokens(marimo_factory, browser_factory, notebooks_dir: Path, tmp_path: Path) -> None:
    secret = "right-token-7c1d9e"
    wrong = "wrong-token-0a2b4f"
    server = marimo_factory(notebooks_dir / "demo.py", token=secret)
    browser_factory(server)
    token_file = tmp_path / "token"
    token_file.write_text(wrong + "\n")
    bad = run_cli(["exec", "--url", server.url, "--token-file", str(token_file), "-c", "print(y)"])
    assert bad.code == 3
    assert bad.json["error"]["kind"] == "auth_failed" and bad.json["error"]["next"]
    for text in (bad.stdout, bad.stderr):
        assert secret not in text and wrong not in text
    missing = run_cli(["notebooks", "--url", server.url])
    assert missing.code == 3 and "token" in missing.json["error"]["message"]
    good = run_cli(["exec", "--url", server.url, "-c", "print(y)"], env=cli_env(MARIMO_TOKEN=secret))
    assert good.code == 0 and good.json["stdout"] == "42\n"
    assert secret not in good.stdout + good.stderr


@pytest.mark.one_way
def test_connection_refused_exits_3(state_home: Path) -> None:
    port = free_port()
    result = run_cli(["exec", "--url", f"http://127.0.0.1:{port}", "-c", "1"], env=cli_env(state_home))
    assert result.code == 3
    assert result.json["error"]["kind"] == "unreachable" and str(port) in result.json["error"]["message"]


@pytest.fixture
def plain_http_server() -> Iterator[str]:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.mark.one_way
def test_non_marimo_http_server_is_named_as_such(plain_http_server: str, state_home: Path) -> None:
    result = run_cli(["notebooks", "--url", plain_http_server], env=cli_env(state_home))
    assert result.code == 3
    assert result.json["error"]["kind"] == "not_marimo"
    assert "does not look like a marimo server" in result.json["error"]["message"]


@pytest.mark.one_way
def test_bad_url_is_a_usage_error(state_home: Path) -> None:
    result = run_cli(["exec", "--url", "ftp://127.0.0.1:1", "-c", "1"], env=cli_env(state_home))
    assert result.code == 2 and result.json["error"]["kind"] == "invalid_url"


def test_server_killed_during_exec_is_outcome_unknown(demo_server, browser_factory, state_home: Path) -> None:
    browser_factory(demo_server)
    proc = start_cli(
        ["exec", "--stream", "-c", "import time\nprint('started', flush=True)\ntime.sleep(60)\nprint('never')"],
        env=cli_env(state_home),
    )
    try:
        deadline = time.monotonic() + 60
        first = _read_json_line(proc, deadline)
        assert first == {"stream": "stdout", "data": "started\n"}
        demo_server.kill()
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 4, (out, err)
    summary = json.loads(out.decode().splitlines()[-1])
    assert summary["error"]["kind"] == "outcome_unknown"
    assert "not resent" in summary["error"]["next"] or "was not resent" in summary["error"]["next"]
    assert summary["error"]["stdout"] == "started\n"


def test_interrupt_stops_a_running_sleep(demo_server, browser_factory, state_home: Path) -> None:
    browser_factory(demo_server)
    env = cli_env(state_home)
    proc = start_cli(["exec", "--stream", "-c", "import time\nprint('sleeping', flush=True)\ntime.sleep(60)\nprint('woke')"], env=env)
    try:
        first = _read_json_line(proc, time.monotonic() + 60)
        assert first["data"] == "sleeping\n"
        status = run_cli(["status"], env=env)
        assert status.code == 0 and status.json["state"] == "running"
        interrupted = run_cli(["interrupt"], env=env)
        assert interrupted.code == 0 and interrupted.json["success"] is True
        out, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    summary = json.loads(out.decode().splitlines()[-1])
    assert summary["success"] is False and "woke" not in summary["stdout"]
    assert proc.returncode == 1
    after = run_cli(["status"], env=env)
    assert after.json["state"] == "idle"


def test_exec_bounds_each_field_and_writes_everything_to_a_file(shared_server, shared_state_home: Path,
                                                                   tmp_path: Path) -> None:
    from marimo_pair_tui.core.documents import EXEC_FIELD_LIMIT

    code = "import sys\nfor _i in range(40000):\n    print(f'{_i:09d}')\nprint('err', file=sys.stderr)\n"
    full = "".join(f"{i:09d}\n" for i in range(40000))
    saved = tmp_path / "run.json"
    result = run_cli(["exec", "--output-file", str(saved), "-c", code], env=cli_env(shared_state_home))
    assert result.code == 0, result.stdout[-500:]
    doc = result.json
    assert doc["truncated"] is True and doc["chars"] == {"stdout": len(full), "stderr": 4, "output": 0}
    assert doc["stdout"] == full[-EXEC_FIELD_LIMIT:] and doc["stderr"] == "err\n"
    assert doc["saved_to"] == str(saved)
    complete = json.loads(saved.read_text(encoding="utf-8"))
    assert complete["stdout"] == full and complete["truncated"] is False and "saved_to" not in complete

    small = run_cli(["exec", "-c", "print(1)"], env=cli_env(shared_state_home))
    assert small.json["truncated"] is False and small.json["chars"]["stdout"] == 2 and "saved_to" not in small.json
