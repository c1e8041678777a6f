"""Turn marimo's output payloads into readable text: errors, consoles, outputs.

Pure functions, shared by the notebook model and the views, so a cell error
reads the same in the TUI, in headless JSON and in tests.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

CONSOLE_LIMIT = 64 * 1024  # characters of console text kept per cell
OUTPUT_LIMIT = 256 * 1024  # characters of output data kept per cell
ERROR_MIMETYPE = "application/vnd.marimo+error"
TRACEBACK_MIMETYPE = "application/vnd.marimo+traceback"

# marimo error types that stop a cell before it runs (code_mode calls these
# "graph" errors); every other error is a "runtime" one.
GRAPH_ERROR_TYPES = frozenset({"multiple-defs", "cycle", "setup-refs", "import-star", "syntax"})
ANCESTOR_RAISED = "Ancestor raised"  # marimo's exception_type for a cell cancelled by an ancestor
_ANCESTOR_TYPES = frozenset({"ancestor-stopped", "ancestor-prevented"})
_TAG = re.compile(r"<[^>]+>")

NameOf = Callable[[str], str]


@dataclass
class ConsoleEntry:
    """One console write: channel is stdout, stderr, stdin, pdb, ..."""

    channel: str
    mimetype: str
    data: Any

    @property
    def text(self) -> str:
        return plain_text(self.mimetype, self.data)

    def to_json(self) -> dict[str, Any]:
        return {"channel": self.channel, "mimetype": self.mimetype, "data": self.data}


@dataclass
class Output:
    """A cell's main output; `truncated` when data was cut to OUTPUT_LIMIT."""

    mimetype: str
    data: Any
    truncated: bool = False
    _parts: list[Any] | None = field(default=None, repr=False, compare=False)

    @property
    def text(self) -> str:
        return plain_text(self.mimetype, self.data)

    @property
    def parts(self) -> list[Any]:
        """The typed parts (core/parts), read once per output: a live cell's output is read by every door."""
        if self._parts is None:
            from ..parts import parse_output

            self._parts = parse_output(self.mimetype, self.data)
        return self._parts


class CellError(NamedTuple):
    """One error affecting a cell: `kind` is "graph" or "runtime", as in code_mode."""

    kind: str
    message: str


def _plain_name(cell_id: str) -> str:
    return cell_id


def describe_error(error: Mapping[str, Any], name_of: NameOf = _plain_name) -> str:
    """A one-line message for one marimo error dict (`{"type": ..., ...}`)."""
    kind = str(error.get("type", "unknown"))
    msg = str(error.get("msg") or "")
    if kind == "exception":
        raising = error.get("raising_cell")
        if raising:  # an ancestor raised (msg ends with ": "), or a name it should define is missing ("in ")
            base = msg.rstrip(": ").rstrip()
            joint = " cell" if base.endswith(" in") else " in cell"
            return f"{base}{joint} {name_of(str(raising))}"
        exc_type = str(error.get("exception_type") or "Exception")
        return f"{exc_type}: {msg}" if msg else exc_type
    if kind == "multiple-defs":
        others = ", ".join(name_of(str(c)) for c in error.get("cells") or ())
        where = f" ({others})" if others else ""
        return f"The variable '{error.get('name')}' was defined by another cell{where}"
    if kind == "cycle":
        return "This cell is in a cycle" + _cycle_path(error.get("edges_with_vars"), name_of)
    if kind == "setup-refs":
        return "The setup cell cannot have references"
    if kind == "interruption":
        return "This cell was interrupted and needs to be re-run"
    if kind in _ANCESTOR_TYPES:
        return f"{msg.rstrip(': ')} (cell {name_of(str(error.get('raising_cell')))})"
    if kind == "syntax" and error.get("lineno") is not None:
        return f"SyntaxError (line {error['lineno']}): {msg}"
    if kind == "sql-error" and error.get("hint"):
        return f"{msg} ({error['hint']})"
    return msg or kind


def _cycle_path(edges: Any, name_of: NameOf) -> str:
    """`: a -(x)-> b, b -(y)-> a` from marimo's (from, vars, to) triples."""
    parts = []
    for edge in edges or ():
        if isinstance(edge, (list, tuple)) and len(edge) == 3:
            src, names, dst = edge
            parts.append(f"{name_of(str(src))} -({', '.join(map(str, names))})-> {name_of(str(dst))}")
    return ": " + ", ".join(parts) if parts else ""


def parse_errors(data: Any, name_of: NameOf = _plain_name) -> list[CellError]:
    """CellErrors from the data of an `application/vnd.marimo+error` output."""
    if not isinstance(data, Sequence) or isinstance(data, str):
        return [CellError("runtime", str(data))] if data else []
    errors = []
    for item in data:
        if isinstance(item, Mapping):
            kind = "graph" if item.get("type") in GRAPH_ERROR_TYPES else "runtime"
            errors.append(CellError(kind, describe_error(item, name_of)))
    return errors


