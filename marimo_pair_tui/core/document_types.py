"""The shapes of the JSON documents core/documents.py builds, as TypedDicts mypy checks.

The golden files under tests/golden/ pin what a document holds; these pin
what each field is, so a builder that puts a wrong value in a field, or a
field no shape names, fails the type check. A shape whose fields are not
always there is a required base (`_...Fields`) and the class named here with
the fields a compact read leaves out when empty, false or default
(`total=False`; NotRequired would need Python 3.11).

Some parts stay open on purpose and say so: an output's typed parts and
handles (core/parts owns their many kinds), a UI element (its kind's own
fields), an error's details and an operation's own facts (both vary by kind).
marimo's own data (an output's `data`, a console entry's, a table's rows) is
`object`: the documents pass it through without reading it.

This module imports nothing of the package, so any layer may name a shape.
"""

from __future__ import annotations

from typing import Any, Literal, Mapping, TypedDict, Union

# A document of whichever shape, as a door passes it on: prints it, saves it, returns it as a tool result.
Document = Mapping[str, object]

# -- open parts -------------------------------------------------------------------

# A typed part of an output (`{"type": "text" | "markdown" | "table" | "chart" | ...}`, core/parts/model.py).
PartJson = dict[str, Any]
# Something in an output a reader acts on: `{"type", "object_id"?, "kind"?, "file"?, ...}` (core/parts/handles.py).
HandleJson = dict[str, Any]
# A UI element: object id, cell, names, kind, label, value, domain, settable, its kind's own fields.
UiElementJson = dict[str, Any]


# -- the session and errors ---------------------------------------------------------


class _TargetFields(TypedDict):
    session_id: str | None
    routing_id: str
    notebook: str
    server: str


class TargetJson(_TargetFields, total=False):
    """The session a document is about; `source` and `ssh_host` only for a server on an ssh host."""

    source: Literal["ssh"]
    ssh_host: str


class ErrorJson(TypedDict):
    """A failure's kind, message and what to do next; an error kind may add its own details
    (`candidates`, `theirs`/`yours`, ...) beside them."""

    kind: str
    message: str
    next: str


class ErrorDocument(TypedDict):
    success: Literal[False]
    error: ErrorJson


class _EnvelopeFields(TypedDict):
    success: bool


class EnvelopeHead(_EnvelopeFields, total=False):
    """What every answer about a session starts with: whether it succeeded, and the session."""

    session: TargetJson


class Envelope(EnvelopeHead):
    """An answer with nothing but its success and warnings (an interrupt); every envelope ends with `warnings`."""

    warnings: list[str]


# -- outputs and cells ----------------------------------------------------------------


class _OutputTextFields(TypedDict):
    text: str


class OutputTextJson(_OutputTextFields, total=False):
    """An output as a read gives it by default: the text, and handles only for what the text does not
    name; a cut text says so (`truncated`) with the output's full size (`chars`)."""

    handles: list[HandleJson]
    truncated: Literal[True]
    chars: int


class _OutputPartsFields(TypedDict):
    mimetype: str | None
    text: str
    handles: list[HandleJson]
    chars: int


class OutputPartsJson(_OutputPartsFields, total=False):
    """An output with everything (`--parts`, `--raw`, an uncut exec): the typed `parts` when asked,
    marimo's own `data` with raw."""

    parts: list[PartJson]  # a bounded read ends with `{"type": "omitted", "parts": n}`
    truncated: Literal[True]
    data: object


class OmittedOutputJson(TypedDict):
    """An output left out (`--no-outputs`): its mimetype and size only."""

    mimetype: str | None
    data: None
    omitted: Literal[True]
    chars: int


OutputJson = Union[OutputTextJson, OutputPartsJson, OmittedOutputJson]


class ConsoleJson(TypedDict):
    channel: str
    mimetype: str
    data: object


class CellErrorJson(TypedDict):
    kind: str
    message: str


class CellConfigJson(TypedDict, total=False):
    """A cell's config, only what differs from a new cell's."""

    disabled: Literal[True]
    hide_code: Literal[True]


class _CellFields(TypedDict):
    id: str
    name: str
    code: str
    hash: str
    status: str | None


class CellJson(_CellFields, total=False):
    """A cell, live or from code_mode; what is empty, false or default is left out."""

    errors: list[CellErrorJson]
    console: list[ConsoleJson]
    output: OutputJson
    truncated: Literal[True]
    defs: list[str]
    refs: list[str]
    config: CellConfigJson


