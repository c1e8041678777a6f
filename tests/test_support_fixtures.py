"""The test support itself: real servers, registry files, browser sessions."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import httpx
import marimo
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from tests.support.marimo_proc import (
    BrowserSession,
    MarimoServer,
    MarimoStartError,
    _descendants,
    iter_cell_ops,
    start_marimo_server,
)

from tests.support.waiting import wait_until

NOTEBOOKS = Path(__file__).parent / "notebooks"


def _gone(pid: int) -> bool:
    """The process has ended (reaped, or a zombie nobody waited for yet)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return True
    return state in ("Z", "X")


def _wait_gone(pid: int) -> bool:
    return wait_until(lambda: _gone(pid), 5, f"process {pid} to end")


def _ran_cells(browser: BrowserSession) -> set[str]:
    """Cells the kernel actually ran while this browser watched (a `running`
    cell-op, not a replayed or cached output)."""
    return {
        op["cell_id"]
        for op in iter_cell_ops(browser.messages)
        if op.get("status") == "running"
    }


def test_fixture_notebooks_are_valid_marimo_files() -> None:
    from marimo._ast.load import load_app

    expected = {"demo.py", "errors.py", "slow.py", "other.py"}
    assert expected <= {p.name for p in NOTEBOOKS.glob("*.py")}
    for path in sorted(NOTEBOOKS.glob("*.py")):
        app = load_app(path)
        assert app is not None, path
        codes = [c.code for c in app._cell_manager.cell_data()]
        assert len(codes) >= 2, path
    demo = load_app(NOTEBOOKS / "demo.py")
    names = [c.name for c in demo._cell_manager.cell_data()]
    codes = [c.code for c in demo._cell_manager.cell_data()]
    assert "define_x" in names and "_" in names
    assert codes == [
        "import marimo as mo",
        "x = 41",
        'y = x + 1\nprint("y is", y)',
        'mo.md("# Demo")',
    ]


def test_no_token_server_registers_resumes_and_stop_cleans_up(
    demo_server: MarimoServer,
    state_home: Path,
    browser_factory,
) -> None:
    server = demo_server
    # (a) registry file under the test's XDG_STATE_HOME, right port and pid
    assert os.environ["XDG_STATE_HOME"] == str(state_home)
    registry = server.registry_file
    assert registry == state_home / "marimo" / "servers" / f"127.0.0.1_{server.port}.json"
    assert registry.is_file()
    assert stat.S_IMODE(registry.stat().st_mode) == 0o600
    entry = json.loads(registry.read_text())
    assert entry["port"] == server.port
    assert entry["pid"] == server.pid
    assert entry["host"] == "127.0.0.1"
    assert entry["server_id"] == f"127.0.0.1:{server.port}"
    assert entry["base_url"] == ""
    assert entry["version"] == marimo.__version__
    assert server.url == f"http://127.0.0.1:{server.port}"
    assert server.get("/health").json() == {"status": "healthy"}
    assert server.is_alive()

    # A headless server has no session until a front end connects.
    assert server.sessions() == {}
    first = browser_factory(server)
    assert first.session_id.startswith("sess-")
    assert "y is 42" in first.console_text()
    first.close()
    assert not first.connected

    # The session outlives the socket; a reload (new routing id) resumes it
    # and gets the same stable id, without the cells running again.
    second = browser_factory(server, instantiate=False)
    assert second.routing_id != first.routing_id
    assert second.kernel_ready["resumed"] is True
    assert second.session_id == first.session_id
    assert list(server.sessions()) == [second.routing_id]
    assert "y is 42" in second.console_text()  # replayed
    assert _ran_cells(second) == set()

    # (c) stop(): the pid ends, its kernel too, the registry file goes away.
    children = _descendants(server.pid)
    assert children, "the session's kernel should be a child of the server"
    server.stop()
    assert not server.is_alive()
    assert _wait_gone(server.pid)
    assert all(_wait_gone(pid) for pid in children)
    assert not registry.exists()
    server.stop()  # idempotent
    server.kill()  # and harmless afterwards


def test_kill_leaves_registry_behind_directory_server(
    marimo_factory, notebooks_dir: Path, browser_factory
) -> None:
    server = marimo_factory(notebooks_dir)
    registry = server.registry_file
    assert registry is not None and registry.is_file()

    errors = browser_factory(server, "errors.py")
    other = browser_factory(server, notebooks_dir / "other.py")
    listed = {v["filename"]: v["session_id"] for v in server.sessions().values()}
    assert listed == {
        str(notebooks_dir / "errors.py"): errors.session_id,
        str(notebooks_dir / "other.py"): other.session_id,
    }
    assert errors.session_id != other.session_id
    assert "hello from other" in other.console_text()
    # errors.py: the cell raises, its dependent is refused; the run still ends.
    divide = errors.cell_ids[1]
    error_outputs = [
        op["output"]
        for op in iter_cell_ops(errors.messages)
        if op.get("cell_id") == divide and (op.get("output") or {}).get("channel") == "marimo-error"
    ]
    assert error_outputs and error_outputs[-1]["data"][0]["exception_type"] == "ZeroDivisionError"
    assert "c is" not in errors.console_text()

    # Open slow.py without waiting for its run; kill the server while nap waits at its gate.
    slow = browser_factory(server, "slow.py", wait_for_run=False)
    slow.wait_for_op(
        "cell-op",
        timeout=20,
        where=lambda d: "before the gate" in json.dumps(d.get("console")),
    )
    assert "after the gate" not in slow.console_text()
    assert slow.ops("completed-run", since=slow.instantiate_mark) == []

    kernels = _descendants(server.pid)
    assert len(kernels) >= 3  # one kernel per session (plus helpers)
    server.kill()
    assert not server.is_alive()
    assert _wait_gone(server.pid)
    assert all(_wait_gone(pid) for pid in kernels)
    # A crash leaves a stale entry naming a dead pid.
    assert registry.is_file()
    assert json.loads(registry.read_text())["pid"] == server.pid
    with pytest.raises(httpx.ConnectError):
        httpx.get(server.url + "/health", timeout=2)
    # The browser's socket is dropped with the server.
    wait_until(lambda: not errors.connected, 5, "the browser's socket to drop")


