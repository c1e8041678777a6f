"""Section 5: the terminal app on big notebooks: first paint, memory, keys during a re-run, scrolling.

Each size runs in a child process (bench/suite/app_child.py) so that the
peak RSS measured is the app's and not the benchmark's.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from .common import Lab, Row

SECTION = "5. the app (Textual, headless)"
CHILD = Path(__file__).resolve().parent / "app_child.py"
PAINT_TARGET = {1000: 1.0, 5000: 2.0}


def measure(lab: Lab, quick: bool, sizes: list[int], log=print) -> list[Row]:
    rows: list[Row] = []
    for size in sizes:
        try:
            rows += _size(lab, quick, size, log)
        except Exception as exc:  # one size failing leaves the others
            rows.append(Row(SECTION, "this size failed", size, status="failed", note=str(exc)[-800:].replace("\n", " ")))
            log(f"  {size} cells FAILED: {str(exc).strip().splitlines()[-1]}")
    return rows


def _size(lab: Lab, quick: bool, size: int, log) -> list[Row]:
    rows: list[Row] = []
    opened = lab.notebook(size)
    cells_json = lab.env.base / f"app-cells-{size}.json"
    cells_json.write_text(json.dumps({"ids": opened.cell_ids, "codes": opened.codes}))
    steps = 80  # past the first window's edge (60 cells) where the view has one
    proc = subprocess.run(
        [sys.executable, str(CHILD), lab.url, str(opened.path), opened.browser.session_id or "",
         opened.browser.routing_id, lab.token(), str(cells_json), str(steps)],
        capture_output=True, env=lab.env.vars(), timeout=900)
    if proc.returncode != 0:
        raise RuntimeError(f"app child for {size} cells: exit {proc.returncode}: {proc.stderr.decode()[-1500:]}")
    got = json.loads(proc.stdout.decode().strip().splitlines()[-1])
    paint = Row(SECTION, "first paint (start -> tree shows every cell)", size, value=got["first_paint_s"],
                note="one start")
    if size in PAINT_TARGET:
        paint.target = f"<= {PAINT_TARGET[size]:g} s"
        paint.met = got["first_paint_s"] <= PAINT_TARGET[size]
    before_view = Row(SECTION, "peak RSS (VmHWM): tree, editor and a re-run of every cell", size,
                      value=got["VmHWM_before_view_mb"], unit="MB", target="<= 150 MB",
                      met=got["VmHWM_before_view_mb"] <= 150,
                      note=f"RSS after imports, before the app: {got['memory_before_app_mb']:.0f} MB (growth "
                           f"{got['VmHWM_before_view_mb'] - got['memory_before_app_mb']:.0f} MB)")
    peak = Row(SECTION, "peak RSS (VmHWM) at the end: notebook view (f7) shown and stepped through", size,
               value=got["VmHWM_end_mb"], unit="MB", target="<= 150 MB", met=got["VmHWM_end_mb"] <= 150,
               note=f"growth from before the app {got['VmHWM_end_mb'] - got['memory_before_app_mb']:.0f} MB; "
                    f"RSS once the view's blocks were mounted {got['VmRSS_view_mounted_mb']:.0f} MB, "
                    f"at the end {got['VmRSS_end_mb']:.0f} MB")
    keys = Row(SECTION, "key latency in the editor while every cell re-runs", size, got["keys_s"],
               target="p95 <= 100 ms",
               note=f"re-run took {got['rerun_s']:.1f} s" + ("" if got["rerun_seen_busy"] else
                                                              "; the model never showed the kernel busy"))
    keys.met = keys.p95 is not None and keys.p95 <= 0.100
    view = Row(SECTION, "notebook view (f7) until its blocks are mounted", size, value=got["view_shown_s"],
               note=f"one time; {got['view_window']} blocks mounted")
    missed = got.get("steps_not_at_top") or []
    steps_row = Row(SECTION, "notebook view: ctrl+down step (focus + scroll)", size, got["steps_s"],
                    note=f"{len(got['steps_s'])} steps from the first cell" + (
                        f"; after {len(missed)} of them the cell was in sight but not at the top (steps "
                        f"{', '.join(map(str, missed[:8]))}{', …' if len(missed) > 8 else ''})" if missed else ""))
    rows += [paint, before_view, peak, keys, view, steps_row]
    log(f"  {size} cells: first paint {got['first_paint_s']:.2f} s, peak RSS {got['VmHWM_end_mb']:.0f} MB")
    return rows
