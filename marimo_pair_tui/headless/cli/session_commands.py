"""Headless commands around sessions: list servers and notebooks, open and close a notebook's
server, run a snippet (`exec`), and manage the pairing service.

Each command parses its arguments, makes one call on the core `PairingService`, prints the JSON
document core/documents.py builds for the reply, and exits with a documented code.
"""

from __future__ import annotations

import sys

import click

from ...core.api import EXIT_FAILED, EXIT_OK, RUN_WAIT, Document, PairingService, close_notebook, documents
from ...core.api import hub_options, state_dir
from ..output import emit, run, serve, tell_prompt, usage_failure
from ..shared import image_files, output_mode, save_document
from .options import INSECURE_TOKEN_HELP, SSH_HELP, Targeting, from_stdin, output_options, read_cell_code, target_options


@click.command()
@click.option("--url", "urls", multiple=True, metavar="URL", help="Also check this server URL (repeatable).")
@click.option("--token-file", metavar="PATH", type=click.Path(dir_okay=False), help="Token for the named URLs.")
@click.option("--allow-insecure-token", is_flag=True, help=INSECURE_TOKEN_HELP)
@click.option("--ssh", "ssh", multiple=True, metavar="DEST", help=SSH_HELP)
def servers(urls: tuple[str, ...], token_file: str | None, ssh: tuple[str, ...], allow_insecure_token: bool) -> None:
    """List marimo servers: the local registry plus named URLs (and --ssh hosts' registries)."""

    async def job(service: PairingService) -> tuple[Document, int]:
        return documents.servers_document(await service.servers()), EXIT_OK

    serve(hub_options(urls, token_file, ssh, allow_insecure_token=allow_insecure_token), job)


@click.command()
@target_options
def notebooks(target: Targeting) -> None:
    """List notebooks and their sessions on every server."""

    async def job(service: PairingService) -> tuple[Document, int]:
        return documents.notebooks_document(await service.notebooks()), EXIT_OK

    serve(target.options(), job)


@click.command(name="exec")
@target_options
@click.option("-c", "code", metavar="CODE", help="The code to run.")
@click.option("--file", "file", metavar="PATH", help="Read the code from a file.")
@click.argument("stdin_marker", required=False, metavar="[-]")
@click.option("--stream", is_flag=True, help="Write output as JSON lines as it arrives, then a summary line.")
@click.option(
    "--output-file", "output_file", metavar="PATH", type=click.Path(dir_okay=False),
    help="Also write the complete document (stdout, stderr and output uncut) to PATH as JSON; "
         f"stdout's document keeps {documents.EXEC_FIELD_LIMIT // 1024} KB per field.",
)
@output_options
@click.option("--input", "answers", multiple=True, metavar="TEXT",
              help="Answer the snippet's input() prompts with these, in order (repeatable).")
def exec_(target: Targeting, code: str | None, file: str | None, stdin_marker: str | None, stream: bool,
          output_file: str | None = None, raw: bool = False, save_images: str | None = None,
          answers: tuple[str, ...] = (), parts: bool = False) -> None:
    """Run code in the session's kernel (scratchpad); stdout/stderr come back."""
    source = read_cell_code(code, file, from_stdin(stdin_marker))

    def on_output(channel: str, text: str) -> None:
        if stream:
            emit(documents.stream_chunk(channel, text))

    def on_prompt(cell: str, prompt: str) -> None:
        emit({"waiting_for_input": {"cell": cell, "prompt": prompt}})
        tell_prompt(cell, prompt)

    async def job(service: PairingService) -> tuple[Document, int]:
        reply = await service.execute(target.spec(), source, on_output=on_output, answers=answers,
                                      on_prompt=on_prompt if stream else None)
        images = image_files(save_images)
        saved = (save_document(output_file, documents.exec_document(reply, limit=None, images=images))
                 if output_file else None)
        document = documents.exec_document(reply, saved_to=saved, outputs=output_mode(raw), parts=parts,
                                           images=images)
        return document, EXIT_OK if reply.value.success else EXIT_FAILED

    serve(target.options(), job)


@click.command(name="open")
@target_options
@click.argument("notebook_path", metavar="NOTEBOOK.py", required=False)
@click.option("--tour", is_flag=True, help="Open the tour notebook shipped with the package.")
@click.option(
    "--run/--no-run",
    "run_cells",
    default=None,
    help="Run all cells in a new session (default: as runtime.auto_instantiate in the marimo config says).",
)
@click.option("--run-wait", "run_wait", type=click.FloatRange(min=0), default=RUN_WAIT, show_default=True,
              metavar="SECONDS", help="Follow the run this long at most; past it the session is returned with the "
                                      "cells still running (`still_running`), the run goes on.")
def open_(target: Targeting, notebook_path: str | None, tour: bool, run_cells: bool | None, run_wait: float) -> None:
    """A session for NOTEBOOK.py: reuse a server's, create one on a server that serves the
    file, or start a server. With --url (and --token-file for a token server) only that
    server is used."""
    if tour == (notebook_path is not None):
        usage_failure("Name one notebook to open.", "Pass NOTEBOOK.py, or --tour for the shipped tour notebook.")
    if target.ssh:
        usage_failure("open starts marimo on this machine only.",
                      "Start it on the remote host (`ssh DEST marimo edit --headless NOTEBOOK.py`), then use --ssh DEST.")

    async def job(service: PairingService) -> tuple[Document, int]:
        from ...notebooks import tour_copy

        # The tour's copy is written here, where a disk that refuses it is a JSON error like any other.
        path = str(tour_copy(state_dir() / "tour")) if tour else notebook_path
        assert path is not None  # one of the two, checked above
        return documents.open_document(await service.open(path, run=run_cells, run_wait=run_wait)), EXIT_OK

    serve(target.options(), job)


@click.command(name="close")
@click.argument("notebook_path", metavar="NOTEBOOK.py", required=False)
@click.option("--url", metavar="URL", help="Close the server at this URL instead.")
@click.option("--tour", is_flag=True, help="Close the server `open --tour` started.")
def close_(notebook_path: str | None, url: str | None, tour: bool) -> None:
    """Stop a server that `open` started (never one started elsewhere)."""
    if tour and notebook_path is not None:
        usage_failure("Name one notebook to close.", "Pass NOTEBOOK.py, or --tour for the tour notebook.")
    if tour:
        notebook_path = str(state_dir() / "tour" / "tour.py")

    async def job() -> tuple[Document, int]:
        return documents.closed_document(close_notebook(notebook_path, url)), EXIT_OK

    run(job)


@click.command(name="service")
@click.argument("action", type=click.Choice(["status", "start", "stop"]))
def service_(action: str) -> None:
    """The background pairing service that serves one-shot calls: its status, start it, or stop it."""
    from ..service.control import service_command

    sys.exit(service_command([action]))


def register(group: click.Group) -> None:
    """Add the session commands to the headless group."""
    for command in (servers, notebooks, exec_, open_, close_, service_):
        group.add_command(command)
