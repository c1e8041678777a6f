"""Every JSON document the doors print or return, built in one place: one shape per concept.

The headless commands print these, the MCP tools return them, and golden
files in tests/golden/ pin them; core/document_types.py types each shape (mypy
checks these builders against it). A shape changes here, with its type, or nowhere:

- target: `{session_id, routing_id, notebook, server[, source, ssh_host]}`
- cell: `{id, name, code, hash, status[, errors, console, output, truncated, defs, refs, config]}`,
  for a live cell and a code_mode cell alike, the bracketed fields only when
  not empty, false or default; `refs` are what the code reads as marimo's
  compiler sees it (builtins included), `defs` what it defines
- output: `{text[, handles]}`: the text a model reads (it names the ids of
  widgets, tables and charts in brackets, and saved image files) and handles
  for anything it acts on that the text does not name (parts/handles.py);
  `{mimetype, text, handles, parts, chars}` when asked for the typed `parts`
  (`parts=True`: `--parts`, MCP `parts: true`), and marimo's `data` with "raw"
- operation result, activity entry, error, and the envelopes around them:
  `success`, `session`, the value, `warnings`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol, TypedDict, Union, cast

from .document_types import (
    ActivityDocument, ActivityEntryJson, AnswerDocument, CellConfigJson, CellErrorJson, CellJson, CellRefJson,
    CellsDocument, CellSummaryJson, ClosedDocument, ColumnJson, ConsoleJson, DeletedCellJson, Envelope,
    EnvelopeHead, ErrorDocument, ErrorJson, ExecDocument, GraphCellDocument, GraphDocument, GraphNameDocument,
    IdleDocument, KernelJson, NoticeJson, NoticeLineJson, NoticesJson, NotebookJson, NotebooksDocument,
    OmittedOutputJson, OpenDocument, OperationDocument, OutputDocument, OutputJson, OutputPartsJson, OutputTextJson,
    PartJson, RestartDocument, ServerJson, ServersDocument, StatusDocument, StreamChunkJson, TablePageDocument,
    TargetJson, TunnelDocument, UiDocument, VariableJson, VariablesDocument, WatchedCellJson, WatchLineJson,
    WatchSummaryDocument,
)
from .model.activity import ActivityEntry
from .model.cell import Cell
from .model.op_results import CellState, OpResult
from .wire.discovery import ServerInfo
from .errors import PairError
from .model.kernel_notices import KernelNotices, NoticeEvent
from .wire.execute import ExecResult
from .model.outputs import bounded_output, data_size
from .parts import Column, Part, TablePart, parse_output, parts_text, table_text, with_values
from .parts.plain import output_text
from .parts.images import raster_size
from .document_types import ScreenshotDocument
from .codemode.table_pages import TablePage
from .codemode.ui_elements import UiElement
from .model.workspace import GraphView, Variable
from .parts.files import ImageFiles, image_payloads
from .parts.handles import handles, unnamed_handles
from .servers.serving import OpenResult
from .service.values import ActivityPage, CellsView, IdleWait, KernelView, Reply
from .service.values import GrepView
from .document_types import GrepDocument, GrepMatchJson
from .ssh.tunnel import Tunnel
from .document_types import CodeChangeJson, HistoryDocument
from .model.history import CodeChange, diff_lines, origin_of
from .service.code_history import HistoryPage
from .wire.sessions import NotebookEntry, Target
from .codemode.post_mortem import Frame, PostMortem
from .document_types import DebugDocument, DebugFrameJson, DebugPlaceJson

# Characters of stdout, stderr and output data per activity entry in a read: the
# log keeps far more (core/model/activity.py), more than a reader wants per entry.
ACTIVITY_TEXT_LIMIT = 4000
# Characters an exec document returns per field (stdout, stderr, output data)
# unless asked for everything: stdout/stderr keep their newest text, output
# data its start; `truncated` and `chars` (the full sizes) say so.
EXEC_FIELD_LIMIT = 256 * 1024
# Characters per cell of console text (the newest) and of output data (the
# start) in cells and operation documents: 50 cells of large outputs stay a
# few MB. The live model itself keeps at most outputs.CELL_CONSOLE_CHARS/CELL_OUTPUT_CHARS.
CELL_FIELD_LIMIT = 64 * 1024


def target_json(target: Target) -> TargetJson:
    return cast(TargetJson, target.to_json())  # wire/sessions.py writes it; tests/test_document_types.py checks it


def error_json(error: PairError) -> ErrorDocument:
    """A failure: `{"success": false, "error": {kind, message, next, ...details}}`."""
    return {"success": False, "error": cast(ErrorJson, error.to_json())}


def _head(target: Target | None, success: bool = True) -> EnvelopeHead:
    """An envelope's start: the success, and the session when the call resolved one."""
    head: EnvelopeHead = {"success": success}
    if target is not None:
        head["session"] = target_json(target)
    return head


