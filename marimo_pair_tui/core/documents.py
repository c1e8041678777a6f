"""Every JSON document the doors print or return, built in one place: one shape per concept.

The headless commands print these, the MCP tools return them, and golden
files in tests/golden/ pin them. A shape changes here or nowhere:

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

from typing import Any, Mapping, Sequence, Union

from .model.activity import ActivityEntry
from .model.cell import Cell
from .model.op_results import CellState, OpResult
from .wire.discovery import ServerInfo
from .errors import PairError
from .model.kernel_notices import KernelNotices, NoticeEvent
from .wire.execute import ExecResult
from .model.outputs import bounded_output, data_size
from .parts.plain import output_text
from .parts import Column, TablePart, parse_output, parts_text, table_text, with_values
from .codemode.table_pages import TablePage
from .codemode.ui_elements import UiElement
from .model.workspace import GraphView, Variable
from .parts.files import ImageFiles, image_payloads
from .parts.handles import handles, unnamed_handles
from .service.values import ActivityPage, CellsView, IdleWait, KernelView, Reply
from .wire.sessions import NotebookEntry, Target

# Characters of stdout, stderr and output data per activity entry in a read: the
# log keeps far more (core/model/activity.py), more than a reader wants per entry.
ACTIVITY_TEXT_LIMIT = 4000
# Characters an exec document returns per field (stdout, stderr, output data)
# unless asked for everything: stdout/stderr keep their newest text, output
# data its start; `truncated` and `chars` (the full sizes) say so.
EXEC_FIELD_LIMIT = 256 * 1024
# Characters per cell of console text (the newest) and of output data (the
# start) in cells and operation documents: 50 cells of large outputs stay a
# few MB. The live model itself keeps at most outputs.CONSOLE_LIMIT/OUTPUT_LIMIT.
CELL_FIELD_LIMIT = 64 * 1024


def target_json(target: Target) -> dict[str, Any]:
    return target.to_json()


def error_json(error: PairError) -> dict[str, Any]:
    """A failure: `{"success": false, "error": {kind, message, next, ...details}}`."""
    return {"success": False, "error": error.to_json()}


def _envelope(reply: Reply[Any], body: dict[str, Any], *, success: bool = True,
              extra_warnings: Sequence[str] = ()) -> dict[str, Any]:
    document: dict[str, Any] = {"success": success}
    if reply.target is not None:
        document["session"] = target_json(reply.target)
    document.update(body)
    document["warnings"] = [*extra_warnings, *(w for w in reply.warnings if w not in extra_warnings)]
    return document


# -- cells ----------------------------------------------------------------------

# How an output appears: True (text and handles), "raw" (and marimo's data), False (left out).
OutputMode = Union[bool, str]


def _output_json(output: Any, *, outputs: OutputMode = True, parts: bool = False, limit: int | None = None,
                 images: ImageFiles | None = None, stem: str = "output", ui: dict[str, Any] | None = None
                 ) -> dict[str, Any] | None:
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
    if isinstance(output, dict):
        mimetype, data = output.get("mimetype"), output.get("data")
        found = parse_output(mimetype, data)
    else:
        mimetype, data, found = output.mimetype, output.data, output.parts
    if ui:
        found = with_values(found, ui)
    size = data_size(data)
    if not outputs:
        return {"mimetype": mimetype, "data": None, "omitted": True, "chars": size}
    if images is not None:
        found = images.save(found, stem)
    text = parts_text(found)
    full = parts or outputs == "raw"
    unnamed = handles(found) if full else unnamed_handles(found, text)
    doc: dict[str, Any] = {"mimetype": mimetype, "text": text} if full else {"text": text}
    if unnamed or full:
        doc["handles"] = unnamed
    if parts:
        doc["parts"] = [p.to_json() for p in found]
    if full:
        doc["chars"] = size
    elif not text and not unnamed:
        return None
    if limit is not None and len(text) > limit:
        doc["text"], doc["truncated"] = text[:limit] + "\n… (cut)", True
    if parts and limit is not None and data_size(doc["parts"]) > limit:
        doc["parts"], doc["truncated"] = _bounded_parts(doc["parts"], limit), True
    if doc.get("truncated"):
        doc["chars"] = size  # a cut output says how much there is
    if outputs == "raw":
        if limit is not None and size > limit:
            cut = bounded_output({"mimetype": mimetype, "data": data}, limit)
            doc["data"], doc["truncated"] = cut.data, True
        else:
            doc["data"] = data
    return doc


def _bounded_parts(parts: list[dict[str, Any]], limit: int) -> list[dict[str, Any]]:
    """Parts up to about `limit` characters: whole ones while they fit, then the next one cut
    (a text's start, a table's first rows), then a marker counting what was left out."""
    kept: list[dict[str, Any]] = []
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


def _console_json(console: Sequence[Any], limit: int | None) -> tuple[list[dict[str, Any]], bool]:
    """Console entries, the newest `limit` characters of them (the oldest entries go, then a long one's start)."""
    entries = [{"channel": c.channel, "mimetype": c.mimetype, "data": c.data} for c in console]
    if limit is None:
        return entries, False
    kept: list[dict[str, Any]] = []
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
              images: ImageFiles | None = None, ui: dict[str, Any] | None = None) -> dict[str, Any]:
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
        defs, refs, config = list(cell.defs), list(cell.refs), (cell.disabled, cell.hide_code)
    else:
        defs, refs, config = sorted(cell.defs), sorted(cell.refs), (cell.config.disabled, cell.config.hide_code)
        truncated = truncated or cell.console_truncated or bool(cell.output is not None and cell.output.truncated)
    doc: dict[str, Any] = {"id": cell.id, "name": cell.name, "code": cell.code, "hash": cell.hash,
                           "status": cell.status}  # CELL_FIELDS, in that order
    # What is empty, false or as marimo makes a new cell is left out: most cells of a read have no
    # errors, no console, and the default config, and a read is paid for by the byte.
    optional = {"errors": [{"kind": e.kind, "message": e.message} for e in cell.errors], "console": console,
                "output": output, "truncated": truncated, "defs": defs, "refs": refs,
                "config": {k: v for k, v in (("disabled", config[0]), ("hide_code", config[1])) if v}}
    doc.update((key, value) for key, value in optional.items() if value)
    return doc


