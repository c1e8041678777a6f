"""The notebook view against a real marimo server: outputs drawn as widgets, live, and UI values sent back."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from textual.widgets import Checkbox, DataTable, Markdown, Static
from textual.widgets._footer import FooterKey
from textual_image.widget import HalfcellImage

from marimo_pair_tui.core.codemode import client as codemode
from marimo_pair_tui.core.wire.connection import Connection
from marimo_pair_tui.core.wire.sessions import Target
from marimo_pair_tui.tui.screens.help import HelpScreen
from marimo_pair_tui.tui.screens.pairing import PairingScreen
from marimo_pair_tui.tui.widgets import output_view
from marimo_pair_tui.tui.widgets.notebook_cell import CellBlock
from marimo_pair_tui.tui.widgets.notebook_view import WINDOW, WINDOW_STEP, NotebookView
from marimo_pair_tui.tui.widgets.parts.images import ImageView
from marimo_pair_tui.tui.widgets.parts.numbers import NumberControl, StepInput
from marimo_pair_tui.tui.widgets.parts.table import TableView

from tests.support.marimo_proc import open_browser_session

from .support import TuiLab, make_app, wait_for, wait_live

GALLERY_CELLS = 40
VIEW_CELLS = 8


@pytest.fixture(autouse=True)
def _half_cells(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MARIMO_PAIR_IMAGES", "halfcell")


@pytest.fixture(scope="module")
def gallery(lab: TuiLab) -> Target:
    path, browser = lab.session("outputs_gallery.py", "gallery.py")
    return lab.target(path, browser)


async def settled(pilot: Any, cells: int) -> PairingScreen:
    screen = await wait_live(pilot, cells, timeout=60)
    await wait_for(pilot, lambda: screen.notebook.is_idle() and all(c.status for c in screen.notebook.cells),
                   timeout=60, what="every cell to have run")
    return screen


async def open_view(pilot: Any, screen: PairingScreen) -> NotebookView:
    await pilot.press("f7")
    view = screen.notebook_view
    await wait_for(pilot, lambda: len(view.cell_ids) == len(screen.notebook.cell_ids)
                   and all(view.block(c).output_view.drawn for c in view.cell_ids), timeout=60,  # type: ignore[union-attr]
                   what="every cell's output drawn")
    return view


def output_of(screen: PairingScreen, name: str) -> Any:
    block = screen.notebook_view.block(screen.notebook.cell(name).id)
    assert block is not None, name
    return block.output_view


def text_of(widget: Any) -> str:
    return str(widget.render())


async def test_gallery_outputs_become_widgets(gallery: Target, monkeypatch: pytest.MonkeyPatch) -> None:
    threads: set[str] = set()
    parsed = output_view.parsed

    def watched(output: Any) -> Any:
        threads.add(threading.current_thread().name)
        return parsed(output)

    monkeypatch.setattr(output_view, "parsed", watched)
    app = make_app(gallery)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settled(pilot, GALLERY_CELLS)
        view = await open_view(pilot, screen)
        assert view.cell_ids == screen.notebook.cell_ids  # notebook order
        assert threads and threading.main_thread().name not in threads  # parsed off the UI thread

        small = output_of(screen, "pandas_small").query_one(TableView)
        grid = small.query_one(DataTable)
        assert [c.label.plain for c in grid.columns.values()] == ["name str", "qty int64", "price float64"]
        assert [cell.plain for cell in grid.get_row_at(0)] == ["a", "1", "0.50"]  # padded as the browser pads
        assert text_of(small.query_one(".table-foot", Static)) == "3 rows"
        large = output_of(screen, "pandas_large").query_one(TableView)
        assert large.query_one(DataTable).row_count == 10
        assert text_of(large.query_one(".table-foot", Static)).startswith("rows 1-10 of 5,000")

        markdown = output_of(screen, "markdown")
        await wait_for(pilot, lambda: markdown.query(Markdown) and markdown.query_one(Markdown).table_of_contents,
                       what="the headings")
        headings = [(level, text) for level, text, _id in markdown.query_one(Markdown).table_of_contents]
        assert headings == [(1, "Heading one"), (2, "Heading two")]

        figure = output_of(screen, "matplotlib_figure").query_one(ImageView)
        await wait_for(pilot, lambda: figure.loaded, what="the figure")
        assert isinstance(figure.image_widget, HalfcellImage)
        from_file = output_of(screen, "pil_mo_image")  # mo.image keeps its bytes in a file on the server
        await wait_for(pilot, lambda: any(v.loaded and isinstance(v.image_widget, HalfcellImage)
                                          for v in from_file.query(ImageView)), what="the fetched image")

        slider = output_of(screen, "ui_slider").query_one(NumberControl)
        assert slider.inputs[0].value == "3" and "1..10" in text_of(slider.query(Static).last())
        assert "n" == text_of(slider.query_one(".control-label", Static))


async def test_f7_swaps_the_cell_tree_for_the_notebook_view_and_back(gallery: Target) -> None:
    app = make_app(gallery)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await settled(pilot, GALLERY_CELLS)
        markdown = screen.notebook.cell("markdown")
        screen.cell_tree.select_cell(markdown.id)
        assert screen.cell_tree.border_subtitle == "f7 notebook"  # the key, where the tree is
        await open_view(pilot, screen)
        view = screen.notebook_view
        assert view.display and not screen.cell_tree.display and view.border_subtitle == "f7 cells"
        assert view.current_cell_id == markdown.id  # the tree's cell, focused
        await pilot.press("ctrl+down")
        await wait_for(pilot, lambda: screen.cell_tree.selected_cell_id == screen.notebook.cell("pandas_small").id,
                       what="the tree to follow the view")
        slider = output_of(screen, "ui_slider").query_one(StepInput)
        slider.focus()
        await pilot.press("escape")  # from a widget of an output to its cell, not out of the screen
        assert screen.focused is view.block(screen.notebook.cell("ui_slider").id) and app.screen is screen
        assert screen.cell_tree.selected_cell_id == screen.notebook.cell("ui_slider").id
        await pilot.press("f2")  # "focus the cells" focuses the view that stands in for the tree
        assert screen.focused is view
        await pilot.press("f7")
        await pilot.pause()
        assert screen.cell_tree.display and not view.display and screen.focused is screen.cell_tree
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        rows = {binding_id: keys for _where, keys, _what, binding_id in app.screen.rows}  # type: ignore[attr-defined]
        assert rows["notebook-view"] == "f7" and rows["table-next-page"] == "]"


async def test_a_slider_drives_its_dependents_and_only_they_are_redrawn(lab: TuiLab) -> None:
    path, browser = lab.session("view.py", "slide.py")
    app = make_app(lab.target(path, browser))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await settled(pilot, VIEW_CELLS)
        await open_view(pilot, screen)
        echo, table = output_of(screen, "echo"), output_of(screen, "table")
        drawn = (echo.drawn, table.drawn)
        table_widget = table.query_one(TableView)
        await wait_for(pilot, lambda: echo.query(Markdown) and "3 x pear" in echo.query_one(Markdown).source)
        slider = output_of(screen, "controls").query_one(NumberControl)
        slider.inputs[0].focus()
        await pilot.press("plus", "plus")
        await wait_for(pilot, lambda: "5 x pear" in str(screen.notebook.cell("echo").output.data), timeout=30,
                       what="the kernel to see the new value")
        await wait_for(pilot, lambda: echo.drawn > drawn[0] and "5 x pear" in echo.query_one(Markdown).source,
                       what="the dependent cell redrawn")
        await wait_for(pilot, lambda: slider.value == 5, what="the value to be accepted")
        assert slider.inputs[0].value == "5"
        assert table.drawn == drawn[1] and table.query_one(TableView) is table_widget  # untouched
        assert screen.focused is slider.inputs[0]  # the slider's own cell was not redrawn under the cursor

        checkbox = output_of(screen, "controls").query_one(Checkbox)
        checkbox.focus()
        await pilot.press("space")
        await wait_for(pilot, lambda: "5 x pear, green" in str(screen.notebook.cell("echo").output.data),
                       timeout=30, what="the checkbox's value in the kernel")
        values = {e.label: e.value for e in (await app.service.ui(lab.target(path, browser))).value}
        assert values["ripe"] is False and values["n"] == 5


async def test_a_refused_value_is_told_and_the_widget_goes_back(lab: TuiLab) -> None:
    path, browser = lab.session("view.py", "refuse.py")
    app = make_app(lab.target(path, browser))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await settled(pilot, VIEW_CELLS)
        await open_view(pilot, screen)
        slider = output_of(screen, "controls").query_one(NumberControl)
        box = slider.query_one(StepInput)
        box.focus()
        box.value = "99"
        await pilot.press("enter")
        await wait_for(pilot, lambda: any("99" in n.message for n in app._notifications), timeout=30,  # noqa: SLF001
                       what="the refusal")
        message = next(n.message for n in app._notifications if "99" in n.message)  # noqa: SLF001
        assert "1..10" in message  # the service's message and its next step
        await wait_for(pilot, lambda: box.value == "3", what="the slider back at the kernel's value")
        assert "3 x pear" in str(screen.notebook.cell("echo").output.data)


async def test_table_pages_come_from_the_kernel(lab: TuiLab) -> None:
    path, browser = lab.session("view.py", "pages.py")
    app = make_app(lab.target(path, browser))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await settled(pilot, VIEW_CELLS)
        await open_view(pilot, screen)
        table = output_of(screen, "big").query_one(TableView)
        grid = table.query_one(DataTable)
        foot = table.query_one(".table-foot", Static)
        grid.focus()
        await pilot.press("]", "]")
        await wait_for(pilot, lambda: text_of(foot).startswith("rows 21-30 of 5,000"), timeout=30,
                       what="the third page")
        assert [c.plain for c in grid.get_row_at(0)] == ["20", "400"]
        await pilot.press("[")
        await wait_for(pilot, lambda: text_of(foot).startswith("rows 11-20 of 5,000"), timeout=30)
        assert [c.plain for c in grid.get_row_at(9)] == ["19", "361"]


async def test_the_view_follows_cells_made_moved_and_deleted_elsewhere(lab: TuiLab) -> None:
    path, browser = lab.session("view.py", "follow.py")
    target = lab.target(path, browser)
    app = make_app(target)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await settled(pilot, VIEW_CELLS)
        view = await open_view(pilot, screen)
        await pilot.press("f7")  # hidden: changes are only remembered
        async with Connection(target.server) as other:
            heading = screen.notebook.cell("heading").id
            await codemode.create_cell(other, target.session, "mo.md('## added by someone else')", after=heading,
                                      run=True)
            await wait_for(pilot, lambda: len(screen.notebook.cell_ids) == VIEW_CELLS + 1, timeout=30)
            added = next(c.id for c in screen.notebook.cells if "added by" in c.code)
            assert added not in view.cell_ids
            await pilot.press("f7")
            await wait_for(pilot, lambda: view.cell_ids == screen.notebook.cell_ids, what="the new block")
            assert view.cell_ids.index(added) == view.cell_ids.index(heading) + 1
            block = view.block(added)
            await wait_for(pilot, lambda: block.output_view.query(Markdown)  # type: ignore[union-attr]
                           and "added by someone else" in block.output_view.query_one(Markdown).source,  # type: ignore[union-attr]
                           timeout=30, what="its output")
            big = screen.notebook.cell("big").id
            await codemode.move_cell(other, target.session, "big", before=heading)
            await wait_for(pilot, lambda: view.cell_ids == screen.notebook.cell_ids, timeout=30)
            assert view.cell_ids.index(big) == view.cell_ids.index(heading) - 1
            assert [child.cell_id for child in view.query("CellBlock")] == view.cell_ids  # type: ignore[attr-defined]
            await codemode.delete_cell(other, target.session, "table")
            await wait_for(pilot, lambda: view.cell_ids == screen.notebook.cell_ids, timeout=30)
            assert big in view.cell_ids and len(view.cell_ids) == VIEW_CELLS


async def test_kernel_text_in_the_view_is_drawn_inert(lab: TuiLab) -> None:
    path, browser = lab.session("view.py", "hostile.py")
    app = make_app(lab.target(path, browser))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await settled(pilot, VIEW_CELLS)
        await open_view(pilot, screen)
        hostile = output_of(screen, "hostile")
        await wait_for(pilot, lambda: hostile.query(Markdown) and hostile.query(TableView))
        source = hostile.query_one(Markdown).source
        assert "\x1b" not in source and "␛[2J" in source
        cells = [row[0].plain for row in (hostile.query_one(DataTable).get_row_at(i) for i in range(2))]
        assert cells == ["␛]52;c;UFdORUQ=␇", "[red]x[/red]"]


async def test_values_set_by_other_clients_move_the_widget(lab: TuiLab) -> None:
    """An agent's set-ui (code_mode: the value comes by object id) and a browser's (only the bound
    variable's value comes): the slider in the view shows each, and sends nothing back."""
    import httpx

    from tests.clihelp import cli_env, run_cli

    path, browser = lab.session("view.py", "follow.py")
    app = make_app(lab.target(path, browser))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await settled(pilot, VIEW_CELLS)
        await open_view(pilot, screen)
        slider = output_of(screen, "controls").query_one(NumberControl)
        screen.cell_tree.focus()
        agent = run_cli(["set-ui", slider.part.object_id, "7", "--url", lab.server.url,
                         "--session", browser.session_id or ""], env=cli_env(lab.server.state_home))
        assert agent.code == 0, agent.stdout
        await wait_for(pilot, lambda: slider.inputs[0].value == "7", timeout=30, what="the agent's value shown")
        headers = {"Marimo-Session-Id": browser.routing_id or "",
                   "Marimo-Server-Token": lab.server.server_token(path), **lab.server.auth_headers()}
        response = httpx.post(lab.server.url + "/api/kernel/set_ui_element_value", headers=headers, timeout=30,
                              json={"objectIds": [slider.part.object_id], "values": [2]})
        assert response.status_code == 200, response.text
        await wait_for(pilot, lambda: slider.inputs[0].value == "2", timeout=30, what="the browser's value shown")
        assert slider.value == 2
        values = {e.object_id: e.value for e in (await app.service.ui(lab.target(path, browser))).value}
        assert values[slider.part.object_id] == 2  # nothing was sent back over it


def long_notebook(cells: int) -> str:
    body = "".join(f"\n\n@app.cell\ndef _():\n    _n = {i}\n    _n * 2\n    return\n" for i in range(cells))
    return f"import marimo\n\napp = marimo.App()\n{body}\n\nif __name__ == \"__main__\":\n    app.run()\n"


async def test_a_long_notebook_mounts_a_window_that_moves_with_the_focus(lab: TuiLab) -> None:
    cells = 150
    path = lab.dir / "long.py"
    path.write_text(long_notebook(cells), encoding="utf-8")
    browser = open_browser_session(lab.server, path, instantiate=True)
    lab.browsers.append(browser)
    app = make_app(lab.target(path, browser))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await settled(pilot, cells)
        order = screen.notebook.cell_ids
        view = screen.notebook_view
        await pilot.press("f7")
        await wait_for(pilot, lambda: view.cell_ids == order[:WINDOW], what="the first window")
        assert view.window == (0, WINDOW, cells) and len(view.query(CellBlock)) == WINDOW
        above, below = view.query_one(".above", Static), view.query_one(".below", Static)
        assert not above.display and below.display and f"{cells - WINDOW} cells below" in text_of(below)

        # Stepping past the window's last cell moves the window; the blocks stay WINDOW.
        view.focus_cell(order[WINDOW - 1])
        await wait_for(pilot, lambda: view.current_cell_id == order[WINDOW - 1], what="the last mounted cell")
        await pilot.press("ctrl+down")
        await wait_for(pilot, lambda: view.current_cell_id == order[WINDOW], what="the next cell, mounted")
        first, end, total = view.window
        assert (first, end, total) == (WINDOW_STEP, WINDOW + WINDOW_STEP, cells), "slid by a step, not remounted"
        assert view.cell_ids == order[first:end] and len(view.query(CellBlock)) == WINDOW
        assert above.display and f"{first} cells above" in text_of(above)

        def in_sight(cell_id: str) -> bool:
            block = view.block(cell_id)
            top, height = view.scroll_y, view.scrollable_content_region.height
            return (block is not None and view.current_cell_id == cell_id
                    and top <= block.virtual_region.y and block.virtual_region.bottom <= top + height)

        # Keys back to back across the next edge: the focus ends on the cell.
        view.focus_cell(order[end - 1])
        await wait_for(pilot, lambda: in_sight(order[end - 1]), what="the window's last cell in sight")
        footer_keys = [id(key) for key in screen.query(FooterKey)]
        for _ in range(3):
            await pilot.press("ctrl+down")
        await wait_for(pilot, lambda: view.current_cell_id == order[end + 2], what="three cells on")
        assert len(view.query(CellBlock)) == WINDOW
        await pilot.pause()
        assert footer_keys and [id(key) for key in screen.query(FooterKey)] == footer_keys, \
            "the footer shows the same keys from cell to cell: it is not rebuilt"

        # A far cell (as the tree or follow-focus asks): the window goes there, its output drawn.
        view.focus_cell(order[-1])
        await wait_for(pilot, lambda: view.current_cell_id == order[-1], what="the last cell")
        assert view.window == (cells - WINDOW, cells, cells) and not below.display
        last = view.block(order[-1])
        assert last is not None
        await wait_for(pilot, lambda: last.output_view.drawn
                       and any(str(2 * (cells - 1)) in text_of(w) for w in last.output_view.query(Static)),
                       timeout=30, what="the last cell's output")

        # The line above the window goes up when clicked.
        view.scroll_home(animate=False)
        await pilot.pause()
        await pilot.click(above)
        await wait_for(pilot, lambda: view.current_cell_id == order[cells - WINDOW - 1], what="the cell above")
        assert view.window[0] <= cells - WINDOW - 1
