"""The Results pane draws a run's output with the notebook view's part widgets, against a real server.

A snippet whose last expression is a DataFrame, a slider or an altair chart
shows the table's columns and values, the slider's label and value, and the
chart, as the notebook view would; what each shows is checked against what a
snippet computes in the same kernel. A traceback reads as plain text in the
notebook view.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from textual.widgets import DataTable, Static

from marimo_pair_tui.core.api import ChartPart, TablePart, WidgetPart
from marimo_pair_tui.core.wire.sessions import Target
from marimo_pair_tui.tui.screens.pairing import PairingScreen
from marimo_pair_tui.tui.widgets.notebook_cell import CellBlock
from marimo_pair_tui.tui.widgets.parts.images import ImageView
from marimo_pair_tui.tui.widgets.parts.numbers import NumberControl
from marimo_pair_tui.tui.widgets.parts.table import TableView
from marimo_pair_tui.tui.widgets.run_block import RunBlock

from tests.support.marimo_proc import open_browser_session

from .support import TuiLab, make_app, wait_for, wait_live

NOTEBOOK = '''import marimo

app = marimo.App()


@app.cell
def imports():
    import marimo as mo
    return (mo,)


@app.cell
def frame():
    import pandas as pd
    pd.DataFrame({"name": ["apple", "pear", "fig"], "qty": [3, 14, 159]})
    return


@app.cell
def divide():
    def f(x):
        return 1 / x
    y = f(0)
    return


if __name__ == "__main__":
    app.run()
'''
FRAME = 'pd.DataFrame({"name": ["apple", "pear", "fig"], "qty": [3, 14, 159]})'
SLIDER = 'mo.ui.slider(1, 10, value=4, label="count")'
CHART = 'alt.Chart(pd.DataFrame({"x": [1, 2, 3, 4], "y": [5, 6, 7, 8]})).mark_point().encode(x="x", y="y")'


@pytest.fixture(autouse=True)
def _half_cells(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MARIMO_PAIR_IMAGES", "halfcell")


def session(lab: TuiLab, name: str) -> Target:
    """NOTEBOOK on the lab's server, run by a browser."""
    path = lab.dir / name
    path.write_text(NOTEBOOK, encoding="utf-8")
    browser = open_browser_session(lab.server, path, instantiate=True)
    lab.browsers.append(browser)
    return lab.target(path, browser)


async def kernel_says(screen: PairingScreen, code: str) -> Any:
    """The JSON a snippet prints in the session's kernel: the truth the pane is checked against."""
    reply = await screen.service.execute(screen.target, code)
    assert reply.value.success, reply.value.stderr
    return json.loads(reply.value.stdout)


async def run_snippet(pilot: Any, screen: PairingScreen, code: str) -> RunBlock:
    runs = len(screen.results.blocks)
    screen.editor.load_text(code)
    await pilot.press("ctrl+r")
    await wait_for(pilot, lambda: len(screen.results.blocks) > runs and screen.results.blocks[-1].finished is not None,
                   60, f"the snippet {code.splitlines()[-1]!r}")
    block = screen.results.blocks[-1]
    assert block.finished is True, block.text
    return block