class CellSummaryJson(TypedDict):
    """A cell in a stream line or a wait result: who it is and how it stands."""

    id: str
    name: str
    status: str | None
    hash: str


class _KernelFields(TypedDict):
    idle: bool
    running: list[str]
    queued: list[str]
    live: str


class KernelJson(_KernelFields, total=False):
    waiting_for_input: list[dict[str, str]]  # [{cell, prompt}]
    stopped: str


class NoticeJson(TypedDict):
    """A toast or banner marimo showed."""

    seq: int
    kind: str
    title: str
    description: str
    variant: str | None
    action: str | None
    at: float


class StartupJson(TypedDict):
    phase: str | None
    progress: str
    logs: str
    logs_done: bool
    error: str | None


class OperationJson(TypedDict):
    """A package operation as its latest notification says."""

    operation_id: str
    action: str
    status: str
    detail: str
    packages: dict[str, str]
    logs: dict[str, str]


class EnvironmentJson(TypedDict):
    restart_required: bool
    operations: list[OperationJson]


class NoticesJson(TypedDict):
    """What marimo told besides cells: alerts, banners, startup, package operations per environment."""

    alerts: list[NoticeJson]
    banners: list[NoticeJson]
    startup: StartupJson | None
    environment: dict[str, EnvironmentJson]


# -- reads --------------------------------------------------------------------------


class _CellsExtras(TypedDict, total=False):
    images: list[str]
    saved_to: str
    kernel: KernelJson
    notices: NoticesJson


class _CellsFields(EnvelopeHead):
    source: str
    cells: list[CellJson]
    warnings: list[str]


class CellsDocument(_CellsFields, _CellsExtras):
    """`cells`: the cells, where they were read, the image files written, the kernel (live reads)."""


class OutputCellJson(TypedDict):
    id: str
    name: str
    status: str | None


class _OutputExtras(TypedDict, total=False):
    images: list[str]


class _OutputFields(EnvelopeHead):
    cell: OutputCellJson
    output: OutputJson | None
    console: list[ConsoleJson]
    errors: list[CellErrorJson]
    warnings: list[str]


class OutputDocument(_OutputFields, _OutputExtras):
    """`output`: one cell's output, console and errors."""


class StatusDocument(Envelope):
    state: str
    kernel: KernelJson
    notices: NoticesJson


class IdleDocument(Envelope):
    """How a wait for an idle kernel ended (`reason`: idle, timeout or gone)."""

    reason: str
    kernel: KernelJson
    cells: list[CellSummaryJson]


class _VariableFields(TypedDict):
    name: str
    type: str | None
    preview: str | None
    declared_by: list[str]
    used_by: list[str]


class VariableJson(_VariableFields, total=False):
    """A global; a frame's rows, columns and index; a Series' head, a frame's labels."""

    rows: int | None
    columns: list[dict[str, object]]
    index: list[object]
    series: dict[str, object]
    labels: list[object]


class VariablesDocument(Envelope):
    variables: list[VariableJson]


class CellRefJson(TypedDict):
    id: str
    name: str | None


class GraphCellJson(CellRefJson):
    defs: list[str]
    parents: list[str]
    children: list[str]


class GraphDocument(Envelope):
    """The dataflow graph: every cell's defs, parents and children."""

    cells: list[GraphCellJson]


class GraphFocusJson(CellRefJson):
    defs: list[str]
    refs: list[str]


class GraphCellDocument(Envelope):
    """One cell's place in the graph."""

    cell: GraphFocusJson
    parents: list[CellRefJson]
    children: list[CellRefJson]
    ancestors: list[CellRefJson]
    descendants: list[CellRefJson]


class GraphNameDocument(Envelope):
    """Which cells define and read a name."""

    name: str
    defined_by: list[CellRefJson]
    read_by: list[CellRefJson]


class UiDocument(Envelope):
    elements: list[UiElementJson]


class ColumnJson(TypedDict):
    name: str
    kind: str
    dtype: str
    index: bool


class TablePageDocument(Envelope):
    object_id: str
    page: int
    page_size: int
    last_page: int
    first_row: int
    columns: list[ColumnJson]
    row_headers: list[str]
    rows: list[dict[str, object]]
    total_rows: int
    total_columns: int
    text: str


# -- operations and runs ------------------------------------------------------------------


