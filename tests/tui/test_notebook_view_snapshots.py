"""Snapshots of the notebook view against a real server, at 80x24 and 120x36, and of a picture of
an output shown under its cell (the screenshot key; a PNG made here stands for the camera's).

The notebook (tests/tui/notebooks/view.py) holds markdown, a pandas table, a
matplotlib figure drawn in unicode half-cells (MARIMO_PAIR_IMAGES=halfcell, so
the pixels do not depend on the terminal), and a slider, a dropdown and a
checkbox. Ids, ports and times are redacted; each snapshot is taken once every
output is drawn. Update with `pytest tests/tui/test_notebook_view_snapshots.py
--snapshot-update` after looking at the report.
"""

from __future__ import annotations

import io
from dataclasses import replace
from typing import Any

import pytest
from PIL import Image
from textual.widgets import Markdown
from textual.widgets.markdown import MarkdownBlock

from marimo_pair_tui.core.wire.sessions import Target
from marimo_pair_tui.tui.widgets.marks import MARK_STYLE
from marimo_pair_tui.tui.widgets.notebook_view import NotebookView
from marimo_pair_tui.tui.widgets.parts.table import TableView
from marimo_pair_tui.tui.widgets.parts.images import ImageView

from marimo_pair_tui.tui.screens.pairing.pictures import UNDER_CELL

from .support import TuiLab, make_app, wait_for, wait_live

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 36), id="120x36")]
CELLS = 8


@pytest.fixture(autouse=True)
def _half_cells(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MARIMO_PAIR_IMAGES", "halfcell")


@pytest.fixture(scope="module")
def fruit(lab: TuiLab) -> Target:
    path, browser = lab.session("view.py", "fruit.py")
    return lab.target(path, browser)


def drawn(view: NotebookView) -> bool:
    """Every cell's output drawn: pictures decoded, markdown laid out."""
    blocks = [view.block(c) for c in view.cell_ids]
    return (len(blocks) == CELLS and all(b is not None and b.output_view.drawn for b in blocks)
            and all(image.loaded for image in view.query(ImageView))
            and all(markdown.children for markdown in view.query(Markdown)))


async def notebook_at(pilot: Any, cell: str) -> None:
    """The notebook view shown, every output drawn, `cell` focused at the top."""
    screen = await wait_live(pilot, CELLS, timeout=60)
    await wait_for(pilot, lambda: screen.notebook.is_idle() and all(c.status for c in screen.notebook.cells),
                   timeout=60, what="every cell to have run")
    await pilot.press("f7")
    view = screen.notebook_view
    await wait_for(pilot, lambda: drawn(view), timeout=60, what="every output drawn")
    block = view.block(screen.notebook.cell(cell).id)
    view.focus_cell(block.cell_id)
    await wait_for(pilot, lambda: view.scroll_y == min(block.virtual_region.y, view.max_scroll_y),
                   what=f"{cell} at the top")
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


class TestNotebookView:
    @pytest.mark.parametrize("size", SIZES)
    def test_markdown_table_and_plot(self, snap_compare, fruit: Target, size: tuple[int, int]) -> None:
        async def ready(pilot: Any) -> None:
            await notebook_at(pilot, "heading")

        assert snap_compare(make_app(fruit), run_before=ready, terminal_size=size)

    @pytest.mark.parametrize("size", SIZES)
    def test_widgets(self, snap_compare, fruit: Target, size: tuple[int, int]) -> None:
        async def ready(pilot: Any) -> None:
            await notebook_at(pilot, "controls")

        assert snap_compare(make_app(fruit), run_before=ready, terminal_size=size)


def box_png() -> bytes:
    """A picture as the camera would take it: a red box on white, 240x120 px."""
    image = Image.new("RGB", (240, 120), "white")
    image.paste((255, 0, 0), (40, 20, 200, 100))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


async def picture_under(pilot: Any, cell: str) -> tuple[NotebookView, str]:
    """The notebook view with `cell` at the top and a picture of its output shown under it, drawn."""
    await notebook_at(pilot, cell)
    screen = pilot.app.screen
    view, cell_id = screen.notebook_view, screen.notebook.cell(cell).id
    assert view.show_picture(cell_id, UNDER_CELL, box_png())
    block = view.block(cell_id)
    await wait_for(pilot, lambda: block.picture is not None and all(i.loaded for i in block.picture.query(ImageView)),
                   what="the picture drawn")
    await pilot.pause()
    return view, cell_id


class TestPictureUnderTheCell:
    def test_the_picture_pane_at_80x24(self, snap_compare, fruit: Target) -> None:
        async def ready(pilot: Any) -> None:
            await picture_under(pilot, "heading")

        assert snap_compare(make_app(fruit), run_before=ready, terminal_size=(80, 24))

    async def test_the_picture_goes_when_the_output_changes(self, fruit: Target) -> None:
        app = make_app(fruit)
        async with app.run_test(size=(80, 24)) as pilot:
            view, cell_id = await picture_under(pilot, "heading")
            block = view.block(cell_id)
            shown = block.picture
            assert shown is not None and shown.part.width == 240 and shown.part.height == 120
            cell = app.screen.notebook.get(cell_id)
            block.update(cell)  # the same output: the picture stays
            assert block.picture is shown
            block.update(replace(cell, output=None))  # another output: a picture of the old one would mislead
            await wait_for(pilot, lambda: block.picture is None, what="the picture gone")
            assert not block.query(".cell-picture"), "its box went with it"


def marked_pieces(visual: Any) -> list[str]:
    """The pieces of a drawn text (Rich Text or Textual Content) the search marked."""
    return [visual.plain[s.start:s.end] for s in visual.spans if str(s.style) == MARK_STYLE]


def table_marks(view: NotebookView, cell_id: str) -> list[str]:
    table = view.block(cell_id).output_view.query_one(TableView).data_table
    return [piece for row in range(table.row_count) for value in table.get_row_at(row)
            for piece in marked_pieces(value)]


def markdown_marks(view: NotebookView, cell_id: str) -> list[str]:
    return [piece for block in view.block(cell_id).output_view.query(MarkdownBlock)
            for piece in marked_pieces(block.visual)]


async def test_a_search_marks_its_matches_in_drawn_tables_and_markdown(fruit: Target) -> None:
    app = make_app(fruit)
    async with app.run_test(size=(120, 36)) as pilot:
        await notebook_at(pilot, "table")
        screen = pilot.app.screen
        view = screen.notebook_view
        table, echo = screen.notebook.cell("table").id, screen.notebook.cell("echo").id
        assert table_marks(view, table) == [] and markdown_marks(view, echo) == []
        before = screen.search.searches
        await pilot.press("ctrl+f", *"pear")
        await wait_for(pilot, lambda: screen.search.searches > before and screen.search.count, what="the matches")
        await wait_for(pilot, lambda: table_marks(view, table) == ["pear"], what="the table's value marked")
        await wait_for(pilot, lambda: markdown_marks(view, echo) == ["pear"], what="the markdown's word marked")
        await pilot.press("escape")
        await wait_for(pilot, lambda: table_marks(view, table) == [] and markdown_marks(view, echo) == [],
                       what="the marks cleared")
