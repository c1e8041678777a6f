"""The history pane (alt+h) against a real server: who changed which cell, the diff, and `r` to revert."""

from __future__ import annotations

import pytest

from marimo_pair_tui.tui.screens.confirm_revert import ConfirmRevertScreen
from marimo_pair_tui.tui.widgets import history_pane
from marimo_pair_tui.tui.widgets.history_pane import HistoryPane
from tests.test_history_live import browser_edit

from .support import TuiLab, make_app, wait_for, wait_live


async def kernel_code(app, target, cell_id: str) -> str:  # type: ignore[no-untyped-def]
    """The cell's code as code_mode reads it in the kernel."""
    view = (await app.service.cells(target, ids=[cell_id], refresh=True)).value
    return str(view.cells[0].code)


def styles_of(text, mark: str) -> set[str]:  # type: ignore[no-untyped-def]
    """The styles of the diff's lines that start with `mark`."""
    plain = text.plain
    found = set()
    for span in text.spans:
        if plain[span.start:span.end].startswith(mark):
            found.add(str(span.style))
    return found


async def test_the_pane_lists_changes_shows_the_diff_and_reverts(lab: TuiLab) -> None:
    path, browser = lab.session("demo.py", "history_pane.py")
    target = lab.target(path, browser)
    app = make_app(target)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await wait_live(pilot, 4)
        x_cell = screen.notebook.cell("define_x").id
        await app.service.edit_cell(target, x_cell, "x = 50", force=True)  # the app's own edit
        browser_edit(browser, x_cell, "x = 60")  # then a browser's
        await wait_for(pilot, lambda: screen.notebook.cell("define_x").code == "x = 60", what="the browser's edit")

        await pilot.press("alt+h")
        pane = screen.query_one(HistoryPane)
        await wait_for(pilot, lambda: len(pane.changes) == 2, what="two changes listed")
        assert pane.display and not screen.query_one("#work").display
        rows = [[str(c) for c in pane.table.get_row_at(i)] for i in range(2)]
        assert [r[1:] for r in rows] == [["browser", "define_x", "edited"], ["self", "define_x", "edited"]]
        diff = pane.query_one("#history-diff-text").render()
        assert "-x = 50" in diff.plain and "+x = 60" in diff.plain
        assert {style.removeprefix("ansi_") for style in styles_of(diff, "-x")} == {"red"}
        assert {style.removeprefix("ansi_") for style in styles_of(diff, "+x")} == {"green"}

        # r on the browser's change asks first; yes puts the app's code back, read from the kernel.
        assert app.focused is pane.table
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmRevertScreen), what="the revert dialog")
        await pilot.press("y")
        await wait_for(pilot, lambda: screen.notebook.cell("define_x").code == "x = 50", 30, "the revert")
        assert await kernel_code(app, target, x_cell) == "x = 50"
        await wait_for(pilot, lambda: len(pane.changes) == 3 and pane.changes[0].by == "app", what="the revert listed")

        # alt+h again brings the editor back.
        await pilot.press("alt+h")
        assert not pane.display and screen.query_one("#work").display


def test_the_history_pane_at_80x24(snap_compare, lab: TuiLab, monkeypatch: pytest.MonkeyPatch) -> None:
    path, browser = lab.session("demo.py", "history_snapshot.py")
    target = lab.target(path, browser)
    monkeypatch.setattr(history_pane, "when", lambda at, now=None: "12:00:00")  # the clock is not the picture's

    async def ready(pilot) -> None:  # type: ignore[no-untyped-def]
        screen = await wait_live(pilot, 4)
        browser_edit(browser, screen.notebook.cell("define_x").id, "x = 42\nprint(x)")
        await wait_for(pilot, lambda: screen.notebook.cell("define_x").code.startswith("x = 42"), what="the edit")
        await pilot.press("alt+h")
        pane = screen.query_one(HistoryPane)
        await wait_for(pilot, lambda: len(pane.changes) == 1, what="the change listed")
        await pilot.pause()

    assert snap_compare(make_app(target), run_before=ready, terminal_size=(80, 24))