def output_document(reply: Reply[CellsView], *, outputs: OutputMode = True, parts: bool = False,
                    limit: int | None = CELL_FIELD_LIMIT, images: ImageFiles | None = None) -> dict[str, Any]:
    """One cell's output: its text and handles (`parts`: and typed parts), its console, the image files written."""
    (cell,) = reply.value.cells
    console, _ = _console_json(cell.console, limit)
    body: dict[str, Any] = {"cell": {"id": cell.id, "name": cell.name, "status": cell.status},
            "output": _output_json(cell.output, outputs=outputs, parts=parts, limit=limit, images=images,
                                   stem=cell.id, ui=reply.value.ui),
            "console": console,
            "errors": [{"kind": e.kind, "message": e.message} for e in cell.errors]}
    if images is not None:
        body["images"] = sorted(set(images.written))
    return _envelope(reply, body)


def output_images(reply: Reply[CellsView]) -> tuple[list[tuple[str, bytes]], int]:
    """The images of the cells' outputs (charts drawn) as (mimetype, bytes), for MCP image content;
    and how many were left out (past the count and size bounds, or SVG that could not be rasterized)."""
    parts = [p for cell in reply.value.cells if cell.output is not None
             for p in (cell.output.parts if isinstance(cell, Cell) else
                       parse_output(cell.output.get("mimetype"), cell.output.get("data")))]
    return image_payloads(parts)


def ui_document(reply: Reply[list[UiElement]]) -> dict[str, Any]:
    """The session's UI elements: object id, cell, bound names, kind, label, value, domain, and a `text` line each."""
    elements = [{**e.to_json(), "text": e.describe()} for e in reply.value]
    return _envelope(reply, {"elements": elements})


def set_ui_document(reply: Reply[OpResult]) -> dict[str, Any]:
    """A value set: the element as it is now, and the cells that re-ran with their new outputs."""
    document = operation_document(reply)
    element = reply.value.extra.get("element")
    if isinstance(element, dict):
        document["element"] = UiElement.from_raw(element).to_json()
    return document


