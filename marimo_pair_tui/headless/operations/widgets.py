"""Operations on the notebook's UI elements: read them, set a value, page a table."""

from __future__ import annotations

from typing import Any

from ...core.api import documents
from ..declaration import TARGET, Arg, Flag, Operation
from .arguments import parse_value, timeout_arg

UI = Operation(
    tool="ui", command="ui", function="ui_", title="List UI elements",
    help="""Every UI element of the session, as the kernel holds it: object id, cell, variables, kind, type,
label, value (a table's selection as records, with its `rows`), domain, settable.""",
    description="""Every UI element (slider, dropdown, table, …): object id, cell, variables bound to it, kind, Python
type, label, current value in the kernel (as JSON: dates as ISO text, a dataframe as records with
`value_rows`; a table's selection as records with its `rows`), domain (range and step, options),
`settable` and, when not, `why_not_settable`; `text` says it in one line.""",
    args=(TARGET,),
    call=lambda service, spec, values: service.ui(spec),
    shape=lambda reply, values: documents.ui_document(reply),
)


SET_UI = Operation(
    tool="set_ui", command="set-ui", title="Set a UI element",
    help="""Set a UI element (TARGET: object id, its variable, or its cell) to VALUE (JSON, or plain text).

VALUE is as Python sees it; a table's selection is row numbers ('[0, 3]'; single: 2; '[]' clears).
The value is checked against the element (range and step, options, rows, …) before it is sent;
the answer holds the cells that re-ran, with their new outputs. An element only a browser can
set (an upload, a chart's selection, …) exits 2, `not_settable`, saying why.""",
    description="""Move a UI element as a person would: the value is checked against the element's domain (a refusal
names what it accepts), set in the kernel, and the answer holds the cells that re-ran with their
new outputs. Browsers showing the notebook see the new value. Elements only a browser can set (an
upload, a chat, a chart's selection, …) are refused as `not_settable`, with the reason.""",
    args=(
        Arg("target", str, "The element: its object id, the variable bound to it, or its cell.",
            cli=Flag(metavar="TARGET")),
        Arg("value", Any, "The value as Python sees it: a number, an option, a list of options, true/false, text, a "
                          "YYYY-MM-DD date, a tab's name; any value presses a button; a table's selection as row "
                          "numbers ([0, 3]; [] clears) or [{\"row\": 1, \"column\": \"age\"}] for cell selection; a "
                          "form the value of the element it wraps; an array a list of its entries' values, a "
                          "dictionary an object of them.",
            cli=Flag(metavar="VALUE", parse=parse_value)),
        Arg("label", str | None, "Pick the element by label when TARGET (a cell) holds several.", default=None,
            cli=Flag(("--label",), metavar="LABEL"),
            mcp_help="Pick by label when `target` (a cell) holds several elements."),
        TARGET,
        timeout_arg(Flag(("--timeout",), metavar="SECONDS", help="Give up waiting after this long.")),
    ),
    call=lambda service, spec, values: service.set_ui(spec, values["target"], values["value"], label=values["label"],
                                                      timeout=values["timeout"]),
    shape=lambda reply, values: documents.set_ui_document(reply),
    changes_cells=True,
)


TABLE_PAGE = Operation(
    tool="table_page", command="table", title="Read a table page",
    help="""One page of a table output, read in the kernel. TABLE: the table's object id (from its part in
`cells`/`output`), or the id or name of the cell whose output shows it. A page after the last
exits 2 (`page_out_of_range`, `next` names the last page).""",
    description="""Rows of a table output beyond the first page marimo shows inline, read in the kernel: `columns`
(row labels first, `index: true`), `rows` (exact values), `total_rows`, `last_page`, and the page
as a markdown table in `text`. A page after the last is refused (`page_out_of_range`).""",
    args=(
        Arg("object_id", str, "The table's object_id (from its part in `cells` or `output`), or the id or name of "
                              "the cell whose output shows it.", cli=Flag(metavar="TABLE")),
        Arg("page", int, "Page number, from 0.", default=0, minimum=0, cli=Flag(("--page",), show_default=True)),
        Arg("page_size", int, "Rows per page (1-1000).", default=10, minimum=1, maximum=1000,
            cli=Flag(("--page-size",), show_default=True, help="Rows per page.")),
        Arg("exact", bool, "Write `text`'s numbers exactly (shortest digits that read back) instead of as the "
                           "browser's table shows them.", default=False,
            cli=Flag(("--exact",), help="Write the text's numbers exactly, not as the browser's table shows them.")),
        TARGET,
    ),
    call=lambda service, spec, values: service.table_page(spec, values["object_id"], page=values["page"],
                                                          page_size=values["page_size"]),
    shape=lambda reply, values: documents.table_page_document(reply, exact=values["exact"]),
)
