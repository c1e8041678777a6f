"""One command that benchmarks marimo-pair-tui against its peers and publishes the results.

Every section measures ours and the peers side by side on the same marimo
server and the same notebook sessions (bench/suite/common.py), then the report
(bench/suite/report.py) prints a table with ratios and writes
docs/benchmarks.md, docs/benchmarks.png, docs/benchmarks-readme.md (a short
table that docs/service.md shows) and docs/benchmarks.json (the samples).

Sections (each a module of bench/suite/, so that one failing does not stop the rest):
  exec   one-shot `exec print(1)`: service warm / cold / in-process vs curl and `marimo pair execute`
  cells  one-shot `cells` at 10 .. 5,000 cells, idle and busy, vs code_mode and marimo's MCP read tool
  mcp    per-call overhead of our MCP `execute` over a bare httpx request
  live   our live model vs a raw websocket consumer when another client runs a cell
  app    the Textual app: first paint, peak RSS, keys during a re-run, notebook view scrolling
  bytes  bytes per read of a pandas, a chart and a widgets notebook vs marimo's MCP and code_mode reads
  grep   `grep` over 1,000 cells: warm service and in-process from the mirror, idle and busy, vs code_mode's cells.grep
  shots  `screenshot CELL` through the service: the first picture and later ones vs code_mode's ctx.screenshot()
  tools  bytes of our MCP server's tool list (tools/list) vs marimo's `--mcp tools` server's
  completion  the app's editor on a pandas frame: the first completion (jedi warmed while idle, or cold), later ones

Targets are reported against, never asserted. Run:
    .venv/bin/python bench/run.py [--quick] [--only NAME]
--quick: fewer calls, sizes 10/100/1000 only (about 3 minutes); the full run adds 5,000 cells
(about 7 minutes). --from-json docs/benchmarks.json writes the report again without measuring.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
import traceback
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.suite import app_tui, cells_oneshot, exec_oneshot, live_latency, mcp_overhead, read_bytes, report  # noqa: E402
from bench.suite import screenshots  # noqa: E402
from bench.suite import grep_search  # noqa: E402
from bench.suite import tool_list  # noqa: E402
from bench.suite import completion  # noqa: E402
from bench.suite.common import Env, Lab, Row, service  # noqa: E402

SECTIONS = {
    "exec": exec_oneshot.SECTION,
    "cells": cells_oneshot.SECTION,
    "mcp": mcp_overhead.SECTION,
    "live": live_latency.SECTION,
    "app": app_tui.SECTION,
    "bytes": read_bytes.SECTION,
    "grep": grep_search.SECTION,
    "shots": screenshots.SECTION,
    "tools": tool_list.SECTION,
    "completion": completion.SECTION,
}

DESCRIPTIONS = {
    exec_oneshot.SECTION: (
        "`marimo-pair-tui --headless exec --url URL --session ID -c 'print(1)'` as a fresh process per call on "
        "an idle 10-cell notebook: *service warm* (the default: a per-user background service reached over a "
        "Unix socket; one untimed call first), *service cold* (the service stopped before each call, so the "
        "call starts it), *in-process* (`MARIMO_PAIR_NO_SERVICE=1`), and *service warm, regular install*: the "
        "wheel built from the checkout and installed with `uv tool install` (not editable), with its own "
        "service. Peers: `curl -sN -X POST /api/kernel/execute` with the stable session header, and `marimo "
        "pair execute -c`. Targets: service warm ≤ 1.5x curl and ≥ 8x faster than `marimo pair execute`; "
        "from the regular install ≤ 1.2x curl."),
    cells_oneshot.SECTION: (
        "`marimo-pair-tui --headless cells --url URL --session ID` as a fresh process per call (answered from "
        "the live stream) against a code_mode read program through `marimo pair execute --code-file -` (a "
        "process per call) and marimo's own `--mcp tools` tool `get_cell_runtime_data` for every cell id (one "
        "held streamable-HTTP client session, no process start). *busy*: the notebook's last cell runs "
        "`time.sleep(600)` (sent as a browser sends a run); code_mode readers queue behind it, so they are "
        "called once and stopped at a cap, which interrupts the kernel. At 1,000 cells ours is also called from "
        "a regular install (the built wheel installed with `uv tool install`, its own service): the checkout's "
        "editable install makes every process import setuptools' editable finder first. Target: ours (service "
        "warm) ≤ 50 ms at 1,000 cells, idle and busy."),
    mcp_overhead.SECTION: (
        "Our MCP server (`marimo-pair-tui --headless mcp`, the MCP SDK's stdio client, one held session) runs "
        "`print(1)` with the `execute` tool; each call is paired with a bare `POST /api/kernel/execute` from a "
        "held `httpx.AsyncClient` (SSE read to the end), alternating which goes first. Overhead: the per-pair "
        "difference. Target: ≤ 5 ms (median)."),
    live_latency.SECTION: (
        "A browser-like client posts `/api/kernel/run` for one cell (the middle one) with new code; from just "
        "before the POST we time a bare kiosk websocket consumer (its own process; `websockets`, parses every "
        "message) and our model (its own process: a `PairingService` mirror and a change listener) until "
        "each sees the cell's first change and its new output. Clocks are CLOCK_MONOTONIC across processes. "
        "Overhead: ours − raw per run, for the new output. Target: p95 ≤ 5 ms at 1,000 cells."),
    app_tui.SECTION: (
        "The app in Textual's test harness (`App.run_test()`, 120x40) in a child process: first paint from "
        "entering `run_test` to the cell tree holding every cell (plus one refresh); peak RSS is the process's "
        "VmHWM from /proc/self/status, read before f7 (tree, editor, the re-run) and at the end (after the notebook "
        "view was shown and stepped through); the notes give RSS after imports and the growth; keys: a character "
        "typed into the editor every 30 ms while a browser-like run of every cell goes on, each timed from "
        "when it was due until the editor shows it; the notebook view (f7) until the blocks it mounts are there "
        "(a window of cells), then 80 ctrl+down steps from the first cell (past the window's edge), each timed "
        "until the next cell is focused and in sight. Targets: first paint ≤ 1 s at "
        "1,000 cells and ≤ 2 s at 5,000; peak RSS ≤ 150 MB; key p95 ≤ 100 ms."),
    read_bytes.SECTION: (
        "Bytes of one read of a whole notebook (every cell run by a browser-like session first): a pandas "
        "notebook (7 cells: markdown, a frame, `describe()`, a `groupby`, `value_counts()`, a print, a value), "
        "a chart notebook (altair, `mo.ui.altair_chart`, matplotlib, plotly) and a widgets notebook (slider, "
        "dropdown, text, multiselect, a stack of checkbox/switch/number, a form, a selectable `mo.ui.table`). "
        "Ours: `cells` (outputs as text and handles) and `cells --parts` (and typed parts), the JSON line a "
        "process prints. Peers: marimo's `--mcp tools` `get_cell_runtime_data` plus `get_cell_outputs` for "
        "every cell (the JSON text each tool result carries), and a code_mode program through `marimo pair "
        "execute` printing each cell's id, status, code, output mimetype and data, and console (its stdout). "
        "The text itself: the sum of our outputs' `text` (UTF-8). Target: the outputs of a default `cells` read ≤ 1.3x the text itself; the whole document is also set against every text it holds (code, output text, console, errors)."),
    screenshots.SECTION: (
        "`marimo-pair-tui --headless screenshot CELL --url URL --session ID` as a fresh process per call, through "
        "the pairing service (started, and the session followed, by one untimed `status` call first), on a "
        "two-cell notebook that draws a red and a blue box. The service launches the system's Chromium through "
        "Playwright as it starts, and opens the followed session as a read-only kiosk page in the background once "
        "it has had no call for 2 s; the first picture waits for what is not done yet and for the output to be "
        "drawn. It is measured with a service started afresh each time, in this order: asked at once after the "
        "`status` call with the browser's kept profile removed first (the first picture ever of this server: marimo's "
        "front end comes from the server, the worst a user meets), with warming off (`MARIMO_PAIR_BROWSER_WARM=0`: "
        "the picture launches the browser itself), asked 10 s after the `status` call, and asked at once after it; "
        "these three load the front end from the browser's HTTP cache, as for any server it has drawn before. Then pictures of the two cells in turn from the warm browser's kept page, and the whole notebook. "
        "Peer: marimo's code_mode `ctx.screenshot(CELL)` in the same session (run with our `exec`, timed inside "
        "the kernel, so no process start); it launches Playwright's own downloaded Chromium in the kernel's "
        "environment, and the row says when that is missing. Targets: first picture ≤ 3 s, later ones ≤ 1 s."),
    grep_search.SECTION: (
        "`grep` over a 1,000-cell notebook (every cell run): in this process, `PairingService.grep` on the warm "
        "live mirror (the call's resolution included) for text as written (`x_999`) and a regular expression "
        "(`x_\\d*7\\b`: a tenth of the cells' code and output), and the search over the mirror's model alone; "
        "`marimo-pair-tui --headless grep x_999 --url URL --session ID` as a fresh process per call through the "
        "warm service, idle and while the last cell sleeps, from the checkout and from a regular install (as in "
        "section 2). Peer: marimo's code_mode `ctx.cells.grep` (a regex over "
        "the code only; cells, not lines) through `marimo pair execute`, a process per call; busy, it waits for the "
        "kernel and is stopped at a cap. Target: ≤ 50 ms at 1,000 cells."),
    tool_list.SECTION: (
        "The `tools/list` result an agent's context takes in whole: ours read over stdio from `marimo-pair-tui "
        "--headless mcp` and marimo's over streamable HTTP from the run's `marimo edit --mcp tools` server, each "
        "with the MCP SDK's own client, both measured as the same compact JSON (UTF-8, null fields left out). The "
        "notes give bytes per tool and the instructions each server sends with `initialize`. Target: ours (30 "
        "tools) ≤ marimo's list (10 tools)."),
    completion.SECTION: (
        "The app in Textual's test harness (`App.run_test()`, 120x40) on a three-cell pandas notebook (a frame "
        "`sales`, its `groupby` sum `by_city`), each case in a fresh process so that jedi starts cold: ctrl+space "
        "in the editor after a text, timed until the app has the answer and shows the menu. *cold*: the app's "
        "warm-up off, the first completion (`sales.`) asked as soon as the screen is live; *idle 2 s*: the "
        "warm-up on (it starts after 0.5 s without input), the first completion asked after 2 s without input; *warmed*: asked once "
        "the warm-up (one throwaway completion on a pandas frame and a column, in a thread) has finished; then "
        "later completions round ten texts (`sales.gro`, `sales['qty'].`, `by_city.`, `pd.read_`, …). Targets: "
        "the first completion ≤ 1 s after the app has been idle 2 s; later ones p95 ≤ 300 ms."),
}


Log = Callable[[str], None]


def _sizes(args: argparse.Namespace) -> list[int]:
    return [10, 100, 1000] if args.quick else [10, 100, 1000, 5000]


def _app_sizes(args: argparse.Namespace) -> list[int]:
    return [1000] if args.quick else [1000, 5000]


# How each section measures, with the run's arguments.
MEASURES: dict[str, Callable[[Lab, argparse.Namespace, Log], list[Row]]] = {
    "exec": lambda lab, args, log: exec_oneshot.measure(lab, args.quick, log=log),
    "mcp": lambda lab, args, log: mcp_overhead.measure(lab, args.quick, log=log),
    "cells": lambda lab, args, log: cells_oneshot.measure(lab, args.quick, _sizes(args), log=log),
    "live": lambda lab, args, log: live_latency.measure(lab, args.quick, _sizes(args), log=log),
    "app": lambda lab, args, log: app_tui.measure(lab, args.quick, _app_sizes(args), log=log),
    "bytes": lambda lab, args, log: read_bytes.measure(lab, log=log),
    "grep": lambda lab, args, log: grep_search.measure(lab, args.quick, log=log),
    "shots": lambda lab, args, log: screenshots.measure(lab, args.quick, log=log),
    "tools": lambda lab, args, log: tool_list.measure(lab, log=log),
    "completion": lambda lab, args, log: completion.measure(lab, args.quick, log=log),
}


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer calls, sizes 10/100/1000 (about 3 minutes)")
    parser.add_argument("--only", choices=sorted(SECTIONS), action="append", help="run only this section (repeatable)")
    parser.add_argument("--docs", type=Path, default=ROOT / "docs", help="where the report goes (default: docs/)")
    parser.add_argument("--from-json", type=Path, metavar="FILE",
                        help="measure nothing: write the report again from a run's benchmarks.json")
    return parser.parse_args()


def _report_again(saved_run: Path, docs: Path) -> int:
    """The report written again from a run's benchmarks.json, measuring nothing."""
    saved = json.loads(saved_run.read_text(encoding="utf-8"))
    rows = [Row.from_json(r) for r in saved.pop("rows")]
    failures = saved.pop("failures")
    report.write(rows, failures, {**saved, "descriptions": DESCRIPTIONS}, docs)
    print(report.console_table(rows))
    return 0


