"""Per-call cost over MCP: reading cells and running `print(1)`, ours against marimo's own.

Two real `marimo edit` servers on copies of tests/notebooks/demo.py, each with
a browser-like session:

- A runs `--mcp code-mode` (marimo's MCP endpoint with `execute_code`);
  our MCP server, `marimo pair execute` and marimo's `execute_code` all use it;
- B runs `--mcp tools` (marimo's read tools, e.g. `get_cell_runtime_data`).

Then N calls each, with one held MCP client session per server (the SDK's
stdio client for ours, its streamable-HTTP client for marimo's, which marimo
serves at /mcp/server), and one process per call for `marimo pair execute`:

- read every cell: our `cells` (live mirror), our `cells` with refresh (code_mode
  in the kernel), marimo's `get_cell_runtime_data`, and a code_mode read
  program through `marimo pair execute`;
- run print(1): our `execute`, marimo's `execute_code`, `marimo pair execute -c`.

Prints the median per call and ratios. Run:
    .venv/bin/python bench/mcp_latency.py [--calls N]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Awaitable, Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.marimo_proc import open_browser_session, start_marimo_server  # noqa: E402

READ_PROGRAM = """\
import marimo._code_mode as cm
async with cm.get_context() as ctx:
    for cell in ctx.cells.values():
        print(cell.id, cell.status, repr(cell.code))