class _OperationExtras(TypedDict, total=False):
    failed: list[str]
    next: str
    element: UiElementJson


class _OperationFields(EnvelopeHead):
    cells: list[CellJson]
    order: list[str]
    warnings: list[str]


class OperationDocument(_OperationFields, _OperationExtras):
    """A cell operation's answer: the affected cells, the order, and the operation's own facts
    (`created`, `moved`, `stale`, `packages`, `missing_packages`, ... by operation) beside them."""


class ExecCharsJson(TypedDict):
    stdout: int
    stderr: int
    output: int


class _ExecExtras(TypedDict, total=False):
    saved_to: str
    images: list[str]


class _ExecFields(EnvelopeHead):
    stdout: str
    stderr: str
    output: OutputJson | None
    truncated: bool
    chars: ExecCharsJson
    warnings: list[str]


class ExecDocument(_ExecFields, _ExecExtras):
    """A snippet's answer: its stdout, stderr and output, cut or not, with the full sizes."""


class StreamChunkJson(TypedDict):
    stream: str
    data: str


class RestartDocument(Envelope):
    restarted: Literal[True]


class AnsweredJson(TypedDict):
    cell: str
    prompt: str
    text: str


class AnswerDocument(Envelope):
    answered: AnsweredJson


# -- activity -----------------------------------------------------------------------


class ActivityCellJson(TypedDict):
    id: str
    label: str | None


class ActivityOutputJson(TypedDict):
    mimetype: str
    data: object
    text: str


class ActivityEntryJson(TypedDict):
    """One execution: what ran, where, by whom, when, how it ended and what it printed."""

    id: str
    seq: int
    kind: str
    origin: str
    cell: ActivityCellJson | None
    code: str | None
    program: dict[str, object] | None
    outcome: str
    started_at: float
    ended_at: float | None
    duration: float | None
    stdout: str
    stderr: str
    truncated: bool
    output: ActivityOutputJson | None
    errors: list[CellErrorJson]
    run_id: str | None
    caused_by: str | None


class _ActivityExtras(TypedDict, total=False):
    kernel: KernelJson


class _ActivityFields(EnvelopeHead):
    entries: list[ActivityEntryJson]
    more: bool
    log_started_at: float | None
    warnings: list[str]


class ActivityDocument(_ActivityFields, _ActivityExtras):
    """The newest activity entries, whether older ones matched, when the log began."""


# -- the directory ------------------------------------------------------------------


class _ServerFields(TypedDict):
    url: str
    host: str
    port: int
    pid: int | None
    version: str | None
    source: str


class ServerJson(_ServerFields, total=False):
    ssh_host: str


class ServersDocument(TypedDict):
    servers: list[ServerJson]
    warnings: list[str]


class SessionJson(TypedDict):
    session_id: str | None
    routing_id: str


class _NotebookFields(TypedDict):
    server: str
    path: str
    name: str
    sessions: list[SessionJson]


class NotebookJson(_NotebookFields, total=False):
    source: Literal["ssh"]
    ssh_host: str


class NotebooksDocument(TypedDict):
    notebooks: list[NotebookJson]
    warnings: list[str]


class PromptJson(TypedDict):
    cell: str
    prompt: str


class _OpenFields(TypedDict):
    success: Literal[True]
    session: TargetJson
    started_server: bool
    created_session: bool
    ran_cells: bool
    log: str | None
    warnings: list[str]


class OpenDocument(_OpenFields, total=False):
    """`open`: the session, what had to be started, and what the first run still waits on."""

    waiting_for_input: list[PromptJson]
    still_running: list[str]
    next: str


class ClosedServerJson(TypedDict):
    url: str
    pid: int
    notebook: str


class ClosedDocument(TypedDict):
    success: Literal[True]
    closed: list[ClosedServerJson]


# -- watch ----------------------------------------------------------------------------


class DeletedCellJson(TypedDict):
    id: str
    deleted: Literal[True]


class WatchedCellJson(CellSummaryJson, total=False):
    """A changed cell in a `watch` line; `output` when it moved while watched."""

    output: Mapping[str, object] | None  # `{text, progress[, cut]}` (core/model/watch_outputs.py)


class _WatchLineFields(TypedDict):
    cells: list[WatchedCellJson | DeletedCellJson]
    idle: bool
    running: list[str]
    scratch: str | None
    live: str


class WatchLineJson(_WatchLineFields, total=False):
    """One line of `watch`; `order` when the cells' order changed."""

    order: list[str]


