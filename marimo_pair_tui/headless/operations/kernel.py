"""Operations on the kernel itself: interrupt, status, restart, answers to input(), variables, the graph, packages, the debugger."""

from __future__ import annotations

from ...core.api import RUN_WAIT, documents
from ..declaration import TARGET, Arg, Check, Flag, Operation
from .arguments import operation_document, timeout_arg

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


ADD_PACKAGES = Operation(
    tool="add_packages", command="add", group="packages", title="Add packages",
    help="Install packages with the notebook's package manager; each has an outcome.",
    description="""Install packages into the kernel's environment with the notebook's package manager; then re-run
the cells that failed to import them.""",
    args=(Arg("packages", list[str], "Package names as the package manager takes them (e.g. 'humanize', 'polars>=1').",
              cli=Flag(metavar="NAME [NAME ...]")), TARGET, timeout_arg()),
    call=lambda service, spec, values: service.add_packages(spec, values["packages"], timeout=values["timeout"]),
    shape=operation_document, changes_cells=True,
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
