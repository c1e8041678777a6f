"""What every MCP tool declaration shares: its argument types and the targeted call."""

from __future__ import annotations

from typing import Annotated, Awaitable, Callable

from mcp.server.mcpserver import Context
from mcp.types import CallToolResult
from pydantic import Field

from ...core.api import TargetSpec
from ...core.api import Document
from .results import answer

NotebookArg = Annotated[
    str | None,
    Field(description="The notebook: absolute path, path relative to the server's cwd, or a unique basename."),
]
SessionArg = Annotated[str | None, Field(description="A session id: the stable sess-... id, or a routing id.")]
UrlArg = Annotated[
    str | None,
    Field(description="The marimo server's URL, when several run (e.g. http://127.0.0.1:2718); "
                      "for an --ssh host, the URL the server has on that host."),
]
TimeoutArg = Annotated[
    float | None,
    Field(description="Seconds to wait at most; then the request is closed, which interrupts the kernel. None: no limit."),
]
CodeArg = Annotated[str, Field(description="Python code, exactly as it should arrive (no escaping needed).")]
CellArg = Annotated[str, Field(description="A cell id (from `cells`) or a unique cell name.")]
PlaceArg = Annotated[str | None, Field(description="A cell id or name to place it next to.")]


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
