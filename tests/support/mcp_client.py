"""Drive `marimo-pair-tui --headless mcp` with the MCP SDK's own stdio client."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.types import CallToolResult

SERVER_ARGS = ["-m", "marimo_pair_tui", "--headless", "mcp"]


def server_env(state_home: Path, **extra: str) -> dict[str, str]:
    """The server's environment: our XDG_STATE_HOME (so it finds the test's registry), no token."""
    env = {k: v for k, v in os.environ.items() if k not in ("MARIMO_TOKEN", "MARIMO_PAIR_URLS")}
    env["XDG_STATE_HOME"] = str(state_home)
    env.update(extra)
    return env


@asynccontextmanager
async def mcp_session(state_home: Path, *args: str, cwd: Path | None = None) -> AsyncIterator[ClientSession]:
    """An initialized client session with a fresh server process; the process ends with the block."""
    params = StdioServerParameters(
        command=sys.executable, args=[*SERVER_ARGS, *args], env=server_env(state_home), cwd=cwd
    )
    with open(os.devnull, "w") as errlog:
        async with stdio_client(params, errlog=errlog) as (read, write):
            async with ClientSession(read, write) as session:
                await session.initialize()
                yield session


def document(result: CallToolResult) -> dict[str, Any]:
    """The structured result; its text rendering must be the same JSON."""
    assert isinstance(result.structured_content, dict), result
    texts = [c.text for c in result.content if getattr(c, "type", None) == "text"]
    assert len(texts) == 1 and json.loads(texts[0]) == result.structured_content
    return result.structured_content


async def call(session: ClientSession, tool: str, **arguments: Any) -> tuple[bool, dict[str, Any]]:
    """(is_error, document) of one tool call."""
    result = await session.call_tool(tool, arguments)
    return bool(result.is_error), document(result)
