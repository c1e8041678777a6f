"""The MCP tools for the kernel's state: UI elements (list, set), table pages, variables and the graph."""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server.mcpserver import MCPServer
from mcp.types import CallToolResult
from pydantic import Field

from ...core.api import documents
from ...core.api import Document
from ...core.api import PairingService, TargetSpec
from .tooling import NotebookArg, SessionArg, TimeoutArg, UrlArg, on


def register_ui_tools(server: MCPServer, service: PairingService) -> None:  # noqa: C901  (a flat list of tool declarations; each tool's function counts toward it)
    """Add ui, set_ui, table_page, variables and graph."""

    @server.tool(name="variables", title="List the kernel's variables")
    async def variables_(
        names: Annotated[list[str] | None, Field(description="Only these names.")] = None,
        notebook: NotebookArg = None, session: SessionArg = None, url: UrlArg = None,
    ) -> CallToolResult:
        """Every global of the kernel: type, value preview, the cells that define it (`declared_by`, more
        than one means multiply defined) and read it (`used_by`); dataframes with rows and columns.
        From the live stream: free, and it answers while the kernel is busy. Series and frames get
        their row labels (`index`) and a Series its first labelled values (`series.head`), read in the
        kernel when it is idle (a warning says when it was busy)."""

        async def work(spec: TargetSpec) -> Document:
            return documents.variables_document(await service.variables(spec, names=names, peek=True))

        return await on(notebook, session, url, work)

    @server.tool(title="Read the dataflow graph")
    async def graph(
        cell: Annotated[str | None, Field(description="A cell (id or name): its parents, children, ancestors, descendants.")] = None,
        name: Annotated[str | None, Field(description="A name: which cells define it and which read it.")] = None,
        notebook: NotebookArg = None, session: SessionArg = None, url: UrlArg = None,
    ) -> CallToolResult:
        """The cells' dataflow graph (from their defs and refs). Without `cell` or `name`: every cell's edges."""

        async def work(spec: TargetSpec) -> Document:
            return documents.graph_document(await service.graph(spec, cell=cell), name=name)

        return await on(notebook, session, url, work)

    @server.tool(name="ui", title="List UI elements")
    async def ui_(notebook: NotebookArg = None, session: SessionArg = None, url: UrlArg = None) -> CallToolResult:
        """Every UI element (slider, dropdown, table, …): object id, cell, variables bound to it, kind, Python
        type, label, current value in the kernel (as JSON: dates as ISO text, a dataframe as records with
        `value_rows`; a table's selection as records with its `rows`), domain (range and step, options),
        `settable` and, when not, `why_not_settable`; `text` says it in one line."""

        async def work(spec: TargetSpec) -> Document:
            return documents.ui_document(await service.ui(spec))

        return await on(notebook, session, url, work)

    @server.tool(title="Set a UI element")
    async def set_ui(
        target: Annotated[str, Field(description="The element: its object id, the variable bound to it, or its cell.")],
        value: Annotated[Any, Field(description="The value as Python sees it: a number, an option, a list of options, true/false, text, a YYYY-MM-DD date, a tab's name; any value presses a button; a table's selection as row numbers ([0, 3]; [] clears) or [{\"row\": 1, \"column\": \"age\"}] for cell selection; a form the value of the element it wraps; an array a list of its entries' values, a dictionary an object of them.")],
        label: Annotated[str | None, Field(description="Pick by label when `target` (a cell) holds several elements.")] = None,
        notebook: NotebookArg = None,
        session: SessionArg = None,
        url: UrlArg = None,
        timeout: TimeoutArg = None,
    ) -> CallToolResult:
        """Move a UI element as a person would: the value is checked against the element's domain (a refusal
        names what it accepts), set in the kernel, and the answer holds the cells that re-ran with their
        new outputs. Browsers showing the notebook see the new value. Elements only a browser can set (an
        upload, a chat, a chart's selection, …) are refused as `not_settable`, with the reason."""

        async def work(spec: TargetSpec) -> Document:
            return documents.set_ui_document(await service.set_ui(spec, target, value, label=label, timeout=timeout))

        return await on(notebook, session, url, work)

    @server.tool(title="Read a table page")
    async def table_page(
        object_id: Annotated[str, Field(description="The table's object_id (from its part in `cells` or `output`), "
                                                    "or the id or name of the cell whose output shows it.")],
        page: Annotated[int, Field(description="Page number, from 0.", ge=0)] = 0,
        page_size: Annotated[int, Field(description="Rows per page (1-1000).", ge=1, le=1000)] = 10,
        exact: Annotated[bool, Field(description="Write `text`'s numbers exactly (shortest digits that read "
                                                 "back) instead of as the browser's table shows them.")] = False,
        notebook: NotebookArg = None,
        session: SessionArg = None,
        url: UrlArg = None,
    ) -> CallToolResult:
        """Rows of a table output beyond the first page marimo shows inline, read in the kernel: `columns`
        (row labels first, `index: true`), `rows` (exact values), `total_rows`, `last_page`, and the page
        as a markdown table in `text`. A page after the last is refused (`page_out_of_range`)."""

        async def work(spec: TargetSpec) -> Document:
            return documents.table_page_document(await service.table_page(spec, object_id, page=page,
                                                                          page_size=page_size), exact=exact)

        return await on(notebook, session, url, work)
