"""The notebook view's own machinery without a kernel: outputs taking turns to mount, and the focus marks."""

from __future__ import annotations

import asyncio
from typing import Any, Callable

from textual.app import App, ComposeResult
from textual.widgets import Input

from marimo_pair_tui.core.model.cell import Cell
from marimo_pair_tui.tui.display import Display
from marimo_pair_tui.tui.widgets.notebook_cell import CellBlock
from marimo_pair_tui.tui.widgets.notebook_view import NotebookView
from marimo_pair_tui.tui.widgets.output_view import Turns


class Refreshing:
    """Stands in for the app: a refresh comes on the next turn of the loop."""

    def call_after_refresh(self, callback: Callable[..., Any], *args: Any) -> None:
        asyncio.get_running_loop().call_soon(callback, *args)


class Waiting:
    """Stands in for an output waiting to mount, ranked by `rank`."""

    app = Refreshing()

    def __init__(self, rank: int) -> None:
        self.rank = rank


async def test_outputs_mount_one_at_a_time_the_best_ranked_first_and_a_cancelled_one_passes() -> None:
    turns = Turns(lambda view: view.rank)
    mounted: list[int] = []
    holding = asyncio.Event()
    release = asyncio.Event()

    async def draw(view: Waiting) -> None:
        async with turns.turn(view):  # type: ignore[arg-type]
            mounted.append(view.rank)
            if view.rank == 5:
                holding.set()
                await release.wait()

    first = asyncio.create_task(draw(Waiting(5)))
    await holding.wait()
    views = [Waiting(rank) for rank in (3, 0, 2, 1)]
    tasks = [asyncio.create_task(draw(view)) for view in views]
    for _ in range(3):
        await asyncio.sleep(0)
    assert mounted == [5] and turns.waiting == 4  # the others wait while one mounts
    tasks[1].cancel()  # rank 0 goes away before its turn
    release.set()
    await asyncio.gather(first, *tasks, return_exceptions=True)
    assert mounted == [5, 1, 2, 3] and turns.waiting == 0
    await asyncio.wait_for(draw(Waiting(9)), 5)  # nothing holds the turn afterwards
    assert mounted[-1] == 9


async def test_a_waiter_cancelled_before_its_handler_ran_is_passed_by_when_the_turn_moves_on() -> None:
    # A task's cancellation cancels the future it awaits at once; its handler (which takes it off the
    # list) runs a loop step later. A turn ending in between must hand the turn to the next live waiter.
    turns = Turns()
    loop = asyncio.get_running_loop()
    gone, live = loop.create_future(), loop.create_future()
    gone.cancel()
    turns._waiting = [(Waiting(0), gone), (Waiting(1), live)]  # type: ignore[list-item]
    turns._next()
    assert live.done() and not live.cancelled() and turns.waiting == 0


class Blocks(App[None]):
    def compose(self) -> ComposeResult:
        yield NotebookView(None, lambda: None, Display(redact=True), id="view")  # type: ignore[arg-type]
        yield Input(id="elsewhere")

    def on_mount(self) -> None:
        view = self.query_one(NotebookView)
        view.mount(CellBlock(Cell(id="a", code="a = 1"), Display()), CellBlock(Cell(id="b", code="b = 2"), Display()))


def marks(app: Blocks) -> tuple[bool, list[tuple[bool, bool]]]:
    view = app.query_one(NotebookView)
    blocks = list(view.query(CellBlock))
    return view.has_class("-focus-within"), [
        (block.has_class("-focus-within"), block.query_one(".cell-head").has_class("-focused")) for block in blocks]


async def test_the_focus_marks_follow_the_focus_from_block_to_block_and_out_of_the_view() -> None:
    app = Blocks()
    async with app.run_test() as pilot:
        await pilot.pause()
        first, second = app.query(CellBlock)
        first.focus()
        await pilot.pause()
        assert marks(app) == (True, [(True, True), (False, False)])
        second.focus()
        await pilot.pause()
        assert marks(app) == (True, [(False, False), (True, True)])
        app.query_one(NotebookView).focus()
        await pilot.pause()
        assert marks(app) == (True, [(False, False), (False, False)])
        app.query_one("#elsewhere").focus()
        await pilot.pause()
        assert marks(app) == (False, [(False, False), (False, False)])
