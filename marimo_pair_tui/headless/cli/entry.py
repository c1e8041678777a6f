"""`marimo-pair-tui --headless COMMAND`: the agent door's command line, assembled.

The group (cli/group.py) gets every command module's commands here, and the
operations both doors share (headless/operations/) as commands made from
their declarations; `main` runs it with JSON errors for bad usage.
"""

from __future__ import annotations

import sys

import click

from ...core.api import UsageError
from ..output import emit, usage_failure
from ..operations import OPERATIONS
from . import agent_commands, cell_commands, declared, doctor_command, live_commands, session_commands, ssh_commands
from .group import headless

for _module in (session_commands, cell_commands, live_commands, ssh_commands, agent_commands, doctor_command):
    _module.register(headless)
declared.register(headless, OPERATIONS)


def readable(argv: list[str] | None) -> bool:
    """The call is `doctor --human` (as `marimo-pair-tui doctor` makes it): a person reads its errors too."""
    args = list(sys.argv[1:] if argv is None else argv)
    told = [a for a in args if a in ("--human", "--json")]
    return args[:1] == ["doctor"] and told[-1:] == ["--human"]


def main(argv: list[str] | None = None) -> None:
    """Entry for the headless door (argv without the --headless flag)."""
    human = readable(argv)
    try:
        headless.main(args=argv, prog_name="marimo-pair-tui" if human else "marimo-pair-tui --headless",
                      standalone_mode=False)
    except click.exceptions.NoArgsIsHelpError as exc:
        click.echo(exc.ctx.get_help() if exc.ctx else "", err=True)
        commands = ", ".join(sorted(headless.commands))
        usage_failure("No command given.", f"Run `marimo-pair-tui --headless COMMAND`; the commands: {commands}.")
    except click.UsageError as exc:
        if human:
            click.echo(f"marimo-pair-tui doctor: {exc.format_message()}\n"
                       "Run `marimo-pair-tui doctor --help` for its options.", err=True)
            sys.exit(2)
        usage_failure(exc.format_message(), "Run `marimo-pair-tui --headless COMMAND --help` for the accepted arguments.")
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.Abort:
        sys.exit(130)
    except UsageError as exc:
        emit({"success": False, "error": exc.to_json()})
        sys.exit(exc.exit_code)


__all__ = ["headless", "main"]
