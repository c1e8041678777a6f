"""Reading a notebook's cells while its kernel is busy: one-shot processes, ours against the peers.

One real `marimo edit` server on a notebook whose last cell sleeps (30 s by
default). The cell is started, then while it runs each reader is timed as a
fresh process, the way an agent's shell tool calls it:

- `marimo-pair-tui --headless cells` (the live stream: attach, replay, answer),
- `marimo-pair-tui --headless cells --refresh` (code_mode through the kernel: the
  path every `cells` took before it read the live stream),
- `marimo pair execute` with a code_mode read program (marimo's own CLI).

Each busy reader gets a notebook of its own, run as a browser runs it; the
code_mode readers wait for the sleeping cell, so each is timed once.
The same readers are also timed on an idle kernel. Run:
    .venv/bin/python bench/cells_busy.py [--calls N] [--sleep SECONDS]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.marimo_proc import open_browser_session, start_marimo_server  # noqa: E402

# The notebook of tests/test_service_regressions.py: its last cell sleeps 30 s (--sleep changes it).
NOTEBOOK = (ROOT / "tests" / "notebooks" / "long_nap.py").read_text(encoding="utf-8")

READ_PROGRAM = """\
import marimo._code_mode as cm
async with cm.get_context() as ctx:
    for cell in ctx.cells.values():
        print(cell.id, cell.status, repr(cell.code))
"""


def timed(cmd: list[str], env: dict[str, str], expect: str, stdin: bytes | None = None) -> float:
    start = time.perf_counter()
    # `python -m` puts the working directory first on sys.path: run from PYTHONPATH's tree when one is set.
    proc = subprocess.run(cmd, capture_output=True, env=env, input=stdin, timeout=600, cwd=env.get("PYTHONPATH"))
    took = time.perf_counter() - start
    if proc.returncode != 0 or expect.encode() not in proc.stdout:
        raise SystemExit(f"{cmd[:5]} failed: {proc.stdout[-300:]!r} {proc.stderr[-300:]!r}")
    return took


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=10)
    parser.add_argument("--sleep", type=float, default=30.0)
    parser.add_argument("--before", metavar="TREE", help="also time `cells` of another checkout (e.g. a git worktree "
                                                         "of an earlier commit), run with PYTHONPATH=TREE")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-cells-busy-"))
    server = start_marimo_server(work, state_home=work / "state")
    env = {**os.environ, "XDG_STATE_HOME": str(server.state_home)}
    ours = [sys.executable, "-m", "marimo_pair_tui", "--headless"]
    bindir = Path(sys.executable).parent
    marimo = [str(bindir / "marimo")] if (bindir / "marimo").exists() else [sys.executable, "-m", "marimo"]
    browsers = []

    def session(name: str) -> list[str]:
        """A notebook of its own, opened by a browser that has not run it: the flags that target it."""
        notebook = work / f"{name}.py"
        notebook.write_text(NOTEBOOK.replace("time.sleep(30)", f"time.sleep({args.sleep!r})"), encoding="utf-8")
        browser = open_browser_session(server, notebook, instantiate=False)
        browsers.append(browser)
        return ["--url", server.url, "--session", browser.session_id or ""]

    def busy(target: list[str]) -> float:
        """Run every cell as the browser does (the last one sleeps); return when it is running."""
        browsers[-1].instantiate(wait=False)
        deadline = time.monotonic() + 30
        while b'"running"' not in subprocess.run([*ours, "status", *target], capture_output=True, env=env).stdout:
            if time.monotonic() > deadline:
                raise SystemExit("the sleeping cell did not start")
        return time.monotonic()

    readers = {
        "marimo-pair-tui cells (live stream)": ([*ours, "cells"], None, env),
        "marimo-pair-tui cells --refresh (code_mode)": ([*ours, "cells", "--refresh"], None, env),
        "marimo pair execute (code_mode read)": ([*marimo, "pair", "execute", "--code-file", "-"],
                                                 READ_PROGRAM.encode(), env),
    }
    if args.before:
        readers[f"cells of {args.before}"] = ([*ours, "cells"], None, {**env, "PYTHONPATH": args.before})
    rows: list[tuple[str, str, float, int, float]] = []
    try:
        idle = session("idle")
        browsers[-1].instantiate(wait=False)
        for name, (cmd, stdin, cmd_env) in readers.items():
            expect = "x = 41" if stdin else "define_x"
            samples = [timed([*cmd, *idle], cmd_env, expect, stdin) for _ in range(args.calls)]
            rows.append(("idle", name, statistics.median(samples), len(samples), 0.0))
        for index, (name, (cmd, stdin, cmd_env)) in enumerate(readers.items()):
            target = session(f"busy{index}")
            began = busy(target)
            calls = args.calls if index == 0 else 1  # code_mode readers wait for the cell: one call each
            expect = "time.sleep" if stdin else "long_nap"
            samples = [timed([*cmd, *target], cmd_env, expect, stdin) for _ in range(calls)]
            rows.append(("busy", name, statistics.median(samples), calls, time.monotonic() - began))
    finally:
        for browser in browsers:
            browser.close()
        server.stop()
    print(f"cells of a 3-cell notebook, one process per call (medians of {args.calls} calls; while busy, the "
          f"code_mode readers one call each), busy: a {args.sleep:g} s cell started as a browser starts it")
    live = {kernel: t for kernel, name, t, _n, _e in rows if name.startswith("marimo-pair-tui cells (live")}
    for kernel, name, took, n, elapsed in rows:
        when = f", answered {elapsed:.1f} s into the run" if kernel == "busy" else ""
        print(f"  {kernel:5} {name:46} {took * 1000:9.1f} ms  x{took / live[kernel]:6.1f} of ours (n={n}{when})")


if __name__ == "__main__":
    main()
