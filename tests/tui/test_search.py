"""The search bar (ctrl+f) against a real server: typing searches the live cells, next and previous
move the selected cell and the marked line, regex and case toggle, esc closes; a snapshot at 80x24."""

from __future__ import annotations

from typing import Any

from textual.widgets import Static

from marimo_pair_tui.tui.widgets.notebook_cell import MARK_STYLE
from marimo_pair_tui.tui.widgets.search_bar import SearchBar

from .support import TuiLab, make_app, wait_for, wait_live


async def settled(pilot: Any) -> Any:
    screen = await wait_live(pilot, 3)
    await wait_for(pilot, lambda: screen.notebook.is_idle() and all(c.console or c.name == "label"
                                                                     for c in screen.notebook.cells),
                   30, "every cell run and printed")
    return screen


async def searched(pilot: Any, screen: Any, before: int) -> None:
    await wait_for(pilot, lambda: screen.search.searches > before, what="the search's answer")
    await pilot.pause()


def code_spans(screen: Any, name: str) -> list[str]:
    """The marked pieces of a cell's code as the notebook view draws it."""
    block = screen.notebook_view.block(screen.notebook.cell(name).id)
    content = block.query_one(".cell-code", Static).visual
    return [content.plain[s.start:s.end] for s in content.spans if s.style == MARK_STYLE]


async def test_ctrl_f_finds_steps_and_marks_matches(lab: TuiLab) -> None:
    path, browser = lab.session("search.py", "find.py")
    app = make_app(lab.target(path, browser))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await settled(pilot)
        ids = {c.name: c.id for c in screen.notebook.cells}
        printed = screen.notebook.cell("prices").console_text().strip()  # what the kernel printed: "sum is 16"
        bar = screen.query_one(SearchBar)
        screen.cell_tree.select_cell(ids["prices"])
        await pilot.press("ctrl+f")
        assert bar.is_open and app.focused is bar.input

        before = screen.search.searches
        await pilot.press(*"sum is")
        await wait_for(pilot, lambda: bar.input.value == "sum is" and screen.search.count == 4, what="4 matches")
        await searched(pilot, screen, before)
        # prices' code and console, then doubled's code and console
        assert [(m.cell_name, m.where) for m in screen.search.matches] == [
            ("prices", "code"), ("prices", "console"), ("doubled", "code"), ("doubled", "console")]
        assert bar.count_text.startswith("1/4") and "prices · code:2" in bar.line_text

        await pilot.press("enter")
        assert bar.count_text.startswith("2/4") and bar.line_text.endswith(printed)
        assert screen.cell_tree.selected_cell_id == ids["prices"]
        await pilot.press("f3")
        assert bar.count_text.startswith("3/4") and screen.cell_tree.selected_cell_id == ids["doubled"]
        await pilot.press("f3", "f3")  # past the last: the first again
        assert bar.count_text.startswith("1/4") and screen.cell_tree.selected_cell_id == ids["prices"]
        await pilot.press("shift+f3")
        assert bar.count_text.startswith("4/4") and screen.cell_tree.selected_cell_id == ids["doubled"]
        assert app.focused is bar.input  # stepping leaves the focus in the bar

        # Case and regex toggles search again.
        before = screen.search.searches
        bar.input.value = "SUM IS \\d+"
        await searched(pilot, screen, before)
        assert screen.search.count == 0 and "no match" in bar.count_text
        before = screen.search.searches
        await pilot.press("alt+c")
        await searched(pilot, screen, before)
        assert screen.search.count == 0  # `\d+` is text until regex is on
        before = screen.search.searches
        await pilot.press("alt+r")
        await searched(pilot, screen, before)
        doubled = screen.notebook.cell("doubled").console_text().strip()  # "doubled sum is 32"
        assert [m.text for m in screen.search.matches] == [printed, doubled.removeprefix("doubled ")]
        before = screen.search.searches
        bar.input.value = "(unclosed"
        await searched(pilot, screen, before)
        assert "bad pattern" in bar.count_text and "missing )" in bar.line_text

        # In the notebook view the pattern is marked in the code shown; esc closes the bar, keeps the cell.
        before = screen.search.searches
        bar.input.value = "prices"
        await searched(pilot, screen, before)
        await pilot.press("f3")  # 2/N: still in prices (name, code…)
        selected = screen.cell_tree.selected_cell_id
        await pilot.press("f7")
        await wait_for(pilot, lambda: screen.notebook_view.block(ids["doubled"]) is not None, what="the view")
        await pilot.press("ctrl+f")
        await wait_for(pilot, lambda: code_spans(screen, "doubled") == ["prices"], what="the marks in the code")
        assert code_spans(screen, "prices") == ["prices", "prices"]
        await pilot.press("escape")
        assert not bar.is_open and screen.cell_tree.selected_cell_id == selected
        await wait_for(pilot, lambda: code_spans(screen, "doubled") == [], what="the marks gone")
        await wait_for(pilot, lambda: screen.notebook_view.current_cell_id == selected, what="the cell focused")


def test_the_search_bar_snapshot(snap_compare, lab: TuiLab) -> None:
    path, browser = lab.session("search.py", "snap.py")
    target = lab.target(path, browser)

    async def ready(pilot: Any) -> None:
        screen = await settled(pilot)
        screen.cell_tree.select_cell(screen.notebook.cell("prices").id)
        before = screen.search.searches
        await pilot.press("ctrl+f", *"sum is")
        await wait_for(pilot, lambda: screen.search.searches > before and screen.search.count == 4, what="matches")
        await pilot.press("enter")
        await pilot.pause()

    assert snap_compare(make_app(target), run_before=ready, terminal_size=(80, 24))