def _warnings(reply: Reply[Any], extra: Sequence[str] = ()) -> list[str]:
    """An envelope's end: the operation's own warnings first, then the call's not already told."""
    return [*extra, *(w for w in reply.warnings if w not in extra)]


class _Error(Protocol):
    """A cell's error as the live model and code_mode both hold it."""

    @property
    def kind(self) -> str: ...
    @property
    def message(self) -> str: ...


class _ConsoleWrite(Protocol):
    """A console entry as the live model and code_mode both hold it."""

    @property
    def channel(self) -> str: ...
    @property
    def mimetype(self) -> str: ...
    @property
    def data(self) -> object: ...


class _LiveOutput(Protocol):
    """The live model's output: marimo's mimetype and data, and the parts read from them once."""

    @property
    def mimetype(self) -> str: ...
    @property
    def data(self) -> object: ...
    @property
    def parts(self) -> list[Part]: ...


# -- cells ----------------------------------------------------------------------

# How an output appears: True (text and handles), "raw" (and marimo's data), False (left out).
OutputMode = Union[bool, str]


class _TypedParts(TypedDict, total=False):
    parts: list[PartJson]


def _output_json(output: _LiveOutput | Mapping[str, Any] | None, *, outputs: OutputMode = True, parts: bool = False,
                 limit: int | None = None, images: ImageFiles | None = None, stem: str = "output",
                 ui: dict[str, Any] | None = None) -> OutputJson | None:
    """An output as the `text` a model reads, and `handles` for what it acts on that the text does not name.

    `outputs`: True gives the text, and `handles` when the text leaves an object
    id or a saved file out (it names them today: a widget's, table's or chart's
    id in brackets, an image's file); an output with no text and nothing to act
    on is None. "raw" gives everything: mimetype, text, handles, `chars` (the raw
    data's size) and marimo's own `data` (past `limit` characters its start,
    flagged `truncated`); False leaves everything out but the mimetype and size
    (`omitted`). `parts` adds the typed parts (and the mimetype and size), which
    repeat the text: a read costs several times its text with them, so they come
    only when asked. Images are never inlined: with `images` they are written to
    files that the text (and image parts) name. `ui`: the kernel's current values of UI
    elements (by object id), shown instead of the values the output was drawn with.
    """
    if output is None:
        return None
    mimetype, data, found = _output_source(output, ui)
    if not outputs:
        return _omitted_output(mimetype, data)
    if images is not None:
        found = images.save(found, stem)
    if parts or outputs == "raw":
        return _output_parts_json(mimetype, data, found, parts=parts, raw=outputs == "raw", limit=limit)
    return _output_text_json(data, found, limit)


def _output_source(output: _LiveOutput | Mapping[str, Any], ui: dict[str, Any] | None
                   ) -> tuple[str | None, object, list[Part]]:
    """An output's mimetype, marimo's data and the parts: the live model's (parsed once) or parsed from
    code_mode's or a snippet's raw output; UI elements show the kernel's current values (`ui`)."""
    if isinstance(output, Mapping):
        mimetype, data = output.get("mimetype"), output.get("data")
        found = parse_output(mimetype, data)
    else:
        mimetype, data, found = output.mimetype, output.data, output.parts
    return mimetype, data, with_values(found, ui) if ui else found


def _omitted_output(mimetype: str | None, data: object) -> OmittedOutputJson:
    """An output left out: what it was and how big."""
    return {"mimetype": mimetype, "data": None, "omitted": True, "chars": data_size(data)}


def _cut_text(text: str, limit: int) -> str:
    return text[:limit] + "\n… (cut)"


def _output_text_json(data: object, found: list[Part], limit: int | None) -> OutputTextJson | None:
    """The compact output: its text, handles for what the text does not name; None when both are empty.
    A text past `limit` is cut, and says so with the output's full size."""
    text = parts_text(found)
    unnamed = unnamed_handles(found, text)
    if not text and not unnamed:
        return None
    doc: OutputTextJson = {"text": text}
    if unnamed:
        doc["handles"] = unnamed
    if limit is not None and len(text) > limit:
        doc["text"], doc["truncated"], doc["chars"] = _cut_text(text, limit), True, data_size(data)
    return doc


