"""Per-call cost of running a snippet in a live kernel: marimo-pair-tui against its peers.

One real `marimo edit` server on a copy of tests/notebooks/demo.py, one
browser-like session, then N calls of `print(1)` through:

- `marimo pair execute` (marimo's own CLI: one process per call),
- curl on /api/kernel/execute (what the agent skill's execute-code.sh does),
- `marimo-pair-tui --headless exec` (one process per call, targeted by --notebook),
- marimo-pair-tui's core in-process with one held connection (TUI / MCP path).

Prints the median and ratios against `marimo pair execute`. Run:
    .venv/bin/python bench/exec_latency.py [--calls N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.marimo_proc import open_browser_session, start_marimo_server  # noqa: E402


def timed(cmd: list[str], calls: int, env: dict[str, str] | None = None) -> list[float]:
    samples = []
    for _ in range(calls):
        start = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, env=env)
        samples.append(time.perf_counter() - start)
        if proc.returncode != 0 or b"1" not in proc.stdout:
            raise SystemExit(f"{cmd[:3]} failed: {proc.stdout[-300:]!r} {proc.stderr[-300:]!r}")
    return samples


async def in_process(url: str, notebook: str, calls: int) -> list[float]:
    from marimo_pair_tui.core.service.pairing_service import HubOptions, PairingService, TargetSpec

    samples = []
    async with PairingService(HubOptions(urls=[url])) as service:
        target = (await service.resolve(TargetSpec(notebook=notebook))).value
        for _ in range(calls):
            start = time.perf_counter()
            result = (await service.execute(target, "print(1)")).value
            samples.append(time.perf_counter() - start)
            assert result.stdout == "1\n"
    return samples


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=10)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-exec-"))
    shutil.copytree(ROOT / "tests" / "notebooks", work / "notebooks")
    notebook = work / "notebooks" / "demo.py"
    server = start_marimo_server(notebook, state_home=work / "state")
    try:
        browser = open_browser_session(server, notebook)
        env = {**__import__("os").environ, "XDG_STATE_HOME": str(work / "state")}
        bindir = Path(sys.executable).parent
        marimo = [str(bindir / "marimo")] if (bindir / "marimo").exists() else [sys.executable, "-m", "marimo"]
        ours = [str(bindir / "marimo-pair-tui")] if (bindir / "marimo-pair-tui").exists() else [sys.executable, "-m", "marimo_pair_tui"]
        body = json.dumps({"code": "print(1)"})
        results = {
            "marimo pair execute": timed(
                [*marimo, "pair", "execute", "--url", server.url, "--session", browser.session_id, "-c", "print(1)"],
                args.calls, env,
            ),
            "curl /api/kernel/execute": timed(
                ["curl", "-sN", "-X", "POST", f"{server.url}/api/kernel/execute",
                 "-H", "Content-Type: application/json",
                 "-H", f"Marimo-Stable-Session-Id: {browser.session_id}", "-d", body],
                args.calls, env,
            ),
            "marimo-pair-tui --headless exec": timed(
                [*ours, "--headless", "exec", "--notebook", "demo.py", "-c", "print(1)"], args.calls, env
            ),
            "marimo-pair-tui core (held connection)": asyncio.run(in_process(server.url, "demo.py", args.calls)),
        }
        browser.close()
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    base = statistics.median(results["marimo pair execute"])
    print(f"print(1) in a live kernel, {args.calls} calls each (median seconds per call):")
    for name, samples in results.items():
        median = statistics.median(samples)
        print(f"  {name:42s} {median:7.3f} s   {base / median:6.1f}x faster than marimo pair" if name != "marimo pair execute"
              else f"  {name:42s} {median:7.3f} s   (baseline)")


if __name__ == "__main__":
    main()
