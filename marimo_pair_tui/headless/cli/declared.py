"""Commands made from the operations' declarations (headless/operations/).

A command takes the targeting options, then the declared arguments as its flags and positional
arguments (code from -c, --file or stdin where the declaration says so); it checks the declared
rules before any I/O, makes the declared service call and prints the declared document (exit 1
when a cell operation or a snippet did not succeed). With a streaming flag set, what the call
tells while it runs is printed as JSON lines before the document.
"""

from __future__ import annotations

from typing import Any, Callable, get_args

import click

from ...core.api import EXIT_FAILED, EXIT_OK, Document, PairingService, documents
from ..declaration import CLI, DOOR, REQUIRED, Arg, Door, Flag, Operation, Values
from ..output import emit, narrate, serve, tell_prompt, usage_failure
from .batch_input import read_batch
from .options import Targeting, from_stdin, read_cell_code, read_code, servers_options, target_options


class Printed:
    """What a command does with what a call tells while it runs: streamed as JSON lines when asked,
    a prompt and a listening window told on stderr."""

    def __init__(self, streaming: bool) -> None:
        self.streaming = streaming

    def output(self, channel: str, text: str) -> None:
        if self.streaming:
            emit(documents.stream_chunk(channel, text))

    def prompt(self, cell: str, prompt: str) -> None:
        if self.streaming:
            emit({"waiting_for_input": {"cell": cell, "prompt": prompt}})
        tell_prompt(cell, prompt)

    def listening(self, seconds: float) -> None:
        narrate(f"listening for {seconds:g} s")


def _many(arg: Arg) -> bool:
    return list in (getattr(arg.type, "__origin__", None), *(getattr(a, "__origin__", None) for a in get_args(arg.type)))


def _click_type(arg: Arg, flag: Flag) -> Any:
    if flag.path is not None:
        return click.Path(dir_okay=False) if flag.path == "file" else click.Path(file_okay=False)
    kind = int if arg.type is int else float if arg.type in (float, float | None) else None
    if kind is None:
        return None
    if arg.minimum is None and arg.maximum is None:
        return kind
    if kind is int:
        return click.IntRange(min=None if arg.minimum is None else int(arg.minimum),
                              max=None if arg.maximum is None else int(arg.maximum))
    return click.FloatRange(min=arg.minimum, max=arg.maximum)


def _default(arg: Arg, flag: Flag) -> Any:
    if flag.negates:
        return False
    if flag.default is not REQUIRED:
        return flag.default
    return None if arg.required else arg.default


def _option(arg: Arg, flag: Flag) -> click.Option:
    flags = list(flag.flags)
    is_flag = arg.type is bool and "/" not in flags[0]
    return click.Option(
        [*flags, arg.name], is_flag=True if is_flag else None, default=_default(arg, flag),
        type=None if is_flag else _click_type(arg, flag), metavar=flag.metavar, show_default=flag.show_default,
        help=flag.help or arg.help, multiple=_many(arg),
    )


def _params(arg: Arg) -> list[click.Parameter]:
    flag = arg.cli or Flag()
    if flag.batch:  # the batch's two ways in: a file, or stdin
        return [click.Option(["--file", "file"], metavar="PATH", help="Read the operations (JSON) from a file."),
                click.Argument(["stdin_marker"], required=False, metavar="[-]")]
    if flag.code:  # -c CODE, then the other two ways the code arrives
        return [_option(arg, flag), click.Option(["--file", "file"], metavar="PATH", help="Read the code from a file."),
                click.Argument(["stdin_marker"], required=False, metavar="[-]")]
    if flag.flags:
        return [_option(arg, flag)]
    required = arg.required if flag.required is None else flag.required
    return [click.Argument([arg.name], required=required, nargs=-1 if _many(arg) else 1, metavar=flag.metavar)]


def _values(operation: Operation, given: Values) -> Values:
    """The call's values: the declared defaults, what the command line gave, parsed as declared."""
    values = operation.defaults()
    for arg in operation.cli_args():
        if arg.cli is not None and arg.cli.batch:  # read after the checks (_read)
            continue
        value = given[arg.name]
        if isinstance(value, tuple):
            value = list(value)
        flag = arg.cli or Flag()
        if flag.negates:
            value = not value
        values[arg.name] = flag.parse(value) if flag.parse and value is not None else value
    return values


def _read(operation: Operation, values: Values, given: Values) -> None:
    """The texts the command line names rather than gives: a file's (--base-file), the code's."""
    for arg in operation.cli_args():
        flag = arg.cli or Flag()
        if flag.file and values[arg.name] is not None:
            values[arg.name] = read_code(None, values[arg.name], False)
        elif flag.code:
            values[arg.name] = read_cell_code(values[arg.name], given["file"], from_stdin(given["stdin_marker"]))
        elif flag.batch:
            values[arg.name], told_run = read_batch(given["file"], given["stdin_marker"])
            if values.get("run") is None:  # the command line left it unset: the input's word, else run
                values["run"] = True if told_run is None else told_run


def _door(operation: Operation, targeting: Targeting, values: Values) -> Door:
    streaming = any(arg.cli is not None and arg.cli.streams and values[arg.name] for arg in operation.arguments)
    return Door(CLI, Printed(streaming), tuple(targeting.ssh))


def _callback(operation: Operation) -> Callable[..., None]:
    targeting_options = servers_options if operation.cli_targeting == "servers" else target_options

    @targeting_options
    def callback(targeting: Targeting, /, **given: Any) -> None:
        # positional only: a declared argument may itself be named `target` (set-ui's element)
        values = _values(operation, given)
        values[DOOR] = _door(operation, targeting, values)
        for check in operation.checks:
            if check.door == CLI and check.refused(values):
                usage_failure(check.message, check.next)
        _read(operation, values, given)

        async def job(service: PairingService) -> tuple[Document, int]:
            if operation.prepare is not None:
                values.update(operation.prepare(values))
            reply = await operation.call(service, targeting.spec(), values)
            if operation.changes_cells and reply.value.narration:
                narrate(reply.value.narration)
            failed = (operation.changes_cells or operation.can_fail) and not reply.value.success
            return operation.shape(reply, values), EXIT_FAILED if failed else EXIT_OK

        serve(targeting.options(), job)

    return callback


def command_for(operation: Operation) -> click.Command:
    """The click command `operation` declares."""
    callback = _callback(operation)
    command = click.Command(operation.command, callback=callback, help=operation.help,
                            params=[param for arg in operation.cli_args() for param in _params(arg)])
    # The targeting options were declared on the callback; the command takes them first, as every command does.
    command.params[:0] = list(reversed(getattr(callback, "__click_params__", [])))
    command.operation = operation  # type: ignore[attr-defined]
    return command


def register(group: click.Group, operations: tuple[Operation, ...]) -> None:
    """Add the commands `operations` declare to the headless group (or to their sub-group)."""
    for operation in operations:
        parent = group.commands[operation.group] if operation.group else group
        assert isinstance(parent, click.Group)
        parent.add_command(command_for(operation))
