"""The marimo releases the tool speaks to, against real servers of them (docs/versions.md).

Each supported edge (MINIMUM, NEWEST_TESTED, the installed release: today one and the same) runs
the main operations from a real server of that release: servers, notebooks, exec, cells, a guarded
edit, a live read. The release just below MINIMUM, from a second environment the test builds
(tests/support/marimo_envs.py, cached under the pytest cache), is refused in every door with
`unsupported_server` (the app's picker shows why on the server's row), and no session is made on it.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from marimo_pair_tui.core.wire.server_versions import MINIMUM, NEWEST_TESTED, standing
from tests.clihelp import CliResult, cli_env, run_cli
from tests.support.marimo_envs import installed_marimo, marimo_python
from tests.support.marimo_proc import MarimoServer, open_browser_session, start_marimo_server
from tests.support.mcp_client import call, mcp_session
from tests.tui.support import make_app, wait_for

NOTEBOOKS = Path(__file__).parent / "notebooks"
# The newest release that lacks what the tool needs (stable session ids, `execution` events).
BELOW_MINIMUM = "0.25.1"
SUPPORTED_EDGES = sorted({MINIMUM, NEWEST_TESTED, installed_marimo()})


def _envs(request: pytest.FixtureRequest) -> Path:
    """Where built environments are kept: the pytest cache, else (cache off) this run's temp dir."""
    cache = getattr(request.config, "cache", None)
    if cache is not None:
        return Path(cache.mkdir("marimo-envs"))
    return request.getfixturevalue("tmp_path_factory").getbasetemp() / "marimo-envs"


def _server(version: str, request: pytest.FixtureRequest, tmp: Path) -> MarimoServer:
    shutil.copy(NOTEBOOKS / "demo.py", tmp / "demo.py")
    python = marimo_python(version, _envs(request))
    return start_marimo_server(tmp / "demo.py", state_home=tmp / "state", python=python)


@pytest.fixture(scope="module", params=SUPPORTED_EDGES)
def supported(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[MarimoServer]:
    """A server of a supported release with the notebook's session open and its cells run."""
    server = _server(request.param, request, tmp_path_factory.mktemp("supported"))
    browser = open_browser_session(server, server.target)
    try:
        yield server
    finally:
        browser.close()
        server.stop()


@pytest.fixture(scope="module")
def too_old(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[MarimoServer]:
    """A server of the release below MINIMUM (no session yet: `open` is what would make one)."""
    server = _server(BELOW_MINIMUM, request, tmp_path_factory.mktemp("too-old"))
    try:
        yield server
    finally:
        server.stop()


def cli(server: MarimoServer, *args: str, stdin: bytes | None = None) -> CliResult:
    return run_cli(args, env=cli_env(server.state_home), stdin=stdin)


def _ok(result: CliResult) -> dict:
    assert result.code == 0, result.stdout + result.stderr
    return result.json


def test_the_main_operations_work_on_a_supported_release(supported: MarimoServer) -> None:
    version = supported.get("/api/status").json()["version"]
    assert standing(version) == "supported"
    listed = _ok(cli(supported, "servers"))
    assert [(s["url"], s["version"]) for s in listed["servers"]] == [(supported.url, version)]
    assert listed["warnings"] == []

    notebooks = _ok(cli(supported, "notebooks"))
    (entry,) = notebooks["notebooks"]
    (session,) = entry["sessions"]
    assert session["session_id"].startswith("sess-")
    assert notebooks["warnings"] == []

    ran = _ok(cli(supported, "exec", "-", stdin=b"print(x * 2)"))
    assert ran["stdout"].strip() == "82"

    cells = {c["name"]: c for c in _ok(cli(supported, "cells"))["cells"]}
    guard = cells["define_x"]["hash"]
    edited = _ok(cli(supported, "edit", "define_x", "--expect", guard, "--run", "-c", "x = 5"))
    assert _ok(cli(supported, "exec", "-c", "print(x, y)"))["stdout"].strip() == "5 6"  # the kernel's word

    watched = cli(supported, "watch", "--timeout", "1")  # the live stream's view
    assert watched.code == 0, watched.stdout + watched.stderr
    now = {c["name"]: c["hash"] for c in watched.lines[-1]["cells"]}["define_x"]
    assert now != guard and now == {c["id"]: c["hash"] for c in edited["cells"]}[edited["edited"]]
    entries = _ok(cli(supported, "activity"))["entries"]  # marimo's `execution` events: who ran what
    (edit,) = [e for e in entries if (e["program"] or {}).get("op") == "edit"]
    (rerun,) = [e for e in entries if e["kind"] == "cell" and e["cell"]["label"] == "define_x"]
    assert (rerun["code"], rerun["outcome"], rerun["caused_by"]) == ("x = 5", "ok", edit["id"])


def _refused(result: CliResult) -> dict:
    assert result.code == 3, result.stdout + result.stderr
    error = result.json["error"]
    assert error["kind"] == "unsupported_server"
    assert (error["version"], error["minimum"]) == (BELOW_MINIMUM, MINIMUM)
    assert BELOW_MINIMUM in error["message"] and MINIMUM in error["message"]
    return error


def test_a_release_below_the_minimum_is_refused_by_the_cli_and_gets_no_session(too_old: MarimoServer) -> None:
    assert standing(BELOW_MINIMUM) == "too_old"
    assert too_old.get("/api/status").json()["version"] == BELOW_MINIMUM
    listed = _ok(cli(too_old, "servers"))
    assert [s["version"] for s in listed["servers"]] == [BELOW_MINIMUM]
    (warning,) = listed["warnings"]
    assert BELOW_MINIMUM in warning and MINIMUM in warning

    _refused(cli(too_old, "notebooks"))
    _refused(cli(too_old, "notebooks", "--url", too_old.url))
    _refused(cli(too_old, "open", "--url", too_old.url, str(too_old.target)))
    _refused(cli(too_old, "exec", "--url", too_old.url, "-c", "print(1)"))
    assert too_old.sessions() == {}  # refused before anything was made


async def test_a_release_below_the_minimum_is_refused_through_mcp(too_old: MarimoServer) -> None:
    async with mcp_session(too_old.state_home) as session:
        is_error, document = await call(session, "notebooks")
    assert is_error, json.dumps(document)
    assert document["error"]["kind"] == "unsupported_server"
    assert document["error"]["minimum"] == MINIMUM


async def test_the_apps_picker_says_why_a_release_below_the_minimum_is_not_used(
    too_old: MarimoServer, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(too_old.state_home))
    app = make_app(redact=False)
    async with app.run_test(size=(160, 30)) as pilot:
        def rows() -> list[str]:
            return [str(node.label) for node in app.screen.server_tree.root.children]  # type: ignore[attr-defined]

        await wait_for(pilot, lambda: any(too_old.url.removeprefix("http://") in row for row in rows()),
                       timeout=30, what="the old server's row")
        (row,) = rows()
        assert f"runs marimo {BELOW_MINIMUM}" in row and f"needs marimo {MINIMUM}" in row, row