def table_page_document(reply: Reply[TablePage], *, exact: bool = False) -> dict[str, Any]:
    """A page of a table: its columns (row labels first), rows (exact values), where it starts, the
    totals, and the page as a markdown table with values as the browser shows them (`exact`: as
    the shortest digits that read back)."""
    page = reply.value
    first = page.page * page.page_size
    columns = page.columns or [Column(str(name), "", "") for name in (page.rows[0] if page.rows else {})]
    data_columns = sum(not c.index for c in columns)
    total_columns = page.total_columns if page.total_columns is not None else data_columns
    table = TablePart(columns, page.rows, page.total_rows, total_columns, page.page_size, page.object_id)
    return _envelope(reply, {"object_id": page.object_id, "page": page.page, "page_size": page.page_size,
                             "last_page": page.last_page, "first_row": first,
                             "columns": [c.to_json() for c in columns], "row_headers": table.row_headers,
                             "rows": page.rows, "total_rows": page.total_rows, "total_columns": total_columns,
                             "text": table_text(table, rows=page.page_size, first=first, exact=exact)})


def variables_document(reply: Reply[list[Variable]]) -> dict[str, Any]:
    """The kernel's globals: name, type, preview, declared_by/used_by (cell ids), a frame's rows and columns."""
    return _envelope(reply, {"variables": [v.to_json() for v in reply.value]})


def graph_document(reply: Reply[GraphView], name: str | None = None) -> dict[str, Any]:
    """The dataflow graph: every cell's parents and children; or the asked cell's ancestors and
    descendants; or (`name`) which cells define and read a name."""
    view = reply.value
    graph = view.graph

    def ref(cid: str) -> dict[str, Any]:
        return {"id": cid, "name": view.names.get(cid)}

    def in_order(ids: set[str]) -> list[str]:
        return [c for c in graph.order if c in ids]

    if name is not None:
        body: dict[str, Any] = {"name": name, "defined_by": [ref(c) for c in graph.definers(name)],
                                "read_by": [ref(c) for c in graph.readers(name)]}
    elif view.cell is not None:
        cid = view.cell
        body = {"cell": {**ref(cid), "defs": sorted(graph.defs[cid]),
                         "refs": sorted(n for n in graph.refs[cid] - graph.defs[cid] if graph.definers(n))},
                "parents": [ref(c) for c in in_order(graph.parents[cid])],
                "children": [ref(c) for c in in_order(graph.children[cid])],
                "ancestors": [ref(c) for c in graph.ancestors(cid)],
                "descendants": [ref(c) for c in graph.descendants(cid)]}
    else:
        body = {"cells": [{**ref(cid), "defs": sorted(graph.defs[cid]), "parents": in_order(graph.parents[cid]),
                           "children": in_order(graph.children[cid])} for cid in graph.order]}
    return _envelope(reply, body)


def restart_document(reply: Reply[Target]) -> dict[str, Any]:
    """A restart: the notebook's new session (`session`)."""
    return _envelope(reply, {"restarted": True})


def answer_document(reply: Reply[tuple[str, str]], text: str) -> dict[str, Any]:
    cell, prompt = reply.value
    return _envelope(reply, {"answered": {"cell": cell, "prompt": prompt, "text": text}})


def cell_summary_json(cell: Cell) -> dict[str, Any]:
    """A cell in a stream line or a wait result: who it is and how it stands."""
    return {"id": cell.id, "name": cell.name, "status": cell.status, "hash": cell.hash}


def kernel_json(kernel: KernelView) -> dict[str, Any]:
    doc: dict[str, Any] = {"idle": kernel.idle, "running": kernel.running, "queued": kernel.queued, "live": kernel.live}
    if kernel.waiting_for_input:
        doc["waiting_for_input"] = kernel.waiting_for_input
    if kernel.stopped:
        doc["stopped"] = kernel.stopped
    return doc


def cells_document(reply: Reply[CellsView], *, outputs: OutputMode = True, parts: bool = False,
                   limit: int | None = CELL_FIELD_LIMIT, images: ImageFiles | None = None,
                   saved_to: str | None = None) -> dict[str, Any]:
    """The cells; each cell's console and output cut to `limit` characters (None: all the model holds);
    outputs as text and handles, with typed parts when `parts`."""
    view = reply.value
    body: dict[str, Any] = {"source": view.source,
                            "cells": [cell_json(c, outputs=outputs, parts=parts, limit=limit, images=images, ui=view.ui)
                                      for c in view.cells]}
    if images is not None:
        body["images"] = sorted(set(images.written))
    if saved_to is not None:
        body["saved_to"] = saved_to
    if view.kernel is not None:
        body["kernel"] = kernel_json(view.kernel)
        if notices_told(view.kernel.notices):
            body["notices"] = view.kernel.notices
    return _envelope(reply, body)


