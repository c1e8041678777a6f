"""What every MCP tool declaration shares: its argument types and the targeted call."""

from __future__ import annotations

from typing import Annotated, Awaitable, Callable

from mcp.server.mcpserver import Context
from mcp.types import CallToolResult
from pydantic import Field

from ...core.api import TargetSpec
from ...core.api import Document
from .results import answer

# The targeting arguments every session tool takes: short here, since the tool list repeats them on
# each tool; the server's instructions say the rest once (relative paths, --ssh hosts' URLs).
NotebookArg = Annotated[str | None, Field(description="The notebook: path or unique basename.")]
SessionArg = Annotated[str | None, Field(description="A session id (sess-...).")]
UrlArg = Annotated[str | None, Field(description="The marimo server's URL, when several run.")]
IdleTimeoutArg = Annotated[
    float | None,
    Field(description="Seconds to wait at most; then `reason` is timeout (nothing is interrupted). Omitted: no limit."),
]


def on(
    notebook: str | None, session: str | None, url: str | None,
    work: Callable[[TargetSpec], Awaitable[Document]],
) -> Awaitable[CallToolResult]:
    """Run `work` on the session the targeting arguments name, as a tool result."""
    return answer(lambda: work(TargetSpec(notebook=notebook, session=session, url=url)))


async def progress(ctx: Context, step: int, message: str) -> None:
    """Report progress when the client asked for it; a client that went away or refused it changes nothing."""
    try:
        await ctx.report_progress(step, None, message)
    except Exception:
        pass


class Progress:
    """What a tool does with what a call tells while it runs: numbered progress notifications."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.step = 0

    async def output(self, channel: str, text: str) -> None:
        await self._tell(text if channel == "stdout" else f"[stderr] {text}")

    async def prompt(self, cell: str, prompt: str) -> None:
        await self._tell(f"[waiting for input] {prompt}")

    def listening(self, seconds: float) -> None:
        """A tool does not listen before answering (`activity` has no listening window there)."""

    async def _tell(self, message: str) -> None:
        self.step += 1
        await progress(self.ctx, self.step, message)
