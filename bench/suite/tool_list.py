"""Section 9: how many bytes an agent's context takes for the MCP tool list, ours against marimo's.

Both lists are read from real servers with the MCP SDK's own clients: ours over stdio from
`marimo-pair-tui --headless mcp`, marimo's over streamable HTTP from the run's `marimo edit --mcp tools`
server. Each `tools/list` result is measured as the same compact JSON (UTF-8, without null fields),
which is what a client hands its model; the server instructions sent with `initialize` are noted beside.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from typing import Any

from .common import Lab, Row

SECTION = "9. MCP: bytes of the tool list (tools/list)"


def _size(model: Any) -> int:
    return len(json.dumps(model.model_dump(mode="json", by_alias=True, exclude_none=True),
                          separators=(",", ":"), ensure_ascii=False).encode("utf-8"))


async def _listed(session: Any) -> tuple[int, int, int]:
    """(tools/list bytes, tool count, instructions bytes) of a client session."""
    started = await session.initialize()
    tools = await session.list_tools()
    return _size(tools), len(tools.tools), len((started.instructions or "").encode("utf-8"))


async def _ours(lab: Lab) -> tuple[int, int, int]:
    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client

    params = StdioServerParameters(command=sys.executable, args=["-m", "marimo_pair_tui", "--headless", "mcp"],
                                   env=lab.env.vars())
    with open(os.devnull, "w") as errlog:
        async with stdio_client(params, errlog=errlog) as (read, write):
            async with ClientSession(read, write) as session:
                return await _listed(session)


async def _marimo(lab: Lab) -> tuple[int, int, int]:
    from mcp import ClientSession
    from mcp.client.streamable_http import streamable_http_client

    async with streamable_http_client(lab.url + "/mcp/server") as (read, write, *_):
        async with ClientSession(read, write) as session:
            return await _listed(session)


def _row(name: str, listed: tuple[int, int, int], note: str = "", **extra: Any) -> Row:
    size, count, instructions = listed
    return Row(SECTION, f"{name} ({count} tools)", value=size, unit="B",
               note=f"{size / count:,.0f} B per tool; instructions {instructions:,} B{note}", **extra)


def measure(lab: Lab, log=print) -> list[Row]:
    theirs = asyncio.run(_marimo(lab))
    ours = asyncio.run(_ours(lab))
    log(f"  ours {ours[0]:,} B for {ours[1]} tools, marimo's {theirs[0]:,} B for {theirs[1]} tools")
    return [
        _row("marimo --mcp tools: tools/list", theirs, baseline="marimo"),
        _row("ours: --headless mcp tools/list", ours, note=f"; {ours[0] / theirs[0]:.2f}x marimo's list",
             target="<= marimo's list", met=ours[0] <= theirs[0]),
    ]
