"""Reading a notebook's cells while its kernel is busy: one-shot processes, ours against the peers.

One real `marimo edit` server on a notebook whose last cell sleeps (30 s by
default). The cell is started, then while it runs each reader is timed as a
fresh process, the way an agent's shell tool calls it:

- `marimo-pair-tui --headless cells` (the live stream: attach, replay, answer),
- `marimo-pair-tui --headless cells --refresh` (code_mode through the kernel: the
  path every `cells` took before it read the live stream),
- `marimo pair execute` with a code_mode read program (marimo's own CLI).

The two code_mode readers wait for the sleeping cell, so each is timed once.
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

NOTEBOOK = """import marimo

app = marimo.App()


@app.cell
def define_x():
    x = 41
    return (x,)


@app.cell
def shown(x):
    y = x + 1
    y
    return (y,)


@app.cell
def long_nap():
    import time
    time.sleep({sleep})
    return


if __name__ == "__main__":
    app.run()
"""

READ_PROGRAM = """\
import marimo._code_mode as cm
async with cm.get_context() as ctx:
    for cell in ctx.cells.values():
        print(cell.id, cell.status, repr(cell.code))
"""


def timed(cmd: list[str], env: dict[str, str], expect: str, stdin: bytes | None = None) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, env=env, input=stdin, timeout=600)
    took = time.perf_counter() - start
    if proc.returncode != 0 or expect.encode() not in proc.stdout:
        raise SystemExit(f"{cmd[:5]} failed: {proc.stdout[-300:]!r} {proc.stderr[-300:]!r}")
    return took


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=10)
    parser.add_argument("--sleep", type=float, default=30.0)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-cells-busy-"))
    notebook = work / "busy.py"
    notebook.write_text(NOTEBOOK.replace("{sleep}", repr(args.sleep)), encoding="utf-8")
    server = start_marimo_server(notebook, state_home=work / "state")
    browser = open_browser_session(server, notebook, instantiate=False)
    env = {**os.environ, "XDG_STATE_HOME": str(server.state_home)}
    ours = [sys.executable, "-m", "marimo_pair_tui", "--headless"]
    target = ["--url", server.url, "--session", browser.session_id or ""]
    bindir = Path(sys.executable).parent
    marimo = [str(bindir / "marimo")] if (bindir / "marimo").exists() else [sys.executable, "-m", "marimo"]
    readers = {
        "marimo-pair-tui cells (live stream)": ([*ours, "cells", *target], None),
        "marimo-pair-tui cells --refresh (code_mode)": ([*ours, "cells", "--refresh", *target], None),
        "marimo pair execute (code_mode read)": ([*marimo, "pair", "execute", *target, "--code-file", "-"],
                                                 READ_PROGRAM.encode()),
    }
    rows: list[tuple[str, str, float, int]] = []
    runner = None
    try:
        for name, (cmd, stdin) in readers.items():  # idle kernel
            samples = [timed(cmd, env, "define_x" if stdin is None else "x = 41", stdin) for _ in range(args.calls)]
            rows.append(("idle", name, statistics.median(samples), len(samples)))
        def start_nap() -> subprocess.Popen[bytes]:
            nap = subprocess.Popen([*ours, "run", "long_nap", *target], env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            deadline = time.monotonic() + 30
            while b'"running"' not in subprocess.run([*ours, "status", *target], capture_output=True, env=env).stdout:
                if time.monotonic() > deadline:
                    raise SystemExit("the sleeping cell did not start")
            return nap

        runner = start_nap()
        began = time.monotonic()
        cmd, _ = readers["marimo-pair-tui cells (live stream)"]
        samples = [timed(cmd, env, "long_nap") for _ in range(args.calls)]
        rows.append(("busy", "marimo-pair-tui cells (live stream)", statistics.median(samples), len(samples)))
        left = args.sleep - (time.monotonic() - began)
        for name in ("marimo-pair-tui cells --refresh (code_mode)", "marimo pair execute (code_mode read)"):
            cmd, stdin = readers[name]
            rows.append(("busy", name, timed(cmd, env, "long_nap" if stdin is None else "time.sleep", stdin), 1))
            if name.startswith("marimo-pair-tui"):  # the cell ended; start it again for the next reader
                runner.wait(timeout=args.sleep + 60)
                runner = start_nap()
    finally:
        if runner is not None and runner.poll() is None:
            runner.kill()
        browser.close()
        server.stop()
    print(f"cells of a 3-cell notebook, one process per call (medians of {args.calls}; busy code_mode rows: one "
          f"call each, made while a {args.sleep:g} s cell ran, {left:.1f} s of it left when the first began)")
    live = {kernel: t for kernel, name, t, _ in rows if name.startswith("marimo-pair-tui cells (live")}
    for kernel, name, took, n in rows:
        ratio = took / live[kernel]
        print(f"  {kernel:5} {name:46} {took * 1000:9.1f} ms  x{ratio:6.1f} of ours (n={n})")


if __name__ == "__main__":
    main()
