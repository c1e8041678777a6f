"""Operations that look back or around: search, a picture of an output, the code history and its reverts, the activity of every client."""

from __future__ import annotations

from typing import Literal

from ...core.api import ACTIVITY_DEFAULT, GREP_DEFAULT, HISTORY_DEFAULT, SINCE_HELP, documents
from ..declaration import DOOR, TARGET, Arg, Flag, Operation
from ..pictures import save_picture
from .arguments import RUN_ARG, operation_document

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
        RUN_ARG,
    ),
    call=lambda service, spec, values: service.revert(spec, values["change"], force=values["force"],
                                                      run=values["run"]),
    shape=operation_document, changes_cells=True,
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
        RUN_ARG,
    ),
    call=lambda service, spec, values: service.undo(spec, values["since"], origin=values["origin"],
                                                    run=values["run"]),
    shape=operation_document, changes_cells=True,
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
