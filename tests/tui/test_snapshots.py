"""Snapshots of the real app against real servers, at 80x24 and 120x36.

Volatile text (ports, pids, session ids, paths, clock times, durations) is
rendered through `Display(redact=True)`, cursors do not blink, and every
snapshot is taken after waiting for the state it shows. Update with
`pytest tests/tui/test_snapshots.py --snapshot-update` after looking at the
report.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from marimo_pair_tui.core.codemode import client as codemode
from marimo_pair_tui.core.wire.connection import Connection
from marimo_pair_tui.core.wire.sessions import Target
from marimo_pair_tui.tui.screens.conflict import ConflictScreen
from marimo_pair_tui.tui.screens.help import HelpScreen
from tests.support.marimo_proc import BrowserSession, MarimoServer, open_browser_session, start_marimo_server

from .support import NOTEBOOKS, TUI_NOTEBOOKS, TuiLab, make_app, pairing, wait_for, wait_live

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 36), id="120x36")]


def all_settled(screen) -> bool:
    return screen.notebook.is_idle() and all(c.status is not None for c in screen.notebook.cells)


async def settle(pilot, cells: int):
    screen = await wait_live(pilot, cells)
    await wait_for(pilot, lambda: all_settled(screen), what="every cell to be idle")
    await pilot.pause()
    return screen


async def select(pilot, screen, name: str) -> None:
    cell = screen.notebook.cell(name)
    screen.cell_tree.focus()
    screen.cell_tree.select_cell(cell.id)
    await pilot.pause()


@pytest.fixture(scope="module")
def demo(lab: TuiLab) -> Target:
    path, browser = lab.session("demo.py", "demo.py")
    return lab.target(path, browser)


@pytest.fixture(scope="module")
def errors(lab: TuiLab) -> Target:
    path, browser = lab.session("errors.py", "errors.py")
    return lab.target(path, browser)


@pytest.mark.live  # starts its own marimo server
class TestPicker:
    @pytest.fixture
    def one_server(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MarimoServer]:
        state = tmp_path / "picker-state"
        monkeypatch.setenv("XDG_STATE_HOME", str(state))
        notebooks = tmp_path / "served"
        notebooks.mkdir()
        for name in ("demo.py", "other.py"):
            shutil.copy(NOTEBOOKS / name, notebooks / name)
        server = start_marimo_server(notebooks, state_home=state)
        browsers: list[BrowserSession] = []
        try:
            browsers.append(open_browser_session(server, notebooks / "demo.py", instantiate=False))
            browsers.append(open_browser_session(server, notebooks / "other.py", instantiate=False))
            yield server
        finally:
            for browser in browsers:
                browser.close()
            server.stop()
            server.cleanup_files()

    def test_servers_present(self, snap_compare, one_server: MarimoServer) -> None:
        async def ready(pilot) -> None:
            screen = pilot.app.screen
            await wait_for(pilot, lambda: sum(1 for s in screen.states for e in s.notebooks) == 2)
            await pilot.pause()

        assert snap_compare(make_app(), run_before=ready, terminal_size=(80, 24))

    def test_no_server(self, snap_compare, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "nothing-here"))

        async def ready(pilot) -> None:
            await wait_for(pilot, lambda: pilot.app.screen.refreshes >= 1)
            await pilot.pause()

        assert snap_compare(make_app(), run_before=ready, terminal_size=(80, 24))


class TestPairing:
    @pytest.mark.parametrize("size", SIZES)
    def test_idle(self, snap_compare, demo: Target, size: tuple[int, int]) -> None:
        async def ready(pilot) -> None:
            await settle(pilot, 4)

        assert snap_compare(make_app(demo), run_before=ready, terminal_size=size)

    @pytest.mark.parametrize("size", SIZES)
    def test_expanded_cell(self, snap_compare, demo: Target, size: tuple[int, int]) -> None:
        async def ready(pilot) -> None:
            screen = await settle(pilot, 4)
            await select(pilot, screen, "vblA")
            await pilot.press("right")
            await wait_for(pilot, lambda: len(screen.cell_tree.node_for("vblA").children) >= 4)
            await pilot.pause()

        assert snap_compare(make_app(demo), run_before=ready, terminal_size=size)

    @pytest.mark.parametrize("size", SIZES)
    def test_error_cell(self, snap_compare, errors: Target, size: tuple[int, int]) -> None:
        async def ready(pilot) -> None:
            screen = await settle(pilot, 3)
            await select(pilot, screen, "divide")
            await pilot.press("right")
            divide = screen.notebook.cell("divide").id
            await wait_for(pilot, lambda: any("ZeroDivisionError" in str(c.label)
                                              for c in screen.cell_tree.node_for(divide).children))
            await pilot.pause()

        assert snap_compare(make_app(errors), run_before=ready, terminal_size=size)

    @pytest.mark.parametrize("size", SIZES)
    def test_running_cell(self, snap_compare, lab: TuiLab, size: tuple[int, int]) -> None:
        name = f"wait_{size[0]}x{size[1]}.py"
        flag = lab.dir / (name + ".flag")
        flag.touch()  # let the browser's first run pass, then block the next one
        path, browser = lab.session("wait.py", name)
        flag.unlink()
        target = lab.target(path, browser)

        async def ready(pilot) -> None:
            screen = await settle(pilot, 3)
            await select(pilot, screen, "waits")
            await pilot.press("ctrl+g")
            waits = screen.notebook.cell("waits").id
            await wait_for(pilot, lambda: screen.notebook.cell(waits).status == "running")
            await wait_for(pilot, lambda: "waiting for the flag" in screen.notebook.cell(waits).console_text())
            await wait_for(pilot, lambda: screen.notebook.cell("after").status == "queued"
                           or screen.notebook.cell("after").status == "stale")
            await wait_for(pilot, lambda: "kernel busy" in screen.query_one("#status").plain)
            await pilot.pause()

        try:
            assert snap_compare(make_app(target), run_before=ready, terminal_size=size)
        finally:
            flag.touch()

    @pytest.mark.parametrize("size", SIZES)
    def test_conflict_dialog(self, snap_compare, lab: TuiLab, size: tuple[int, int]) -> None:
        path, browser = lab.session("demo.py", f"conflict_{size[0]}x{size[1]}.py")
        target = lab.target(path, browser)

        async def ready(pilot) -> None:
            screen = await settle(pilot, 4)
            await select(pilot, screen, "define_x")
            await pilot.press("ctrl+l")
            async with Connection(target.server) as other:
                await codemode.edit_cell(other, target.session, "define_x", "x = 40 + 2  # theirs", force=True)
            await wait_for(pilot, lambda: screen.notebook.cell("define_x").code.endswith("# theirs"))
            screen.editor.load_text("x = 41\nprint('mine', x)")
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConflictScreen))
            await pilot.pause()

        assert snap_compare(make_app(target), run_before=ready, terminal_size=size)

    @pytest.mark.parametrize("size", SIZES)
    def test_help(self, snap_compare, demo: Target, size: tuple[int, int]) -> None:
        async def ready(pilot) -> None:
            await settle(pilot, 4)
            await pilot.press("f1")
            await wait_for(pilot, lambda: isinstance(pilot.app.screen, HelpScreen))
            await pilot.pause()

        assert snap_compare(make_app(demo), run_before=ready, terminal_size=size)


def test_ascii_glyphs(lab: TuiLab, errors: Target) -> None:
    """MARIMO_PAIR_ASCII swaps every status glyph for plain ASCII."""
    import asyncio

    from marimo_pair_tui.core.servers.hub import HubOptions
    from marimo_pair_tui.tui.app import PairApp, Start
    from marimo_pair_tui.tui.config import Config
    from marimo_pair_tui.tui.display import Display, ascii_from_env

    assert ascii_from_env({"MARIMO_PAIR_ASCII": "1"}) and not ascii_from_env({})

    async def main() -> None:
        app = PairApp(HubOptions(), start=Start("target", target=errors), fmt=Display(ascii=True, redact=True),
                      config=Config(), cursor_blink=False, warm_up_after=None)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await settle(pilot, 3)
            labels = [str(screen.cell_tree.node_for(c).label)[:1] for c in screen.cell_tree.cell_ids]
            assert labels == ["+", "x", "-"], labels  # idle, exception, cancelled (an ancestor raised)
            status = pairing(app).query_one("#status").plain
            assert "* live" in status and "|" in status and all(ord(ch) < 128 for ch in status)

    asyncio.run(main())


assert TUI_NOTEBOOKS.is_dir()
