"""The picker against real servers: listing, live refresh, warnings, opening."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from marimo_pair_tui.core.servers.processes import close_notebook
from marimo_pair_tui.tui.screens.picker import NO_SERVER, PickerScreen
from tests.support.marimo_proc import open_browser_session, start_marimo_server

from .support import NOTEBOOKS, make_app, wait_for, wait_live


def tree_text(screen: PickerScreen) -> list[str]:
    lines = []
    stack = list(screen.server_tree.root.children)
    while stack:
        node = stack.pop(0)
        lines.append(str(node.label))
        stack[0:0] = list(node.children)
    return lines


def picker(app) -> PickerScreen:
    assert isinstance(app.screen, PickerScreen)
    return app.screen


@pytest.mark.live  # starts its own marimo server
async def test_picker_lists_servers_refreshes_and_opens_a_session(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    state = tmp_path / "registry-state"
    monkeypatch.setenv("XDG_STATE_HOME", str(state))
    notebooks = tmp_path / "nbs"
    notebooks.mkdir()
    shutil.copy(NOTEBOOKS / "demo.py", notebooks / "demo.py")
    shutil.copy(NOTEBOOKS / "other.py", notebooks / "other.py")
    # A registry entry of a server that was killed: a warning, not a failure.
    registry = state / "marimo" / "servers"
    registry.mkdir(parents=True)
    (registry / "127.0.0.1_1.json").write_text(json.dumps(
        {"server_id": "127.0.0.1:1", "pid": 2**22 + 12345, "host": "127.0.0.1", "port": 1, "base_url": "", "version": "0.25.2"}))

    app = make_app(redact=False)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = picker(app)
        await wait_for(pilot, lambda: screen.refreshes >= 1, what="the first refresh")
        assert NO_SERVER in tree_text(screen)
        assert any("not running" in w for w in screen.warnings), screen.warnings
        assert app.focused is screen.query_one("#path")  # nothing to pick: the path input is ready

        # A server appears while the picker is open: it shows up by itself.
        server = start_marimo_server(notebooks, state_home=state)
        try:
            browser = open_browser_session(server, notebooks / "demo.py")
            try:
                await wait_for(pilot, lambda: any(server.url.removeprefix("http://") in t for t in tree_text(screen)),
                               timeout=30, what="the new server in the tree")
                await wait_for(pilot, lambda: any(browser.session_id in t for t in tree_text(screen)), timeout=30)
                lines = tree_text(screen)
                assert any("marimo 0.25.2" in t and "1 session" in t for t in lines), lines
                assert any(t.startswith("demo.py") for t in lines), lines
                assert NO_SERVER not in lines

                # The cursor rests on the session; refreshes keep it there.
                tree = screen.server_tree
                tree.focus()
                await wait_for(pilot, lambda: tree.cursor_node is not None and tree.cursor_node.data.kind == "session")
                before = screen.refreshes
                await wait_for(pilot, lambda: screen.refreshes >= before + 2, timeout=15, what="two more refreshes")
                assert tree.cursor_node.data.kind == "session"
                assert tree.cursor_node.data.session.session_id == browser.session_id

                await pilot.press("enter")
                paired = await wait_live(pilot, 4)
                assert paired.target.session.session_id == browser.session_id
                await pilot.press("escape")  # the tree has focus: back to the picker
                await wait_for(pilot, lambda: isinstance(app.screen, PickerScreen))
            finally:
                browser.close()
        finally:
            server.stop()
            server.cleanup_files()
        # The server went away: the picker says so again.
        await wait_for(pilot, lambda: NO_SERVER in tree_text(screen), timeout=15, what="the server to disappear")


@pytest.mark.live  # starts its own marimo server
async def test_open_a_notebook_path_starts_marimo_and_pairs(tmp_path: Path) -> None:
    notebook = tmp_path / "fresh.py"
    shutil.copy(NOTEBOOKS / "other.py", notebook)
    app = make_app()
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            screen = picker(app)
            await wait_for(pilot, lambda: screen.refreshes >= 1)
            path_input = screen.query_one("#path")
            path_input.focus()
            await pilot.press(*str(tmp_path / "missing.py"), "enter")
            await wait_for(pilot, lambda: "Could not open missing.py" in str(screen.query_one("#opening").render()),
                           what="the error for a missing file")
            path_input.value = str(notebook)
            await pilot.press("enter")
            paired = await wait_live(pilot, 2, timeout=60)
            assert paired.target.notebook == str(notebook)
            assert app.started and app.started[0].target.notebook == str(notebook)
    finally:
        if app.started:
            close_notebook(str(notebook))


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "marimo_pair_tui", *args], capture_output=True, text=True,
                          timeout=60, env={**os.environ, **(env or {})}, stdin=subprocess.DEVNULL)


@pytest.mark.live  # runs the headless command or the app in a process
def test_bad_arguments_fail_before_the_app_starts(tmp_path: Path) -> None:
    bad_url = run_cli("--url", "http://user:secret@127.0.0.1:1")
    assert bad_url.returncode == 2
    assert "must not carry credentials" in bad_url.stderr and "secret" not in bad_url.stderr
    assert "MARIMO_TOKEN" in bad_url.stderr  # the next step is printed too

    missing = run_cli(str(tmp_path / "nope.py"))
    assert missing.returncode == 2 and "does not exist" in missing.stderr

    no_token = run_cli("--url", "http://127.0.0.1:1", "--token-file", str(tmp_path / "absent-token"))
    assert no_token.returncode == 2 and "token file" in no_token.stderr

    unknown = run_cli("--session", "sess-doesnotexist", env={"XDG_STATE_HOME": str(tmp_path / "empty")})
    assert unknown.returncode == 2 and "sess-doesnotexist" in unknown.stderr

    both = run_cli("--tour", str(tmp_path / "x.py"))
    assert both.returncode == 2 and "one thing" in both.stderr


async def test_tour_entry_opens_a_private_copy_and_runs_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from marimo_pair_tui.core.errors import ServerError
    from marimo_pair_tui.core.state.private import state_dir
    from marimo_pair_tui.core.service import pairing_service as service_module

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "tour-state"))
    calls: list[tuple[str, object]] = []

    async def fake_open(hub, path, *, run=None, run_wait=None):
        calls.append((str(path), run))
        raise ServerError("marimo did not start (test).", next="See the log.")

    monkeypatch.setattr(service_module, "open_notebook", fake_open)
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = picker(app)
        await wait_for(pilot, lambda: screen.refreshes >= 1)
        await pilot.click("#tour")
        await wait_for(pilot, lambda: calls, what="the tour to be opened")
        assert calls == [(str(state_dir() / "tour" / "tour.py"), True)]
        assert (state_dir() / "tour" / "tour.py").read_text().startswith("import marimo")
        # The failure is shown with its next step, and the picker stays usable.
        await wait_for(pilot, lambda: "marimo did not start" in str(screen.query_one("#opening").render()))
        assert "See the log." in str(screen.query_one("#opening").render())
        assert isinstance(app.screen, PickerScreen)


@pytest.mark.live  # starts its own marimo server
async def test_connection_state_shows_when_the_server_goes_away(tmp_path: Path) -> None:
    notebooks = tmp_path / "nbs"
    notebooks.mkdir()
    shutil.copy(NOTEBOOKS / "demo.py", notebooks / "demo.py")
    server = start_marimo_server(notebooks / "demo.py", state_home=tmp_path / "state")
    try:
        browser = open_browser_session(server, notebooks / "demo.py")
        from marimo_pair_tui.core.wire.discovery import ServerInfo
        from marimo_pair_tui.core.wire.sessions import SessionRef, Target

        target = Target(ServerInfo(url=server.url, host=server.host, port=server.port), str(notebooks / "demo.py"),
                        SessionRef(browser.session_id, browser.routing_id))
        app = make_app(target)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await wait_live(pilot, 4)
            status = screen.query_one("#status")
            assert "● live" in status.plain
            browser.close()
            server.stop()
            await wait_for(pilot, lambda: "reconnecting" in status.plain or "gone" in status.plain,
                           what="the status line to say the stream is lost")
            assert "kernel" not in status.plain  # stale kernel state is not shown as if it were known
    finally:
        server.stop()
        server.cleanup_files()


async def test_named_urls_limit_the_picker_and_failures_show(tmp_path: Path) -> None:
    from marimo_pair_tui.core.servers.hub import HubOptions
    from tests.support.marimo_proc import free_port

    dead = f"http://127.0.0.1:{free_port()}"
    app = make_app(options=HubOptions(urls=(dead,)), redact=False)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = picker(app)
        await wait_for(pilot, lambda: screen.refreshes >= 1)
        lines = tree_text(screen)
        assert len(screen.states) == 1 and screen.states[0].server.url == dead
        assert any(dead.removeprefix("http://") in t and "connection refused" in t for t in lines), lines


async def test_a_tour_copy_that_cannot_be_written_is_said_and_the_picker_stays(monkeypatch: pytest.MonkeyPatch,
                                                                               tmp_path: Path) -> None:
    """A file where the tour's directory goes: the app says what is in the way instead of crashing."""
    from marimo_pair_tui.core.state.private import state_dir
    from marimo_pair_tui.core.service import pairing_service as service_module

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "tour-state"))
    state_dir().mkdir(parents=True, exist_ok=True)
    (state_dir() / "tour").write_text("not a directory")
    calls: list[str] = []

    async def fake_open(hub, path, *, run=None, run_wait=None):
        calls.append(str(path))

    monkeypatch.setattr(service_module, "open_notebook", fake_open)
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = picker(app)
        await wait_for(pilot, lambda: screen.refreshes >= 1)
        await pilot.click("#tour")
        shown = screen.query_one("#opening")
        await wait_for(pilot, lambda: "Could not open the tour" in str(shown.render()), what="the failure")
        assert str(state_dir() / "tour") in str(shown.render()).replace("\n", "")
        assert calls == [] and isinstance(app.screen, PickerScreen)
        assert (state_dir() / "tour").read_text() == "not a directory"


async def test_servers_answered_after_the_picker_was_taken_down_are_dropped_not_a_crash() -> None:
    """Quitting while a refresh waits on the servers: the answer finds no tree to fill, and the app ends cleanly."""
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = picker(app)
        await wait_for(pilot, lambda: screen.refreshes >= 1)
        asked, release = asyncio.Event(), asyncio.Event()
        real_overview = screen.service.overview

        async def held_overview():  # type: ignore[no-untyped-def]
            asked.set()
            await release.wait()
            return await real_overview()

        screen.service.overview = held_overview  # type: ignore[method-assign]
        before = screen.refreshes
        screen.refresh_servers()
        await asyncio.wait_for(asked.wait(), 10)
        await screen.server_tree.remove()  # as the screen's children go when the app quits
        release.set()
        await wait_for(pilot, lambda: not any(w.is_running for w in screen.workers), what="the refresh to end")
        assert screen.refreshes == before  # the late answer was dropped
    # run_test re-raises a worker's failure on leaving: reaching here is the app ending cleanly
