"""The notebook view's tables against a real server: row labels first, values as the browser writes them,
and a value cut by the table's visible edge marked `…`. The truth comes from snippets in the same kernel."""

from __future__ import annotations

from typing import Any

import pytest
from rich.text import Text
from textual.widgets import DataTable, Static

from marimo_pair_tui.core.wire.sessions import Target
from marimo_pair_tui.tui.screens.pairing import PairingScreen
from marimo_pair_tui.tui.widgets.parts.table import TableView


from .support import TuiLab, kernel_json, make_app, notebook_view_drawn

CELLS = 9


@pytest.fixture(scope="module")
def book(lab: TuiLab) -> Target:
    path, browser = lab.session("labelled_tables.py", "labelled.py")
    return lab.target(path, browser)


def kernel(lab: TuiLab, target: Target, expression: str) -> Any:
    return kernel_json(lab, target, expression)


async def view_open(pilot: Any) -> PairingScreen:
    """The notebook view shown, every output drawn."""
    return await notebook_view_drawn(pilot, CELLS)


def table_of(screen: PairingScreen, name: str) -> TableView:
    block = screen.notebook_view.block(screen.notebook.cell(name).id)
    assert block is not None
    return block.output_view.query_one(TableView)


def grid_rows(grid: DataTable[Text]) -> list[list[Text]]:
    return [list(grid.get_row_at(i)) for i in range(grid.row_count)]


async def test_row_labels_come_first_in_bold_and_stay_in_place(lab: TuiLab, book: Target) -> None:
    names = kernel(lab, book, "list(grouped.index.names)")
    labels = kernel(lab, book, "[list(k) for k in grouped.index.tolist()]")
    prices = kernel(lab, book, "grouped['price'].tolist()")
    app = make_app(book)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await view_open(pilot)
        table = table_of(screen, "grouped")
        grid = table.query_one(DataTable)
        headers = [c.label.plain.split(" ")[0] for c in grid.columns.values()]
        assert headers[: len(names)] == names and grid.fixed_columns == len(names)
        rows = grid_rows(grid)
        assert [[cell.plain for cell in row[: len(names)]] for row in rows] == labels
        assert all("bold" in str(cell.style) for row in rows for cell in row[: len(names)])
        price_at = headers.index("price")
        assert [float(row[price_at].plain.replace(",", "")) for row in rows] == prices
        assert [row[price_at].justify for row in rows] == ["right"] * len(rows)
        foot = str(table.query_one(".table-foot", Static).render())
        assert f"row labels: {', '.join(names)}" in foot

        stats = kernel(lab, book, "df.describe().index.tolist()")
        described = table_of(screen, "stats").query_one(DataTable)
        assert [row[0].plain for row in grid_rows(described)] == stats  # count, mean, std, …


async def test_a_value_cut_by_the_visible_edge_is_marked(lab: TuiLab, book: Target) -> None:
    """Every row's last visible value is whole or ends in `…`: never `52.` standing for 52.4."""
    app = make_app(book)
    async with app.run_test(size=(90, 40)) as pilot:
        table = table_of(await view_open(pilot), "wide")
        grid = table.query_one(DataTable)
        assert grid.virtual_size.width > grid.size.width  # wider than the view: something is cut
        columns = list(grid.columns.values())
        whole = [{cell.plain for cell in grid.get_row_at(i)} for i in range(grid.row_count)]

        def lines() -> list[str]:
            return ["".join(s.text for s in grid.render_line(y)) for y in range(1, grid.row_count + 1)]

        for scroll in (0, 7, 23):  # the view scrolled sideways too: the left edge cuts as well
            grid.scroll_to(x=scroll, animate=False)
            await pilot.pause()
            marked = 0
            for line, values in zip(lines(), whole):
                last = line.rstrip().split(" ")[-1]
                assert last.endswith("…") or last in values, (scroll, line)
                first = line.split()[0]
                assert first.startswith("…") or first in values, (scroll, line)
                marked += last.endswith("…") + first.startswith("…")
            assert marked, f"nothing was cut at scroll {scroll}: the check would prove nothing"
        assert len(columns) == 12
