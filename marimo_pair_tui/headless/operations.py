"""The operations both doors offer, each declared once (declaration.py says how).

A command (cli/declared.py) and an MCP tool (mcp/declared.py) are made from each; the JSON
document is the same on both, and so are the arguments' names, types and defaults. What a door
does around the call is declared too: code read from -c, --file or stdin on the command line, the
outputs' options, a snippet's output streamed (JSON lines, or MCP progress), an output's images as
MCP image content, a batch read from --file or stdin. Operations a door has alone (watch,
wait_until_idle, ...) are declared in their command and tool modules.
"""

from __future__ import annotations

import json
from typing import Any, Awaitable, Callable, Literal

from ..core.api import ACTIVITY_DEFAULT, RUN_WAIT, Document, PairingService, Reply, TargetSpec, documents, state_dir
from ..core.api import GREP_DEFAULT
from ..core.api import HISTORY_DEFAULT, SINCE_HELP
from .declaration import DOOR, MCP, TARGET, Arg, Check, Flag, Operation, Values
from .shared import image_files, output_mode, save_document
from .pictures import save_picture

TIMEOUT_HELP = "Seconds to wait at most, then interrupt the kernel. Omitted: no limit."
CELL_HELP = "A cell id (from `cells`) or a unique cell name."
PLACE_HELP = "A cell id or name to place it next to."


def parse_value(text: str) -> Any:
    """A value from the command line: JSON when it parses (7, true, ["a"], "x"), else the text itself."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def _timeout(cli: Flag | None = None) -> Arg:
    return Arg("timeout", float | None, TIMEOUT_HELP, default=None, cli=cli, mcp_help=None)


def _cell(metavar: str = "ID") -> Arg:
    return Arg("cell", str, CELL_HELP, cli=Flag(metavar=metavar))


INTERRUPT = Operation(
    tool="interrupt", command="interrupt", function="interrupt_", title="Interrupt the kernel",
    help="Interrupt the session's kernel.",
    description="Interrupt whatever the session's kernel is running.",
    args=(TARGET,),
    call=lambda service, spec, values: service.interrupt(spec),
    shape=lambda reply, values: documents.done_document(reply),
)

STATUS = Operation(
    tool="status", command="status", title="Kernel status and notices",
    help="Whether the session's kernel is idle or running, from its live stream (answers while cells run).",
    description="""Whether the kernel is idle, what runs or waits for input, and what marimo told besides cells
(`notices`): toasts (`mo.status.toast`), banners (e.g. "Kernel stopped"), startup logs and errors,
package operations and whether the kernel needs a restart for them.""",
    args=(TARGET,),
    call=lambda service, spec, values: service.status(spec),
    shape=lambda reply, values: documents.status_document(reply),
)

RESTART = Operation(
    tool="restart_kernel", command="restart", title="Restart the kernel",
    help="""Restart the kernel: every variable and output in memory is lost (the notebook file stays).
The notebook gets a new session; `session` in the answer names it.""",
    description="""Restart the session's kernel: every variable and output in memory is lost (the notebook file
