"""Headless commands the command line has alone: close a notebook's server that `open` started,
and manage the pairing service. (servers, notebooks, open and exec are declared in
headless/operations/, with their MCP tools.)
"""

from __future__ import annotations

import sys

import click

from ...core.api import EXIT_OK, Document, close_notebook, documents
from ...core.api import state_dir
from ..output import run, usage_failure


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
    for command in (close_, service_):
        group.add_command(command)
