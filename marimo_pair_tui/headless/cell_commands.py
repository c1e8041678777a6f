"""Headless cell commands: read the cells, create, edit, run, delete, move, add packages.

Registered onto the `headless` group by `register()` (cli.py calls it). Each
command prints one JSON document; an operation answers with the affected
cells' new state. Exit codes: 0 ok; 1 a cell failed when run, the code was
refused (syntax error, multiply-defined name, cycle) or a package failed;
2 usage, target or unknown cell; 3 connection; 4 outcome unknown; 5 conflict.
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable

import click

from ..core import codemode
from ..core.connection import Connection
from ..core.errors import EXIT_FAILED, EXIT_OK, PairError
from ..core.hub import Hub
from ..core.sessions import Target, resolve_target
from .cli import Targeting, read_code, target_options
from .output import narrate, run, usage_failure

Job = Callable[[Connection, Target], Awaitable[tuple[dict[str, Any], int]]]


async def _resolve(hub: Hub, target: Targeting) -> Target:
    """The target session; warns when its notebook has several (they do not see each other's edits)."""
    servers = await hub.servers()
    entries = await hub.notebooks(servers)
    resolved = resolve_target(entries, session=target.session, notebook=target.notebook, servers=servers)
    siblings = [s for e in entries if e.server.url == resolved.server.url and e.path == resolved.notebook for s in e.sessions]
    if len(siblings) > 1:
        hub.warnings.append(
            f"{resolved.notebook} has {len(siblings)} sessions; an edit in one is saved to the file "
            "but not seen by the others."
        )
    return resolved


def _run_job(target: Targeting, job: Job) -> None:
    async def outer() -> tuple[dict[str, Any], int]:
        async with target.hub() as hub:
            resolved = await _resolve(hub, target)
            try:
                document, code = await job(hub.connection(resolved.server), resolved)
            except PairError as error:
                error.details.setdefault("session", resolved.to_json())
                raise
            document.setdefault("warnings", []).extend(hub.warnings)
            return document, code

    run(outer)


def _op_document(result: codemode.OpResult, resolved: Target) -> tuple[dict[str, Any], int]:
    if result.narration:
        narrate(result.narration)
    document: dict[str, Any] = {
        "success": result.success,
        "session": resolved.to_json(),
        "cells": [c.to_json() for c in result.cells],
        "order": result.order,
        **result.extra,
        "warnings": list(result.warnings),
    }
    if result.failed_cells:
        document["failed"] = result.failed_cells
    return document, EXIT_OK if result.success else EXIT_FAILED


def _stdin_marker(marker: str | None) -> bool:
    if marker not in (None, "-"):
        usage_failure(f"Unexpected argument {marker!r}.", "Pass code with -c CODE, --file PATH, or - for stdin.")
    return marker == "-"


def _code_options(command: Callable[..., Any]) -> Callable[..., Any]:
    command = click.argument("stdin_marker", required=False, metavar="[-]")(command)
    command = click.option("--file", "file", metavar="PATH", help="Read the code from a file.")(command)
    command = click.option("-c", "code", metavar="CODE", help="The code.")(command)
    return command


@click.command()
@target_options
def cells(target: Targeting) -> None:
    """Every cell in order: id, name, code, hash, status, errors, console, output, defs, refs."""

    async def job(connection: Connection, resolved: Target) -> tuple[dict[str, Any], int]:
        snap = await codemode.snapshot(connection, resolved.session)
        return {"success": True, "session": resolved.to_json(), "cells": [c.to_json() for c in snap.cells]}, EXIT_OK

    _run_job(target, job)


@click.command()
@target_options
@click.option("--after", metavar="ID", help="Insert after this cell (id or name).")
@click.option("--before", metavar="ID", help="Insert before this cell (id or name).")
@click.option("--name", metavar="NAME", help="Name the new cell (a Python identifier).")
@click.option("--run", "run_", is_flag=True, help="Run the cell once created.")
@_code_options
def create(
    target: Targeting, after: str | None, before: str | None, name: str | None, run_: bool,
    code: str | None, file: str | None, stdin_marker: str | None,
) -> None:
    """Add a cell (at the end unless placed); refuses syntax errors and names another cell defines."""
    if after is not None and before is not None:
        usage_failure("Give either --after or --before, not both.", "Place the cell with one of them.")
    source = read_code(code, file, _stdin_marker(stdin_marker))

    async def job(connection: Connection, resolved: Target) -> tuple[dict[str, Any], int]:
        result = await codemode.create_cell(
            connection, resolved.session, source, before=before, after=after, name=name, run=run_
        )
        return _op_document(result, resolved)

    _run_job(target, job)


@click.command()
@target_options
@click.argument("cell_id", metavar="ID")
@click.option("--expect", metavar="HASH", help="The hash of the code you read (from `cells`).")
@click.option("--base-file", metavar="PATH", help="A file holding the code you read.")
@click.option("--force", is_flag=True, help="Overwrite whatever the cell holds now.")
@click.option("--run", "run_", is_flag=True, help="Run the cell once edited.")
@_code_options
def edit(
    target: Targeting, cell_id: str, expect: str | None, base_file: str | None, force: bool, run_: bool,
    code: str | None, file: str | None, stdin_marker: str | None,
) -> None:
    """Replace a cell's code only if it is still what you read; else exit 5 with both versions."""
    if sum(x for x in (expect is not None, base_file is not None, force)) != 1:
        usage_failure(
            "Give exactly one of --expect HASH, --base-file PATH or --force.",
            "Pass the hash `cells` printed for the cell (--expect), or the code you read (--base-file).",
        )
    base = read_code(None, base_file, False) if base_file is not None else None
    source = read_code(code, file, _stdin_marker(stdin_marker))

    async def job(connection: Connection, resolved: Target) -> tuple[dict[str, Any], int]:
        result = await codemode.edit_cell(
            connection, resolved.session, cell_id, source, expect=expect, base=base, force=force, run=run_
        )
        return _op_document(result, resolved)

    _run_job(target, job)


@click.command(name="run")
@target_options
@click.argument("cell_ids", nargs=-1, required=True, metavar="ID [ID ...]")
def run_cells(target: Targeting, cell_ids: tuple[str, ...]) -> None:
    """Run cells; report them and the descendants the run reached."""

    async def job(connection: Connection, resolved: Target) -> tuple[dict[str, Any], int]:
        return _op_document(await codemode.run_cells(connection, resolved.session, list(cell_ids)), resolved)

    _run_job(target, job)


@click.command()
@target_options
@click.argument("cell_id", metavar="ID")
def delete(target: Targeting, cell_id: str) -> None:
    """Delete a cell; `stale` lists the cells that read what it defined."""

    async def job(connection: Connection, resolved: Target) -> tuple[dict[str, Any], int]:
        return _op_document(await codemode.delete_cell(connection, resolved.session, cell_id), resolved)

    _run_job(target, job)


@click.command()
@target_options
@click.argument("cell_id", metavar="ID")
@click.option("--after", metavar="ID", help="Place after this cell.")
@click.option("--before", metavar="ID", help="Place before this cell.")
def move(target: Targeting, cell_id: str, after: str | None, before: str | None) -> None:
    """Move a cell before or after another; `order` is the new order."""
    if (after is None) == (before is None):
        usage_failure("Give exactly one of --after ID or --before ID.", "Say where the cell goes.")

    async def job(connection: Connection, resolved: Target) -> tuple[dict[str, Any], int]:
        result = await codemode.move_cell(connection, resolved.session, cell_id, before=before, after=after)
        return _op_document(result, resolved)

    _run_job(target, job)


@click.group()
def packages() -> None:
    """Manage the packages of the kernel's environment."""


@packages.command(name="add")
@target_options
@click.argument("names", nargs=-1, required=True, metavar="NAME [NAME ...]")
def packages_add(target: Targeting, names: tuple[str, ...]) -> None:
    """Install packages with the notebook's package manager; each has an outcome."""

    async def job(connection: Connection, resolved: Target) -> tuple[dict[str, Any], int]:
        return _op_document(await codemode.add_packages(connection, resolved.session, list(names)), resolved)

    _run_job(target, job)


def register(group: click.Group) -> None:
    """Add the cell commands to the headless group."""
    for command in (cells, create, edit, run_cells, delete, move, packages):
        group.add_command(command)