def _output_parts_json(mimetype: str | None, data: object, found: list[Part], *, parts: bool, raw: bool,
                       limit: int | None) -> OutputPartsJson:
    """The whole output: mimetype, text, every handle, the size; the typed `parts` when asked; marimo's
    `data` when `raw`. Past `limit` the text, the parts and the data are cut (`truncated`)."""
    text = parts_text(found)
    typed: _TypedParts = {"parts": [p.to_json() for p in found]} if parts else {}
    doc: OutputPartsJson = {"mimetype": mimetype, "text": text, "handles": handles(found), **typed,
                            "chars": data_size(data)}
    if limit is not None:
        _bound_output(doc, limit)
    if raw:
        _add_raw_data(doc, mimetype, data, limit)
    return doc


def _bound_output(doc: OutputPartsJson, limit: int) -> None:
    """The text and the typed parts to about `limit` characters each."""
    if len(doc["text"]) > limit:
        doc["text"], doc["truncated"] = _cut_text(doc["text"], limit), True
    if "parts" in doc and data_size(doc["parts"]) > limit:
        doc["parts"], doc["truncated"] = _bounded_parts(doc["parts"], limit), True


def _add_raw_data(doc: OutputPartsJson, mimetype: str | None, data: object, limit: int | None) -> None:
    """marimo's own data, its start when past `limit`."""
    if limit is not None and doc["chars"] > limit:
        doc["data"], doc["truncated"] = bounded_output({"mimetype": mimetype, "data": data}, limit).data, True
    else:
        doc["data"] = data


def _bounded_parts(parts: list[PartJson], limit: int) -> list[PartJson]:
    """Parts up to about `limit` characters: whole ones while they fit, then the next one cut
    (a text's start, a table's first rows), then a marker counting what was left out."""
    kept: list[PartJson] = []
    room = limit
    for index, part in enumerate(parts):
        size = data_size(part)
        if size <= room:
            kept.append(part)
            room -= size
            continue
        field = {"text": "text", "markdown": "markdown"}.get(str(part.get("type")))
        if field is not None and room > 0:
            kept.append({**part, field: str(part[field])[:room], "cut": True})
        elif part.get("type") == "table" and room > 0:
            rows, used = [], 0
            for row in part.get("rows") or []:
                used += data_size(row)
                if used > room:
                    break
                rows.append(row)
            kept.append({**part, "rows": rows, "cut": True})
        else:
            index -= 1
        left = len(parts) - index - 1
        if left:
            kept.append({"type": "omitted", "parts": left})
        break
    return kept


def _console_json(console: Sequence[_ConsoleWrite], limit: int | None) -> tuple[list[ConsoleJson], bool]:
    """Console entries, the newest `limit` characters of them (the oldest entries go, then a long one's start)."""
    entries: list[ConsoleJson] = [{"channel": c.channel, "mimetype": c.mimetype, "data": c.data} for c in console]
    if limit is None:
        return entries, False
    kept: list[ConsoleJson] = []
    room = limit
    for entry in reversed(entries):
        size = data_size(entry["data"])
        if size <= room:
            kept.append(entry)
            room -= size
            continue
        if room > 0:
            text = entry["data"] if isinstance(entry["data"], str) else output_text(entry["mimetype"], entry["data"])
            kept.append({**entry, "data": text[-room:]})
        break
    cut = len(kept) < len(entries) or any(k["data"] is not e["data"] for k, e in zip(kept, reversed(entries)))
    return kept[::-1], cut


# A cell's fields in the order a document gives them; the first five are always there.
CELL_FIELDS = ("id", "name", "code", "hash", "status", "errors", "console", "output", "truncated", "defs", "refs",
               "config")