def status_document(reply: Reply[KernelView]) -> dict[str, Any]:
    """The kernel's state and what marimo told besides cells (`notices_json`)."""
    return _envelope(reply, {"state": reply.value.state, "kernel": kernel_json(reply.value),
                             "notices": reply.value.notices or notices_json(KernelNotices())})


def notices_json(notices: KernelNotices) -> dict[str, Any]:
    """`{alerts, banners, startup, environment}`: toasts and banners (newest kept, oldest first: title,
    description as text, variant, action, time), startup logs/progress/error, package operations per environment."""
    return notices.to_json()


def notices_told(notices: dict[str, Any] | None) -> bool:
    """Whether a `notices_json` holds anything (a `cells` document carries it only then)."""
    if not notices:
        return False
    return bool(notices["alerts"] or notices["banners"] or notices["startup"]
                or any(e["restart_required"] or e["operations"] for e in notices["environment"].values()))


def notice_line(event: NoticeEvent) -> dict[str, Any]:
    """A line of `watch`: one thing marimo told (kind alert | banner | startup-error | environment)."""
    return {"notice": event.to_json()}


def idle_document(reply: Reply[IdleWait]) -> dict[str, Any]:
    wait = reply.value
    return _envelope(reply, {
        "reason": wait.reason,
        "kernel": kernel_json(wait.kernel),
        "cells": [cell_summary_json(c) for c in wait.cells],
    }, success=wait.reason == "idle")


# -- operations -----------------------------------------------------------------


def operation_document(reply: Reply[OpResult]) -> dict[str, Any]:
    """A cell operation's answer: the affected cells' new state, the order, the op's own facts."""
    result = reply.value
    body: dict[str, Any] = {
        "cells": [cell_json(c, limit=CELL_FIELD_LIMIT) for c in result.cells],
        "order": result.order,
        **result.extra,
    }
    if result.failed_cells:
        body["failed"] = result.failed_cells
    missing = result.extra.get("missing_packages")
    if missing:
        body["next"] = (f"The cells need {', '.join(missing)}: install with "
                        f"`marimo-pair-tui --headless packages add {' '.join(missing)}`, then run them again.")
    return _envelope(reply, body, success=result.success, extra_warnings=result.warnings)


def exec_document(reply: Reply[ExecResult], *, limit: int | None = EXEC_FIELD_LIMIT,
                  saved_to: str | None = None, outputs: OutputMode = True, parts: bool = False,
                  images: ImageFiles | None = None) -> dict[str, Any]:
    """A snippet's answer. Past `limit` characters (None: no limit) stdout and stderr keep their
    newest text and output data its start; `truncated` says so and `chars` gives the full sizes.
    The output is text and handles (`parts`: and typed parts); uncut (no `limit`) it has everything.
    `saved_to` names the file that holds the complete document (`exec --output-file`)."""
    result = reply.value
    output = result.output
    chars = {"stdout": len(result.stdout), "stderr": len(result.stderr),
             "output": 0 if output is None else data_size(output.get("data"))}
    stdout, stderr = result.stdout, result.stderr
    if limit is not None:
        stdout, stderr = stdout[-limit:] if len(stdout) > limit else stdout, stderr[-limit:] if len(stderr) > limit else stderr
    output = _output_json(output, outputs=outputs if limit is not None else "raw", parts=parts or limit is None,
                          limit=limit, images=images, stem="snippet")
    truncated = stdout is not result.stdout or stderr is not result.stderr or bool(output and output.get("truncated"))
    body: dict[str, Any] = {"stdout": stdout, "stderr": stderr, "output": output, "truncated": truncated, "chars": chars}
    if saved_to is not None:
        body["saved_to"] = saved_to
    if images is not None:
        body["images"] = sorted(set(images.written))
    return _envelope(reply, body, success=result.success, extra_warnings=result.warnings)


