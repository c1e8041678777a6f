"""What marimo's output payloads mean, before any part is made of them.

The wire's error and traceback mimetypes, an error item as one line
(`CellError`), the status an error output implies, and a traceback as Python
printed it. A leaf of the core: the notebook model and the output parts both
read payloads through it, so a cell error reads the same in every door.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

ERROR_MIMETYPE = "application/vnd.marimo+error"
TRACEBACK_MIMETYPE = "application/vnd.marimo+traceback"

# marimo error types that stop a cell before it runs (code_mode calls these
# "graph" errors); every other error is a "runtime" one.
GRAPH_ERROR_TYPES = frozenset({"multiple-defs", "cycle", "setup-refs", "import-star", "syntax"})
ANCESTOR_RAISED = "Ancestor raised"  # marimo's exception_type for a cell cancelled by an ancestor
_ANCESTOR_TYPES = frozenset({"ancestor-stopped", "ancestor-prevented"})
_TAG = re.compile(r"<[^>]+>")

NameOf = Callable[[str], str]


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