def cell_json(cell: Cell | CellState, *, outputs: OutputMode = True, parts: bool = False, limit: int | None = None,
              images: ImageFiles | None = None, ui: dict[str, Any] | None = None) -> CellJson:
    """A cell in the one headless shape, from the live model or from code_mode.

    A live cell's defs/refs are the model's: from its code through marimo's
    compiler, as code_mode's snapshot computes them (core/model/cell.py). With `outputs=False` the output's data is left
    out (`omitted`, with its size): a figure is tens of KB of base64. With
    `limit`, console text keeps its newest `limit` characters and output data
    its first; `truncated` says when console text or output was cut (here, or
    by the live model's own bounds), and a cut output has its full `chars`. `ui`: the kernel's UI values.
    `parts`: the output's typed parts too (`_output_json`). Always there: id, name, code, hash, status;
    errors, console, output, truncated, defs, refs and config only when not empty, false or default.
    """
    console, cut = _console_json(cell.console, limit)
    output = _output_json(cell.output, outputs=outputs, parts=parts, limit=limit, images=images, stem=cell.id, ui=ui)
    truncated = cut or bool(output and output.get("truncated"))
    if isinstance(cell, CellState):
        defs, refs, config = list(cell.defs), list(cell.refs), _config_json(cell.disabled, cell.hide_code)
    else:
        defs, refs, config = sorted(cell.defs), sorted(cell.refs), _config_json(cell.config.disabled, cell.config.hide_code)
        truncated = truncated or cell.console_truncated or bool(cell.output is not None and cell.output.truncated)
    doc: CellJson = {"id": cell.id, "name": cell.name, "code": cell.code, "hash": cell.hash,
                     "status": cell.status}  # CELL_FIELDS, in that order
    _add_told(doc, errors=_errors_json(cell.errors), console=console, output=output, truncated=truncated, defs=defs,
              refs=refs, config=config)
    return doc


def _add_told(doc: CellJson, *, errors: list[CellErrorJson], console: list[ConsoleJson], output: OutputJson | None,
              truncated: bool, defs: list[str], refs: list[str], config: CellConfigJson) -> None:
    """A cell's optional fields, in CELL_FIELDS' order, those not empty, false or as marimo makes a new cell:
    most cells of a read have no errors, no console, and the default config, and a read is paid for by the byte."""
    if errors:
        doc["errors"] = errors
    if console:
        doc["console"] = console
    if output:
        doc["output"] = output
    if truncated:
        doc["truncated"] = True
    if defs:
        doc["defs"] = defs
    if refs:
        doc["refs"] = refs
    if config:
        doc["config"] = config


def _config_json(disabled: bool, hide_code: bool) -> CellConfigJson:
    """A cell's config, only what differs from a new cell's."""
    config: CellConfigJson = {}
    if disabled:
        config["disabled"] = True
    if hide_code:
        config["hide_code"] = True
    return config


def _errors_json(errors: Sequence[_Error]) -> list[CellErrorJson]:
    return [{"kind": e.kind, "message": e.message} for e in errors]


def output_document(reply: Reply[CellsView], *, outputs: OutputMode = True, parts: bool = False,
                    limit: int | None = CELL_FIELD_LIMIT, images: ImageFiles | None = None) -> OutputDocument:
    """One cell's output: its text and handles (`parts`: and typed parts), its console, the image files written."""
    (cell,) = reply.value.cells
    console, _ = _console_json(cell.console, limit)
    output = _output_json(cell.output, outputs=outputs, parts=parts, limit=limit, images=images, stem=cell.id,
                          ui=reply.value.ui)
    return {**_head(reply.target), "cell": {"id": cell.id, "name": cell.name, "status": cell.status},
            "output": output, "console": console, "errors": _errors_json(cell.errors), **_images(images),
            "warnings": _warnings(reply)}


class _ImagesField(TypedDict, total=False):
    images: list[str]


def _images(images: ImageFiles | None) -> _ImagesField:
    """The image files a read wrote, when it was asked to write them."""
    return {} if images is None else {"images": sorted(set(images.written))}


def output_images(reply: Reply[CellsView]) -> tuple[list[tuple[str, bytes]], int]:
    """The images of the cells' outputs (charts drawn) as (mimetype, bytes), for MCP image content;
    and how many were left out (past the count and size bounds, or SVG that could not be rasterized)."""
    parts = [p for cell in reply.value.cells if cell.output is not None
             for p in (cell.output.parts if isinstance(cell, Cell) else
                       parse_output(cell.output.get("mimetype"), cell.output.get("data")))]
    return image_payloads(parts)


def ui_document(reply: Reply[list[UiElement]]) -> UiDocument:
    """The session's UI elements: object id, cell, bound names, kind, label, value, domain, and a `text` line each."""
    elements = [{**e.to_json(), "text": e.describe()} for e in reply.value]
    return {**_head(reply.target), "elements": elements, "warnings": _warnings(reply)}


def set_ui_document(reply: Reply[OpResult]) -> OperationDocument:
    """A value set: the element as it is now, and the cells that re-ran with their new outputs."""
    document = operation_document(reply)
    element = reply.value.extra.get("element")
    if isinstance(element, dict):
        document["element"] = UiElement.from_raw(element).to_json()
    return document