def _measure(chosen: list[str], args: argparse.Namespace, log: Log) -> tuple[list[Row], dict[str, str]]:
    """Every chosen section's rows on one marimo server; a section that fails is kept with its traceback."""
    base = Path(tempfile.mkdtemp(prefix="bench-run-"))
    env = Env(base)
    rows: list[Row] = []
    failures: dict[str, str] = {}
    lab = None
    try:
        log(f"starting a marimo server ({'quick' if args.quick else 'full'} run: {', '.join(chosen)})")
        lab = Lab(env, log=log)
        for name in chosen:
            section = SECTIONS[name]
            log(section)
            try:
                rows += MEASURES[name](lab, args, log)
            except Exception:  # a failed section is reported with its error; the others still run
                failures[section] = traceback.format_exc()
                log(f"FAILED: {cells_oneshot.leaf_error(sys.exc_info()[1])}")
    except Exception:
        failures["setup"] = traceback.format_exc()
        log(f"FAILED: {failures['setup'].strip().splitlines()[-1]}")
    finally:
        service(env, "stop")  # the run's own background service, if one was started
        if lab is not None:
            lab.close()
        shutil.rmtree(base, ignore_errors=True)
    return rows, failures


def _write(args: argparse.Namespace, chosen: list[str], rows: list[Row], failures: dict[str, str],
           started_at: datetime, elapsed: float) -> None:
    """docs/benchmarks.md, .png, .json and the README table; the console table and failures printed."""
    command = "  ".join([".venv/bin/python bench/run.py", *(["--quick"] if args.quick else []),
                         *[f"--only {n}" for n in args.only or []]]).replace("  ", " ")
    info = {"date": started_at.strftime("%Y-%m-%d %H:%M UTC"), "command": command,
            "mode": "quick" if args.quick else "full", "elapsed": elapsed, "machine": report.machine(),
            "sections": [SECTIONS[n] for n in chosen], "sizes": _sizes(args), "app_sizes": _app_sizes(args),
            "descriptions": DESCRIPTIONS}
    print(report.console_table(rows))
    for section in failures:
        print(f"\n{section}: FAILED (the traceback is in docs/benchmarks.md)")
    md, png, readme = report.write(rows, failures, info, args.docs)
    (args.docs / "benchmarks.json").write_text(json.dumps(
        {**{k: v for k, v in info.items() if k != "descriptions"}, "failures": failures,
         "rows": [r.to_json() for r in rows]}, indent=1), encoding="utf-8")
    print("\n" + readme.read_text(encoding="utf-8"))
    print(f"wrote {md}, {png}, {readme} in {elapsed:.0f} s")


def _compile_package() -> None:
    """Bytecode for every module of ours, as an installed copy has it (pip compiles at install): no call
    measured pays for compiling a module edited since its cached copy was written."""
    import compileall

    compileall.compile_dir(str(ROOT / "marimo_pair_tui"), quiet=1)


def main() -> int:
    args = _arguments()
    if args.from_json:
        return _report_again(args.from_json, args.docs)
    chosen = [name for name in SECTIONS if not args.only or name in args.only]
    began = time.perf_counter()
    started_at = datetime.now(timezone.utc)

    def log(message: str) -> None:
        print(f"[{time.perf_counter() - began:6.1f} s] {message}", file=sys.stderr, flush=True)

    _compile_package()
    rows, failures = _measure(chosen, args, log)
    _write(args, chosen, rows, failures, started_at, time.perf_counter() - began)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
