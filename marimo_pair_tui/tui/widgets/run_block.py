"""One run in the results pane: a header that ends with the outcome, what it printed, and its output.

What a run printed is streamed text; its output (a snippet's last expression,
a cell's output) is drawn as the notebook view draws a cell's: core's typed
parts, each by its part widget (a table as a table, a slider with its label
and value, a chart as a picture), never reduced to text here.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Static

from ...core.api import Part, parse_output, parts_text
from ...core.api import with_values
from ..terminal_text import escape_controls
from .parts import part_widget
from .parts.control import held_values

BODY_LIMIT = 32 * 1024  # characters of output kept per run; the oldest go first
BODY_LINES = 1000  # lines of output kept per run; the oldest go first
RENDER_INTERVAL = 0.1  # seconds between two renders of a streaming body
_BOUNDARY_SEARCH = 2000  # how far past a cut to look for a line start


def _size(chars: int) -> str:
    if chars >= 1024 * 1024:
        return f"{chars / (1024 * 1024):.1f} MB"
    if chars >= 1024:
        return f"{chars / 1024:.0f} KB"
    return f"{chars} B"


def _after_newlines(text: str, start: int, count: int) -> int:
    """The index just past the `count`-th newline in `text` from `start` (len(text) if fewer)."""
    pos = start
    for _ in range(count):
        found = text.find("\n", pos)
        if found == -1:
            return len(text)
        pos = found + 1
    return pos


class RunBlock(Vertical):
    """`▶ snippet · 14:02:11 · running…`, then `✓ … · 0.12 s · ok` when done.

    The body keeps the newest BODY_LIMIT characters and BODY_LINES lines of
    output as a queue of (text, style) chunks; when older output goes, a marker
    line on top says how much (`… 180,000 earlier lines not shown (1.2 MB)`),
    and it stays on top however often the body is cut again. A streaming body
    is rendered at most every RENDER_INTERVAL seconds, from the kept chunks.
    """

    DEFAULT_CSS = """
    RunBlock {
        height: auto;
        margin: 0 0 1 0;
    }
    RunBlock > .run-header {
        height: 1;
        text-style: bold;
    }
    RunBlock > .run-body {
        height: auto;
    }
    RunBlock > .run-parts {
        height: auto;
    }
    RunBlock > .run-parts > .run-parts-title {
        text-style: bold;
    }
    RunBlock.-failed > .run-header { color: $error; }
    RunBlock.-ok > .run-header { color: $success; }
    RunBlock.-running > .run-header { color: $warning; }
    """

    def __init__(self, kind: str, title: str, started: str, *, ascii: bool = False) -> None:
        super().__init__(classes="-running")
        self.kind = kind
        self.title = title
        self.started = started
        self.ascii = ascii
        self.finished: bool | None = None
        self.dropped_lines = 0  # earlier output no longer kept: its newlines ...
        self.dropped_chars = 0  # ... and its characters
        self._chunks: deque[tuple[str, str | None]] = deque()
        self._chars = 0  # characters in _chunks
        self._lines = 0  # newlines in _chunks
        self._ends_line = True  # the kept output is empty or ends with a newline
        self._cached: Text | None = None
        self._last_render = 0.0
        self._render_due = False
        self._header = Static(classes="run-header", markup=False)
        self._body = Static(classes="run-body", markup=False)
        self._body.display = False
        self._parts = Vertical(classes="run-parts")
        self._parts.display = False
        self.parts: list[Part] = []  # the output's parts shown, in order
        self._parts_text = ""  # their text rendition (core's, what agents read), for `text` and the bounds
        self._render_header("running" + ("..." if ascii else "…"), "▶" if not ascii else ">")

    def compose(self) -> ComposeResult:
        yield self._header
        yield self._body
        yield self._parts

    def _render_header(self, tail: str, mark: str) -> None:
        dot = " | " if self.ascii else " · "
        self.header_text = escape_controls(f"{mark} {self.kind} {self.title}{dot}{tail}{dot}{self.started}")
        self._header.update(Text(self.header_text, no_wrap=True, overflow="ellipsis"))

    # -- output -------------------------------------------------------------------

    def append(self, text: str, style: str = "") -> None:
        """Add output as it arrives (stderr in red), its control characters shown, not obeyed."""
        if not text:
            return
        text = escape_controls(text)
        self._chunks.append((text, style or None))
        self._chars += len(text)
        self._lines += text.count("\n")
        self._ends_line = text.endswith("\n")
        self._trim()
        self._cached = None
        self._render_soon()

    def line(self, text: str, style: str = "") -> None:
        """Add a full line, starting on a new line if needed."""
        if not self._ends_line:
            self.append("\n")
        self.append(text.rstrip("\n") + "\n", style)

    def _trim(self) -> None:
        """Drop the oldest output past BODY_LIMIT/BODY_LINES, cutting at a line start where one is near."""
        while self._chunks and (self._chars > BODY_LIMIT or self._lines > BODY_LINES):
            text, style = self._chunks[0]
            cut = min(len(text), max(0, self._chars - BODY_LIMIT))
            excess_lines = self._lines - BODY_LINES - text.count("\n", 0, cut)
            if excess_lines > 0:
                cut = _after_newlines(text, cut, excess_lines)
            elif 0 < cut < len(text) and text[cut - 1] != "\n":
                found = text.find("\n", cut, cut + _BOUNDARY_SEARCH)
                cut = found + 1 if found != -1 else cut
            dropped = text[:cut]
            if cut >= len(text):
                self._chunks.popleft()
            else:
                self._chunks[0] = (text[cut:], style)
            newlines = dropped.count("\n")
            self._chars -= len(dropped)
            self._lines -= newlines
            self.dropped_chars += len(dropped)
            self.dropped_lines += newlines
        if not self._chunks:
            self._ends_line = True

    @property
    def marker(self) -> str:
        """The line on top of a cut body (empty when nothing was cut)."""
        if not self.dropped_chars:
            return ""
        ellipsis = "..." if self.ascii else "…"
        lines = self.dropped_lines
        what = f"{lines:,} earlier line{'s' if lines != 1 else ''}" if lines else "earlier output"
        return f"{ellipsis} {what} not shown ({_size(self.dropped_chars)})"

    async def show_output(self, mimetype: str | None, data: Any, title: str = "") -> list[Part]:
        """Draw an output under the printed text, as the notebook view draws one: core's parts (read in a
        thread: a large table's HTML takes a while), each by its part widget; `title` above them names
        whose output it is. Returns the parts (none for an empty output, or once the block is gone)."""
        parts = await asyncio.to_thread(parse_output, mimetype, data)
        if not parts or not self.is_attached:
            return []
        widgets: list[Widget] = [Static(Text(escape_controls(title)), classes="run-parts-title")] if title else []
        widgets.extend(part_widget(part) for part in parts)
        self.parts.extend(parts)
        shown = parts_text(parts)
        self._parts_text += ("\n" if self._parts_text else "") + (f"{title}\n{shown}" if title else shown)
        self._parts.display = True
        await self._parts.mount_all(widgets)
        return parts

    @property
    def shown_parts(self) -> list[Part]:
        """The output's parts as its widgets show them: each element with the value its control holds."""
        return with_values(self.parts, held_values(self))

    @property
    def kept_chars(self) -> int:
        """Characters this block holds."""
        return self._chars + len(self.header_text) + len(self._parts_text)

    @property
    def body(self) -> Text:
        """The output kept, under the marker when older output went."""
        if self._cached is None:
            body = Text()
            marker = self.marker
            if marker:
                body.append(marker + "\n", style="dim italic")
            for text, style in self._chunks:
                body.append(text, style=style)
            self._cached = body
        return self._cached

    def _render_soon(self) -> None:
        """Render now, or once RENDER_INTERVAL has passed since the last render (one timer at a time)."""
        if self._render_due:
            return
        wait = self._last_render + RENDER_INTERVAL - time.monotonic()
        if wait <= 0 or not self.is_mounted:
            self._render_body()
            return
        self._render_due = True
        self.set_timer(wait, self._render_body)

    def _render_body(self) -> None:
        self._render_due = False
        self._last_render = time.monotonic()
        self._body.display = bool(self._chunks) or bool(self.dropped_chars)
        self._body.update(self.body)

    def finish(self, ok: bool, summary: str) -> None:
        self.finished = ok
        self.set_class(ok, "-ok")
        self.set_class(not ok, "-failed")
        self.remove_class("-running")
        mark = ("+" if ok else "x") if self.ascii else ("✓" if ok else "✗")
        self._render_header(summary, mark)
        self._render_body()

    @property
    def text(self) -> str:
        """The header, what the run printed, and its output's parts in words (as agents read them)."""
        text = self.header_text + "\n" + self.body.plain
        return text + ("\n" + self._parts_text if self._parts_text else "")