def table_page_document(reply: Reply[TablePage], *, exact: bool = False) -> TablePageDocument:
    """A page of a table: its columns (row labels first), rows (exact values), where it starts, the
    totals, and the page as a markdown table with values as the browser shows them (`exact`: as
    the shortest digits that read back)."""
    page = reply.value
    first = page.page * page.page_size
    columns = page.columns or [Column(str(name), "", "") for name in (page.rows[0] if page.rows else {})]
    data_columns = sum(not c.index for c in columns)
    total_columns = page.total_columns if page.total_columns is not None else data_columns
    table = TablePart(columns, page.rows, page.total_rows, total_columns, page.page_size, page.object_id)
    return {**_head(reply.target), "object_id": page.object_id, "page": page.page, "page_size": page.page_size,
            "last_page": page.last_page, "first_row": first,
            "columns": [cast(ColumnJson, c.to_json()) for c in columns], "row_headers": table.row_headers,
            "rows": page.rows, "total_rows": page.total_rows, "total_columns": total_columns,
            "text": table_text(table, rows=page.page_size, first=first, exact=exact), "warnings": _warnings(reply)}


def variables_document(reply: Reply[list[Variable]]) -> VariablesDocument:
    """The kernel's globals: name, type, preview, declared_by/used_by (cell ids), a frame's rows and columns."""
    return {**_head(reply.target), "variables": [cast(VariableJson, v.to_json()) for v in reply.value],
            "warnings": _warnings(reply)}


def graph_document(reply: Reply[GraphView], name: str | None = None
                   ) -> GraphDocument | GraphCellDocument | GraphNameDocument:
    """The dataflow graph: every cell's parents and children; or the asked cell's ancestors and
    descendants; or (`name`) which cells define and read a name."""
    view = reply.value
    graph = view.graph

    def ref(cid: str) -> CellRefJson:
        return {"id": cid, "name": view.names.get(cid)}

    def in_order(ids: set[str]) -> list[str]:
        return [c for c in graph.order if c in ids]

    if name is not None:
        return {**_head(reply.target), "name": name, "defined_by": [ref(c) for c in graph.definers(name)],
                "read_by": [ref(c) for c in graph.readers(name)], "warnings": _warnings(reply)}
    if view.cell is not None:
        cid = view.cell
        return {**_head(reply.target),
                "cell": {**ref(cid), "defs": sorted(graph.defs[cid]),
                         "refs": sorted(n for n in graph.refs[cid] - graph.defs[cid] if graph.definers(n))},
                "parents": [ref(c) for c in in_order(graph.parents[cid])],
                "children": [ref(c) for c in in_order(graph.children[cid])],
                "ancestors": [ref(c) for c in graph.ancestors(cid)],
                "descendants": [ref(c) for c in graph.descendants(cid)], "warnings": _warnings(reply)}
    return {**_head(reply.target),
            "cells": [{**ref(cid), "defs": sorted(graph.defs[cid]), "parents": in_order(graph.parents[cid]),
                       "children": in_order(graph.children[cid])} for cid in graph.order],
            "warnings": _warnings(reply)}


def restart_document(reply: Reply[Target]) -> RestartDocument:
    """A restart: the notebook's new session (`session`)."""
    return {**_head(reply.target), "restarted": True, "warnings": _warnings(reply)}


def answer_document(reply: Reply[tuple[str, str]], text: str) -> AnswerDocument:
    cell, prompt = reply.value
    return {**_head(reply.target), "answered": {"cell": cell, "prompt": prompt, "text": text},
            "warnings": _warnings(reply)}


def cell_summary_json(cell: Cell) -> CellSummaryJson:
    """A cell in a stream line or a wait result: who it is and how it stands."""
    return {"id": cell.id, "name": cell.name, "status": cell.status, "hash": cell.hash}


def kernel_json(kernel: KernelView) -> KernelJson:
    doc: KernelJson = {"idle": kernel.idle, "running": kernel.running, "queued": kernel.queued, "live": kernel.live}
    if kernel.waiting_for_input:
        doc["waiting_for_input"] = kernel.waiting_for_input
    if kernel.stopped:
        doc["stopped"] = kernel.stopped
    return doc


class _CellsExtras(TypedDict, total=False):
    images: list[str]
    saved_to: str
    kernel: KernelJson
    notices: NoticesJson


