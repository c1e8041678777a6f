"""Headless `restart` and `answer`: the kernel's lifecycle and its input() prompts."""

from __future__ import annotations


import click

from ...core.api import documents
from ...core.api import Document
from ...core.api import EXIT_OK
from ...core.api import RUN_WAIT, PairingService
from .entry import Targeting, target_options
from ..output import serve


def register(group: click.Group) -> None:
    """Add `restart` and `answer` to the headless group."""

    @group.command(name="restart")
    @target_options
    @click.option("--run/--no-run", "run_cells", default=None,
                  help="Run all cells in the new session (default: as the marimo config's runtime.auto_instantiate says).")
    @click.option("--run-wait", "run_wait", type=click.FloatRange(min=0), default=RUN_WAIT, show_default=True,
                  metavar="SECONDS", help="Follow the run this long at most; past it the command returns and the run "
                                          "goes on (a warning names the cells).")
    def restart(target: Targeting, run_cells: bool | None, run_wait: float) -> None:
        """Restart the kernel: every variable and output in memory is lost (the notebook file stays).
        The notebook gets a new session; `session` in the answer names it."""

        async def job(service: PairingService) -> tuple[Document, int]:
            return documents.restart_document(await service.restart(target.spec(), run=run_cells, run_wait=run_wait)), EXIT_OK

        serve(target.options(), job)

    @group.command(name="answer")
    @target_options
    @click.argument("text", metavar="TEXT")
    def answer(target: Targeting, text: str) -> None:
        """Answer the input() a cell or snippet waits on (see `status`'s waiting_for_input);
        refused when nothing waits, since the kernel would keep it for the next input()."""

        async def job(service: PairingService) -> tuple[Document, int]:
            return documents.answer_document(await service.answer(target.spec(), text), text), EXIT_OK

        serve(target.options(), job)
