"""Headless UI-element commands: list the elements, set one, read a table's pages.

`ui` reads every element in the kernel; `set-ui` checks the value against the
element's domain, sets it, and answers once the cells that read it re-ran
(exit 1 when one of them failed); `table` reads one page of a table output.
"""

from __future__ import annotations

import json
from typing import Any

import click

from ...core.api import documents
from ...core.api import Document
from ...core.api import EXIT_FAILED, EXIT_OK
from ...core.api import PairingService
from .entry import Targeting, target_options
from ..output import serve


def parse_value(text: str) -> Any:
    """A value from the command line: JSON when it parses (7, true, ["a"], "x"), else the text itself."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def register(group: click.Group) -> None:
    """Add `ui`, `set-ui` and `table` to the headless group."""

    @group.command(name="ui")
    @target_options
    def ui_(target: Targeting) -> None:
        """Every UI element of the session, as the kernel holds it: object id, cell, variables, kind, type,
        label, value (a table's selection as records, with its `rows`), domain, settable."""

        async def job(service: PairingService) -> tuple[Document, int]:
            return documents.ui_document(await service.ui(target.spec())), EXIT_OK

        serve(target.options(), job)

    @group.command(name="set-ui")
    @target_options
    @click.argument("element", metavar="TARGET")
    @click.argument("value", metavar="VALUE")
    @click.option("--label", metavar="LABEL", help="Pick the element by label when TARGET (a cell) holds several.")
    @click.option("--timeout", type=float, default=None, metavar="SECONDS", help="Give up waiting after this long.")
    def set_ui(target: Targeting, element: str, value: str, label: str | None, timeout: float | None) -> None:
        """Set a UI element (TARGET: object id, its variable, or its cell) to VALUE (JSON, or plain text).

        VALUE is as Python sees it; a table's selection is row numbers ('[0, 3]'; single: 2; '[]' clears).
        The value is checked against the element (range and step, options, rows, …) before it is sent;
        the answer holds the cells that re-ran, with their new outputs. An element only a browser can
        set (an upload, a chart's selection, …) exits 2, `not_settable`, saying why."""

        async def job(service: PairingService) -> tuple[Document, int]:
            reply = await service.set_ui(target.spec(), element, parse_value(value), label=label, timeout=timeout)
            return documents.set_ui_document(reply), EXIT_OK if reply.value.success else EXIT_FAILED

        serve(target.options(), job)

    @group.command(name="table")
    @target_options
    @click.argument("table_target", metavar="TABLE")
    @click.option("--page", type=click.IntRange(min=0), default=0, show_default=True, help="Page number, from 0.")
    @click.option("--page-size", type=click.IntRange(1, 1000), default=10, show_default=True, help="Rows per page.")
    @click.option("--exact", is_flag=True, help="Write the text's numbers exactly, not as the browser's table shows them.")
    def table(target: Targeting, table_target: str, page: int, page_size: int, exact: bool) -> None:
        """One page of a table output, read in the kernel. TABLE: the table's object id (from its part in
        `cells`/`output`), or the id or name of the cell whose output shows it. A page after the last
        exits 2 (`page_out_of_range`, `next` names the last page)."""

        async def job(service: PairingService) -> tuple[Document, int]:
            reply = await service.table_page(target.spec(), table_target, page=page, page_size=page_size)
            return documents.table_page_document(reply, exact=exact), EXIT_OK

        serve(target.options(), job)