def cells_document(reply: Reply[CellsView], *, outputs: OutputMode = True, parts: bool = False,
                   limit: int | None = CELL_FIELD_LIMIT, images: ImageFiles | None = None,
                   saved_to: str | None = None) -> CellsDocument:
    """The cells; each cell's console and output cut to `limit` characters (None: all the model holds);
    outputs as text and handles, with typed parts when `parts`."""
    view = reply.value
    cells = [cell_json(c, outputs=outputs, parts=parts, limit=limit, images=images, ui=view.ui) for c in view.cells]
    extras: _CellsExtras = {**_images(images)}
    if saved_to is not None:
        extras["saved_to"] = saved_to
    if view.kernel is not None:
        extras["kernel"] = kernel_json(view.kernel)
        notices = _kernel_notices(view.kernel)
        if notices_told(notices):
            extras["notices"] = cast(NoticesJson, notices)
    return {**_head(reply.target), "source": view.source, "cells": cells, **extras, "warnings": _warnings(reply)}


def _kernel_notices(kernel: KernelView) -> NoticesJson | None:
    """What marimo told besides cells, as the mirror keeps it (`notices_json`'s shape)."""
    return cast("NoticesJson | None", kernel.notices)


def status_document(reply: Reply[KernelView]) -> StatusDocument:
    """The kernel's state and what marimo told besides cells (`notices_json`)."""
    return {**_head(reply.target), "state": reply.value.state, "kernel": kernel_json(reply.value),
            "notices": _kernel_notices(reply.value) or notices_json(KernelNotices()), "warnings": _warnings(reply)}


def notices_json(notices: KernelNotices) -> NoticesJson:
    """`{alerts, banners, startup, environment}`: toasts and banners (newest kept, oldest first: title,
    description as text, variant, action, time), startup logs/progress/error, package operations per environment."""
    return cast(NoticesJson, notices.to_json())  # core/model/kernel_notices.py writes it


def notices_told(notices: NoticesJson | None) -> bool:
    """Whether a `notices_json` holds anything (a `cells` document carries it only then)."""
    if not notices:
        return False
    return bool(notices["alerts"] or notices["banners"] or notices["startup"]
                or any(e["restart_required"] or e["operations"] for e in notices["environment"].values()))


def notice_line(event: NoticeEvent) -> NoticeLineJson:
    """A line of `watch`: one thing marimo told (kind alert | banner | startup-error | environment)."""
    return {"notice": cast(NoticeJson, event.to_json())}


def idle_document(reply: Reply[IdleWait]) -> IdleDocument:
    wait = reply.value
    return {**_head(reply.target, success=wait.reason == "idle"), "reason": wait.reason,
            "kernel": kernel_json(wait.kernel), "cells": [cell_summary_json(c) for c in wait.cells],
            "warnings": _warnings(reply)}


# -- operations -----------------------------------------------------------------


def operation_document(reply: Reply[OpResult]) -> OperationDocument:
    """A cell operation's answer: the affected cells' new state, the order, the op's own facts."""
    result = reply.value
    # The op's own facts (`OpResult.extra`) vary by operation: the document's type names the fixed fields.
    document = cast(OperationDocument, {
        **_head(reply.target, success=result.success),
        "cells": [cell_json(c, limit=CELL_FIELD_LIMIT) for c in result.cells],
        "order": result.order,
        **result.extra,
    })
    if result.failed_cells:
        document["failed"] = result.failed_cells
    missing = result.extra.get("missing_packages")
    if missing:
        document["next"] = (f"The cells need {', '.join(missing)}: install with "
                            f"`marimo-pair-tui --headless packages add {' '.join(missing)}`, then run them again.")
    document["warnings"] = _warnings(reply, result.warnings)
    return document


class _ExecExtras(TypedDict, total=False):
    saved_to: str
    images: list[str]


def exec_document(reply: Reply[ExecResult], *, limit: int | None = EXEC_FIELD_LIMIT,
                  saved_to: str | None = None, outputs: OutputMode = True, parts: bool = False,
                  images: ImageFiles | None = None) -> ExecDocument:
    """A snippet's answer. Past `limit` characters (None: no limit) stdout and stderr keep their
    newest text and output data its start; `truncated` says so and `chars` gives the full sizes.
    The output is text and handles (`parts`: and typed parts); uncut (no `limit`) it has everything.
    `saved_to` names the file that holds the complete document (`exec --output-file`)."""
    result = reply.value
    stdout, stderr = _newest(result.stdout, limit), _newest(result.stderr, limit)
    output = _output_json(result.output, outputs=outputs if limit is not None else "raw",
                          parts=parts or limit is None, limit=limit, images=images, stem="snippet")
    truncated = stdout is not result.stdout or stderr is not result.stderr or bool(output and output.get("truncated"))
    extras: _ExecExtras = {} if saved_to is None else {"saved_to": saved_to}
    return {**_head(reply.target, success=result.success), "stdout": stdout, "stderr": stderr, "output": output,
            "truncated": truncated,
            "chars": {"stdout": len(result.stdout), "stderr": len(result.stderr),
                      "output": 0 if result.output is None else data_size(result.output.get("data"))},
            **extras, **_images(images), "warnings": _warnings(reply, result.warnings)}