def done_document(reply: Reply[Any]) -> dict[str, Any]:
    """An operation with nothing to report but its success (interrupt)."""
    return _envelope(reply, {})


def stream_chunk(channel: str, text: str) -> dict[str, Any]:
    """One line of `exec --stream`."""
    return {"stream": channel, "data": text}


# -- activity -------------------------------------------------------------------


def activity_entry_json(entry: ActivityEntry, limit: int | None = None) -> dict[str, Any]:
    """An entry (`watch --activity`'s shape); with `limit`, its texts cut to that many characters.

    stdout and stderr keep their newest text, as the log itself does; output
    data keeps its start. `truncated` says when anything was cut, here or by
    the log.
    """
    data = entry.to_json()
    if data["output"] is not None:
        data["output"]["text"] = parts_text(parse_output(data["output"].get("mimetype"), data["output"].get("data")))
    if limit is None:
        return data
    for channel in ("stdout", "stderr"):
        if len(data[channel]) > limit:
            data[channel], data["truncated"] = data[channel][-limit:], True
    if data["output"] is not None:
        text = data["output"]["text"]
        output = bounded_output(data["output"], limit)
        data["output"] = {"mimetype": output.mimetype, "data": output.data, "text": text[:limit]}
        data["truncated"] = data["truncated"] or output.truncated or len(text) > limit
    return data


def activity_document(reply: Reply[ActivityPage]) -> dict[str, Any]:
    page = reply.value
    started = page.log_started_at
    body: dict[str, Any] = {
        "entries": [activity_entry_json(e, ACTIVITY_TEXT_LIMIT) for e in page.entries],
        "more": page.more,
        "log_started_at": None if started is None else round(started, 3),
    }
    if page.kernel is not None:
        body["kernel"] = kernel_json(page.kernel)
    return _envelope(reply, body)


# -- the directory ----------------------------------------------------------------


def servers_document(reply: Reply[list[ServerInfo]]) -> dict[str, Any]:
    return {"servers": [s.to_json() for s in reply.value], "warnings": list(reply.warnings)}


def notebooks_document(reply: Reply[list[NotebookEntry]]) -> dict[str, Any]:
    return {"notebooks": [e.to_json() for e in reply.value], "warnings": list(reply.warnings)}


def open_document(reply: Reply[Any]) -> dict[str, Any]:
    return {**reply.value.to_json(), "warnings": list(reply.warnings)}


def closed_document(records: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The servers `close` stopped (only ever ones this tool started)."""
    return {"success": True, "closed": [{"url": r["url"], "pid": r["pid"], "notebook": r["notebook"]} for r in records]}


# -- watch ------------------------------------------------------------------------


def watch_line(cells: Sequence[Cell | str], *, idle: bool, running: list[str], scratch: str | None, live: str,
               order: list[str] | None = None, outputs: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """One line of `watch`: the cells that changed (an id alone: deleted), the kernel, the order if it changed;
    a cell whose output moved while watched carries it (`outputs`, core/model/watch_outputs.py)."""
    outputs = outputs or {}
    line: dict[str, Any] = {
        "cells": [{"id": c, "deleted": True} if isinstance(c, str)
                  else {**cell_summary_json(c), **({"output": outputs[c.id]} if c.id in outputs else {})}
                  for c in cells],
        "idle": idle,
        "running": running,
        "scratch": scratch,
        "live": live,
    }
    if order is not None:
        line["order"] = order
    return line


def watch_summary(reply: Reply[Any], *, reason: str, success: bool, idle: bool, cells: Sequence[Cell]) -> dict[str, Any]:
    """The last line of `watch`: why it ended and the cells then."""
    return _envelope(reply, {"reason": reason, "idle": idle, "cells": [cell_summary_json(c) for c in cells]},
                     success=success)


def tunnel_document(tunnel: Any) -> dict[str, Any]:
    """`tunnel`'s first line: the local URL and the server it reaches."""
    server = tunnel.server
    return {
        "success": True,
        "local_url": tunnel.local_url,
        "remote": {"ssh_host": tunnel.host.dest, "url": server.url, "pid": server.pid},
        "warnings": list(tunnel.warnings),
    }
