"""The debugger console: pdb on a failed cell (a post-mortem) or on a `breakpoint()` a running cell met.

The session's `DebugSession` (core) drives pdb; this screen shows where pdb
stands (the cell's code, the current line highlighted), the current frame's
locals (read again after each command), pdb's transcript, and takes commands
(up/down walk the ones sent). While pdb waits the kernel runs nothing else,
so the top line says so; esc closes the console and sends `q` when pdb still
waits (a `breakpoint()`'s cell then fails with BdbQuit: `c` lets it go on).
"""

from __future__ import annotations

import re
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Input, Label, Static

from ...core.api import DebugSession, Notebook, PairError, PdbPosition
from ..terminal_text import escape_controls

CONTEXT_LINES = 3  # lines of the cell's code shown above and below the current one
CELL_FILE = re.compile(r"\S*__marimo__cell_(\w+?)_\.py")  # the file marimo compiles a cell's code as


def readable(transcript: str) -> str:
    """pdb's text with a cell's compiled file named as the cell (`> cell Hbol(3)<module>()`), drawn inert."""
    return escape_controls(CELL_FILE.sub(lambda m: f"cell {m.group(1)}", transcript))


def code_around(code: str, where: PdbPosition | None) -> Text:
    """The cell's code around pdb's line, numbered, that line marked and highlighted."""
    lines = code.splitlines() or [""]
    current = where.line if where is not None else 0
    first = max(1, current - CONTEXT_LINES) if current else 1
    last = min(len(lines), (current + CONTEXT_LINES) if current else 2 * CONTEXT_LINES + 1)
    shown = Text()
    for number in range(first, last + 1):
        here = number == current
        shown.append(f"{'->' if here else '  '} {number:>3} ", style="bold yellow" if here else "dim")
        shown.append(escape_controls(lines[number - 1]), style="reverse" if here else "")
        if number < last:
            shown.append("\n")
    return shown


class History:
    """The commands sent, walked with up and down as a shell does (the newest first)."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.index = 0

    def add(self, command: str) -> None:
        if command and (not self.sent or self.sent[-1] != command):
            self.sent.append(command)
        self.index = len(self.sent)

    def step(self, by: int) -> str | None:
        if not self.sent:
            return None
        self.index = max(0, min(len(self.sent), self.index + by))
        return self.sent[self.index] if self.index < len(self.sent) else ""


class DebugScreen(Screen[None]):
    """pdb on one cell; dismissed (None) once pdb ended or the console closed."""

    CSS_PATH = Path(__file__).with_name("debugger.tcss")
    BINDINGS = [
        Binding("escape", "close", "close (q)", id="debug-close",
                tooltip="Debugger: close it; sends q when pdb still waits (the kernel is free again)"),
        Binding("up", "history(-1)", "previous", id="debug-history-back", show=False,
                tooltip="Debugger: the previous command sent"),
        Binding("down", "history(1)", "next", id="debug-history-forward", show=False,
                tooltip="Debugger: the next command sent"),
    ]

    def __init__(self, session: DebugSession, notebook: Notebook, *, attach: bool = False) -> None:
        super().__init__()
        self.session = session
        self.notebook = notebook  # the live model: the cells' code
        self.attach = attach  # a breakpoint() waits already; otherwise a post-mortem starts
        self.history = History()
        self.closing = False

    def compose(self) -> ComposeResult:
        kind = "breakpoint()" if self.attach else "post-mortem"
        label = self.notebook.get(self.session.cell)
        yield Label(f"debugger · {kind} · cell {escape_controls(label.label if label else self.session.cell)} · the kernel "
                    "is held while pdb waits", id="debug-title", markup=False)
        with Horizontal(id="debug-top"):
            yield Static("", id="debug-code")
            yield DataTable(id="debug-locals", show_cursor=False, zebra_stripes=True)
        with VerticalScroll(id="debug-transcript-box"):
            yield Static("", id="debug-transcript", markup=False)
        with Vertical(id="debug-bottom"):
            yield Input(id="debug-input", placeholder="a pdb command: p NAME, n, s, up, down, w, l, c, q",
                        disabled=True)
            yield Label("starting pdb…", id="debug-hint", markup=False)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("name", "type", "value")
        self.begin()

    @work(group="debug", exclusive=True)
    async def begin(self) -> None:
        try:
            await (self.session.attach() if self.attach else self.session.start())
        except PairError as error:
            self.hint(f"{error.message} {error.next}".strip())
            self.notify(f"{error.message} {error.next}".strip(), title="No debugger", severity="error", timeout=10)
            self.dismiss(None)
            return
        self.show()

    def hint(self, text: str) -> None:
        self.query_one("#debug-hint", Label).update(text)

    def show(self) -> None:
        """Draw pdb's state: where it stands, the locals, the transcript; the input while it waits."""
        session = self.session
        where = session.where
        cell = self.notebook.get(where.cell) if where is not None and where.cell else None
        code = self.query_one("#debug-code", Static)
        if cell is not None:
            code.update(code_around(cell.code, where))
        elif where is not None:
            code.update(Text(escape_controls(f"{where.file}:{where.line} in {where.function}"), style="dim"))
        table = self.query_one(DataTable)
        table.clear()
        for name, (kind, shown) in sorted(session.locals.items()):
            table.add_row(name, kind, shown)
        self.query_one("#debug-transcript", Static).update(readable(session.transcript))
        self.query_one("#debug-transcript-box", VerticalScroll).scroll_end(animate=False)
        box = self.query_one(Input)
        box.disabled = session.ended
        if session.ended:
            self.hint("pdb ended: the kernel is free · esc closes")
        else:
            self.hint("enter sends · up/down: commands sent · esc closes (sends q)")
            box.focus()

    @on(Input.Submitted, "#debug-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        command = event.value.strip()
        if not command or self.session.ended:
            return
        self.history.add(command)
        event.input.value = ""
        event.input.disabled = True
        self.hint(f"pdb runs {command!r}…")
        self.send(command)

    @work(group="debug", exclusive=True)
    async def send(self, command: str) -> None:
        try:
            await self.session.send(command)
        except PairError as error:
            self.notify(f"{error.message} {error.next}".strip(), title="Not sent", severity="warning", timeout=8)
        self.show()

    def action_history(self, by: int) -> None:
        box = self.query_one(Input)
        step = self.history.step(by)
        if step is not None:
            box.value = step
            box.cursor_position = len(step)

    def action_close(self) -> None:
        if self.closing:
            return
        self.closing = True
        self.hint("ending pdb (q)…")
        self.end()

    @work(group="debug-close")
    async def end(self) -> None:
        await self.session.close()
        self.dismiss(None)
