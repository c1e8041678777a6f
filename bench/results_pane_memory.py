"""The app's memory and key latency while snippets print 200,000 short lines.

A real `marimo edit` server with a browser-like session on a copy of
tests/notebooks/demo.py, and the Textual app driven headless by a pilot
(`App.run_test`). Runs the snippet `for i in range(N): print(i)` RUNS times
(ctrl+r); during each run, types a character into the editor every 0.2 s and
times how long each keypress takes to show in the editor (key latency). After
each run, prints this process's resident memory (VmRSS from /proc/self/status)
and what the results pane holds. Run:
    .venv/bin/python bench/results_pane_memory.py [--runs 3] [--lines 200000]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from textual import events  # noqa: E402

from tests.tui.support import TuiLab, make_app, pairing, wait_for  # noqa: E402


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def drive(lab: TuiLab, runs: int, lines: int) -> None:
    path, browser = lab.session("demo.py", "bench.py")
    app = make_app(lab.target(path, browser))
    snippet = f"for _i in range({lines}):\n    print(_i)\n"
    async with app.run_test(size=(120, 40)) as pilot:
        screen = pairing(app)
        await wait_for(pilot, lambda: len(screen.notebook.cells) == 4, 60, "the live notebook")
        print(f"start: VmRSS {rss_mb():.0f} MB")
        for run in range(1, runs + 1):
            screen.editor.load_text(snippet)
            screen.editor.focus()
            screen.editor.move_cursor(screen.editor.document.end)
            before = len(screen.results.blocks)
            began = time.monotonic()
            # pilot.press waits for the app to be idle, i.e. for the whole run: post the keys instead.
            app.post_message(events.Key("ctrl+r", None))
            await wait_for(pilot, lambda: len(screen.results.blocks) > before, 30, "the run's block")
            block = screen.results.blocks[-1]
            latencies = []
            while block.finished is None:
                text = screen.editor.text
                pressed = time.perf_counter()
                app.post_message(events.Key("x", "x"))
                while screen.editor.text == text:
                    await asyncio.sleep(0.001)
                latencies.append(time.perf_counter() - pressed)
                await asyncio.sleep(0.2)
                if time.monotonic() - began > 300:
                    raise SystemExit("the run did not finish in 300 s")
            took = time.monotonic() - began
            await pilot.pause(0.5)
            gc.collect()
            pane = screen.results
            kept = sum(len(b.text) for b in pane.blocks)
            first = block.body.plain.split("\n", 1)[0]
            lat = (f"key latency median {statistics.median(latencies) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms"
                   f" ({len(latencies)} keys)" if latencies else "no key pressed during the run")
            print(f"run {run}: {took:.1f} s, VmRSS {rss_mb():.0f} MB, pane {len(pane.blocks)} blocks / {kept:,} chars; {lat}")
            print(f"        first body line: {first[:90]!r}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--lines", type=int, default=200_000)
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="bench-pane-"))
    lab = TuiLab(base)
    try:
        asyncio.run(drive(lab, args.runs, args.lines))
    finally:
        lab.close()
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
