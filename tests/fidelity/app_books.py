"""A corpus notebook open in the app (Textual's harness) on a real server, with its outputs' truths."""

from __future__ import annotations

import json
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator

from textual.widget import Widget
from textual.widgets import DataTable

from marimo_pair_tui.tui.screens.pairing import PairingScreen
from marimo_pair_tui.tui.widgets.parts.table import TableView

from tests.support.marimo_proc import open_browser_session
from tests.tui.support import TuiLab, make_app, wait_live

from .checkers import CHECKERS, shown_cells
from .corpus import Output, notebook_text, outputs, truth_program


@asynccontextmanager
async def book_in_app(lab: TuiLab, book: str) -> AsyncIterator[tuple[Any, PairingScreen, dict[str, Any]]]:
    """The app live on `book` (a browser session, every cell run): its pilot, screen, and the truths the
    kernel computes for the book's outputs."""
    path = lab.dir / f"{book}.py"
    path.write_text(notebook_text(book), encoding="utf-8")
    browser = open_browser_session(lab.server, path, instantiate=True)
    lab.browsers.append(browser)
    app = make_app(lab.target(path, browser))
    async with app.run_test(size=(160, 60)) as pilot:
        screen = await wait_live(pilot, len(outputs(book)) + 1, timeout=90)
        reply = await screen.service.execute(screen.target, truth_program(book))
        assert reply.value.success, reply.value.stderr
        yield pilot, screen, json.loads(reply.value.stdout)


def table_grid(widget: Widget) -> list[list[str]] | None:
    """The cells of the first table `widget` draws, as shown (None: no table)."""
    if not widget.query(TableView):
        return None
    table = widget.query_one(TableView).query_one(DataTable)
    return [[c.plain for c in table.get_row_at(i)] for i in range(table.row_count)]


def check_seen(output: Output, seen: dict[str, Any]) -> None:
    """What the app showed of `output` (`{truth, output, cell, grid}`) against the kernel's truth: its
    kind's checker, and a table's grid against the truth's rows as the browser writes them."""
    CHECKERS[output.kind](seen["output"], seen["truth"], seen["cell"])
    if output.kind == "table":
        grid = seen["grid"]
        assert grid, "no table drawn"
        expected = shown_cells(seen["truth"])[: len(grid)]
        assert [row[-len(expected[0]):] for row in grid] == expected
