"""The app's Results pane shows every output a snippet can make as the kernel holds it.

Each corpus output with a `snippet` is run from the app's editor (Textual's
harness, one app and one session per notebook, every cell run first); the
parts the pane's block drew (each element with the value its widget holds)
are held to the same checkers as the JSON doors, and a table's grid to the
values the kernel computes, written by the browser's rules.
"""

from __future__ import annotations

import asyncio
from typing import Any, Iterator

import pytest

from marimo_pair_tui.core.parts.text import parts_text

from tests.tui.support import TuiLab, wait_for

from .app_books import book_in_app, check_seen, table_grid
from .corpus import BOOKS, OUTPUTS, Output, outputs

Doc = dict[str, Any]
SNIPPETS = [o for o in OUTPUTS if o.snippet]


@pytest.fixture(autouse=True)
def _half_cells(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MARIMO_PAIR_IMAGES", "halfcell")


async def run_book(lab: TuiLab, book: str) -> dict[str, Doc]:
    """What the pane drew for each snippet of `book`, and the kernel's truths."""
    found: dict[str, Doc] = {}
    async with book_in_app(lab, book) as (pilot, screen, truths):
        for output in outputs(book):
            if not output.snippet:
                continue
            runs = len(screen.results.blocks)
            screen.editor.load_text(output.snippet)
            await pilot.press("ctrl+r")
            await wait_for(pilot, lambda: len(screen.results.blocks) > runs
                           and screen.results.blocks[-1].finished is not None, 60, f"{output.name}'s snippet run")
            block = screen.results.blocks[-1]
            assert block.finished is True, block.text
            await wait_for(pilot, lambda: block.parts, 30, f"{output.name}'s output drawn")
            await pilot._wait_for_screen()  # noqa: SLF001 - its widgets mounted
            parts = block.shown_parts
            found[output.name] = {"truth": truths[output.name], "grid": table_grid(block),
                                  "output": {"text": parts_text(parts), "parts": [p.to_json() for p in parts]},
                                  "cell": {"console": [], "errors": []}}
    return found


@pytest.fixture(scope="module")
def pane_door(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Doc]]:
    """Each book's snippets run in the app in turn (one server for all)."""
    lab = TuiLab(tmp_path_factory.mktemp("fidelity-pane"))
    try:
        found: dict[str, Doc] = {}
        for book in BOOKS:
            if any(o.snippet for o in outputs(book)):
                found.update(asyncio.run(run_book(lab, book)))
        yield found
    finally:
        lab.close()


@pytest.mark.parametrize("output", SNIPPETS, ids=lambda o: o.name)
def test_results_pane_shows_the_kernels_truth(pane_door: dict[str, Doc], output: Output) -> None:
    check_seen(output, pane_door[output.name])
