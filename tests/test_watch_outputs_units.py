"""Which outputs `watch` lines carry: a running cell's output when it moved, at most once an interval,
the newest held back never lost, the final state at once. The messages are marimo 0.25.2's, as recorded."""

from __future__ import annotations

from typing import Any

from marimo_pair_tui.core.api import OutputTicks
from marimo_pair_tui.core.model.notebook import Notebook

STACK = ("<div style='display: flex;flex: 1;flex-direction: column;justify-content: flex-start;align-items: normal;"
         "flex-wrap: nowrap;gap: 0.5rem'><marimo-progress data-title='&quot;Loading&quot;' data-total='5' "
         "data-progress='{}'></marimo-progress></div>")


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _notebook() -> Notebook:
    nb = Notebook()
    nb.apply_event({"op": "kernel-ready", "data": {"cell_ids": ["A", "B"], "codes": ["bar()", "x = 1"],
                                                   "names": ["bar", "x"], "configs": [{}, {}]}})
    return nb


def _op(nb: Notebook, status: str | None = None, progress: int | None = None) -> set[str]:
    data: dict[str, Any] = {"cell_id": "A", "status": status}
    if progress is not None:
        data["output"] = {"channel": "output", "mimetype": "text/html", "data": STACK.format(progress)}
    return set(nb.apply_event({"op": "cell-op", "data": data}).cell_ids)


def _bars(outputs: dict[str, Any]) -> list[int]:
    return [p["current"] for p in (outputs.get("A") or {}).get("progress", [])]


def test_ticks_inside_an_interval_are_held_then_printed_newest_and_the_end_at_once() -> None:
    nb, clock = _notebook(), Clock()
    ticks = OutputTicks(interval=0.25, clock=clock)
    first = ticks.seed(nb.cells)
    assert [c.id for c in first.cells] == ["A", "B"] and first.outputs == {}  # nothing ran yet: no outputs
    assert ticks.take(nb, _op(nb, "running")).outputs == {}
    assert _bars(ticks.take(nb, _op(nb, progress=1)).outputs) == [1]
    clock.now += 0.1
    assert ticks.take(nb, _op(nb, progress=2)).cells == []  # held: printed 0.1 s ago
    assert ticks.take(nb, _op(nb, progress=3)).cells == []
    assert ticks.wait(None) is not None and abs(ticks.wait(None) - 0.15) < 1e-9
    assert ticks.due(nb).cells == []
    clock.now += 0.15
    assert _bars(ticks.due(nb).outputs) == [3]  # the newest, not each tick
    assert ticks.wait(None) is None
    clock.now += 0.01
    assert ticks.take(nb, _op(nb, progress=4)).cells == []
    line = ticks.take(nb, _op(nb, "idle", progress=5))  # the end: at once, with the final output
    assert [c.status for c in line.cells] == ["idle"] and _bars(line.outputs) == [5]
    assert ticks.wait(None) is None


def test_an_unchanged_output_is_not_repeated_and_what_is_held_is_printed_at_the_end() -> None:
    nb, clock = _notebook(), Clock()
    ticks = OutputTicks(interval=0.25, clock=clock)
    ticks.seed(nb.cells)
    ticks.take(nb, _op(nb, "running", progress=1))
    clock.now += 0.3
    again = ticks.take(nb, _op(nb, progress=1))  # marimo re-sends the same bar when it closes
    assert [c.id for c in again.cells] == ["A"] and again.outputs == {}
    assert _bars(ticks.take(nb, _op(nb, progress=2)).outputs) == [2]  # its interval had passed
    clock.now += 0.01
    assert ticks.take(nb, _op(nb, progress=3)).cells == []
    assert _bars(ticks.due(nb, now=True).outputs) == [3]


def test_a_cell_running_when_watch_starts_carries_its_output() -> None:
    nb, clock = _notebook(), Clock()
    _op(nb, "running", progress=3)
    first = OutputTicks(clock=clock).seed(nb.cells)
    assert _bars(first.outputs) == [3] and "B" not in first.outputs


def test_changes_read_after_the_model_moved_on_print_its_newest_state_once() -> None:
    nb, clock = _notebook(), Clock()
    ticks = OutputTicks(interval=0.25, clock=clock)
    ticks.seed(nb.cells)
    heard = [_op(nb, "running")] + [_op(nb, progress=k) for k in range(1, 6)] + [_op(nb, "idle")]
    lines = [ticks.take(nb, ids) for ids in heard]  # the watch reads its queue after the model applied all
    printed = [line for line in lines if line.cells]
    assert len(printed) == 1 and _bars(printed[0].outputs) == [5] and printed[0].cells[0].status == "idle"
    assert ticks.due(nb, now=True).cells == []