def _newest(text: str, limit: int | None) -> str:
    """A stream's newest `limit` characters (the text itself when it fits)."""
    return text[-limit:] if limit is not None and len(text) > limit else text


def done_document(reply: Reply[Any]) -> Envelope:
    """An operation with nothing to report but its success (interrupt)."""
    return {**_head(reply.target), "warnings": _warnings(reply)}


def stream_chunk(channel: str, text: str) -> StreamChunkJson:
    """One line of `exec --stream`."""
    return {"stream": channel, "data": text}


# -- activity -------------------------------------------------------------------


def activity_entry_json(entry: ActivityEntry, limit: int | None = None) -> ActivityEntryJson:
    """An entry (`watch --activity`'s shape); with `limit`, its texts cut to that many characters.

    stdout and stderr keep their newest text, as the log itself does; output
    data keeps its start. `truncated` says when anything was cut, here or by
    the log.
    """
    data = cast(ActivityEntryJson, entry.to_json())  # core/model/activity.py writes it, the output's text aside
    output = data["output"]
    if output is not None:
        output["text"] = parts_text(parse_output(output.get("mimetype"), output.get("data")))
    if limit is None:
        return data
    for channel in ("stdout", "stderr"):
        if len(data[channel]) > limit:
            data[channel], data["truncated"] = data[channel][-limit:], True
    if output is not None:
        text = output["text"]
        bounded = bounded_output({"mimetype": output["mimetype"], "data": output["data"]}, limit)
        data["output"] = {"mimetype": bounded.mimetype, "data": bounded.data, "text": text[:limit]}
        data["truncated"] = data["truncated"] or bounded.truncated or len(text) > limit
    return data


def activity_document(reply: Reply[ActivityPage]) -> ActivityDocument:
    page = reply.value
    started = page.log_started_at
    kernel: _KernelField = {} if page.kernel is None else {"kernel": kernel_json(page.kernel)}
    return {**_head(reply.target),
            "entries": [activity_entry_json(e, ACTIVITY_TEXT_LIMIT) for e in page.entries],
            "more": page.more,
            "log_started_at": None if started is None else round(started, 3),
            **kernel, "warnings": _warnings(reply)}


class _KernelField(TypedDict, total=False):
    kernel: KernelJson


# -- the directory ----------------------------------------------------------------


def servers_document(reply: Reply[list[ServerInfo]]) -> ServersDocument:
    return {"servers": [cast(ServerJson, s.to_json()) for s in reply.value], "warnings": list(reply.warnings)}


def notebooks_document(reply: Reply[list[NotebookEntry]]) -> NotebooksDocument:
    return {"notebooks": [cast(NotebookJson, e.to_json()) for e in reply.value], "warnings": list(reply.warnings)}


def open_document(reply: Reply[OpenResult]) -> OpenDocument:
    return cast(OpenDocument, {**reply.value.to_json(), "warnings": list(reply.warnings)})


def closed_document(records: Sequence[Mapping[str, Any]]) -> ClosedDocument:
    """The servers `close` stopped (only ever ones this tool started)."""
    return {"success": True, "closed": [{"url": r["url"], "pid": r["pid"], "notebook": r["notebook"]} for r in records]}


# -- watch ------------------------------------------------------------------------


def watch_line(cells: Sequence[Cell | str], *, idle: bool, running: list[str], scratch: str | None, live: str,
               order: list[str] | None = None, outputs: Mapping[str, Mapping[str, object] | None] | None = None
               ) -> WatchLineJson:
    """One line of `watch`: the cells that changed (an id alone: deleted), the kernel, the order if it changed;
    a cell whose output moved while watched carries it (`outputs`, core/model/watch_outputs.py)."""
    line: WatchLineJson = {"cells": [_watched_cell(c, outputs or {}) for c in cells], "idle": idle, "running": running,
                           "scratch": scratch, "live": live}
    if order is not None:
        line["order"] = order
    return line


