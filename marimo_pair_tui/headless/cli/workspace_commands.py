"""Headless `variables` and `graph`: the kernel as a map, read from the live stream (no kernel round trip)."""

from __future__ import annotations


import click

from ...core.api import documents
from ...core.api import Document
from ...core.api import EXIT_OK
from ...core.api import PairingService
from .entry import Targeting, target_options
from ..output import serve, usage_failure


def register(group: click.Group) -> None:
    """Add `variables` and `graph` to the headless group."""

    @group.command(name="variables")
    @target_options
    @click.argument("names", nargs=-1, metavar="[NAME]...")
    def variables_(target: Targeting, names: tuple[str, ...]) -> None:
        """The kernel's globals (or NAMEs): type, value preview, the cells that define and read each,
        a dataframe's rows and columns with dtypes. Series and frames are previewed with their row
        labels, read in the kernel when it is idle."""

        async def job(service: PairingService) -> tuple[Document, int]:
            reply = await service.variables(target.spec(), names=list(names) or None, peek=True)
            return documents.variables_document(reply), EXIT_OK

        serve(target.options(), job)

    @group.command(name="graph")
    @target_options
    @click.argument("cell", required=False, metavar="[CELL]")
    @click.option("--name", "name", metavar="NAME", help="Which cells define and which read this name.")
    def graph(target: Targeting, cell: str | None, name: str | None) -> None:
        """The cells' dataflow graph: for CELL its parents, children, ancestors and descendants;
        with --name who defines and who reads a name; with neither, every cell's edges."""
        if cell is not None and name is not None:
            usage_failure("Give a CELL or --name, not both.", "Ask about one cell, or about one name.")

        async def job(service: PairingService) -> tuple[Document, int]:
            return documents.graph_document(await service.graph(target.spec(), cell=cell), name=name), EXIT_OK

        serve(target.options(), job)
