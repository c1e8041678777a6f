"""Time and memory of our MCP server when snippets write large outputs.

A real `marimo edit` server on a copy of tests/notebooks/demo.py with a
browser-like session, and our MCP server (`--headless mcp`) on one held
stdio client session. After one `cells` call (so the server follows the
session's live stream and activity log), it runs N `execute` calls, each of
which writes about SIZE bytes (`print` for stdout in one write, `lines` in
50-character lines; with `--kind output` the last expression's value; with `--kind cells`
N new cells, each created and run by `create_cell`, whose output is that
large), then reads `cells` and `activity` once more.

Prints the wall time of the N calls, the slowest call, the size of the
largest answer, and the MCP server's resident memory (VmRSS and VmHWM from
/proc/PID/status) before and after. Run:
    .venv/bin/python bench/mcp_big_outputs.py [--calls 50] [--size 1000000] [--kind print|lines|output|cells]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.marimo_proc import open_browser_session, start_marimo_server  # noqa: E402


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return found


def _memory(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM of a process, in MB."""
    figures = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            figures[key] = int(value.split()[0]) / 1024
    return figures


async def run(state_home: Path, calls: int, size: int, kind: str) -> None:
    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client

    env = {**os.environ, "XDG_STATE_HOME": str(state_home)}
    params = StdioServerParameters(command=sys.executable, args=["-m", "marimo_pair_tui", "--headless", "mcp"], env=env)
    before = set(_children(os.getpid()))
    code = {
        "print": f"print('x' * {size})",
        "lines": f"for _i in range({size // 50}):\n    print('x' * 49)",
        "output": f"'x' * {size}",
        "cells": "",
    }[kind]
    with open(os.devnull, "w") as errlog:
        async with stdio_client(params, errlog=errlog) as (read, write):
            async with ClientSession(read, write) as session:
                await session.initialize()
                server_pid = next(iter(set(_children(os.getpid())) - before))
                first = await session.call_tool("cells", {"notebook": "demo.py"})
                assert not first.is_error, first
                start_mem = _memory(server_pid)
                samples, largest = [], 0
                began = time.perf_counter()
                for _ in range(calls):
                    start = time.perf_counter()
                    if kind == "cells":  # a new cell whose output is the big value, run at once
                        result = await session.call_tool("create_cell", {
                            "notebook": "demo.py", "code": f"'x' * {size} + {str(len(samples))!r}", "run": True})
                    else:
                        result = await session.call_tool("execute", {"notebook": "demo.py", "code": code})
                    samples.append(time.perf_counter() - start)
                    if result.is_error:
                        raise SystemExit(f"execute failed: {str(result)[:400]}")
                    largest = max(largest, len(result.content[0].text))  # type: ignore[union-attr]
                total = time.perf_counter() - began
                start = time.perf_counter()
                cells = await session.call_tool("cells", {"notebook": "demo.py"})
                largest = max(largest, len(cells.content[0].text))  # type: ignore[union-attr]
                activity = await session.call_tool("activity", {"notebook": "demo.py", "limit": 50})
                reads = time.perf_counter() - start
                assert not cells.is_error and not activity.is_error
                end_mem = _memory(server_pid)
    print(f"{calls} x {'create_cell+run' if kind == 'cells' else 'execute'} of {kind} {size:,} chars (MCP server over stdio, real marimo server):")
    print(f"  total {total:.1f} s, median {sorted(samples)[len(samples) // 2]:.2f} s, slowest {max(samples):.2f} s per call")
    print(f"  largest answer {largest / 1e6:.2f} MB of JSON text; cells + activity afterwards {reads:.2f} s")
    print(f"  server memory: VmRSS {start_mem['VmRSS']:.0f} MB -> {end_mem['VmRSS']:.0f} MB, peak VmHWM {end_mem['VmHWM']:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=50)
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--kind", choices=("print", "lines", "output", "cells"), default="print")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-big-"))
    server = browser = None
    try:
        shutil.copytree(ROOT / "tests" / "notebooks", work / "nb")
        notebook = work / "nb" / "demo.py"
        server = start_marimo_server(notebook, state_home=work / "state")
        browser = open_browser_session(server, notebook)
        asyncio.run(run(server.state_home, args.calls, args.size, args.kind))
    finally:
        if browser is not None:
            browser.close()
        if server is not None:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