def _watched_cell(cell: Cell | str, outputs: Mapping[str, Mapping[str, object] | None]
                  ) -> WatchedCellJson | DeletedCellJson:
    """A changed cell in a `watch` line: an id alone is a deleted cell; a cell whose output moved carries it."""
    if isinstance(cell, str):
        return {"id": cell, "deleted": True}
    doc: WatchedCellJson = {**cell_summary_json(cell)}
    if cell.id in outputs:
        doc["output"] = outputs[cell.id]
    return doc


def watch_summary(reply: Reply[Any], *, reason: str, success: bool, idle: bool,
                  cells: Sequence[Cell]) -> WatchSummaryDocument:
    """The last line of `watch`: why it ended and the cells then."""
    return {**_head(reply.target, success=success), "reason": reason, "idle": idle,
            "cells": [cell_summary_json(c) for c in cells], "warnings": _warnings(reply)}


def tunnel_document(tunnel: Tunnel) -> TunnelDocument:
    """`tunnel`'s first line: the local URL and the server it reaches."""
    server = tunnel.server
    return {
        "success": True,
        "local_url": tunnel.local_url,
        "remote": {"ssh_host": tunnel.host.dest, "url": server.url, "pid": server.pid},
        "warnings": list(tunnel.warnings),
    }


def _debug_place(frame: Frame) -> DebugPlaceJson:
    return {"file": frame.file, "line": frame.line, "function": frame.function, "cell": frame.cell, "code": frame.code}


def debug_document(reply: Reply[PostMortem]) -> DebugDocument:
    """A post-mortem (core/codemode/post_mortem.py): the exception, pdb's transcript, the frames and their locals."""
    found = reply.value
    frames: list[DebugFrameJson] = [
        {**_debug_place(f), "locals": {name: {"type": v["type"], "repr": v["repr"]} for name, v in f.locals.items()}}
        for f in found.frames]
    current = found.current
    return {**_head(reply.target), "cell": found.cell, "error": found.error, "commands": found.commands,
            "transcript": found.transcript, "current": None if current is None else _debug_place(current),
            "frames": frames, "warnings": _warnings(reply)}


def grep_document(reply: Reply[GrepView]) -> GrepDocument:
    """A search's matches (core/model/search.py): the query, the counts, each match, the kernel's state."""
    found = reply.value.found
    wanted = found.query
    doc: GrepDocument = {
        **_head(reply.target), "pattern": wanted.pattern, "regex": wanted.regex, "ignore_case": wanted.ignore_case,
        "scope": wanted.scope, "count": found.count, "cells": found.cells, "searched": found.searched,
        "matches": [cast(GrepMatchJson, m.to_json()) for m in found.matches], "kernel": kernel_json(reply.value.kernel),
        "warnings": _warnings(reply)}
    if found.truncated:
        doc["truncated"] = True
    return doc


# -- the code history ---------------------------------------------------------------


def code_change_json(change: CodeChange, door: str) -> CodeChangeJson:
    """One change of a cell's code, its origin as `door` sees it."""
    return {"id": change.id, "cell": {"id": change.cell_id, "name": change.cell_name}, "kind": change.kind,
            "origin": origin_of(change, door), "by": change.by, "at": round(change.at, 3),
            "before": change.before, "after": change.after, "diff": "\n".join(diff_lines(change)),
            "program": change.program, "execution": change.execution, "run": change.run, "run_id": change.run_id,
            "truncated": change.truncated, "since": round(change.since, 3) if change.since is not None else None}


def history_document(reply: Reply[HistoryPage]) -> HistoryDocument:
    page = reply.value
    return {**_head(reply.target), "changes": [code_change_json(c, page.door) for c in page.changes],
            "more": page.more, "door": page.door, "file": str(page.path), "warnings": _warnings(reply)}


def screenshot_document(reply: Reply[bytes], cell: str | None, file: str | None = None) -> ScreenshotDocument:
    """A picture of a cell's output (`cell`, as asked) or of the whole notebook: its size, and the file it
    was written to (the command writes one; the MCP tool sends the picture instead)."""
    width, height = raster_size(reply.value)
    if file is None:
        return {**_head(reply.target), "cell": cell, "mimetype": "image/png", "bytes": len(reply.value),
                "width": width, "height": height, "warnings": _warnings(reply)}
    return {**_head(reply.target), "cell": cell, "mimetype": "image/png", "bytes": len(reply.value),
            "width": width, "height": height, "file": file, "warnings": _warnings(reply)}