"""


async def timed_async(call: Callable[[], Awaitable[Any]], calls: int, check: Callable[[Any], bool]) -> list[float]:
    await call()  # warm-up: first-call costs (attach, discovery) are not per-call costs
    samples = []
    for _ in range(calls):
        start = time.perf_counter()
        result = await call()
        samples.append(time.perf_counter() - start)
        if not check(result):
            raise SystemExit(f"unexpected result: {str(result)[:400]}")
    return samples


def timed_process(cmd: list[str], calls: int, env: dict[str, str], expect: str, stdin: bytes | None = None) -> list[float]:
    samples = []
    for _ in range(calls):
        start = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, env=env, input=stdin)
        samples.append(time.perf_counter() - start)
        if proc.returncode != 0 or expect.encode() not in proc.stdout:
            raise SystemExit(f"{cmd[:4]} failed: {proc.stdout[-300:]!r} {proc.stderr[-300:]!r}")
    return samples


async def ours(state_home: Path, calls: int) -> dict[str, list[float]]:
    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client

    env = {**os.environ, "XDG_STATE_HOME": str(state_home)}
    params = StdioServerParameters(command=sys.executable, args=["-m", "marimo_pair_tui", "--headless", "mcp"], env=env)
    results: dict[str, list[float]] = {}
    with open(os.devnull, "w") as errlog:
        async with stdio_client(params, errlog=errlog) as (read, write):
            async with ClientSession(read, write) as session:
                await session.initialize()
                results["read: ours, cells (live mirror)"] = await timed_async(
                    lambda: session.call_tool("cells", {"notebook": "demo.py"}), calls,
                    lambda r: not r.is_error and len(r.structured_content["cells"]) == 4,
                )
                results["read: ours, cells refresh (code_mode)"] = await timed_async(
                    lambda: session.call_tool("cells", {"notebook": "demo.py", "refresh": True}), calls,
                    lambda r: not r.is_error and len(r.structured_content["cells"]) == 4,
                )
                results["print(1): ours, execute"] = await timed_async(
                    lambda: session.call_tool("execute", {"notebook": "demo.py", "code": "print(1)"}), calls,
                    lambda r: not r.is_error and r.structured_content["stdout"] == "1\n",
                )
    return results


async def marimos(exec_url: str, read_url: str, cell_ids: list[str], calls: int) -> dict[str, list[float]]:
    from mcp import ClientSession
    from mcp.client.streamable_http import streamable_http_client

    results: dict[str, list[float]] = {}
    async with streamable_http_client(exec_url + "/mcp/server") as (read, write, *_):
        async with ClientSession(read, write) as session:
            await session.initialize()
            listed = await session.call_tool("list_sessions", {})
            session_id = listed.structured_content["sessions"][0]["session_id"]
            results["print(1): marimo --mcp code-mode, execute_code"] = await timed_async(
                lambda: session.call_tool("execute_code", {"session_id": session_id, "code": "print(1)"}), calls,
                lambda r: not r.is_error and "1" in str(r.structured_content),
            )
    async with streamable_http_client(read_url + "/mcp/server") as (read, write, *_):
        async with ClientSession(read, write) as session:
            await session.initialize()
            active = await session.call_tool("get_active_notebooks", {"args": {}})
            session_id = active.structured_content["data"]["notebooks"][0]["session_id"]
            args = {"args": {"session_id": session_id, "cell_ids": cell_ids}}
            results["read: marimo --mcp tools, get_cell_runtime_data"] = await timed_async(
                lambda: session.call_tool("get_cell_runtime_data", args), calls,
                lambda r: not r.is_error and len(r.structured_content["data"]) == len(cell_ids),
            )
    return results


def report(results: dict[str, list[float]], calls: int, notes: list[str]) -> None:
    medians = {name: statistics.median(samples) for name, samples in results.items()}
    print(f"Per-call cost on a 4-cell notebook, {calls} calls each after one warm-up (median per call; ratio = its median / ours):")
    for group, ours_name in (("read", "read: ours, cells (live mirror)"), ("print(1)", "print(1): ours, execute")):
        print(f"\n{group}:")
        for name, median in medians.items():
            if not name.startswith(group + ":"):
                continue
            label = name.split(": ", 1)[1]
            if name == ours_name or ours_name not in medians:
                print(f"  {label:52s} {median * 1000:8.1f} ms")
            else:
                print(f"  {label:52s} {median * 1000:8.1f} ms   {median / medians[ours_name]:6.1f}x ours")
    for note in notes:
        print(f"\nnote: {note}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=20)
    args = parser.parse_args()
    try:
        import mcp  # noqa: F401
    except ImportError:
        raise SystemExit("This benchmark needs the mcp extra: pip install 'marimo-pair-tui[mcp]'") from None
    work = Path(tempfile.mkdtemp(prefix="bench-mcp-"))
    notes: list[str] = []
    servers, browsers = [], []
    try:
        for name, mode in (("exec", "code-mode"), ("read", "tools")):
            shutil.copytree(ROOT / "tests" / "notebooks", work / name)
            notebook = work / name / "demo.py"
            server = start_marimo_server(notebook, state_home=work / f"state-{name}", extra_args=["--mcp", mode])
            servers.append(server)
            browsers.append(open_browser_session(server, notebook))
        exec_server, read_server = servers
        results = asyncio.run(ours(exec_server.state_home, args.calls))
        try:
            results.update(asyncio.run(marimos(exec_server.url, read_server.url, browsers[1].cell_ids, args.calls)))
        except Exception as exc:  # say why instead of hiding the row
            notes.append(f"marimo's MCP endpoint could not be driven: {exc.__class__.__name__}: {exc}")
        env = {**os.environ, "XDG_STATE_HOME": str(exec_server.state_home)}
        bindir = Path(sys.executable).parent
        marimo = [str(bindir / "marimo")] if (bindir / "marimo").exists() else [sys.executable, "-m", "marimo"]
        target = ["--url", exec_server.url, "--session", browsers[0].session_id or ""]
        results["read: marimo pair execute, code_mode read program"] = timed_process(
            [*marimo, "pair", "execute", *target, "--code-file", "-"], args.calls, env, "MJUe",
            stdin=READ_PROGRAM.encode(),
        )
        results["print(1): marimo pair execute -c"] = timed_process(
            [*marimo, "pair", "execute", *target, "-c", "print(1)"], args.calls, env, "1"
        )
        notes.append(
            "marimo's MCP runs inside its server (streamable HTTP, stateless: one POST per call); "
            "ours is a separate stdio process holding one HTTP client and a live mirror per session. "
            "`marimo pair execute` starts a process per call, as an agent's shell tool does."
        )
    finally:
        for browser in browsers:
            browser.close()
        for server in servers:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)
    report(results, args.calls, notes)


if __name__ == "__main__":
    main()
