"""How an operation both doors offer is declared once: its name on each door, its arguments
(name, type, help, default, whether required) and the service call that answers it.

cli/declared.py makes the click command from a declaration and mcp/declared.py the MCP tool, so
the two cannot drift: an argument added, renamed or retyped here changes both. What a door
spells its own way (a flag, a metavar, a help text worded for the command line) is part of the
declaration too, beside the argument it spells.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable

from ..core.api import Document, PairingService, Reply, TargetSpec

REQUIRED: Any = object()  # an argument without a default


@dataclass(frozen=True)
class Flag:
    """How the command line spells an argument: flags (none: a positional argument) and its metavar."""

    flags: tuple[str, ...] = ()
    metavar: str | None = None
    help: str | None = None  # when the command line words it otherwise
    show_default: bool = False
    parse: Callable[[Any], Any] | None = None  # the text as given -> the value the call takes


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
Pictures = Callable[[Reply[Any], Values], list[tuple[str, bytes]]]  # (mimetype, bytes) a tool shows as images


@dataclass(frozen=True)
class Check:
    """A rule between arguments the command line enforces before any I/O (exit 2 with `message`)."""

    refused: Callable[[Values], bool]
    message: str
    next: str


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

    @property
    def arguments(self) -> tuple[Arg, ...]:
        return tuple(arg for arg in self.args if isinstance(arg, Arg))

    def cli_args(self) -> tuple[Arg, ...]:
        return tuple(arg for arg in self.arguments if arg.cli is not None)

    def tool_args(self) -> tuple[Arg, ...]:
        return tuple(arg for arg in self.arguments if arg.mcp)

    def defaults(self) -> Values:
        """Every argument's default: what a door that does not offer an argument passes."""
        return {arg.name: (None if arg.required else arg.default) for arg in self.arguments}
