"""The variables pane (f9) and the graph pane (f10) against a real server, and their snapshots."""

from __future__ import annotations

from marimo_pair_tui.tui.widgets.graph_pane import GraphPane
from marimo_pair_tui.tui.widgets.variables_pane import VariablesPane

from .support import TuiLab, make_app, wait_for, wait_live


async def settled(pilot, cells: int = 5):
    screen = await wait_live(pilot, cells)
    await wait_for(pilot, lambda: screen.notebook.is_idle() and all(c.status for c in screen.notebook.cells)
                   and "summary" in screen.notebook.variable_values, 30, "every cell run")
    return screen


async def test_the_variables_pane_filters_and_enter_selects_the_defining_cell(lab: TuiLab) -> None:
    path, browser = lab.session("graph.py", "variables.py")
    app = make_app(lab.target(path, browser))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await settled(pilot)
        await pilot.press("f9")
        pane = screen.query_one(VariablesPane)
        await wait_for(pilot, lambda: pane.shown_names == ["note", "prices", "rate", "scaled", "summary", "total"],
                       what="every variable")
        assert pane.display and not screen.query_one("#work").display
        row = [str(c) for c in pane.table.get_row("prices")]
        assert row[0] == "prices" and row[1] == "list" and "3, 5, 8" in row[2], row
        assert row[3] == "base" and set(row[4].split(", ")) == {"total", "scaled"}, row

        # Typing in the filter narrows the rows (a cell's name matches too).
        pane.query_one("#variables-filter").focus()
        await pilot.press(*"report")
        await wait_for(pilot, lambda: pane.shown_names == ["scaled", "summary", "total"], what="the filter")
        await pilot.press("enter")  # from the filter to the table
        assert app.focused is pane.table
        await pilot.press("down", "enter")  # summary: defined in report
        await wait_for(pilot, lambda: screen.cell_tree.selected_cell_id == screen.notebook.cell("report").id)

        # A cell another client adds and runs shows up live, with its reader.
        pane.query_one("#variables-filter").clear()
        await app.service.create_cell(screen.target, "extra = total * 2", run=True)
        await wait_for(pilot, lambda: "extra" in pane.shown_names, 30, "the new variable")
        await wait_for(pilot, lambda: "16" in str(pane.table.get_row("extra")[2])
                       or "32" in str(pane.table.get_row("extra")[2]), 30, "its value")
        assert "32" in str(pane.table.get_row("extra")[2])
        assert len(str(pane.table.get_row("total")[4]).split(", ")) == 2  # report and the new cell read it

        # f9 again brings the editor back; f6 and f9 take each other's place.
        await pilot.press("f6")
        assert screen.activity_shown and not pane.display
        await pilot.press("f9")
        assert not screen.activity_shown and pane.display
        await pilot.press("f9")
        assert not pane.display and screen.query_one("#work").display


async def test_the_graph_pane_follows_the_selection_and_enter_jumps(lab: TuiLab) -> None:
    path, browser = lab.session("graph.py", "graph_pane.py")
    app = make_app(lab.target(path, browser))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await settled(pilot)
        ids = {name: screen.notebook.cell(name).id for name in ("base", "total", "scaled", "report", "alone")}
        screen.cell_tree.focus()
        screen.cell_tree.select_cell(ids["scaled"])
        await pilot.pause()
        await pilot.press("f10")
        graph = screen.query_one(GraphPane)
        await wait_for(pilot, lambda: graph.cell_id == ids["scaled"], what="the graph of scaled")
        assert graph.reads_from == [ids["base"]] and graph.read_by == [ids["report"]]
        assert app.focused is graph and graph.highlighted_option.id == ids["scaled"]

        # enter on the descendant: it is selected, and the graph is drawn around it.
        await pilot.press("down")
        assert graph.highlighted_option.id == ids["report"], graph.highlighted  # the heading is skipped
        await pilot.press("enter")
        await wait_for(pilot, lambda: graph.cell_id == ids["report"], what="the graph of report")
        assert screen.cell_tree.selected_cell_id == ids["report"]
        assert graph.reads_from == [ids["base"], ids["total"], ids["scaled"]] and graph.read_by == []

        # A new cell that reads report joins its graph, live.
        await app.service.create_cell(screen.target, "shout = summary.upper()")
        await wait_for(pilot, lambda: len(graph.read_by) == 1, 30, "the new reader")
        assert screen.notebook.get(graph.read_by[0]).code == "shout = summary.upper()"

        # Selecting a cell in the tree moves the graph too.
        screen.cell_tree.select_cell(ids["alone"])
        await wait_for(pilot, lambda: graph.cell_id == ids["alone"], what="the graph of alone")
        assert graph.reads_from == [] and graph.read_by == []


def test_the_variables_pane_at_80x24(snap_compare, lab: TuiLab) -> None:
    path, browser = lab.session("graph.py", "variables_snapshot.py")
    target = lab.target(path, browser)

    async def ready(pilot) -> None:
        screen = await settled(pilot)
        await pilot.press("f9")
        pane = screen.query_one(VariablesPane)
        await wait_for(pilot, lambda: len(pane.shown_names) == 6)
        await pilot.pause()

    assert snap_compare(make_app(target), run_before=ready, terminal_size=(80, 24))


def test_the_graph_pane_at_80x24(snap_compare, lab: TuiLab) -> None:
    path, browser = lab.session("graph.py", "graph_snapshot.py")
    target = lab.target(path, browser)

    async def ready(pilot) -> None:
        screen = await settled(pilot)
        screen.cell_tree.focus()
        screen.cell_tree.select_cell(screen.notebook.cell("scaled").id)
        await pilot.pause()
        await pilot.press("f10")
        graph = screen.query_one(GraphPane)
        await wait_for(pilot, lambda: graph.cell_id == screen.notebook.cell("scaled").id)
        await pilot.pause()

    assert snap_compare(make_app(target), run_before=ready, terminal_size=(80, 24))


async def test_following_the_browsers_focus_moves_the_selection(lab: TuiLab) -> None:
    from tests.test_one_truth import browser_post

    path, browser = lab.session("graph.py", "focus.py")
    app = make_app(lab.target(path, browser))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await settled(pilot)
        ids = {name: screen.notebook.cell(name).id for name in ("base", "report", "alone")}
        screen.cell_tree.focus()
        screen.cell_tree.select_cell(ids["base"])
        await pilot.pause()

        # Off: a browser's focus is heard but the selection stays.
        browser_post(browser, "/api/kernel/focus_cell", {"cellId": ids["report"]})
        await wait_for(pilot, lambda: screen.notebook.focused_cell == ids["report"], what="the focus to arrive")
        await pilot.pause()
        assert screen.cell_tree.selected_cell_id == ids["base"]

        await pilot.press("alt+f")  # on: the browser's current focus is followed at once
        await wait_for(pilot, lambda: screen.cell_tree.selected_cell_id == ids["report"], what="the focus followed")
        assert "following focus" in screen.query_one("#status").plain
        browser_post(browser, "/api/kernel/focus_cell", {"cellId": ids["alone"]})
        await wait_for(pilot, lambda: screen.cell_tree.selected_cell_id == ids["alone"], what="the next focus")

        await pilot.press("alt+f")  # off again
        assert "following focus" not in screen.query_one("#status").plain
        browser_post(browser, "/api/kernel/focus_cell", {"cellId": ids["base"]})
        await wait_for(pilot, lambda: screen.notebook.focused_cell == ids["base"], what="the last focus to arrive")
        await pilot.pause()
        assert screen.cell_tree.selected_cell_id == ids["alone"]
