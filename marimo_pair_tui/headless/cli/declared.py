"""Commands made from the operations' declarations (headless/operations.py).

A command takes the targeting options, then the declared arguments as its flags and positional
arguments; it checks the declared rules before any I/O, makes the declared service call and
prints the declared document (exit 1 when a cell operation did not succeed).
"""

from __future__ import annotations

from typing import Any, get_args

import click

from ...core.api import EXIT_FAILED, EXIT_OK, Document, PairingService
from ..declaration import Arg, Flag, Operation, Values
from ..output import narrate, serve, usage_failure
from .options import Targeting, target_options


def _many(arg: Arg) -> bool:
    return list in (getattr(arg.type, "__origin__", None), *(getattr(a, "__origin__", None) for a in get_args(arg.type)))


def _click_type(arg: Arg) -> Any:
    kind = int if arg.type is int else float if arg.type in (float, float | None) else None
    if kind is None:
        return None
    if arg.minimum is None and arg.maximum is None:
        return kind
    if kind is int:
        return click.IntRange(min=None if arg.minimum is None else int(arg.minimum),
                              max=None if arg.maximum is None else int(arg.maximum))
    return click.FloatRange(min=arg.minimum, max=arg.maximum)


def _option(arg: Arg, flag: Flag) -> click.Option:
    flags = list(flag.flags)
    is_flag = arg.type is bool and "/" not in flags[0]
    return click.Option(
        [*flags, arg.name], is_flag=True if is_flag else None, default=None if arg.required else arg.default,
        type=None if is_flag else _click_type(arg), metavar=flag.metavar, show_default=flag.show_default,
        help=flag.help or arg.help, multiple=_many(arg),
    )


def _param(arg: Arg) -> click.Parameter:
    flag = arg.cli or Flag()
    if flag.flags:
        return _option(arg, flag)
    return click.Argument([arg.name], required=arg.required, nargs=-1 if _many(arg) else 1, metavar=flag.metavar)


def _values(operation: Operation, given: Values) -> Values:
    """The call's values: the declared defaults, what the command line gave, parsed as declared."""
    values = operation.defaults()
    for arg in operation.cli_args():
        value = given[arg.name]
        if isinstance(value, tuple):
            value = list(value)
        parse = arg.cli.parse if arg.cli else None
        values[arg.name] = parse(value) if parse and value is not None else value
    return values


def command_for(operation: Operation) -> click.Command:
    """The click command `operation` declares."""

    @target_options
    def callback(targeting: Targeting, /, **given: Any) -> None:
        # positional only: a declared argument may itself be named `target` (set-ui's element)
        values = _values(operation, given)
        for check in operation.checks:
            if check.refused(values):
                usage_failure(check.message, check.next)

        async def job(service: PairingService) -> tuple[Document, int]:
            reply = await operation.call(service, targeting.spec(), values)
            if operation.changes_cells and reply.value.narration:
                narrate(reply.value.narration)
            failed = operation.changes_cells and not reply.value.success
            return operation.shape(reply, values), EXIT_FAILED if failed else EXIT_OK

        serve(targeting.options(), job)

    command = click.Command(operation.command, callback=callback, help=operation.help,
                            params=[_param(arg) for arg in operation.cli_args()])
    # target_options declared its options on the callback; the command takes them first, as every command does.
    command.params[:0] = list(reversed(getattr(callback, "__click_params__", [])))
    command.operation = operation  # type: ignore[attr-defined]
    return command


def register(group: click.Group, operations: tuple[Operation, ...]) -> None:
    """Add the commands `operations` declare to the headless group (or to their sub-group)."""
    for operation in operations:
        parent = group.commands[operation.group] if operation.group else group
        assert isinstance(parent, click.Group)
        parent.add_command(command_for(operation))