stays). The notebook gets a new session (`session` in the answer); later calls follow it.""",
    args=(
        TARGET,
        Arg("run", bool | None, "Run all cells in the new session (default: as marimo's config says).", default=None,
            cli=Flag(("--run/--no-run",), help="Run all cells in the new session (default: as the marimo config's "
                                               "runtime.auto_instantiate says).")),
        Arg("run_wait", float, "Follow the run this long at most; past it the command returns and the run goes on "
                               "(a warning names the cells).", default=RUN_WAIT, minimum=0,
            cli=Flag(("--run-wait",), metavar="SECONDS", show_default=True), mcp=False),
    ),
    call=lambda service, spec, values: service.restart(spec, run=values["run"], run_wait=values["run_wait"]),
    shape=lambda reply, values: documents.restart_document(reply),
)

ANSWER = Operation(
    tool="answer", command="answer", title="Answer input()",
    help="""Answer the input() a cell or snippet waits on (see `status`'s waiting_for_input);
refused when nothing waits, since the kernel would keep it for the next input().""",
    description="""Answer the input() a cell or snippet waits on (`cells`' kernel.waiting_for_input shows it).
Refused when nothing waits: the kernel would keep the text for the next input().""",
    args=(Arg("text", str, "The answer (one line, without the newline).", cli=Flag(metavar="TEXT")), TARGET),
    call=lambda service, spec, values: service.answer(spec, values["text"]),
    shape=lambda reply, values: documents.answer_document(reply, values["text"]),
)

VARIABLES = Operation(
    tool="variables", command="variables", function="variables_", title="List the kernel's variables",
    help="""The kernel's globals (or NAMEs): type, value preview, the cells that define and read each,
a dataframe's rows and columns with dtypes. Series and frames are previewed with their row
labels, read in the kernel when it is idle.""",
    description="""Every global of the kernel: type, value preview, the cells that define it (`declared_by`; more than
one: multiply defined) and read it (`used_by`); dataframes with rows and columns, Series and frames with
their row labels (`index`). From the live stream: answers while the kernel is busy.""",
    args=(Arg("names", list[str] | None, "Only these names.", default=None, cli=Flag(metavar="[NAME]...")), TARGET),
    call=lambda service, spec, values: service.variables(spec, names=values["names"] or None, peek=True),
    shape=lambda reply, values: documents.variables_document(reply),
)

GRAPH = Operation(
    tool="graph", command="graph", title="Read the dataflow graph",
    help="""The cells' dataflow graph: for CELL its parents, children, ancestors and descendants;
with --name who defines and who reads a name; with neither, every cell's edges.""",
    description="The cells' dataflow graph (from their defs and refs). Without `cell` or `name`: every cell's edges.",
    args=(
        Arg("cell", str | None, "A cell (id or name): its parents, children, ancestors, descendants.", default=None,
            cli=Flag(metavar="[CELL]")),
        Arg("name", str | None, "A name: which cells define it and which read it.", default=None,
            cli=Flag(("--name",), metavar="NAME", help="Which cells define and which read this name.")),
        TARGET,
    ),
    checks=(Check(lambda v: v["cell"] is not None and v["name"] is not None,
                  "Give a CELL or --name, not both.", "Ask about one cell, or about one name."),),
    call=lambda service, spec, values: service.graph(spec, cell=values["cell"]),
    shape=lambda reply, values: documents.graph_document(reply, name=values["name"]),
)

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
        _timeout(Flag(("--timeout",), metavar="SECONDS", help="Give up waiting after this long.")),
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


def _operation_document(reply: Any, values: Values) -> Any:
    return documents.operation_document(reply)


RUN_CELLS = Operation(
    tool="run_cells", command="run", title="Run cells",
    help="Run cells; report them and the descendants the run reached.",
    description="Run cells (and what depends on them); returns their state after the run.",
    args=(Arg("cells", list[str], "Cell ids or names to run.", cli=Flag(metavar="ID [ID ...]")), TARGET,
          _timeout()),
    call=lambda service, spec, values: service.run_cells(spec, values["cells"], timeout=values["timeout"]),
    shape=_operation_document, changes_cells=True,
)

MOVE_CELL = Operation(
    tool="move_cell", command="move", title="Move a cell",
    help="Move a cell before or after another; `order` is the new order.",
    description="Move a cell before or after another (exactly one of them); `order` is the new order.",
    args=(
        _cell(), TARGET,
        Arg("after", str | None, PLACE_HELP, default=None, cli=Flag(("--after",), metavar="ID", help="Place after this cell.")),
        Arg("before", str | None, PLACE_HELP, default=None, cli=Flag(("--before",), metavar="ID", help="Place before this cell.")),
    ),
    checks=(Check(lambda v: (v["after"] is None) == (v["before"] is None),
                  "Give exactly one of --after ID or --before ID.", "Say where the cell goes."),),
    call=lambda service, spec, values: service.move_cell(spec, values["cell"], before=values["before"],
                                                         after=values["after"]),
    shape=_operation_document, changes_cells=True,
)

DELETE_CELL = Operation(
    tool="delete_cell", command="delete", title="Delete a cell",
    help="Delete a cell; `stale` lists the cells that read what it defined.",
    description="Delete a cell; `stale` lists the cells that read what it defined.",
    args=(_cell(), TARGET),
    call=lambda service, spec, values: service.delete_cell(spec, values["cell"]),
    shape=_operation_document, changes_cells=True,
)

ADD_PACKAGES = Operation(
    tool="add_packages", command="add", group="packages", title="Add packages",
    help="Install packages with the notebook's package manager; each has an outcome.",
    description="""Install packages into the kernel's environment with the notebook's package manager; then re-run
the cells that failed to import them.""",
    args=(Arg("packages", list[str], "Package names as the package manager takes them (e.g. 'humanize', 'polars>=1').",
              cli=Flag(metavar="NAME [NAME ...]")), TARGET, _timeout()),
    call=lambda service, spec, values: service.add_packages(spec, values["packages"], timeout=values["timeout"]),
    shape=_operation_document, changes_cells=True,
)

DEBUG = Operation(
    tool="debug", command="debug", title="Debug a failed cell",
    help="""A failed cell's post-mortem in pdb: the frames of its traceback with their locals, and pdb's
answers to each --cmd (run as a batch: the kernel is never left waiting). A cell with no kept
traceback exits 2 (`no_traceback`: run it again so it fails). For a live pdb session, see the
guide: `exec` a post-mortem and `answer` its prompts.""",
    description="""A failed cell's post-mortem in pdb, from the traceback of its last failed run: `frames` (outermost
first; the last, also `current`, raised) with file, line, function, cell, the line's text and locals as
short reprs. `commands` run as a batch (the kernel is never left waiting); `transcript` holds pdb's
answers. `no_traceback` when the cell did not fail on its last run (run it again so it fails).""",
    args=(
        Arg("cell", str, "The failed cell: its id (from `cells`) or unique name.", cli=Flag(metavar="CELL")),
        Arg("commands", list[str], "pdb commands to run in order (each one line), e.g. \"p x*2\", \"up\", \"w\".",
            default=[], cli=Flag(("--cmd",), metavar="CMD", help="A pdb command (repeat for several, run in order).")),
        TARGET,
    ),
    call=lambda service, spec, values: service.debug(spec, values["cell"], commands=values["commands"] or ()),
    shape=lambda reply, values: documents.debug_document(reply),
)

GREP = Operation(
    tool="grep", command="grep", title="Search the cells",
    help="""Search the cells' names, code, output and console text (as `cells` gives them) for PATTERN, line by line:
the text as written, or a regular expression with --regex. Read from the live stream, so it answers while
the kernel is busy. Each match names its cell, where (name, code, output, console), the line, the span
and the line's text. No match is not a failure: exit 0 with `count` 0 and `matches` [].""",
    description="""Find the lines of the cells' names, code, output and console text (as `cells` gives them) that hold
`pattern`. Each match: `cell` (id), `name`, `where` (name, code, output or console), `line` (from 1),
`span` ([start, end) from 0), `match` and the line's `text`; `count` counts all, `matches` holds the
first `limit` (`truncated` when more). From the live mirror: answers while the kernel is busy. A
regular expression that does not compile is `bad_pattern`.""",
    args=(
        Arg("pattern", str, "The text to find (exactly as written, unless `regex`).", cli=Flag(metavar="PATTERN")),
        Arg("regex", bool, "Read the pattern as a Python regular expression.", default=False,
            cli=Flag(("--regex", "-E"), help="Read PATTERN as a Python regular expression.")),
        Arg("ignore_case", bool, "Match upper and lower case alike.", default=False,
            cli=Flag(("--ignore-case", "-i"))),
        Arg("scope", Literal["all", "code", "output", "names"], "Where to look: all (the default), code, output "
            "(output and console text) or names (cell names).", default="all",
            cli=Flag(("--in",), metavar="all|code|output|names", show_default=True)),
        Arg("limit", int, "Matches given at most (all are counted).", default=GREP_DEFAULT, minimum=1, maximum=10000,
            cli=Flag(("--limit",), metavar="N", show_default=True)),
        TARGET,
    ),
    call=lambda service, spec, values: service.grep(spec, values["pattern"], regex=values["regex"],
                                                    ignore_case=values["ignore_case"], scope=values["scope"],
                                                    limit=values["limit"]),
    shape=lambda reply, values: documents.grep_document(reply),
)


SCREENSHOT = Operation(
    tool="screenshot", command="screenshot", title="Picture an output as the browser draws it",
    help="""A PNG of CELL's output (without CELL: the whole notebook) as marimo's front end draws it, taken in
your Chromium as a read-only viewer; nothing runs in the kernel. Writes the file (--out FILE, else a
private one under the state directory) and prints its path, size and pixel dimensions. Needs the
screenshot extra (Playwright) and a Chromium: --browser PATH, else MARIMO_PAIR_BROWSER, else PATH.""",
    description="""A cell's output (without `cell`: the whole notebook) as marimo's front end draws it (a chart, a widget,
a styled table), as PNG image content: what a text read cannot show. Taken in the user's Chromium as a
read-only viewer; nothing runs in the kernel. Errors: `screenshot_failed` (still running: wait, then
again), `browser_missing`, `playwright_missing`, `no_output` (the cell draws nothing).""",
    args=(
        Arg("cell", str | None, "The cell (id or name) whose output to picture; none: the whole notebook.",
            default=None, cli=Flag(metavar="[CELL]")),
        TARGET,
        Arg("out", str | None, "Write the PNG to this file (default: a private file under the state directory).",
            default=None, cli=Flag(("--out",), metavar="FILE"), mcp=False),
        Arg("browser", str | None, "The Chromium program to draw with (default: MARIMO_PAIR_BROWSER, else "
                                   "chromium or chrome on PATH).", default=None,
            cli=Flag(("--browser",), metavar="PATH")),
        Arg("timeout", float | None, "Seconds to wait at most for the page and the output to be drawn "
                                     "(default 30).", default=None, minimum=0,
            cli=Flag(("--timeout",), metavar="SECONDS")),
    ),
    call=lambda service, spec, values: service.screenshot(spec, values["cell"], browser=values["browser"],
                                                          timeout=values["timeout"]),
    shape=lambda reply, values: documents.screenshot_document(reply, values["cell"],
                                                              save_picture(reply, values["cell"], values["out"])),
    tool_shape=lambda reply, values: documents.screenshot_document(reply, values["cell"]),
    images=lambda reply, values: [("image/png", reply.value)],
)


HISTORY = Operation(
    tool="history", command="history", title="Review the code changes",
    help="""Every change of the notebook's cells' code, newest first, whoever made it: this tool's doors
(cli, mcp, app), a browser, another client's code_mode, the notebook file on disk (marimo edit --watch).
Each change: id, cell, kind (create, edit, delete), origin (self: made through this door; other; file), by,
time, before and after code, the diff, and the run that followed. Kept across restarts, per notebook.""",
    description="""Every create, edit and delete of the notebook's cell code, whoever made it, newest first. Each change:
`id` (for `revert`), `cell` {id, name}, `kind`, `origin` (self: this server; other: a browser, another
tool; file: the file changed on disk), `by` (unseen: made while nothing followed the notebook, after
`since`), `at` (epoch seconds), `before` and `after` code, `diff`, and `run` (the execution that
followed, if any). Kept on disk across restarts.""",
    args=(
        Arg("cell", str | None, "Only this cell's changes (id or name; a deleted cell by its id).", default=None,
            cli=Flag(metavar="[CELL]")),
        TARGET,
        Arg("since", str | None, f"Only changes from then on: {SINCE_HELP}.", default=None,
            cli=Flag(("--since",), metavar="T")),
        Arg("origin", str | None, "Only changes of this origin (self, other, file) or by (cli, mcp, app, browser, "
                                  "code_mode, marimo-pair-tui).", default=None,
            cli=Flag(("--origin",), metavar="ORIGIN")),
        Arg("limit", int, "At most this many changes, newest first.", default=HISTORY_DEFAULT, minimum=1,
            cli=Flag(("--limit",), metavar="N", show_default=True)),
    ),
    call=lambda service, spec, values: service.history(spec, cell=values["cell"], since=values["since"],
                                                       origin=values["origin"], limit=values["limit"]),
    shape=lambda reply, values: documents.history_document(reply),
)

_RUN_ARG = Arg("run", bool, "Run the cells whose code comes back (and what depends on them).", default=True,
               cli=Flag(("--run/--no-run",), help="Run the cells whose code comes back (default: run)."))

REVERT = Operation(
    tool="revert", command="revert", title="Revert one code change",
    help="""Put back the code CHANGE (an id from `history`) replaced: an edit's old code, a created cell
deleted, a deleted cell made again at its place. Refused (exit 5, conflict) when the cell no longer has the
code the change left, unless --force.""",
    description="""Undo one change from `history`: an edit gets its old code back, a created cell is deleted, a
deleted cell is made again at its place (a new id). Applied as one batch and the cell run (unless `run`
is false). Refused as `conflict` when the cell no longer has the code the change left (someone changed it
since); `force` overwrites on purpose. The answer is `apply`'s, with `reverted` (the change ids).""",
    args=(
        Arg("change", str, "The change's id (from `history`).", cli=Flag(metavar="CHANGE")),
        TARGET,
        Arg("force", bool, "Put the old code back even if the cell changed since.", default=False,
            cli=Flag(("--force",))),
        _RUN_ARG,
    ),
    call=lambda service, spec, values: service.revert(spec, values["change"], force=values["force"],
                                                      run=values["run"]),
    shape=_operation_document, changes_cells=True,
)

UNDO = Operation(
    tool="undo", command="undo", title="Undo changes since a time",
    help=f"""Undo every code change ORIGIN made since T (default: self, the changes made through this door),
all or nothing, as one batch: each cell gets the code it had before the first of them. Refused (exit 5,
conflict) and nothing changed when a cell changed otherwise since. T: {SINCE_HELP}.""",
    description="""Undo what you did: every code change of `origin` since `since`, as one all-or-nothing batch; each
cell gets the code it had before the first of them (created cells deleted, deleted ones made again).
Refused as `conflict`, with nothing changed, when someone else changed one of those cells after. The
answer is `apply_changes`'s, with `reverted` (the change ids).""",
    args=(
        TARGET,
        Arg("since", str, f"Undo the changes from then on: {SINCE_HELP}.", cli=Flag(("--since",), metavar="T")),
        Arg("origin", str, "Whose changes: self (this door's), other, file, or by (cli, mcp, app, browser, ...).",
            default="self", cli=Flag(("--origin",), metavar="ORIGIN", show_default=True)),
        _RUN_ARG,
    ),
    call=lambda service, spec, values: service.undo(spec, values["since"], origin=values["origin"],
                                                    run=values["run"]),
    shape=_operation_document, changes_cells=True,
)


# -- operations whose doors do something around the call: code read from -c/--file/stdin on the command
# line, outputs' options and images, a snippet's output streamed, the tour notebook, listings without a session

PARTS_HELP = "Also give each output's typed `parts` (a table's exact rows and dtypes, widgets' domains, charts' data)."
CODE_HELP = "Python code, exactly as it should arrive (no escaping needed)."
URL_HELP = ("The marimo server's URL, when several run (e.g. http://127.0.0.1:2718); for an --ssh host, the URL the "
            "server has on that host.")


def _code(cli_help: str = "The code.") -> Arg:
    return Arg("code", str, CODE_HELP, cli=Flag(("-c",), metavar="CODE", help=cli_help, code=True))


RAW_FLAG_HELP = "Also give marimo's own output data (HTML, base64 images) beside text and handles."
SAVE_IMAGES_FLAG_HELP = "Write the outputs' images (plots, charts drawn to PNG) as files in DIR; the JSON names them."


def _output_args(raw_help: str | None = None, images_help: str | None = None) -> tuple[Arg, ...]:
    """--parts, --raw and --save-images: which outputs a read gives, as every command that prints outputs spells
    them. The tool words `raw` and `save_images` its own way; without those words it takes `parts` alone."""
    return (
        Arg("parts", bool, PARTS_HELP, default=False,
            cli=Flag(("--parts",), help="Also give each output's typed parts (tables' exact rows, widgets, charts' "
                                        "data); by default an output is its text and handles.")),
        Arg("raw", bool, raw_help or RAW_FLAG_HELP, default=False, mcp=raw_help is not None,
            cli=Flag(("--raw",), help=RAW_FLAG_HELP)),
        Arg("save_images", str | None, images_help or SAVE_IMAGES_FLAG_HELP, default=None, mcp=images_help is not None,
            cli=Flag(("--save-images",), metavar="DIR", path="dir", help=SAVE_IMAGES_FLAG_HELP)),
    )


def _image_files(values: Values) -> Values:
    """The directory the outputs' images go to, made before the read (a usage error when it cannot be)."""
    return {"images": image_files(values["save_images"])}


def _saved(values: Values, whole: Callable[[], Document]) -> str | None:
    """Where the complete document was written, when the call asked for it."""
    return save_document(values["save_to"], whole()) if values["save_to"] else None


def _cells_document(reply: Any, values: Values) -> Any:
    mode, images = output_mode(values["raw"], not values["outputs"]), values["images"]
    saved = _saved(values, lambda: documents.cells_document(reply, outputs=mode, parts=values["parts"], limit=None,
                                                            images=images))
    return documents.cells_document(reply, outputs=mode, parts=values["parts"], images=images, saved_to=saved)


def _output_document(reply: Any, values: Values) -> Any:
    return documents.output_document(reply, outputs=output_mode(values["raw"]), parts=values["parts"],
                                     images=values["images"])


def _output_tool_document(reply: Any, values: Values) -> Any:
    """The output as the tool gives it: its images follow as image content, and those left out are named."""
    document = _output_document(reply, values)
    values["pictures"], left_out = documents.output_images(reply)
    if left_out:
        document["warnings"].append(f"{left_out} image(s) not attached (too many, too large, or SVG "
                                    "that could not be rasterized): pass save_images to get them as files.")
    return document


def _exec_document(reply: Any, values: Values) -> Any:
    images = image_files(values["save_images"])
    saved = _saved(values, lambda: documents.exec_document(reply, limit=None, images=images))
    return documents.exec_document(reply, saved_to=saved, outputs=output_mode(values["raw"]), parts=values["parts"],
                                   images=images)


def _execute(service: PairingService, spec: TargetSpec, values: Values) -> Awaitable[Reply[Any]]:
    hearing = values[DOOR].hearing
    return service.execute(spec, values["code"], on_output=hearing.output, timeout=values["timeout"],
                           answers=values["input"] or (), on_prompt=hearing.prompt)


async def _open(service: PairingService, spec: TargetSpec, values: Values) -> Reply[Any]:
    path = values["path"]
    if values["tour"]:
        from ..notebooks import tour_copy

        # The tour's copy is written here, where a disk that refuses it is a JSON error like any other.
        path = str(tour_copy(state_dir() / "tour"))
    return await service.open(path, run=values["run"], run_wait=values["run_wait"])


def _on_ssh(values: Values) -> bool:
    return bool(values[DOOR].ssh_hosts)


SERVERS = Operation(
    tool="servers", command="servers", title="List marimo servers", cli_targeting="servers",
    help="List marimo servers: the local registry plus named URLs (and --ssh hosts' registries).",
    description="Running marimo servers: the local registry, the URLs the MCP server was started with, and its --ssh "
                "hosts' registries.",
    args=(),
    call=lambda service, spec, values: service.servers(),
    shape=lambda reply, values: documents.servers_document(reply),
)

NOTEBOOKS = Operation(
    tool="notebooks", command="notebooks", title="List notebooks and sessions",
    help="List notebooks and their sessions on every server.",
    description="Notebooks with open sessions on every server (or on `url`): path, name, session ids.",
    args=(Arg("url", str | None, URL_HELP, default=None, cli=None),),
    call=lambda service, spec, values: service.notebooks(values["url"]),
    shape=lambda reply, values: documents.notebooks_document(reply),
)

OPEN = Operation(
    tool="open_notebook", command="open", function="open_notebook_", title="Open a notebook",
    help="""A session for NOTEBOOK.py: reuse a server's, create one on a server that serves the
file, or start a server. With --url (and --token-file for a token server) only that
server is used.""",
    description="A session for a notebook file: an existing one if a server has it, else start `marimo edit` for it.",
    args=(
        Arg("path", str, "The notebook file (absolute, or relative to the server's cwd).",
            cli=Flag(metavar="NOTEBOOK.py", required=False)),
        Arg("tour", bool, "Open the tour notebook shipped with the package.", default=False, cli=Flag(("--tour",)),
            mcp=False),
        Arg("run", bool | None, "Run all cells of a new session (default: as marimo's runtime.auto_instantiate says).",
            default=None, cli=Flag(("--run/--no-run",), help="Run all cells in a new session (default: as "
                                                             "runtime.auto_instantiate in the marimo config says).")),
        Arg("run_wait", float, "Seconds to follow the run at most; past them the session is returned with "
                               "`still_running` cells, the run goes on.", default=RUN_WAIT, minimum=0,
            cli=Flag(("--run-wait",), metavar="SECONDS", show_default=True,
                     help="Follow the run this long at most; past it the session is returned with the cells still "
                          "running (`still_running`), the run goes on.")),
    ),
    checks=(
        Check(lambda v: v["tour"] == (v["path"] is not None), "Name one notebook to open.",
              "Pass NOTEBOOK.py, or --tour for the shipped tour notebook."),
        Check(_on_ssh, "open starts marimo on this machine only.",
              "Start it on the remote host (`ssh DEST marimo edit --headless NOTEBOOK.py`), then use --ssh DEST."),
        Check(_on_ssh, "open_notebook starts marimo on this machine only, and this server targets --ssh hosts.",
              "Start it on the remote host (`ssh DEST marimo edit --headless NOTEBOOK.py`), then call `notebooks`.",
              door=MCP),
    ),
    call=_open,
    shape=lambda reply, values: documents.open_document(reply),
)

CELLS = Operation(
    tool="cells", command="cells", title="Read cells",
    help="""Every cell in order: id, name, code, hash, status, errors, console, output, defs, refs.

Each output is `text` (markdown, tables, widgets and charts in words) and `handles` (the object ids
and image files to act on); --parts adds the typed parts.
Read from the session's live stream: it answers at once, also while cells run.""",
    description="""Every cell in order: id, name, code, hash (pass it to edit_cell), status, errors, console, output, defs, refs.
Each output has `text` (markdown, tables, widgets and charts in words) and `handles` (object ids to page a
table or set a widget, saved image files). Served from a live mirror: no kernel round trip, answers while
cells run; `kernel` says whether anything is queued or running. To look at a plot, call `output`.""",
    args=(
        TARGET,
        Arg("ids", list[str] | None, "Only these cells (ids or names), in this order.", default=None,
            cli=Flag(("--cell",), metavar="ID", help="Only this cell (id or name; repeatable), in the order given.",
                     parse=lambda ids: ids or None)),
        Arg("refresh", bool, "Read through code_mode in the kernel instead of the live mirror (waits while the kernel "
                             "is busy).", default=False,
            cli=Flag(("--refresh",), help="Read through code_mode in the kernel instead of the live stream (waits "
                                          "while the kernel is busy).")),
        Arg("outputs", bool, "Include outputs (text and handles); false leaves them out (mimetype and size stay).",
            default=True, cli=Flag(("--no-outputs",), negates=True,
                                   help="Leave outputs out (their mimetype and size stay).")),
        *_output_args("Also give marimo's own output data (HTML, base64 images).",
                      "A directory: write the outputs' images (plots, charts as PNG) there; the handles name the files."),
        Arg("save_to", str | None, "Also write the complete document (consoles and outputs uncut) to PATH as JSON.",
            default=None, mcp=False, cli=Flag(("--output-file",), metavar="PATH", path="file")),
    ),
    cli_order=("ids", "outputs", "refresh", "parts", "raw", "save_images", "save_to"),
    prepare=_image_files,
    call=lambda service, spec, values: service.cells(spec, ids=values["ids"], refresh=values["refresh"],
                                                     files=values["images"] is not None),
    shape=_cells_document,
)

OUTPUT = Operation(
    tool="output", command="output", function="output_", title="Look at one cell's output",
    help="""One cell's output: text a model reads, handles (object ids, image files), console; --parts: typed parts.

With --save-images DIR, plots and charts are written as PNG files and named in the JSON.""",
    description="""One cell's output: `text` to read, `handles` (object ids, saved image files), its console,
and its images (plots, charts drawn to PNG) as image content you can look at.""",
    args=(
        Arg("cell", str, "The cell (id or name).", cli=Flag(metavar="CELL")),
        TARGET,
        *_output_args("Also give marimo's own output data.", "A directory to also write the images to, as files."),
    ),
    prepare=_image_files,
    call=lambda service, spec, values: service.cells(spec, ids=[values["cell"]], files=True),
    shape=_output_document,
    tool_shape=_output_tool_document,
    images=lambda reply, values: values["pictures"],
)

EXECUTE = Operation(
    tool="execute", command="exec", function="execute_", title="Run code in the kernel",
    help="Run code in the session's kernel (scratchpad); stdout/stderr come back.",
    description="""Run code in the session's kernel scratchpad: it sees the notebook's variables and is not saved (to
change the notebook, create or edit cells). stdout/stderr stream as progress notifications. An input()
without an answer in `input` waits, reported as progress, until `answer` or `interrupt`. stdout, stderr
and output are each cut to 256 KB (`truncated`, full sizes in `chars`); `save_to` keeps everything.""",
    args=(
        _code("The code to run."),
        TARGET,
        _timeout(),
        Arg("save_to", str | None, "A file path: also write the complete result there (JSON, stdout/stderr/output "
                                   "uncut). The answer keeps 256 KB per field (`truncated`, `chars` say when it was "
                                   "cut).", default=None,
            cli=Flag(("--output-file",), metavar="PATH", path="file",
                     help="Also write the complete document (stdout, stderr and output uncut) to PATH as JSON; "
                          f"stdout's document keeps {documents.EXEC_FIELD_LIMIT // 1024} KB per field.")),
        Arg("input", list[str] | None, "Answers to the code's input() prompts, in order.", default=None,
            cli=Flag(("--input",), metavar="TEXT",
                     help="Answer the snippet's input() prompts with these, in order (repeatable).")),
        *_output_args(),
        Arg("stream", bool, "Write output as JSON lines as it arrives, then a summary line.", default=False,
            cli=Flag(("--stream",), streams=True), mcp=False),
    ),
    cli_order=("code", "stream", "save_to", "parts", "raw", "save_images", "input"),
    call=_execute,
    shape=_exec_document,
    can_fail=True,
)

CREATE_CELL = Operation(
    tool="create_cell", command="create", title="Create a cell",
    help="Add a cell (at the end unless placed); refuses syntax errors and names another cell defines.",
    description="""Add a cell (at the end unless placed) and save it to the notebook file. Refuses syntax errors,
names another cell defines (naming that cell) and cycles; then nothing is applied.""",
    args=(
        _code(), TARGET,
        Arg("after", str | None, PLACE_HELP, default=None,
            cli=Flag(("--after",), metavar="ID", help="Insert after this cell (id or name).")),
        Arg("before", str | None, PLACE_HELP, default=None,
            cli=Flag(("--before",), metavar="ID", help="Insert before this cell (id or name).")),
        Arg("name", str | None, "A name for the cell (a Python identifier).", default=None,
            cli=Flag(("--name",), metavar="NAME", help="Name the new cell (a Python identifier).")),
        Arg("run", bool, "Run the cell once created.", default=False, cli=Flag(("--run",))),
        _timeout(),
    ),
    cli_order=("after", "before", "name", "run", "code"),
    checks=(Check(lambda v: v["after"] is not None and v["before"] is not None,
                  "Give either --after or --before, not both.", "Place the cell with one of them."),),
    call=lambda service, spec, values: service.create_cell(
        spec, values["code"], before=values["before"], after=values["after"], name=values["name"], run=values["run"],
        timeout=values["timeout"]),
    shape=_operation_document, changes_cells=True,
)

EDIT_CELL = Operation(
    tool="edit_cell", command="edit", title="Edit a cell",
    help="Replace a cell's code only if it is still what you read; else exit 5 with both versions.",
    description="""Replace a cell's code only if it is still what you read (pass `expect`, the hash from `cells`).
A conflict returns both versions (`theirs`, `yours`) and applies nothing.""",
    args=(
        _cell(), _code(), TARGET,
        Arg("expect", str | None, "The cell's `hash` as you read it: the edit is refused (conflict) if it changed "
                                  "since.", default=None,
            cli=Flag(("--expect",), metavar="HASH", help="The hash of the code you read (from `cells`).")),
        Arg("base", str | None, "Or the cell's code as you read it.", default=None,
            cli=Flag(("--base-file",), metavar="PATH", help="A file holding the code you read.", file=True)),
        Arg("force", bool, "Overwrite whatever the cell holds now.", default=False, cli=Flag(("--force",))),
        Arg("run", bool, "Run the cell once edited.", default=False, cli=Flag(("--run",))),
        _timeout(),
    ),
    cli_order=("cell", "expect", "base", "force", "run", "code"),
    checks=(Check(lambda v: sum((v["expect"] is not None, v["base"] is not None, v["force"])) != 1,
                  "Give exactly one of --expect HASH, --base-file PATH or --force.",
                  "Pass the hash `cells` printed for the cell (--expect), or the code you read (--base-file)."),),
    call=lambda service, spec, values: service.edit_cell(
        spec, values["cell"], values["code"], expect=values["expect"], base=values["base"], force=values["force"],
        run=values["run"], timeout=values["timeout"]),
    shape=_operation_document, changes_cells=True,
)

ACTIVITY = Operation(
    tool="activity", command="activity", title="Read the activity log",
    help="""What ran in the session, by anyone, newest first: snippets and cell runs (the MCP `activity` tool).

The log starts when the pairing service first follows the session (with
--no-service: when this command attaches), so it spans calls; use --listen
to hear what others run for a while, or `watch --activity` to follow it.""",
    description=f"""What ran in the session, by anyone, newest first: snippets (`kind` scratch), cell runs (cell) and
kernel controls (control: interrupt, restart, an answer to input(), in `program`). Each entry: `id`,
`origin` (self: sent by this server; other), `code`, `outcome` (running, ok, error, cancelled,
interrupted, unknown), `started_at`/`ended_at` (epoch seconds), `truncated`, and stdout/stderr
(their newest {documents.ACTIVITY_TEXT_LIMIT} characters) and output (its first {documents.ACTIVITY_TEXT_LIMIT}).
Other clients' runs are complete from when this server began following the session (`log_started_at`).""",
    args=(
        TARGET,
        Arg("limit", int, "At most this many entries, newest first.", default=ACTIVITY_DEFAULT, minimum=1,
            cli=Flag(("--limit",), show_default=True)),
        Arg("since", str | None, "An entry `id` from an earlier result: only entries started after it.", default=None,
            cli=Flag(("--since",), metavar="ID",
                     help="Only entries started after this entry id (from an earlier read).")),
        Arg("listen", float, "Listen this long to the session before answering (the log starts when the command "
                             "attaches).", default=0.0, minimum=0, cli=Flag(("--listen",), metavar="SECONDS"),
            mcp=False),
    ),
    call=lambda service, spec, values: service.activity(
        spec, limit=values["limit"], since=values["since"], listen=values["listen"],
        on_listening=lambda: values[DOOR].hearing.listening(values["listen"])),
    shape=lambda reply, values: documents.activity_document(reply),
)

APPLY_CHANGES = Operation(
    tool="apply_changes", command="apply", title="Apply several cell changes",
    help="""Apply several cell changes at once (JSON list: create, edit, move, delete), then run once.

All are checked together (syntax, multiply-defined names and cycles across the notebook
they leave, conflicts by hash); a refusal names the operation (numbered from 1) and applies
nothing. A create's "id" is a temporary label later operations may place cells by.""",
    description="""Apply several creates, edits, moves and deletes as one change, then run the affected cells once.
Checked together first (syntax, multiply-defined names and cycles across the resulting notebook,
conflicts by hash): a refusal names the operation (`error.operation.number`, from 1) and applies
nothing. The answer lists each operation (`applied`), temporary ids -> cell ids (`ids`), the cells
that ran (`ran`) and the affected cells' new state.""",
    args=(
        Arg("operations", list[Any],
            'The operations, in order: {"op": "create", "code": ..., "name"?, "after"?|"before"?, "id"?} '
            '("id": a temporary label later operations may name the new cell by), '
            '{"op": "edit", "cell": ..., "code": ..., "expect": HASH} (or "force": true), '
            '{"op": "move", "cell": ..., "after"|"before": ...}, {"op": "delete", "cell": ...}.',
            cli=Flag(batch=True)),
        TARGET,
        Arg("run", bool, "Run the created and edited cells (and what depends on them) once, after applying.",
            default=True,
            cli=Flag(("--run/--no-run",), default=None,
                     help="Run the created and edited cells (and what depends on them) once, after applying "
                          "(default: yes, or the input's top-level 'run').")),
        _timeout(cli=Flag(("--timeout",), metavar="SECONDS",
                          help="Give up waiting after this long (the request is closed, which interrupts the kernel).")),
    ),
    call=lambda service, spec, values: service.apply_changes(spec, values["operations"], run=values["run"],
                                                             timeout=values["timeout"]),
    shape=_operation_document,
    can_fail=True,
)

# In the order the MCP server lists the tools: finding a notebook and its cells first.
OPERATIONS: tuple[Operation, ...] = (
    SERVERS, NOTEBOOKS, OPEN, CELLS, OUTPUT, EXECUTE, CREATE_CELL, EDIT_CELL,
    INTERRUPT, STATUS, RESTART, ANSWER, VARIABLES, GRAPH, UI, SET_UI, TABLE_PAGE, RUN_CELLS, MOVE_CELL, DELETE_CELL,
    ADD_PACKAGES, SCREENSHOT, DEBUG, GREP,
    HISTORY, REVERT, UNDO,
    ACTIVITY, APPLY_CHANGES,
)
