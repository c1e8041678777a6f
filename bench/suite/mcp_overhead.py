"""Section 3: what one call through our MCP server costs on top of the HTTP request it makes.

Our `--headless mcp` server is driven over stdio by the MCP SDK's own client
(as an agent host drives it); each `execute` of `print(1)` is paired with a
bare request to the same execute endpoint from a held `httpx.AsyncClient`,
alternating which goes first. The overhead is the per-pair difference: the
JSON-RPC hop, targeting, the result document.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time

import httpx

from .common import Lab, Row

SECTION = "3. MCP: per-call overhead of execute print(1)"
SIZE = 10


async def _pairs(lab: Lab, calls: int) -> tuple[list[float], list[float]]:
    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client

    opened = lab.notebook(SIZE)
    session_id = opened.browser.session_id or ""
    params = StdioServerParameters(command=sys.executable, args=["-m", "marimo_pair_tui", "--headless", "mcp"],
                                   env=lab.env.vars())
    headers = {"Marimo-Stable-Session-Id": session_id}
    body = {"code": "print(1)"}
    ours: list[float] = []
    bare: list[float] = []
    async with httpx.AsyncClient(base_url=lab.url, timeout=60) as http:

        async def raw() -> float:
            start = time.perf_counter()
            async with http.stream("POST", "/api/kernel/execute", json=body, headers=headers) as response:
                text = (await response.aread()).decode()
            took = time.perf_counter() - start
            if "event: done" not in text or '"1\\n"' not in text:
                raise RuntimeError(f"execute endpoint: {text[-300:]!r}")
            return took

        with open(os.devnull, "w") as errlog:
            async with stdio_client(params, errlog=errlog) as (read, write):
                async with ClientSession(read, write) as session:
                    await session.initialize()
                    args = {"code": "print(1)", "url": lab.url, "session": session_id}

                    async def tool() -> float:
                        start = time.perf_counter()
                        result = await session.call_tool("execute", args)
                        took = time.perf_counter() - start
                        if result.is_error or (result.structured_content or {}).get("stdout") != "1\n":
                            raise RuntimeError(f"execute tool: {str(result)[:300]}")
                        return took

                    for _ in range(3):  # untimed: attach, discovery, first-call costs
                        await tool()
                        await raw()
                    for i in range(calls):
                        if i % 2:
                            ours.append(await tool())
                            bare.append(await raw())
                        else:
                            bare.append(await raw())
                            ours.append(await tool())
    return ours, bare


def measure(lab: Lab, quick: bool, log=print) -> list[Row]:
    calls = 50 if quick else 200
    ours, bare = asyncio.run(_pairs(lab, calls))
    log(f"  {calls} interleaved pairs done")
    overhead = Row(SECTION, "overhead: ours - httpx (per pair)", SIZE, [a - b for a, b in zip(ours, bare)],
                   target="<= 5 ms")
    overhead.met = overhead.median <= 0.005
    return [
        Row(SECTION, "bare httpx POST (held AsyncClient)", SIZE, bare, baseline="httpx"),
        Row(SECTION, "ours: MCP execute tool (stdio, held session)", SIZE, ours),
        overhead,
    ]
