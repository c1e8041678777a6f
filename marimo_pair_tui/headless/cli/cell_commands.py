"""Headless cell commands: read the cells, create, edit, run, delete, move, add packages.

Registered onto the `headless` group by `register()` (cli/entry.py calls it). Each
command prints one JSON document; an operation answers with the affected
cells' new state. Exit codes: 0 ok; 1 a cell failed when run, the code was
refused (syntax error, multiply-defined name, cycle) or a package failed;
2 usage, target or unknown cell; 3 connection; 4 outcome unknown; 5 conflict.
"""

from __future__ import annotations

from typing import Awaitable, Callable

import click

from ...core.api import documents
from ...core.api import Document
from ...core.api import EXIT_FAILED, EXIT_OK
from ...core.api import OpResult, PairingService, Reply
from ..shared import image_files, output_mode, save_document
from .options import Targeting, code_options, from_stdin, output_options, read_cell_code, read_code, target_options
from ..output import narrate, serve, usage_failure

Call = Callable[[PairingService], Awaitable[Reply[OpResult]]]


def _operation(target: Targeting, call: Call) -> None:
    """Run one cell operation on the service; its document and exit code."""

    async def job(service: PairingService) -> tuple[Document, int]:
        reply = await call(service)
        if reply.value.narration:
            narrate(reply.value.narration)
        return documents.operation_document(reply), EXIT_OK if reply.value.success else EXIT_FAILED

    serve(target.options(), job)


@click.command()
@target_options
@click.option("--cell", "cell_ids", multiple=True, metavar="ID", help="Only this cell (id or name; repeatable), in the order given.")
@click.option("--no-outputs", is_flag=True, help="Leave outputs out (their mimetype and size stay).")
@click.option("--refresh", is_flag=True, help="Read through code_mode in the kernel instead of the live stream (waits while the kernel is busy).")
@output_options
@click.option("--output-file", "output_file", metavar="PATH", type=click.Path(dir_okay=False),
              help="Also write the complete document (consoles and outputs uncut) to PATH as JSON.")
def cells(target: Targeting, cell_ids: tuple[str, ...], no_outputs: bool, refresh: bool, raw: bool,
          parts: bool, save_images: str | None, output_file: str | None) -> None:
    """Every cell in order: id, name, code, hash, status, errors, console, output, defs, refs.

    Each output is `text` (markdown, tables, widgets and charts in words) and `handles` (the object ids
    and image files to act on); --parts adds the typed parts.
    Read from the session's live stream: it answers at once, also while cells run."""

    async def job(service: PairingService) -> tuple[Document, int]:
        images = image_files(save_images)
        reply = await service.cells(target.spec(), ids=list(cell_ids) or None, refresh=refresh,
                                    files=images is not None)
        mode = output_mode(raw, no_outputs)
        saved = (save_document(output_file, documents.cells_document(reply, outputs=mode, parts=parts, limit=None,
                                                                        images=images))
                 if output_file else None)
        return documents.cells_document(reply, outputs=mode, parts=parts, images=images, saved_to=saved), EXIT_OK

    serve(target.options(), job)


@click.command()
@target_options
@click.argument("cell_id", metavar="CELL")
@output_options
def output(target: Targeting, cell_id: str, raw: bool, parts: bool, save_images: str | None) -> None:
    """One cell's output: text a model reads, handles (object ids, image files), console; --parts: typed parts.

    With --save-images DIR, plots and charts are written as PNG files and named in the JSON."""

    async def job(service: PairingService) -> tuple[Document, int]:
        images = image_files(save_images)
        reply = await service.cells(target.spec(), ids=[cell_id], files=True)
        return documents.output_document(reply, outputs=output_mode(raw), parts=parts, images=images), EXIT_OK

    serve(target.options(), job)


@click.command()
@target_options
@click.option("--after", metavar="ID", help="Insert after this cell (id or name).")
@click.option("--before", metavar="ID", help="Insert before this cell (id or name).")
@click.option("--name", metavar="NAME", help="Name the new cell (a Python identifier).")
@click.option("--run", "run_", is_flag=True, help="Run the cell once created.")
@code_options
def create(
    target: Targeting, after: str | None, before: str | None, name: str | None, run_: bool,
    code: str | None, file: str | None, stdin_marker: str | None,
) -> None:
    """Add a cell (at the end unless placed); refuses syntax errors and names another cell defines."""
    if after is not None and before is not None:
        usage_failure("Give either --after or --before, not both.", "Place the cell with one of them.")
    source = read_cell_code(code, file, from_stdin(stdin_marker))
    _operation(target, lambda service: service.create_cell(
        target.spec(), source, before=before, after=after, name=name, run=run_))


@click.command()
@target_options
@click.argument("cell_id", metavar="ID")
@click.option("--expect", metavar="HASH", help="The hash of the code you read (from `cells`).")
@click.option("--base-file", metavar="PATH", help="A file holding the code you read.")
@click.option("--force", is_flag=True, help="Overwrite whatever the cell holds now.")
@click.option("--run", "run_", is_flag=True, help="Run the cell once edited.")
@code_options
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
    source = read_cell_code(code, file, from_stdin(stdin_marker))
    _operation(target, lambda service: service.edit_cell(
        target.spec(), cell_id, source, expect=expect, base=base, force=force, run=run_))


@click.group()
def packages() -> None:
    """Manage the packages of the kernel's environment."""


def register(group: click.Group) -> None:
    """Add the cell commands to the headless group."""
    for command in (cells, output, create, edit, packages):
        group.add_command(command)
