"""One cell in the notebook view: a header line, its code (highlighted, compact), its output, its console.

`update()` takes the cell as the model holds it now and redraws only what
differs from what is shown: a status change touches the header alone, and an
output equal to the one drawn keeps its widgets (a slider keeps its focus).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Callable

from rich.console import RenderableType
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.highlight import highlight
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static

from ...core.api import Cell, output_text
from ..display import Display
from ..terminal_text import escape_controls
from .cell_picture import CellPicture
from .marks import MARK_STYLE, spans
from .output_view import OutputView, Turns

CODE_LINES = 12  # lines of a cell's code shown; the rest is counted
CONSOLE_LINES = 20  # newest lines of a cell's console shown


def cell_title(cell: Cell, fmt: Display) -> Text:
    """`✓ name` (the id for an unnamed cell), with the status word when it is not plain idle."""
    title = Text()
    title.append_text(fmt.glyph(cell.status))
    named = cell.name not in ("", "_")
    title.append(" " + escape_controls(cell.name if named else cell.id), style="bold" if named else "dim")
    if cell.status not in ("idle", None):
        title.append(f"  {cell.status}", style="dim")
    return title


def code_lines(code: str, fmt: Display) -> Content:
    """The cell's code, highlighted in the app theme's colours, cut to CODE_LINES lines."""
    lines = escape_controls(code.rstrip("\n")).split("\n")
    if not code.strip():
        return Content.styled("(empty cell)", "$text-muted")
    shown = highlight("\n".join(lines[:CODE_LINES]), language="python").rstrip("\n")
    if len(lines) > CODE_LINES:
        more = Content.styled(f"{fmt.ellipsis} {len(lines) - CODE_LINES} more lines", "$text-muted")
        shown = Content.assemble(shown, "\n", more)
    return shown


def marked_code(code: str, fmt: Display, pattern: re.Pattern[str] | None) -> Content:
    """`code_lines` with the search's matches marked."""
    shown = code_lines(code, fmt)
    for start, end in spans(shown.plain, pattern) if code.strip() else ():
        shown = shown.stylize(MARK_STYLE, start, end)
    return shown


def marked_console(cell: Cell, fmt: Display, pattern: re.Pattern[str] | None) -> Text:
    """`console_text` with the search's matches marked."""
    text = console_text(cell, fmt)
    for start, end in spans(text.plain, pattern):
        text.stylize(MARK_STYLE, start, end)
    return text


def console_text(cell: Cell, fmt: Display) -> Text:
    """The newest CONSOLE_LINES lines the cell printed; stderr in red."""
    lines: list[tuple[str, str]] = []
    for entry in cell.console:
        printed = escape_controls(fmt.scrub(output_text(entry.mimetype, entry.data)))
        style = "red" if entry.channel == "stderr" or "traceback" in entry.mimetype else ""
        lines.extend((line, style) for line in printed.rstrip("\n").split("\n"))
    text = Text()
    if len(lines) > CONSOLE_LINES:
        text.append(f"{fmt.ellipsis} {len(lines) - CONSOLE_LINES} earlier lines\n", style="dim")
        lines = lines[-CONSOLE_LINES:]
    for index, (line, style) in enumerate(lines):
        text.append(("\n" if index else "") + line, style=style or None)
    return text


if TYPE_CHECKING:
    _Widget = Widget
else:
    _Widget = object  # a mixin: the widget class it is mixed into comes after it


class RestyledAlone(_Widget):
    """A container whose focus marks restyle it alone, not every widget inside it.

    Textual restyles a widget and all its descendants when its classes or its
    focus change, and `:focus-within` restyles a whole subtree on each focus
    move. No rule below these containers depends on their focus, so the
    `-focus-within` class and `:focus` apply to the container itself only.
    """

    _restyle_alone = False

    def update_node_styles(self, animate: bool = True) -> None:
        if self._restyle_alone:
            self.app.stylesheet.update_nodes([self], animate=animate)
        else:
            super().update_node_styles(animate)

    def _restyle_self(self, change: Callable[[], object]) -> None:
        self._restyle_alone = True
        try:
            change()
        finally:
            self._restyle_alone = False

    def watch_has_focus(self, _has_focus: bool) -> None:
        self._restyle_self(self.update_node_styles)

    def mark_focus_within(self) -> None:
        """The `-focus-within` class set while the focus is on the container or inside it."""
        within = self.has_focus_within
        if self.has_class("-focus-within") != within:
            self._restyle_self(lambda: self.set_class(within, "-focus-within"))