def snapshot_errors(raw: Mapping[str, Any]) -> list[CellError]:
    """A snapshot cell's errors, read as the live stream reads them.

    When the cell's output is marimo's error output, its items are the errors
    (described by `parse_errors`, cells named through the snapshot's `labels`),
    exactly what the notebook model shows for the same output. code_mode's own
    `errors` list (graph errors plus a raised Exception) is the fallback: it
    says nothing for a cancelled or interrupted cell or a missing name.
    """
    output = raw.get("output")
    if isinstance(output, Mapping) and output.get("mimetype") == ERROR_MIMETYPE:
        data = output.get("data")
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except ValueError:
                data = None
        labels = raw.get("labels") or {}
        parsed = parse_errors(data, lambda cid: str(labels.get(cid, cid))) if isinstance(data, list) else []
        if parsed:
            return parsed
    return [CellError(str(e.get("kind", "runtime")), str(e.get("msg", e.get("message", ""))))
            for e in raw.get("errors") or ()]


def error_status(data: Any) -> str:
    """The code_mode status a cell's error output implies.

    marimo's wire status is only idle/queued/running; the outcome of the run
    lives in the error types, and code_mode reports it as one word.
    """
    items = [e for e in data if isinstance(e, Mapping)] if isinstance(data, list) else []
    types = {str(e.get("type")) for e in items}
    # The cell's own exception, or a name another cell was to define (NameError
    # blaming that cell): marimo's run result is "exception". "Ancestor raised"
    # is a cancellation.
    if any(e.get("type") == "exception"
           and (not e.get("raising_cell") or e.get("exception_type") != ANCESTOR_RAISED) for e in items):
        return "exception"
    if types & GRAPH_ERROR_TYPES or "strict-exception" in types:
        return "marimo-error"
    if "interruption" in types:
        return "interrupted"
    if "exception" in types or types & _ANCESTOR_TYPES:
        return "cancelled"
    return "exception"


def plain_traceback(data: str) -> str:
    """A traceback as Python printed it, however marimo sent it.

    marimo sends a traceback to code_mode requests and the scratchpad as plain
    text, and to everyone else highlighted by pygments (`<span
    class="codehilite"><div class="highlight"><pre>…`, marimo/_messaging/
    tracebacks.py). Tags go and entities are undone, which gives back the
    plain text line for line (the tests compare both from one kernel); plain
    text is kept as it is ("in <module>" starts no tag).
    """
    if not data.lstrip().startswith("<"):
        return data
    return html.unescape(_TAG.sub("", data)).rstrip("\n") + "\n"


def kept_data(mimetype: str, data: Any) -> Any:
    """A console write's or an output's data as the model keeps it: a traceback as plain text, the rest as sent."""
    return plain_traceback(data) if mimetype == TRACEBACK_MIMETYPE and isinstance(data, str) else data


def plain_text(mimetype: str, data: Any) -> str:
    """Text a terminal can show for one console entry or output."""
    if isinstance(data, str):
        if mimetype == TRACEBACK_MIMETYPE:
            return plain_traceback(data)
        if mimetype.startswith("text/html"):
            return html.unescape(_TAG.sub("", data))
        return data
    if mimetype == ERROR_MIMETYPE:
        return "\n".join(e.message for e in parse_errors(data))
    return json.dumps(data, default=str)


def data_size(data: Any) -> int:
    """Characters a payload takes, for the per-cell bounds."""
    return len(data) if isinstance(data, str) else len(json.dumps(data, default=str))


def append_console(console: list[ConsoleEntry], raw: Mapping[str, Any], size: int,
                   limit: int = CONSOLE_LIMIT) -> tuple[int, bool]:
    """Append one console write to `console` (holding `size` characters).

    Consecutive text/plain writes on one channel merge, as in marimo's session
    view, except prompts (stdin), each of which is one `input()`; a traceback
    is kept as plain text (`kept_data`), so every door reads the text `run`
    gives; past `limit` the oldest text goes. Returns the new size and whether
    anything was dropped.
    """
    mimetype = str(raw.get("mimetype", "text/plain"))
    entry = ConsoleEntry(str(raw.get("channel", "stdout")), mimetype, kept_data(mimetype, raw.get("data", "")))
    last = console[-1] if console else None
    if (last is not None and last.mimetype == entry.mimetype == "text/plain"
            and last.channel == entry.channel != "stdin" and isinstance(last.data, str) and isinstance(entry.data, str)):
        last.data += entry.data
    else:
        console.append(entry)
    size += data_size(entry.data)
    dropped = False
    while size > limit and len(console) > 1:
        size -= data_size(console.pop(0).data)
        dropped = True
    if size > limit:  # one write larger than the bound: keep its newest text
        head = console[0]
        if not isinstance(head.data, str):
            head.data, head.mimetype = plain_text(head.mimetype, head.data), "text/plain"
        head.data = head.data[-limit:]
        size, dropped = len(head.data), True
    return size, dropped


def bounded_output(raw: Mapping[str, Any], limit: int = OUTPUT_LIMIT) -> Output:
    """An Output whose data is cut to `limit` characters (flagged)."""
    mimetype = str(raw.get("mimetype", "text/plain"))
    data = kept_data(mimetype, raw.get("data", ""))
    if data_size(data) <= limit:
        return Output(mimetype, data)
    if isinstance(data, str):
        return Output(mimetype, data[:limit], truncated=True)
    return Output("text/plain", plain_text(mimetype, data)[:limit], truncated=True)
