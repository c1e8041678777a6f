"""Several sessions after the followed one ended: the user chooses which one the screen follows.

marimo's edit mode keeps one session per file on a server, so the notebook
gets several sessions the real way: three servers serve the same directory,
each with a browser session on the notebook. The app follows the session on
the first; another client restarts that kernel, so that session ends and its
server has none for the notebook, while the other two servers each have one:
the service reports "ambiguous" and chooses neither.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest
from textual.pilot import Pilot
from textual.widgets import OptionList

from marimo_pair_tui.core.wire.discovery import ServerInfo
from marimo_pair_tui.core.wire.sessions import SessionRef, Target
from marimo_pair_tui.tui.app import PairApp
from marimo_pair_tui.tui.screens.pairing import PairingScreen
from marimo_pair_tui.tui.screens.successor import SuccessorScreen
from marimo_pair_tui.tui.widgets.status_line import StatusLine
from tests.support.marimo_proc import BrowserSession, MarimoServer, open_browser_session, start_marimo_server
from tests.test_one_truth import browser_post

from .support import NOTEBOOKS, make_app, wait_for, wait_live

T = TypeVar("T")

KEPT = "import os\nprint('kept', x, os.getppid())"  # a kernel's parent is its server: where it ran


@dataclass
class Trio:
    notebook: Path
    servers: list[MarimoServer]
    browsers: list[BrowserSession]

    def target(self, index: int) -> Target:
        server, browser = self.servers[index], self.browsers[index]
        info = ServerInfo(url=server.url, host=server.host, port=server.port, pid=server.pid, source="registry")
        return Target(server=info, notebook=str(self.notebook), session=SessionRef(browser.session_id, browser.routing_id))


def settle(futures: list[Future[T]], into: list[T]) -> None:
    """Every result into `into`, in order; the first failure raised once all are in (so what did
    start is still stopped)."""
    failures = []
    for future in futures:
        try:
            into.append(future.result())
        except Exception as error:  # noqa: BLE001
            failures.append(error)
    if failures:
        raise failures[0]


@pytest.fixture
def trio(tmp_path: Path, _private_dirs: Path) -> Iterator[Trio]:
    """Three servers over one directory (registered where the app looks), a browser session on each."""
    directory = tmp_path / "served"
    directory.mkdir()
    notebook = directory / "shared.py"
    shutil.copy(NOTEBOOKS / "demo.py", notebook)
    servers: list[MarimoServer] = []
    browsers: list[BrowserSession] = []
    try:
        with ThreadPoolExecutor(3) as pool:
            settle([pool.submit(start_marimo_server, directory, state_home=_private_dirs) for _ in range(3)], servers)
            settle([pool.submit(open_browser_session, server, notebook) for server in servers], browsers)
        yield Trio(notebook, servers, browsers)
    finally:
        for browser in browsers:
            browser.close()
        for server in servers:
            server.stop()
            server.cleanup_files()


async def lose_the_session(pilot: Pilot, app: PairApp, trio: Trio) -> tuple[PairingScreen, SuccessorScreen, int]:
    """Pair with the first server's session, keep text in the editor, restart that kernel from the
    browser; returns the screen, the chooser that opens, and the notifications shown before."""
    screen = await wait_live(pilot, 4)
    screen.editor.load_text(KEPT)
    since = len(app._notifications)  # noqa: SLF001
    await asyncio.to_thread(browser_post, trio.browsers[0], "/api/kernel/restart_session", {})
    await wait_for(pilot, lambda: isinstance(app.screen, SuccessorScreen), 40, "the chooser of sessions")
    chooser = app.screen
    assert isinstance(chooser, SuccessorScreen)
    return screen, chooser, since


def prompts(chooser: SuccessorScreen) -> list[str]:
    options = chooser.query_one(OptionList)
    return [options.get_option_at_index(i).prompt.plain for i in range(options.option_count)]  # type: ignore[union-attr]


def told(app: PairApp, since: int) -> list[tuple[str, str, str]]:
    return [(n.title, n.message, n.severity) for n in list(app._notifications)[since:]]  # noqa: SLF001


async def test_the_chosen_session_is_followed_and_the_editor_text_survives(trio: Trio) -> None:
    app = make_app(trio.target(0), redact=False)
    async with app.run_test(size=(110, 34)) as pilot:
        screen, chooser, since = await lose_the_session(pilot, app, trio)
        lost = trio.browsers[0].session_id

        # Exactly the two other servers' sessions are offered, never the one that ended.
        offered = [(c.session.session_id, c.server.url) for c in chooser.candidates]
        expected = [(b.session_id, s.url) for s, b in zip(trio.servers[1:], trio.browsers[1:])]
        assert sorted(offered) == sorted(expected) and len(offered) == 2, offered
        await wait_for(pilot, lambda: len(chooser.facts) == 2, 20, "what each candidate's server says")
        await pilot.pause()
        shown = prompts(chooser)
        assert len(shown) == 2
        for line, candidate in zip(shown, chooser.candidates):
            assert str(candidate.session.session_id) in line and candidate.server.url.removeprefix("http://") in line
            assert f"tab {candidate.session.routing_id}" in line and "(another server)" in line
            assert "kernel idle" in line and "open connection" in line, line
            assert str(lost) not in line
        assert chooser.query_one(OptionList).highlighted == 0

        # The second one, by keyboard.
        chosen = chooser.candidates[1]
        other = chooser.candidates[0]
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: app.screen is screen, what="the chooser to close")
        await wait_for(pilot, lambda: screen.target == chosen and screen.session is not None
                       and screen.session.live_state == "live" and len(screen.cell_tree.cell_ids) == 4,
                       30, "the chosen session, live")
        assert screen.editor.text == KEPT
        status = screen.query_one(StatusLine).plain
        assert str(chosen.session.session_id) in status and "● live" in status and "(ended)" not in status

        # ctrl+r runs the kept text there: the kernel's parent is the chosen server.
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: screen.results.blocks and screen.results.blocks[-1].finished is not None,
                       30, "the snippet")
        block = screen.results.blocks[-1]
        assert block.finished is True, block.body.plain
        assert f"kept 41 {chosen.server.pid}" in block.body.plain, block.body.plain
        assert str(other.server.pid) not in block.body.plain
        assert screen.editor.text == KEPT

        notes = told(app, since)
        chose = [message for title, message, _severity in notes if title == "Session chosen"]
        assert len(chose) == 1, notes
        assert str(chosen.session.session_id) in chose[0] and str(lost) in chose[0]
        assert not [n for n in notes if n[2] == "error"], notes


async def test_escape_follows_no_session_says_so_and_guesses_nothing(trio: Trio) -> None:
    app = make_app(trio.target(0), redact=False)
    async with app.run_test(size=(110, 34)) as pilot:
        screen, chooser, since = await lose_the_session(pilot, app, trio)
        lost = trio.browsers[0].session_id
        assert len(chooser.candidates) == 2

        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen, what="the chooser to close")
        await pilot.pause()
        assert screen.session is not None and screen.session.live_state == "ambiguous"
        assert screen.target.session.session_id == lost  # nothing chosen for the user
        status = screen.query_one(StatusLine).plain
        assert f"{lost} (ended)" in status and "? ambiguous" in status, status
        assert "following no session: esc, then pick one" in status, status
        assert screen.editor.text == KEPT

        notes = told(app, since)
        unattached = [message for title, message, _severity in notes if title == "No session chosen"]
        assert len(unattached) == 1 and "editor text is kept" in unattached[0], notes
        assert not [n for n in notes if n[0] == "Session chosen"]

        # A run is not sent to either candidate: it fails, naming them.
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: screen.results.blocks and screen.results.blocks[-1].finished is not None,
                       30, "the refused snippet")
        block = screen.results.blocks[-1]
        assert block.finished is False
        assert "not guessing" in block.body.plain, block.body.plain
        assert "kept 41" not in block.body.plain
        assert screen.editor.text == KEPT
