"""Section 4: how late our live model is, next to a bare websocket consumer of the same server.

A browser-like client runs one cell with new code (`POST /api/kernel/run`);
from just before that POST we time (a) our model: a `PairingService` mirror
whose change listener sees the cell's new output (bench/suite/model_consumer.py)
and (b) a bare kiosk consumer (bench/suite/raw_consumer.py), which also sends
the POST. Each runs in a process of its own and both are attached before
timing starts. The difference is what our stream handling and model add;
marimo's own work before it sends the first `cell-op` is in both.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from .common import Lab, Row, cell_code

SECTION = "4. live: another client runs a cell"
HERE = Path(__file__).resolve().parent


def _line(proc: subprocess.Popen, what: str) -> dict:
    line = proc.stdout.readline()
    if not line:
        raise RuntimeError(f"{what} ended: {proc.stderr.read()[-500:]!r}")
    return json.loads(line)


def _send(proc: subprocess.Popen, message: dict) -> None:
    proc.stdin.write((json.dumps(message) + "\n").encode())
    proc.stdin.flush()


def _measure(lab: Lab, size: int, samples: int) -> tuple[list[float], list[float], list[float], list[float]]:
    opened = lab.notebook(size)
    index = size // 2
    cell_id = opened.cell_ids[index]
    raw_first: list[float] = []
    raw_output: list[float] = []
    ours_first: list[float] = []
    ours_output: list[float] = []
    env = lab.env.vars()
    ours = subprocess.Popen([sys.executable, str(HERE / "model_consumer.py"), lab.url, opened.browser.session_id or "",
                             str(len(opened.cell_ids))], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env)
    raw = subprocess.Popen([sys.executable, str(HERE / "raw_consumer.py"), lab.url, str(opened.path),
                            opened.browser.routing_id, lab.token()], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, env=env)
    try:
        _line(ours, "our model process")
        _line(raw, "the raw consumer")
        for i in range(samples + 2):  # the first two are untimed
            marker = 7_000_000 + i
            _send(ours, {"cell_id": cell_id, "marker": marker})
            _line(ours, "our model process")
            _send(raw, {"cell_id": cell_id, "code": cell_code(index, marker), "marker": marker})
            got_raw = _line(raw, "the raw consumer")
            got_ours = _line(ours, "our model process")
            if i >= 2:
                t0 = got_raw["t0"]
                raw_first.append(got_raw["first"] - t0)
                raw_output.append(got_raw["output"] - t0)
                ours_first.append(min(t for t in got_ours["touched"] if t >= t0) - t0)
                ours_output.append(got_ours["output"] - t0)
            time.sleep(0.1)  # let the run's trailing messages (idle, variables) pass
    finally:
        for proc in (ours, raw):
            proc.stdin.close()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    lab.run_cells(opened, [cell_id], [cell_code(index)])  # the cell's own code back
    return raw_first, raw_output, ours_first, ours_output


def measure(lab: Lab, quick: bool, sizes: list[int], log=print) -> list[Row]:
    samples = 30 if quick else 60
    rows: list[Row] = []
    for size in sizes:
        raw_first, raw_output, ours_first, ours_output = _measure(lab, size, samples)
        overhead = Row(SECTION, "overhead: ours - raw, new output (per run)", size,
                       [a - b for a, b in zip(ours_output, raw_output)])
        if size == 1000:
            overhead.target = "p95 <= 5 ms at 1,000 cells"
            overhead.met = overhead.p95 is not None and overhead.p95 <= 0.005
        rows += [
            Row(SECTION, "raw websocket: first cell-op", size, raw_first),
            Row(SECTION, "raw websocket: cell-op with the new output", size, raw_output, baseline="raw"),
            Row(SECTION, "ours (PairingService model): first change", size, ours_first),
            Row(SECTION, "ours (PairingService model): new output", size, ours_output),
            overhead,
        ]
        log(f"  {size} cells: {samples} runs done")
    return rows
