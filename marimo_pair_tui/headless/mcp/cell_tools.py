"""The MCP tools that change cells: one code_mode program each, then the mirror catches up.

Each returns the headless shape of the operation's answer once the live mirror
holds the change, so the next `cells` reads what was written.
"""

from __future__ import annotations

from typing import Annotated

from mcp.server.mcpserver import MCPServer
from mcp.types import CallToolResult
from pydantic import Field

from ...core.api import documents
from ...core.api import Document
from ...core.api import PairingService, TargetSpec
from .tooling import CellArg, CodeArg, NotebookArg, PlaceArg, SessionArg, TimeoutArg, UrlArg, on


def register_cell_tools(server: MCPServer, service: PairingService) -> None:  # noqa: C901  (a flat list of tool declarations; each tool's function counts toward it)
    """Add create_cell and edit_cell."""

    @server.tool(title="Create a cell")
    async def create_cell(
        code: CodeArg,
        notebook: NotebookArg = None,
        session: SessionArg = None,
        url: UrlArg = None,
        after: PlaceArg = None,
        before: PlaceArg = None,
        name: Annotated[str | None, Field(description="A name for the cell (a Python identifier).")] = None,
        run: Annotated[bool, Field(description="Run the cell once created.")] = False,
        timeout: TimeoutArg = None,
    ) -> CallToolResult:
        """Add a cell (at the end unless placed) and save it to the notebook file. Refuses syntax errors,
        names another cell defines (naming that cell) and cycles; then nothing is applied."""

        async def work(spec: TargetSpec) -> Document:
            return documents.operation_document(await service.create_cell(
                spec, code, before=before, after=after, name=name, run=run, timeout=timeout))

        return await on(notebook, session, url, work)

    @server.tool(title="Edit a cell")
    async def edit_cell(
        cell: CellArg,
        code: CodeArg,
        notebook: NotebookArg = None,
        session: SessionArg = None,
        url: UrlArg = None,
        expect: Annotated[str | None, Field(description="The cell's `hash` as you read it: the edit is refused (conflict) if it changed since.")] = None,
        base: Annotated[str | None, Field(description="Or the cell's code as you read it.")] = None,
        force: Annotated[bool, Field(description="Overwrite whatever the cell holds now.")] = False,
        run: Annotated[bool, Field(description="Run the cell once edited.")] = False,
        timeout: TimeoutArg = None,
    ) -> CallToolResult:
        """Replace a cell's code only if it is still what you read (pass `expect`, the hash from `cells`).
        A conflict returns both versions (`theirs`, `yours`) and applies nothing."""

        async def work(spec: TargetSpec) -> Document:
            return documents.operation_document(await service.edit_cell(
                spec, cell, code, expect=expect, base=base, force=force, run=run, timeout=timeout))

        return await on(notebook, session, url, work)