class CellBlock(RestyledAlone, Vertical, can_focus=True):
    """A cell as the notebook reads: header, code, output, console."""

    DEFAULT_CSS = """
    CellBlock {
        height: auto;
        border-left: blank;
        margin: 0 0 1 0;
    }
    CellBlock.-focus-within {
        border-left: outer $accent;
    }
    CellBlock > .cell-head.-focused {
        background: $accent 20%;
    }
    CellBlock > .cell-code {
        background: $boost;
        height: auto;
        padding: 0 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    CellBlock > .cell-console {
        height: auto;
    }
    CellBlock > .cell-picture {
        height: auto;
    }
    CellBlock > .-empty {
        display: none;
    }
    """

    BINDINGS = [
        Binding("escape", "focus_cell", "to the cell", id="notebook-cell", show=False,
                tooltip="Notebook view: from a widget in an output back to its cell (esc there leaves as usual)"),
    ]

    class Focused(Message):
        """The focus came to this cell or to a widget in its output."""

        def __init__(self, block: "CellBlock") -> None:
            super().__init__()
            self.block = block

        @property
        def control(self) -> "CellBlock":
            return self.block

    def __init__(self, cell: Cell, fmt: Display, turns: Turns | None = None) -> None:
        super().__init__()
        self.cell_id = cell.id
        self.fmt = fmt
        self._output = OutputView(self.cell_id, turns)
        self._cell = cell
        self._shown: dict[str, Any] = {}  # what each line was drawn from
        self._ready = False  # composed: the lines exist
        self._mark: re.Pattern[str] | None = None  # the search's pattern, marked in the code and console
        self._pictured: object | None = None  # the output a picture under the cell shows (None: no picture)
        self._console_line: Static | None = None  # mounted once the cell first printed something

    def compose(self) -> ComposeResult:
        # The console and a picture are mounted when a cell first has one: most cells have neither, and
        # every widget of a mounted window of blocks costs memory.
        yield Static(classes="cell-head")
        yield Static(classes="cell-code")
        yield self._output

    def on_mount(self) -> None:
        self._ready = True
        self.update(self._cell)

    @property
    def output_view(self) -> OutputView:
        return self._output

    def update(self, cell: Cell) -> None:
        """Show the cell as the model holds it now, redrawing only what changed."""
        self._cell = cell
        if not self._ready:
            return
        self._redraw("head", (cell.status, cell.name), lambda: cell_title(cell, self.fmt))
        mark = self._mark
        self._redraw("code", (cell.code, mark), lambda: marked_code(cell.code, self.fmt, mark))
        if cell.console or self._console_line is not None:
            console = tuple((e.channel, e.mimetype, str(e.data)) for e in cell.console)
            self._redraw("console", (console, mark), lambda: marked_console(cell, self.fmt, mark))
            if self._console_line is not None:
                self._console_line.set_class(not cell.console, "-empty")
        self.output_view.mark(mark)
        self.output_view.show(cell)
        if self._pictured is not None and cell.output != self._pictured:
            self.clear_picture()  # a picture of an output the cell no longer shows would mislead

    @property
    def picture(self) -> CellPicture | None:
        """The picture shown under the output, if any."""
        found = self.query(CellPicture)
        return found.first() if found else None

    def show_picture(self, caption: str, png: bytes) -> None:
        """Show `png` (the output as the browser draws it) under the output, in place of an earlier one."""
        self.query(".cell-picture").remove()
        self.mount(Vertical(CellPicture(caption, png), classes="cell-picture"), after=self._output)
        self._pictured = self._cell.output

    def clear_picture(self) -> None:
        self._pictured = None
        self.query(".cell-picture").remove()

    def mark(self, pattern: re.Pattern[str] | None) -> None:
        """Mark the search's matches in the code and console (None: no marks)."""
        if pattern != self._mark:
            self._mark = pattern
            self.update(self._cell)

    def _redraw(self, line: str, key: Any, draw: Callable[[], RenderableType | Content]) -> None:
        if self._shown.get(line) == key:
            return
        self._shown[line] = key
        if line == "console" and self._console_line is None:  # first needed now: the block's last line
            self._console_line = Static(draw(), classes="cell-console")
            self.mount(self._console_line)
            return
        self.query_one(f".cell-{line}", Static).update(draw())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "focus_cell":
            return self.screen.focused is not self  # on the cell itself, esc is the screen's
        return True

    def action_focus_cell(self) -> None:
        self.focus()

    def _mark_focus(self) -> None:
        self.mark_focus_within()
        self.query_one(".cell-head").set_class(self.screen.focused is self, "-focused")

    def on_focus(self, _event: events.Focus) -> None:
        self._mark_focus()
        self.post_message(self.Focused(self))

    def on_blur(self, _event: events.Blur) -> None:
        self._mark_focus()

    def on_descendant_focus(self, _event: events.DescendantFocus) -> None:
        self._mark_focus()
        self.post_message(self.Focused(self))

    def on_descendant_blur(self, _event: events.DescendantBlur) -> None:
        self._mark_focus()
