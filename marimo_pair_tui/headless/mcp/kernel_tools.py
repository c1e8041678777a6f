"""The MCP tools for the kernel's lifecycle: its status and notices, restart it, answer an input() prompt."""

from __future__ import annotations

from typing import Annotated

from mcp.server.mcpserver import MCPServer
from mcp.types import CallToolResult
from pydantic import Field

from ...core.api import documents
from ...core.api import Document
from ...core.api import PairingService, TargetSpec
from .tooling import NotebookArg, SessionArg, UrlArg, on


def register_kernel_tools(server: MCPServer, service: PairingService) -> None:
    """Add status, restart_kernel and answer."""

    @server.tool(title="Kernel status and notices")
    async def status(notebook: NotebookArg = None, session: SessionArg = None, url: UrlArg = None) -> CallToolResult:
        """Whether the kernel is idle, what runs or waits for input, and what marimo told besides cells
        (`notices`): toasts (`mo.status.toast`), banners (e.g. "Kernel stopped"), startup logs and errors,
        package operations and whether the kernel needs a restart for them."""

        async def work(spec: TargetSpec) -> Document:
            return documents.status_document(await service.status(spec))

        return await on(notebook, session, url, work)

    @server.tool(title="Restart the kernel")
    async def restart_kernel(
        notebook: NotebookArg = None, session: SessionArg = None, url: UrlArg = None,
        run: Annotated[bool | None, Field(description="Run all cells in the new session (default: as marimo's config says).")] = None,
    ) -> CallToolResult:
        """Restart the session's kernel: every variable and output in memory is lost (the notebook file
        stays). The notebook gets a new session (`session` in the answer); later calls follow it."""

        async def work(spec: TargetSpec) -> Document:
            return documents.restart_document(await service.restart(spec, run=run))

        return await on(notebook, session, url, work)

    @server.tool(title="Answer input()")
    async def answer(
        text: Annotated[str, Field(description="The answer (one line, without the newline).")],
        notebook: NotebookArg = None, session: SessionArg = None, url: UrlArg = None,
    ) -> CallToolResult:
        """Answer the input() a cell or snippet waits on (`cells`' kernel.waiting_for_input shows it).
        Refused when nothing waits: the kernel would keep the text for the next input()."""

        async def work(spec: TargetSpec) -> Document:
            return documents.answer_document(await service.answer(spec, text), text)

        return await on(notebook, session, url, work)
