"""The MCP tool for batched cell changes: several operations, applied together, run once."""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server.mcpserver import MCPServer
from mcp.types import CallToolResult
from pydantic import Field

from ...core.api import documents
from ...core.api import Document
from ...core.api import PairingService, TargetSpec
from .tooling import NotebookArg, SessionArg, TimeoutArg, UrlArg, on

OperationsArg = Annotated[
    list[Any],
    Field(description=(
        'The operations, in order: {"op": "create", "code": ..., "name"?, "after"?|"before"?, "id"?} '
        '("id": a temporary label later operations may name the new cell by), '
        '{"op": "edit", "cell": ..., "code": ..., "expect": HASH} (or "force": true), '
        '{"op": "move", "cell": ..., "after"|"before": ...}, {"op": "delete", "cell": ...}.'
    )),
]


def register_batch_tools(server: MCPServer, service: PairingService) -> None:
    """Add apply_changes."""

    @server.tool(title="Apply several cell changes")
    async def apply_changes(
        operations: OperationsArg,
        notebook: NotebookArg = None,
        session: SessionArg = None,
        url: UrlArg = None,
        run: Annotated[bool, Field(description="Run the created and edited cells (and what depends on them) once, "
                                               "after applying.")] = True,
        timeout: TimeoutArg = None,
    ) -> CallToolResult:
        """Apply several creates, edits, moves and deletes as one change, then run the affected cells once.
        Checked together first (syntax, multiply-defined names and cycles across the resulting notebook,
        conflicts by hash): a refusal names the operation (`error.operation.number`, from 1) and applies
        nothing. The answer lists each operation (`applied`), temporary ids -> cell ids (`ids`), the cells
        that ran (`ran`) and the affected cells' new state."""

        async def work(spec: TargetSpec) -> Document:
            return documents.operation_document(await service.apply_changes(spec, operations, run=run, timeout=timeout))

        return await on(notebook, session, url, work)
