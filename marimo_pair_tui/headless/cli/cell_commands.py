"""The `packages` command group; its commands are declared in headless/operations/ (`packages add`).

Registered onto the `headless` group by `register()` (cli/entry.py calls it). The cell commands
(cells, output, create, edit, run, move, delete) are declared in headless/operations/ with their
MCP tools.
"""

from __future__ import annotations

import click


@click.group()
def packages() -> None:
    """Manage the packages of the kernel's environment."""


def register(group: click.Group) -> None:
    """Add the `packages` group to the headless group."""
    group.add_command(packages)
