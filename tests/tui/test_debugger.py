"""The debugger console in the app against a real server: a failed cell's post-mortem, a breakpoint().

alt+d on the failed cell opens pdb on it: the console shows the current line
of the cell's code, the locals (checked against the kernel's own values),
answers `p y` as the kernel computes it, and leaves the kernel idle when it
closes (by the kernel's status). A cell that meets `breakpoint()` opens the
same console; `c` lets it finish, its output from the kernel's stream.
"""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Input

from marimo_pair_tui.core.wire.sessions import Target
from marimo_pair_tui.tui.screens.debugger import DebugScreen

from .support import TuiLab, kernel_json, make_app, wait_for, wait_live

FAILS = "x = 41\ny = x + 1\n1/0"


@pytest.fixture(scope="module")
def failing(lab: TuiLab) -> Target:
    path, browser = lab.session("debugging.py", "debugging.py")
    return lab.target(path, browser)


async def open_console(pilot, screen) -> DebugScreen:
    cell = screen.notebook.cell("fails")
    await wait_for(pilot, lambda: screen.notebook.cell("fails").status == "exception", 30, "the cell to fail")
    screen.cell_tree.focus()
    screen.cell_tree.select_cell(cell.id)
    await pilot.pause()
    await pilot.press("alt+d")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, DebugScreen), 30, "the console")
    console = pilot.app.screen
    await wait_for(pilot, lambda: not console.query_one(Input).disabled, 30, "pdb's first prompt")
    return console


def locals_shown(console: DebugScreen) -> dict[str, str]:
    table = console.query_one(DataTable)
    return {str(table.get_row_at(i)[0]): str(table.get_row_at(i)[2]) for i in range(table.row_count)}


async def send(pilot, console: DebugScreen, command: str) -> None:
    before = len(console.session.chunks)
    await pilot.press(*command, "enter")
    await wait_for(pilot, lambda: len(console.session.chunks) > before and not console.query_one(Input).disabled
                   or console.session.ended, 60, f"pdb's answer to {command!r}")


async def test_the_console_debugs_the_failed_cell_and_frees_the_kernel(lab: TuiLab, failing: Target) -> None:
    truth = kernel_json(lab, failing, "{'x': repr(x), 'y': repr(y)}")  # what the cell computed
    app = make_app(failing, redact=False)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await wait_live(pilot, 2)
        console = await open_console(pilot, screen)
        code = str(console.query_one("#debug-code").render())
        assert "->   3 1/0" in code and "1 x = 41" in code
        assert locals_shown(console) == truth
        await send(pilot, console, "p y")
        assert console.session.transcript.endswith(f"(Pdb) p y\n{truth['y']}\n(Pdb) ")
        assert f"p y\n{truth['y']}" in str(console.query_one("#debug-transcript").render())
        # up walks back through what was sent
        await pilot.press("up")
        assert console.query_one(Input).value == "p y"
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen, 30, "the console to close")
        assert console.session.ended
        status = (await app.service.status(screen.target)).value
        assert status.idle and status.waiting_for_input == []
    assert kernel_json(lab, failing, "6 * 7") == 42  # the kernel runs code again


async def test_a_breakpoint_opens_the_console_and_c_lets_the_cell_finish(lab: TuiLab, failing: Target) -> None:
    app = make_app(failing)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await wait_live(pilot, 2)
        screen.editor.load_text("a = 41\nbreakpoint()\nb = a + 1\nprint('b is', b)")
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: len(screen.cell_tree.cell_ids) == 3, 30, "the new cell")
        new = screen.cell_tree.selected_cell_id
        await wait_for(pilot, lambda: screen.notebook.get(new).code.startswith("a = 41"), 30, "the new cell selected")
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: isinstance(app.screen, DebugScreen), 60, "the console at the breakpoint")
        console = app.screen
        await wait_for(pilot, lambda: not console.query_one(Input).disabled, 30, "pdb's prompt")
        assert console.attach and console.session.where is not None and console.session.where.line == 3
        assert locals_shown(console) == {"a": "41"}
        await send(pilot, console, "c")
        await wait_for(pilot, lambda: console.session.ended, 60, "the cell to go on")
        await wait_for(pilot, lambda: screen.notebook.get(new).status == "idle", 60, "the cell to finish")
        assert "b is 42" in screen.notebook.get(new).console_text()
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen, 30, "the console to close")


def test_snapshot_of_the_console(snap_compare, lab: TuiLab) -> None:
    path, browser = lab.session("debugging.py", "debugging_snap.py")
    target = lab.target(path, browser)

    async def ready(pilot) -> None:
        screen = await wait_live(pilot, 2)
        console = await open_console(pilot, screen)
        await send(pilot, console, "p y")
        await pilot.pause()

    assert snap_compare(make_app(target), run_before=ready, terminal_size=(80, 24))
