"""The operations both headless doors offer come from one declaration each (headless/operations/):
the MCP tool and the command are made from it, so their arguments cannot drift apart."""

from __future__ import annotations

import asyncio
from typing import Any

import click
import pydantic
import pytest

from marimo_pair_tui.core.api import PairingService, hub_options
from marimo_pair_tui.headless.cli.entry import headless
from marimo_pair_tui.headless.declaration import Operation
from marimo_pair_tui.headless.mcp.server import build_server
from marimo_pair_tui.headless.operations import OPERATIONS

TARGET_TOOL_ARGS = {"notebook", "session", "url"}
TARGET_CLI_OPTIONS = {"urls", "session", "notebook", "token_file", "allow_insecure_token", "ssh"}
SERVERS_CLI_OPTIONS = {"urls", "token_file", "allow_insecure_token", "ssh"}
CODE_CLI_PARAMS = {"file", "stdin_marker"}  # beside -c: the other two ways code arrives
BATCH_CLI_PARAMS = {"file", "stdin_marker"}  # a batch's two ways in, in place of its argument

# Both doors offer each of these; none is declared twice.
SHARED = {
    "interrupt", "status", "restart_kernel", "answer", "variables", "graph", "ui", "set_ui", "table_page",
    "run_cells", "move_cell", "delete_cell", "add_packages", "servers", "notebooks", "open_notebook", "cells",
    "output", "execute", "create_cell", "edit_cell", "activity", "apply_changes",
}


def _tools() -> dict:
    server = build_server(PairingService(hub_options((), None, ())))
    return {tool.name: tool for tool in asyncio.run(server.list_tools())}, server


def _command(operation: Operation) -> click.Command:
    parent = headless.commands[operation.group] if operation.group else headless
    assert isinstance(parent, click.Group)
    return parent.commands[operation.command]


def _batch(arg: Any) -> bool:
    return arg.cli is not None and arg.cli.batch


def _cli_names(operation: Operation) -> set[str]:
    """The command's parameters the declaration says it takes."""
    names = {arg.name for arg in operation.cli_args() if not _batch(arg)}
    if any(arg.cli is not None and arg.cli.code for arg in operation.cli_args()):
        names |= CODE_CLI_PARAMS
    if any(_batch(arg) for arg in operation.cli_args()):
        names |= BATCH_CLI_PARAMS
    return names | (SERVERS_CLI_OPTIONS if operation.cli_targeting == "servers" else TARGET_CLI_OPTIONS)


def test_every_operation_both_doors_share_is_declared() -> None:
    declared = {operation.tool for operation in OPERATIONS}
    assert SHARED <= declared, sorted(SHARED - declared)


def test_each_declared_tool_takes_exactly_the_declared_arguments() -> None:
    tools, server = _tools()
    for operation in OPERATIONS:
        schema = tools[operation.tool].input_schema
        declared = {arg.name for arg in operation.tool_args()}
        targeting = TARGET_TOOL_ARGS if operation.targeted else set()
        assert set(schema["properties"]) == declared | targeting, operation.tool
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
        assert len(names) == len(set(names)), operation.command
        assert set(names) == _cli_names(operation), operation.command
        for arg in operation.cli_args():
            if _batch(arg):
                continue
            [param] = [p for p in command.params if p.name == arg.name]
            assert arg.cli is not None
            required = arg.required if arg.cli.required is None else arg.cli.required
            assert param.required == (required and not arg.cli.flags), (operation.command, arg.name)


def test_the_command_line_order_is_the_declared_one() -> None:
    """Where the command line orders its flags otherwise than the tool (as its help has always listed
    them), the declaration says so and the command follows it."""
    for operation in OPERATIONS:
        declared = [arg.name for arg in operation.cli_args() if not _batch(arg)]
        params = [param.name for param in _command(operation).params if param.name in declared]
        assert params == declared, operation.command
        if operation.cli_order:
            assert declared == [name for name in operation.cli_order if name in declared], operation.command


def test_a_declared_argument_is_the_same_on_both_doors() -> None:
    """An argument both doors take has one name, one default and one required-ness."""
    tools, _ = _tools()
    for operation in OPERATIONS:
        schema = tools[operation.tool].input_schema["properties"]
        params = {param.name: param for param in _command(operation).params}
        for arg in operation.tool_args():
            if arg.cli is None or _batch(arg):
                continue
            assert arg.name in schema and arg.name in params, (operation.tool, arg.name)
            param = params[arg.name]
            spelled_otherwise = arg.cli.negates or arg.cli.default is not arg.cli.__class__().default
            if isinstance(param, click.Option) and not arg.required and not spelled_otherwise:
                assert param.default == arg.default, (operation.tool, arg.name)
                assert schema[arg.name].get("default") == arg.default, (operation.tool, arg.name)


def test_the_tool_list_leaves_out_what_the_signature_already_says() -> None:
    """The listed schemas carry no generated titles and spell an optional argument as its type alone
    (not `anyOf [T, null]` with `default: null`); the arguments are still validated as declared, so an
    explicit null is accepted and a wrong type refused."""
    tools, server = _tools()
    for name, tool in tools.items():
        schema = tool.input_schema
        assert "title" not in schema, name
        for arg, prop in schema["properties"].items():
            assert "title" not in prop and prop.get("description"), (name, arg)
            assert {"type": "null"} not in prop.get("anyOf", []) and prop.get("default", 0) is not None, (name, arg)
    cells = tools["cells"].input_schema["properties"]
    assert cells["notebook"]["type"] == "string" and cells["ids"] == {
        "type": "array", "items": {"type": "string"}, "description": cells["ids"]["description"]}
    assert tools["execute"].input_schema["properties"]["timeout"]["type"] == "number"
    model = server._tool_manager.get_tool("cells").fn_metadata.arg_model
    assert model.model_validate({"notebook": None, "ids": None}).notebook is None
    with pytest.raises(pydantic.ValidationError):
        model.model_validate({"notebook": {"path": "x.py"}})


def test_the_targeting_arguments_read_the_same_on_every_tool() -> None:
    """notebook, session and url are described once, briefly: the tool list repeats them on every tool."""
    tools, _ = _tools()
    for arg in TARGET_TOOL_ARGS:
        texts = {tool.input_schema["properties"][arg]["description"] for tool in tools.values()
                 if arg in tool.input_schema["properties"] and tool.name != "notebooks"}
        assert len(texts) == 1 and len(texts.pop()) <= 60, arg
