"""The pairing screen's search bar (ctrl+f): a pattern, its count, and the line of the current match.

The bar only asks and shows: it posts `Changed` when the pattern or a toggle
changes and `Step` for the next or previous match; the screen's search helper
(screens/pairing/search.py) searches through the session service and tells the
bar what it found (`show`). Its keys work while its input has the focus.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, Static

from ..terminal_text import escape_controls

MATCH_STYLE = "bold reverse"  # the matched text in the bar's line and in the notebook view


class SearchBar(Vertical):
    """A pattern input with regex and case toggles, `3/17`, and the current match's line."""

    DEFAULT_CSS = """
    SearchBar {
        display: none;
        height: 2;
        background: $panel;
    }
    SearchBar.-open {
        display: block;
    }
    SearchBar > Horizontal {
        height: 1;
    }
    SearchBar Input, SearchBar Input:focus {
        width: 1fr;
        height: 1;
        border: none;
        padding: 0 1;
        background: $surface;
    }
    SearchBar #search-count {
        width: auto;
        padding: 0 1;
    }
    SearchBar #search-line {
        height: 1;
        padding: 0 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    BINDINGS = [
        Binding("f3,down", "step(1)", "next", id="search-next", tooltip="Search: the next match (enter too)"),
        Binding("shift+f3,shift+enter,up", "step(-1)", "previous", id="search-previous",
                tooltip="Search: the previous match"),
        Binding("alt+r", "toggle_regex", "regex", id="search-regex",
                tooltip="Search: the pattern as a regular expression, or as text"),
        Binding("alt+c", "toggle_case", "case", id="search-case",
                tooltip="Search: match upper and lower case alike, or not"),
        Binding("escape", "close", "close", id="search-close",
                tooltip="Search: close the bar (the selected cell stays selected)"),
    ]

    class Changed(Message):
        """The pattern or a toggle changed: search again."""

        def __init__(self, pattern: str, regex: bool, ignore_case: bool) -> None:
            super().__init__()
            self.pattern, self.regex, self.ignore_case = pattern, regex, ignore_case

    class Step(Message):
        """Go to the next (1) or previous (-1) match."""

        def __init__(self, step: int) -> None:
            super().__init__()
            self.step = step

    class Closed(Message):
        """The bar was closed."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.regex = False
        self.ignore_case = False
        self._count = Static(id="search-count")
        self._line = Static(id="search-line")

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Input(placeholder="find in names, code, outputs", id="search-input")
            yield self._count
        yield self._line

    @property
    def input(self) -> Input:
        return self.query_one("#search-input", Input)

    @property
    def is_open(self) -> bool:
        return self.has_class("-open")

    @property
    def count_text(self) -> str:
        return str(self._count.render())

    @property
    def line_text(self) -> str:
        return str(self._line.render())

    def open(self) -> None:
        """Shown with the focus in its input, its text selected (typing replaces it)."""
        self.add_class("-open")
        self.input.focus()
        self.input.select_all()
        if self.input.value:
            self._changed()

    def action_close(self) -> None:
        self.remove_class("-open")
        self.post_message(self.Closed())

    def action_step(self, step: int) -> None:
        self.post_message(self.Step(step))

    def action_toggle_regex(self) -> None:
        self.regex = not self.regex
        self._changed()

    def action_toggle_case(self) -> None:
        self.ignore_case = not self.ignore_case
        self._changed()

    @on(Input.Changed, "#search-input")
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        self._changed()

    @on(Input.Submitted, "#search-input")
    def _entered(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_step(1)

    def _changed(self) -> None:
        self.post_message(self.Changed(self.input.value, self.regex, self.ignore_case))

    def _flags(self) -> str:
        return f"{'.*' if self.regex else '  '} {'aA' if self.ignore_case else 'Aa'}"

    def show(self, count: str, line: Text | str = "") -> None:
        """The count (`3/17`, `no match`, an error) beside the toggles, and the current match's line."""
        self._count.update(Text(f"{count}  {self._flags()}"))
        self._line.update(line if isinstance(line, Text) else Text(escape_controls(line), style="dim"))


def match_line(where: str, label: str, line: int, text: str, start: int, end: int) -> Text:
    """`label · where:line  text` with the match in MATCH_STYLE."""
    shown = Text(f"{escape_controls(label)} · {where}:{line}  ", style="dim")
    body = Text(escape_controls(text[:start]))
    body.append(escape_controls(text[start:end]), style=MATCH_STYLE)
    body.append(escape_controls(text[end:]))
    return shown + body
