"""The notebook view: how long it takes to draw the output gallery, and how fast keys are answered meanwhile.

A real `marimo edit` server with a browser-like session on a copy of
tests/notebooks/outputs_gallery.py (40 cells: pandas and polars frames of 3
and 5,000 rows, matplotlib, PIL, SVG, altair, plotly, every UI element, the
layouts), and the Textual app driven headless by a pilot (`App.run_test`).

1. Core: every gallery output read into parts (`parse_output`), cold then warm.
2. The app: f7 shows the notebook view; from then on a character is typed into
   the editor every 30 ms and the time until the editor shows it is recorded
   (key latency) for at least 3 s and until the view holds every cell and no
   worker runs (tables, images, charts are decoded off the UI thread).
3. Then ctrl+down walks through all 40 cells of the view, each step timed until
   the next cell has the focus (scrolling through rendered outputs).
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


def summary(name: str, samples: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples)
    p95 = ms[min(len(ms) - 1, int(len(ms) * 0.95))]
    return (f"{name}: median {statistics.median(ms):.1f} ms, p95 {p95:.1f} ms, max {ms[-1]:.1f} ms "
            f"({len(ms)} samples; target {TARGET_MS:.0f} ms: p95 is {p95 / TARGET_MS:.2f}x of it)")


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
        latencies: list[float] = []
        drawn = None
        while time.perf_counter() - began < 120:
            text = screen.editor.text
            pressed = time.perf_counter()
            screen.editor.focus()
            app.post_message(events.Key("x", "x"))
            while screen.editor.text == text:
                await asyncio.sleep(0.001)
            latencies.append(time.perf_counter() - pressed)
            busy = [w for w in app.workers if not w.is_finished]
            if len(view.cell_ids) >= 40 and not busy:
                drawn = drawn or time.perf_counter() - began
                if time.perf_counter() - began > 3:  # keep typing a while: drawing goes on after mounting
                    break
            else:
                drawn = None
            await asyncio.sleep(0.03)
        print(f"app: notebook view of {len(view.cell_ids)} cells drawn (every block, no worker left) "
              f"{drawn if drawn is None else f'{drawn:.2f} s'} after f7")
        print(summary("app: key latency while it draws", latencies))
        steps: list[float] = []
        view.focus_cell(view.cell_ids[0])
        await pilot.pause()
        for _ in range(len(view.cell_ids) - 1):
            current = view.current_cell_id
            pressed = time.perf_counter()
            app.post_message(events.Key("ctrl+down", None))
            while view.current_cell_id == current:
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
