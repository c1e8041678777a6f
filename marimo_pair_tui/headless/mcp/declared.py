"""MCP tools made from the operations' declarations (headless/operations/).

Each tool's signature is built from the declared arguments (with the targeting arguments where
the declaration puts them), so its schema is what the declaration says; the tool calls the
declared service call and returns the declared document (and the declared images, as image content).
What the call tells while it runs (a snippet's output, an input() prompt) goes to the client as
progress notifications.
"""

from __future__ import annotations

import inspect
from typing import Annotated, Any

from mcp.server.mcpserver import Context, MCPServer
from mcp.types import CallToolResult
from pydantic import Field

from ...core.api import Document, PairingService, TargetSpec, UsageError
from ..declaration import DOOR, MCP, Arg, Door, Operation, Values
from .results import Images, answer_with_images
from .tooling import NotebookArg, Progress, SessionArg, UrlArg

TARGET_PARAMETERS = (("notebook", NotebookArg), ("session", SessionArg), ("url", UrlArg))


def _annotation(arg: Arg) -> Any:
    bounds: dict[str, Any] = {key: value for key, value in (("ge", arg.minimum), ("le", arg.maximum))
                              if value is not None}
    return Annotated[arg.type, Field(description=arg.mcp_help or arg.help, **bounds)]


def _parameter(arg: Arg) -> inspect.Parameter:
    default = inspect.Parameter.empty if arg.required else arg.default
    return inspect.Parameter(arg.name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=_annotation(arg))


def signature(operation: Operation) -> inspect.Signature:
    """The tool's parameters: the declared arguments, and the targeting ones where the declaration puts them."""
    parameters = [inspect.Parameter("ctx", inspect.Parameter.KEYWORD_ONLY, annotation=Context)]
    for arg in operation.args:
        if not isinstance(arg, Arg):
            parameters.extend(inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=kind)
                              for name, kind in TARGET_PARAMETERS)
        elif arg.mcp:
            parameters.append(_parameter(arg))
    return inspect.Signature(parameters, return_annotation=CallToolResult)


def add_tool(server: MCPServer, service: PairingService, operation: Operation) -> None:
    """Add the tool `operation` declares, served by `service`."""

    async def tool(ctx: Context, **given: Any) -> CallToolResult:
        targeting = {name: given.pop(name, None) for name, _ in TARGET_PARAMETERS} if operation.targeted else {}
        values = {**operation.defaults(), **given, DOOR: Door(MCP, Progress(ctx), tuple(service.hub.options.ssh_hosts))}
        shape, images = operation.tool_shape or operation.shape, operation.images

        async def work() -> tuple[Document, Images]:
            _refuse(operation, values)
            if operation.prepare is not None:
                values.update(operation.prepare(values))
            reply = await operation.call(service, TargetSpec(**targeting), values)
            return shape(reply, values), images(reply, values) if images is not None else []

        return await answer_with_images(work)

    tool.__signature__ = signature(operation)  # type: ignore[attr-defined]
    tool.__name__ = operation.function or operation.tool
    tool.operation = operation  # type: ignore[attr-defined]
    server.add_tool(tool, name=operation.tool, title=operation.title, description=operation.description)


def _refuse(operation: Operation, values: Values) -> None:
    """The declared refusals the MCP server makes before the call."""
    for check in operation.checks:
        if check.door == MCP and check.refused(values):
            raise UsageError(check.message, next=check.next)


def add_tools(server: MCPServer, service: PairingService, operations: tuple[Operation, ...]) -> None:
    for operation in operations:
        add_tool(server, service, operation)
