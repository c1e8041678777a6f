"""The app's notebook view shows every output of the corpus as the kernel holds it.

The terminal app (Textual's harness) opens each corpus notebook on a real
server and shows the notebook view; for each output, the parts the view drew
(each UI element with the value its widget holds once the kernel's values
are read, each file saved with its Save button) are held to the same
checkers as the JSON doors, and a table's grid to the values the kernel
computes, written by the browser's rules.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path
from typing import Any, Iterator

import pytest
from textual.widgets import Button

from marimo_pair_tui.core.parts.model import LayoutPart, MediaPart, Part
from marimo_pair_tui.core.parts.text import parts_text
from marimo_pair_tui.tui.widgets.output_view import OutputView
from marimo_pair_tui.tui.widgets.parts.media import MediaView
from marimo_pair_tui.tui.widgets.parts.control import Control

from tests.tui.support import TuiLab, wait_for

from .app_books import book_in_app, check_seen, table_grid
from .corpus import BOOKS, OUTPUTS, outputs

Doc = dict[str, Any]


@pytest.fixture(autouse=True)
def _half_cells(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MARIMO_PAIR_IMAGES", "halfcell")


async def read_book(lab: TuiLab, book: str) -> dict[str, Doc]:
    """What the notebook view drew for each output of `book`, and the kernel's truths."""
    found: dict[str, Doc] = {}
    async with book_in_app(lab, book) as (pilot, screen, truths):
        await pilot.press("f7")
        view = screen.notebook_view
        for output in outputs(book):
            cell = screen.notebook.cell(output.name)
            await wait_for(pilot, lambda: view.block(cell.id) is not None
                           and view.block(cell.id).query_one(OutputView).drawn > 0,  # type: ignore[union-attr]
                           60, f"{output.name} drawn")
        await pilot._wait_for_screen()  # noqa: SLF001 - every widget drawn has asked for the kernel's value
        await wait_for(pilot, lambda: not view.query(Control)  # no widget: nothing to read
                       or (not screen.notebook.ui_stale and not view._reading_values),  # noqa: SLF001
                       60, "the kernel's UI values read")
        await pilot._wait_for_screen()  # noqa: SLF001 - and every widget has followed them
        for output in outputs(book):
            cell = screen.notebook.cell(output.name)
            drawn = view.block(cell.id).query_one(OutputView)  # type: ignore[union-attr]
            saved = await save_files(pilot, drawn, lab.dir / "saved" / output.name)
            parts = with_saved(drawn.shown_parts, saved)  # each element with the value its widget holds
            grid = table_grid(drawn)
            model = screen.notebook.cell(cell.id)
            found[output.name] = {
                "truth": truths[output.name],
                "output": {"text": parts_text(parts), "parts": [p.to_json() for p in parts]},
                "cell": {"console": [{"channel": c.channel, "mimetype": c.mimetype, "data": c.text}
                                     for c in model.console],
                         "errors": [{"kind": k, "message": m} for k, m in model.errors]},
                "grid": grid,
            }
    return found


async def save_files(pilot: Any, drawn: OutputView, directory: Path) -> dict[int, str]:
    """Each file the output offers saved with its Save button (into `directory`): where, by part."""
    views = [v for v in drawn.query(MediaView) if v.part.data]
    for view in views:
        directory.mkdir(parents=True, exist_ok=True)
        view.directory = directory
        view.query_one(Button).press()
    await wait_for(pilot, lambda: all(v.saved for v in views), 30, "the files saved")
    return {id(v.part): str(v.saved) for v in views}


def with_saved(parts: list[Part], saved: dict[int, str]) -> list[Part]:
    """The parts with each saved file's path, as the view's line says it."""
    found: list[Part] = []
    for part in parts:
        if isinstance(part, MediaPart) and id(part) in saved:
            part = replace(part, file=saved[id(part)])
        elif isinstance(part, LayoutPart):
            part = replace(part, children=with_saved(part.children, saved))
        found.append(part)
    return found


@pytest.fixture(scope="module")
def app_door(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Doc]]:
    """Each book opened in the app in turn (one server for all), read once."""
    lab = TuiLab(tmp_path_factory.mktemp("fidelity-app"))
    try:
        found: dict[str, Doc] = {}
        for book in BOOKS:
            found.update(asyncio.run(read_book(lab, book)))
        yield found
    finally:
        lab.close()


@pytest.mark.parametrize("output", OUTPUTS, ids=lambda o: o.name)
def test_notebook_view_shows_the_kernels_truth(app_door: dict[str, Doc], output: Any) -> None:
    check_seen(output, app_door[output.name])