async def test_the_results_pane_draws_tables_widgets_and_charts_as_the_notebook_view(lab: TuiLab) -> None:
    app = make_app(session(lab, "results_parts.py"))
    async with app.run_test(size=(120, 50)) as pilot:
        screen = await wait_live(pilot, 3, timeout=60)

        # A DataFrame: the table's columns (with dtypes) and values, as the kernel holds them.
        frame = await kernel_says(screen, f"import json, pandas as pd\ndf = {FRAME}\nprint(json.dumps("
                                  "{'columns': [str(c) for c in df.columns], 'dtypes': [str(t) for t in df.dtypes], "
                                  "'rows': df.astype(str).values.tolist()}))")
        block = await run_snippet(pilot, screen, f"import pandas as pd\n{FRAME}")
        assert [type(p) for p in block.parts] == [TablePart]
        await wait_for(pilot, lambda: block.query(TableView) and block.query_one(DataTable).row_count == 3,
                       what="the table drawn")
        grid = block.query_one(TableView).query_one(DataTable)
        labels = [c.label.plain for c in grid.columns.values()]
        wanted = [f"{name} {dtype}" for name, dtype in zip(frame["columns"], frame["dtypes"])]
        assert labels[-len(wanted):] == wanted, labels
        shown = [[cell.plain for cell in grid.get_row_at(i)] for i in range(grid.row_count)]
        assert [row[-len(frame["columns"]):] for row in shown] == frame["rows"], shown
        assert "apple" in block.text and "159" in block.text  # the block's text says it too

        # A slider: its label and the value it was made with, as the kernel holds them (marimo refuses
        # `.value` in the cell that made the element).
        slider = await kernel_says(screen, f"import json\nimport marimo as mo\ns = {SLIDER}\n"
                                   "print(json.dumps({'value': s._args.initial_value, 'label': s._args.label}))")
        block = await run_snippet(pilot, screen, SLIDER)
        assert [type(p) for p in block.parts] == [WidgetPart]
        await wait_for(pilot, lambda: block.query(NumberControl), what="the slider drawn")
        control = block.query_one(NumberControl)
        assert control.inputs[0].value == str(slider["value"])
        assert str(control.query_one(".control-label", Static).render()) == slider["label"]

        # An altair chart: the chart's part, drawn (or described) as the notebook view draws it.
        rows = await kernel_says(screen, f"import json, altair as alt, pandas as pd\nc = {CHART}\n"
                                 "print(json.dumps(len(c.data)))")
        block = await run_snippet(pilot, screen, f"import altair as alt, pandas as pd\n{CHART}")
        (chart,) = block.parts
        assert isinstance(chart, ChartPart) and f"; {rows} rows" in chart.description
        await wait_for(pilot, lambda: block.query(ImageView) and block.query_one(ImageView).loaded, 60,
                       what="the chart drawn")
        assert block.query_one(ImageView).part is chart

        # A cell run (ctrl+g) draws the cell's output the same way, under the cell's name.
        screen.cell_tree.focus()
        assert screen.cell_tree.select_cell(screen.notebook.cell("frame").id)
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: screen.results.blocks[-1].kind == "run"
                       and screen.results.blocks[-1].query(TableView), 60, what="the cell run's table")
        ran = screen.results.blocks[-1]
        assert [type(p) for p in ran.parts] == [TablePart] and "frame:" in ran.text
        grid = ran.query_one(TableView).query_one(DataTable)
        assert [[c.plain for c in grid.get_row_at(i)][-2:] for i in range(grid.row_count)] == frame["rows"]

        # The widgets are a record: moving the slider there is refused, told, and shows the value again.
        control.choose(9)
        await wait_for(pilot, lambda: any("Value not set" in (n.title or "") for n in app._notifications),  # noqa: SLF001
                       what="the refusal told")


async def test_the_notebook_view_shows_a_traceback_as_plain_text(lab: TuiLab) -> None:
    app = make_app(session(lab, "traceback_view.py"))  # the browser's run: marimo highlights the traceback
    async with app.run_test(size=(120, 50)) as pilot:
        screen = await wait_live(pilot, 3, timeout=60)
        divide = screen.notebook.cell("divide")
        await wait_for(pilot, lambda: screen.notebook.cell(divide.id).status == "exception", 60, what="divide to fail")
        message = await kernel_says(screen, "import json\ntry:\n    f(0)\nexcept ZeroDivisionError as exc:\n"
                                    "    print(json.dumps(str(exc)))")
        await pilot.press("f7")
        view = screen.notebook_view
        await wait_for(pilot, lambda: view.block(divide.id) is not None, what="the cell in the notebook view")
        cell = view.block(divide.id)
        assert isinstance(cell, CellBlock)
        console = str(cell.query_one(".cell-console", Static).render())
        lines = console.splitlines()
        assert lines[0] == "Traceback (most recent call last):" and lines[-1] == f"ZeroDivisionError: {message}"
        assert any(line.strip().endswith("line 2, in f") for line in lines)
        assert "<span" not in console and "codehilite" not in console
