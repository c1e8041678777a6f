"""The notebook view: how long it takes to draw the output gallery, and how fast keys are answered meanwhile.

A real `marimo edit` server with a browser-like session on a copy of
tests/notebooks/outputs_gallery.py (40 cells: pandas and polars frames of 3
and 5,000 rows, matplotlib, PIL, SVG, altair, plotly, every UI element, the
layouts), and the Textual app driven headless by a pilot (`App.run_test`).

1. Core: every gallery output read into parts (`parse_output`), cold then warm.
2. The app: f7 shows the notebook view; from then on a character is typed into
   the editor every 30 ms (or as soon as the last one is answered, when that
   took longer), and the time from when it was due until the editor shows it
   is recorded (key latency; the pilot shares the UI thread's loop, so a stall
   before a key is sent counts too) for at least 3 s, at least 20 keys, and
   until the view is drawn: every cell's block mounted with its output's
   widgets, and no worker running (tables, images, charts are decoded off the
   UI thread). Keys answered before and after the view was drawn are summed
   up apart.
3. Then ctrl+down walks through all 40 cells of the view, each step timed until
   the next cell has the focus and the view has scrolled it to its top
   (scrolling through rendered outputs).
Targets (the outputs issue): keys within 100 ms while it draws. Run:
    .venv/bin/python bench/notebook_render.py
"""

from __future__ import annotations

import asyncio
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from textual import events  # noqa: E402

from marimo_pair_tui.core.parts import parse_output  # noqa: E402
from tests.tui.support import TuiLab, make_app, pairing, wait_for  # noqa: E402

TARGET_MS = 100.0
MIN_KEYS = 20
MIN_SECONDS = 3.0
KEY_EVERY = 0.03  # seconds between keys, unless the last one is still unanswered


def summary(name: str, samples: list[float]) -> str:
    if not samples:
        return f"{name}: no samples"
    ms = sorted(s * 1000 for s in samples)
    p95 = ms[min(len(ms) - 1, int(len(ms) * 0.95))]
    return (f"{name}: median {statistics.median(ms):.1f} ms, p95 {p95:.1f} ms, max {ms[-1]:.1f} ms "
            f"({len(ms)} samples; target {TARGET_MS:.0f} ms: p95 is {p95 / TARGET_MS:.2f}x of it)")


def view_drawn(view, cells: int) -> bool:
    """Every cell's block mounted and its output drawn."""
    blocks = [view.block(c) for c in view.cell_ids]
    return (len(blocks) >= cells and all(b is not None and b.is_mounted for b in blocks)
            and all(b.output_view.drawn for b in blocks))


def at_top(view, cell_id: str) -> bool:
    """The cell's block sits at the top of the view (or the view is scrolled to its end)."""
    block = view.block(cell_id)
    return block is not None and view.scroll_y == min(block.virtual_region.y, view.max_scroll_y)


def parse_costs() -> None:
    fixtures = sorted((ROOT / "tests" / "fixtures" / "outputs").glob("*.json"))
    outputs = [json.loads(f.read_text())["output"] for f in fixtures]
    for label in ("cold", "warm"):
        began = time.perf_counter()
        for output in outputs:
            parse_output(output["mimetype"], output["data"])
        took = time.perf_counter() - began
        print(f"core: {len(outputs)} recorded outputs read into parts ({label}): {took * 1000:.1f} ms")


async def drive(lab: TuiLab) -> None:
    path, browser = lab.session("outputs_gallery.py", "gallery.py")
    app = make_app(lab.target(path, browser))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = pairing(app)
        await wait_for(pilot, lambda: len(screen.notebook.cells) >= 40, 120, "the live notebook")
        await wait_for(pilot, lambda: screen.notebook.is_idle(), 120, "an idle kernel")
        view = screen.notebook_view
        screen.editor.focus()
        await pilot.pause()
        began = time.perf_counter()
        app.post_message(events.Key("f7", None))
        drawing: list[float] = []  # keys answered before the view was drawn
        after: list[float] = []  # and once it was
        drawn = None
        due = time.perf_counter()  # when the next key is pressed, as a typist would
        while time.perf_counter() - began < 120:
            wait = due - time.perf_counter()
            if wait > 0:
                await asyncio.sleep(wait)  # a stall in this sleep delays the key: it counts from `due`
            text = screen.editor.text
            screen.editor.focus()
            app.post_message(events.Key("x", "x"))
            while screen.editor.text == text:
                await asyncio.sleep(0.001)
            answered = time.perf_counter()
            (after if drawn else drawing).append(answered - due)
            due = max(due + KEY_EVERY, answered)
            busy = [w for w in app.workers if not w.is_finished]
            if view_drawn(view, 40) and not busy:
                drawn = drawn or answered - began
                if answered - began > MIN_SECONDS and len(drawing) + len(after) >= MIN_KEYS:
                    break
            else:
                drawn = None
        print(f"app: notebook view of {len(view.cell_ids)} cells drawn (every block and output, no worker left) "
              f"{drawn if drawn is None else f'{drawn:.2f} s'} after f7")
        print(summary("app: key latency while it draws", drawing))
        print(summary("app: key latency once drawn", after))
        steps: list[float] = []
        view.focus_cell(view.cell_ids[0])
        await wait_for(pilot, lambda: at_top(view, view.cell_ids[0]), 10, "the first cell at the top")
        for index in range(1, len(view.cell_ids)):
            wanted = view.cell_ids[index]
            pressed = time.perf_counter()
            app.post_message(events.Key("ctrl+down", None))
            while view.current_cell_id != wanted or not at_top(view, wanted):
                await asyncio.sleep(0.001)
            steps.append(time.perf_counter() - pressed)
        print(summary("app: ctrl+down through the rendered cells", steps))


def main() -> None:
    parse_costs()
    base = Path(tempfile.mkdtemp(prefix="bench-notebook-"))
    lab = TuiLab(base)
    try:
        asyncio.run(drive(lab))
    finally:
        lab.close()
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