class _WatchSummaryFields(Envelope):
    reason: str
    idle: bool
    cells: list[CellSummaryJson]


class WatchSummaryDocument(_WatchSummaryFields, total=False):
    """The last line of `watch`: why it ended and the cells then; when the notebook's session could not
    be told apart, the sessions to choose from (`candidates`, as an ambiguous target's error gives them)."""

    candidates: list[dict[str, object]]
    detail: str


class NoticeLineJson(TypedDict):
    notice: NoticeJson


class RemoteJson(TypedDict):
    ssh_host: str
    url: str
    pid: int | None


class TunnelDocument(TypedDict):
    """`tunnel`'s first line: the local URL and the server it reaches."""

    success: Literal[True]
    local_url: str
    remote: RemoteJson
    warnings: list[str]


class _ScreenshotFields(Envelope):
    cell: str | None
    mimetype: str
    bytes: int
    width: int | None
    height: int | None


class ScreenshotDocument(_ScreenshotFields, total=False):
    """`screenshot`: the picture's cell (None: the whole notebook), size in bytes and pixels; the command
    names the PNG file it wrote (`file`), the MCP tool sends the picture itself as image content."""

    file: str


# Shapes that carry fields beyond those they name: an error's details and an operation's own facts vary by
# kind (tests/test_document_types.py holds every other shape to exactly its fields).
OPEN_SHAPES: frozenset[str] = frozenset({"ErrorJson", "OperationDocument"})


# -- the debugger -------------------------------------------------------------------


class DebugLocalJson(TypedDict):
    type: str
    repr: str


class DebugPlaceJson(TypedDict):
    """Where a frame stands: its file, line (from 1), function, the cell whose code it runs (or None), the line's text."""

    file: str
    line: int
    function: str
    cell: str | None
    code: str


class DebugFrameJson(DebugPlaceJson):
    """One frame of the traceback with its locals (a cell's own frame: the names its code uses), as short reprs."""

    locals: dict[str, DebugLocalJson]


class DebugDocument(Envelope):
    """`debug`: a failed cell's post-mortem: the exception (`error`, as the cell's output told it), pdb's
    `transcript` for the `commands`, the traceback's `frames` (outermost first) and where it was raised
    (`current`, the last frame)."""

    cell: str
    error: str | None
    commands: list[str]
    transcript: str
    current: DebugPlaceJson | None
    frames: list[DebugFrameJson]


class GrepMatchJson(TypedDict):
    """One match: the cell (id and name), which of its texts (name, code, output, console), the line
    (from 1), the match's span in that line (from 0, end exclusive), the matched text and the line (a
    window around the match, cut ends marked with …, when the line is long)."""

    cell: str
    name: str
    where: Literal["name", "code", "output", "console"]
    line: int
    span: list[int]
    match: str
    text: str


class _GrepFields(Envelope):
    pattern: str
    regex: bool
    ignore_case: bool
    scope: str
    count: int
    cells: int
    searched: int
    matches: list[GrepMatchJson]
    kernel: KernelJson


class GrepDocument(_GrepFields, total=False):
    """`grep`: the matches in notebook order (the first `limit`), how many in all (`count`), in how many
    cells of how many searched; `truncated` when more matched than were given."""

    truncated: Literal[True]


# -- the code history ------------------------------------------------------------------


class CodeChangeCellJson(TypedDict):
    id: str
    name: str


class CodeChangeJson(TypedDict):
    """One change of one cell's code (`history`): created (`before` ""), edited, or deleted (`after` ""); `origin`
    relative to the door that asks (self, other, file), `by` who made it (cli, mcp, app, marimo-pair-tui, code_mode,
    browser, file, unseen); `diff` the unified diff; `run` the execution that ran the new code, when one followed;
    `since` (by unseen: made while nothing followed the notebook) the time after which it was made, `at` when it
    was noticed."""

    id: str
    cell: CodeChangeCellJson
    kind: str
    origin: str
    by: str
    at: float
    before: str
    after: str
    diff: str
    program: str | None
    execution: str | None
    run: str | None
    run_id: str | None
    truncated: bool
    since: float | None


class HistoryDocument(Envelope):
    """`history`: the notebook's code changes, newest first; `more` when older ones matched; `door` the door the
    origins are relative to; `file` where the history is kept."""

    changes: list[CodeChangeJson]
    more: bool
    door: str
    file: str
