"""How an operation both doors offer is declared once: its name on each door, its arguments
(name, type, help, default, whether required) and the service call that answers it.

cli/declared.py makes the click command from a declaration and mcp/declared.py the MCP tool, so
the two cannot drift: an argument added, renamed or retyped here changes both. What a door
spells its own way (a flag, a metavar, a help text worded for the command line) is part of the
declaration too, beside the argument it spells.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Protocol

from ..core.api import Document, PairingService, Reply, TargetSpec

REQUIRED: Any = object()  # an argument without a default
CLI, MCP = "cli", "mcp"  # the doors


@dataclass(frozen=True)
class Flag:
    """How the command line spells an argument: flags (none: a positional argument) and its metavar."""

    flags: tuple[str, ...] = ()
    metavar: str | None = None
    help: str | None = None  # when the command line words it otherwise
    show_default: bool = False
    parse: Callable[[Any], Any] | None = None  # the text as given -> the value the call takes
    default: Any = REQUIRED  # the command line's default, when not the argument's
    required: bool | None = None  # a positional argument the command line may leave out (another flag stands in)
    negates: bool = False  # the flag turns the argument off (--no-outputs for `outputs`)
    path: str | None = None  # "file" or "dir": the value is a path of that kind
    file: bool = False  # the flag names a file; the argument is its text (read after the checks)
    code: bool = False  # the text comes from this flag (-c), --file PATH or stdin (`-`): exactly one, not empty
    streams: bool = False  # when set, the command prints what the call tells as it arrives, as JSON lines
    batch: bool = False  # a JSON batch from --file PATH or stdin (`-`); its top-level "run" fills an unset `run`


@dataclass(frozen=True)
class Arg:
    """One argument of an operation, as the call takes it."""

    name: str
    type: Any  # as the MCP schema gives it: str, bool, int, float, list[str], Any, with `| None` when optional
    help: str
    default: Any = REQUIRED
    minimum: float | None = None
    maximum: float | None = None
    cli: Flag | None = field(default_factory=Flag)  # None: not on the command line
    mcp: bool = True  # False: not a tool argument
    mcp_help: str | None = None  # when the tool words it otherwise

    @property
    def required(self) -> bool:
        return self.default is REQUIRED


@dataclass(frozen=True)
class Target:
    """Where the targeting arguments (notebook, session, url) stand among a tool's arguments."""


TARGET = Target()

Values = dict[str, Any]
Call = Callable[[PairingService, TargetSpec, Values], Awaitable[Reply[Any]]]
Shape = Callable[[Reply[Any], Values], Document]
Prepare = Callable[[Values], Values]
Pictures = Callable[[Reply[Any], Values], list[tuple[str, bytes]]]  # (mimetype, bytes) a tool shows as images


@dataclass(frozen=True)
class Check:
    """A rule between arguments the command line enforces before any I/O (exit 2 with `message`)."""

    refused: Callable[[Values], bool]
    message: str
    next: str
    door: str = CLI  # who refuses: the command line before any I/O, or the MCP server before the call


class Hearing(Protocol):
    """What a door does with what a call tells while it runs: a snippet's output, an input() prompt,
    a listening window begun (exec and activity)."""

    def output(self, channel: str, text: str) -> Awaitable[None] | None: ...

    def prompt(self, cell: str, prompt: str) -> Awaitable[None] | None: ...

    def listening(self, seconds: float) -> None: ...


@dataclass(frozen=True)
class Door:
    """The door a call came through, as a call and the checks see it (in its values, under DOOR)."""

    name: str  # CLI or MCP
    hearing: Hearing
    ssh_hosts: tuple[str, ...] = ()  # the --ssh hosts the door targets


DOOR = "door"


@dataclass(frozen=True)
class Operation:
    """One operation on a session, declared once for the command line and the MCP server."""

    tool: str  # the MCP tool's name
    command: str  # the command's name (under `group` when given)
    title: str  # the MCP tool's title
    help: str  # the command's help
    description: str  # the MCP tool's description
    args: tuple[Arg | Target, ...]
    call: Call
    shape: Shape
    changes_cells: bool = False  # an OpResult: narrated on stderr, exit 1 when it did not succeed
    checks: tuple[Check, ...] = ()
    group: str | None = None  # the command group it belongs to on the command line
    function: str | None = None  # the tool function's name (its schema's title), when not `tool`
    tool_shape: Shape | None = None  # the tool's document, when it differs from the command's
    images: Pictures | None = None  # images the tool returns as image content after its document
    can_fail: bool = False  # the reply's value says `success`: exit 1 when it did not
    prepare: Prepare | None = None  # values made before the call, where a failure is the call's (an image directory)
    cli_order: tuple[str, ...] = ()  # the command line's order of the arguments, when not the tool's
    cli_targeting: str = "session"  # "servers": the command takes the servers' options alone, no session

    @property
    def arguments(self) -> tuple[Arg, ...]:
        return tuple(arg for arg in self.args if isinstance(arg, Arg))

    @property
    def targeted(self) -> bool:
        """Whether the tool takes the targeting arguments (notebook, session, url)."""
        return any(not isinstance(arg, Arg) for arg in self.args)

    def cli_args(self) -> tuple[Arg, ...]:
        args = tuple(arg for arg in self.arguments if arg.cli is not None)
        order = {name: index for index, name in enumerate(self.cli_order)}
        return tuple(sorted(args, key=lambda arg: order.get(arg.name, -1))) if order else args

    def tool_args(self) -> tuple[Arg, ...]:
        return tuple(arg for arg in self.arguments if arg.mcp)

    def defaults(self) -> Values:
        """Every argument's default: what a door that does not offer an argument passes."""
        return {arg.name: (None if arg.required else arg.default) for arg in self.arguments}