def test_shared_server_session_ran_all_cells(
    shared_server: MarimoServer,
    shared_browser: BrowserSession,
    shared_notebook: Path,
    shared_state_home: Path,
) -> None:
    # (b) the session is listed with a stable sess- id for the notebook
    sessions = shared_server.sessions()
    assert sessions[shared_browser.routing_id] == {
        "session_id": shared_browser.session_id,
        "filename": str(shared_notebook),
        "path": str(shared_notebook),
    }
    assert shared_browser.session_id.startswith("sess-")
    assert shared_browser.routing_id.startswith("s_test_")
    assert shared_browser.connected

    # ... and the cells really ran: a stdout cell-op "y is 42" from a run
    ready = shared_browser.kernel_ready
    assert ready["codes"][1] == "x = 41"
    assert ready["names"][1] == "define_x"
    y_cell = ready["cell_ids"][2]
    stdout = [
        op["console"]
        for op in iter_cell_ops(shared_browser.messages)
        if op["cell_id"] == y_cell
        and isinstance(op.get("console"), dict)
        and op["console"]["channel"] == "stdout"
    ]
    assert any(c["data"] == "y is 42\n" for c in stdout)
    assert {ready["cell_ids"][i] for i in range(3)} <= _ran_cells(shared_browser)
    # The first completed-run after the instantiate POST closed that run
    # (other tests run snippets here later, each with its own completed-run).
    done = shared_browser.ops("completed-run", since=shared_browser.instantiate_mark)
    assert done and done[0]["run_id"] == shared_browser.instantiate_run_id
    assert done[0]["outcome"] == "succeeded"
    assert shared_browser.wait_for_op("variable-values", where=lambda d: any(
        v["name"] == "y" and v["value"] == "42" for v in d["variables"]
    ))

    # The shared registry is found through the env the helper fixture set.
    servers_dir = Path(os.environ["XDG_STATE_HOME"]) / "marimo" / "servers"
    assert [p.name for p in servers_dir.glob("*.json")] == [shared_server.registry_file.name]


def test_token_server_requires_the_token(marimo_factory, notebooks_dir: Path, browser_factory, state_home: Path) -> None:
    token = "test-token-7f3a"
    server = marimo_factory(notebooks_dir / "demo.py", token=token)
    # never on the command line
    cmdline = Path(f"/proc/{server.pid}/cmdline").read_bytes().decode()
    assert token not in cmdline and "--token-password-file" in cmdline
    # token servers never register
    assert server.registry_file is None
    assert not list((state_home / "marimo" / "servers").glob("*.json"))

    # (d) 401 without the token, 200 with it
    assert server.get("/health", auth=False).status_code == 200
    assert server.get("/api/sessions", auth=False).status_code == 401
    bad = server.get("/api/sessions", auth=False, headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401
    good = server.get("/api/sessions")
    assert good.status_code == 200 and good.json() == {}
    with pytest.raises(InvalidStatus) as rejected:
        with connect(f"{server.ws_base}/ws?session_id=s_test_noauth&file={notebooks_dir / 'demo.py'}"):
            pass
    assert rejected.value.response.status_code == 403

    browser = browser_factory(server)
    assert "y is 42" in browser.console_text()
    assert server.sessions()[browser.routing_id]["session_id"] == browser.session_id
    assert browser.server_token  # the skew token came from GET / with the bearer
    no_skew = server.post(
        "/api/kernel/interrupt", headers={"Marimo-Session-Id": browser.routing_id}
    )
    assert no_skew.status_code == 401


def test_second_browser_on_a_held_session_is_a_viewer(
    shared_server: MarimoServer, shared_browser: BrowserSession, browser_factory
) -> None:
    viewer = browser_factory(shared_server)
    assert viewer.kiosk is True
    assert viewer.kernel_ready["resumed"] is True
    assert viewer.kernel_ready["consumer_capabilities"]["edit"] is False
    assert viewer.session_id == shared_browser.session_id
    assert viewer.server_token is None  # a viewer is not instantiated
    assert "y is 42" in viewer.console_text()  # state replayed on connect
    # The viewer gets no routing entry; the owner keeps its own.
    assert list(shared_server.sessions()) == [shared_browser.routing_id]


@pytest.mark.live  # starts its own marimo server
def test_failed_start_reports_the_log_tail(tmp_path: Path, notebooks_dir: Path) -> None:
    with pytest.raises(MarimoStartError) as failed:
        start_marimo_server(
            notebooks_dir / "demo.py",
            state_home=tmp_path / "state",
            extra_args=["--no-such-flag"],
            timeout=30,
        )
    message = str(failed.value)
    assert "exited with code 2" in message
    assert "--no-such-flag" in message  # the log tail names the culprit
