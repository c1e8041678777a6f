"""Turn marimo's output payloads into readable text: errors, consoles, outputs.

Pure functions, shared by the notebook model and the views, so a cell error
reads the same in the TUI, in headless JSON and in tests.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..parts.payloads import ERROR_MIMETYPE, TRACEBACK_MIMETYPE, CellError, parse_errors, plain_traceback
from ..parts.plain import output_text

CELL_CONSOLE_CHARS = 64 * 1024  # characters of console text kept per cell
CELL_OUTPUT_CHARS = 256 * 1024  # characters of output data kept per cell


@dataclass
class ConsoleEntry:
    """One console write: channel is stdout, stderr, stdin, pdb, ..."""

    channel: str
    mimetype: str
    data: Any

    @property
    def text(self) -> str:
        return output_text(self.mimetype, self.data)

    def to_json(self) -> dict[str, Any]:
        return {"channel": self.channel, "mimetype": self.mimetype, "data": self.data}


@dataclass
class Output:
    """A cell's main output; `truncated` when data was cut to CELL_OUTPUT_CHARS."""

    mimetype: str
    data: Any
    truncated: bool = False
    _parts: list[Any] | None = field(default=None, repr=False, compare=False)

    @property
    def text(self) -> str:
        return output_text(self.mimetype, self.data)

    @property
    def parts(self) -> list[Any]:
        """The typed parts (core/parts), read once per output: a live cell's output is read by every door."""
        if self._parts is None:
            from ..parts import parse_output

            self._parts = parse_output(self.mimetype, self.data)
        return self._parts


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


def kept_data(mimetype: str, data: Any) -> Any:
    """A console write's or an output's data as the model keeps it: a traceback as plain text, the rest as sent."""
    return plain_traceback(data) if mimetype == TRACEBACK_MIMETYPE and isinstance(data, str) else data


def data_size(data: Any) -> int:
    """Characters a payload takes, for the per-cell bounds."""
    return len(data) if isinstance(data, str) else len(json.dumps(data, default=str))


def append_console(console: list[ConsoleEntry], raw: Mapping[str, Any], size: int,
                   limit: int = CELL_CONSOLE_CHARS) -> tuple[int, bool]:
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
            head.data, head.mimetype = output_text(head.mimetype, head.data), "text/plain"
        head.data = head.data[-limit:]
        size, dropped = len(head.data), True
    return size, dropped


def bounded_output(raw: Mapping[str, Any], limit: int = CELL_OUTPUT_CHARS) -> Output:
    """An Output whose data is cut to `limit` characters (flagged)."""
    mimetype = str(raw.get("mimetype", "text/plain"))
    data = kept_data(mimetype, raw.get("data", ""))
    if data_size(data) <= limit:
        return Output(mimetype, data)
    if isinstance(data, str):
        return Output(mimetype, data[:limit], truncated=True)
    return Output("text/plain", output_text(mimetype, data)[:limit], truncated=True)
