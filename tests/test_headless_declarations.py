"""The operations both headless doors offer come from one declaration each (headless/operations.py):
the MCP tool and the command are made from it, so their arguments cannot drift apart."""

from __future__ import annotations

import asyncio

import click

from marimo_pair_tui.core.api import PairingService, hub_options
from marimo_pair_tui.headless.cli.entry import headless
from marimo_pair_tui.headless.declaration import Operation
from marimo_pair_tui.headless.mcp.server import build_server
from marimo_pair_tui.headless.operations import OPERATIONS

TARGET_TOOL_ARGS = {"notebook", "session", "url"}
TARGET_CLI_OPTIONS = {"urls", "session", "notebook", "token_file", "allow_insecure_token", "ssh"}


def _tools() -> dict:
    server = build_server(PairingService(hub_options((), None, ())))
    return {tool.name: tool for tool in asyncio.run(server.list_tools())}, server


def _command(operation: Operation) -> click.Command:
    parent = headless.commands[operation.group] if operation.group else headless
    assert isinstance(parent, click.Group)
    return parent.commands[operation.command]


def test_each_declared_tool_takes_exactly_the_declared_arguments() -> None:
    tools, server = _tools()
    for operation in OPERATIONS:
        schema = tools[operation.tool].input_schema
        declared = {arg.name for arg in operation.tool_args()}
        assert set(schema["properties"]) == declared | TARGET_TOOL_ARGS, operation.tool
        assert set(schema.get("required", [])) == {arg.name for arg in operation.tool_args() if arg.required}
        for arg in operation.tool_args():
            assert schema["properties"][arg.name]["description"] == (arg.mcp_help or arg.help), (operation.tool, arg.name)
            if not arg.required:
                assert schema["properties"][arg.name].get("default") == arg.default, (operation.tool, arg.name)
        # the tool server runs is the one the declaration made, not one written beside it
        assert server._tool_manager.get_tool(operation.tool).fn.operation is operation


def test_each_declared_command_takes_exactly_the_declared_arguments() -> None:
    for operation in OPERATIONS:
        command = _command(operation)
        assert getattr(command, "operation", None) is operation, operation.command
        names = [param.name for param in command.params]
        assert set(names) == {arg.name for arg in operation.cli_args()} | TARGET_CLI_OPTIONS, operation.command
        for arg in operation.cli_args():
            [param] = [p for p in command.params if p.name == arg.name]
            assert param.required == (arg.required and not (arg.cli and arg.cli.flags)), (operation.command, arg.name)


def test_a_declared_argument_is_the_same_on_both_doors() -> None:
    """An argument both doors take has one name, one default and one required-ness."""
    tools, _ = _tools()
    for operation in OPERATIONS:
        schema = tools[operation.tool].input_schema["properties"]
        params = {param.name: param for param in _command(operation).params}
        for arg in operation.tool_args():
            if arg.cli is None:
                continue
            assert arg.name in schema and arg.name in params, (operation.tool, arg.name)
            param = params[arg.name]
            if isinstance(param, click.Option) and not arg.required:
                assert param.default == arg.default, (operation.tool, arg.name)
                assert schema[arg.name].get("default") == arg.default, (operation.tool, arg.name)
