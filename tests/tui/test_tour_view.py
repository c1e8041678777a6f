"""The shipped tour in the notebook view, against a real server: a table, a chart and a slider that drives a cell."""

from __future__ import annotations

import shutil
from typing import Any

import pytest
from textual.widgets import Markdown

from marimo_pair_tui.notebooks import TOUR
from marimo_pair_tui.tui.widgets.parts.images import ImageView
from marimo_pair_tui.tui.widgets.parts.numbers import NumberControl
from marimo_pair_tui.tui.widgets.parts.table import TableView
from tests.support.marimo_proc import open_browser_session

from .support import TuiLab, make_app, wait_for
from .test_notebook_view import open_view, output_of, settled


@pytest.fixture(autouse=True)
def _half_cells(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MARIMO_PAIR_IMAGES", "halfcell")


async def test_the_tour_shows_its_table_chart_and_a_slider_that_drives_a_cell(lab: TuiLab) -> None:
    path = lab.dir / "tour.py"
    shutil.copy(TOUR, path)
    browser = open_browser_session(lab.server, path)
    lab.browsers.append(browser)
    app = make_app(lab.target(path, browser))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settled(pilot, len(TOUR.read_text().split("@app.cell")) - 1)
        await open_view(pilot, screen)
        table = output_of(screen, "table").query_one(TableView)
        assert "square" in " ".join(str(c.label) for c in table.data_table.columns.values())
        assert output_of(screen, "chart").query(ImageView)  # drawn (vl-convert is a test dependency)
        picked = output_of(screen, "picked")
        await wait_for(pilot, lambda: "first **3** squares" in picked.query_one(Markdown).source)
        slider: Any = output_of(screen, "slider").query_one(NumberControl)
        slider.inputs[0].focus()
        await pilot.press("plus")
        await wait_for(pilot, lambda: picked.query(Markdown) and "first **4** squares" in picked.query_one(Markdown).source,
                       timeout=30, what="the markdown cell to follow the slider")
