"""The conflict dialog: the cell changed since it was loaded; theirs or yours?"""

from __future__ import annotations

from typing import Literal

from rich.syntax import Syntax
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, VerticalScroll
from textual.widgets import Button, Label, Static

from ..terminal_text import escape_controls
from .dialog import Dialog

Choice = Literal["mine", "theirs", "cancel"]


class ConflictScreen(Dialog[Choice]):
    """Both versions side by side (stacked when narrow); nothing is lost whatever is chosen."""

    BINDINGS = [
        Binding("m", "choose('mine')", "keep mine", id="conflict-keep-mine"),
        Binding("t", "choose('theirs')", "take theirs", id="conflict-take-theirs"),
        Binding("escape,c", "choose('cancel')", "cancel", id="conflict-cancel"),
    ]

    def __init__(self, cell_label: str, theirs: str, yours: str, *, dark: bool = True) -> None:
        super().__init__()
        self.cell_label = cell_label
        self.theirs = theirs
        self.yours = yours
        self.dark = dark

    def _syntax(self, code: str) -> Syntax:
        return Syntax(escape_controls(code) or " ", "python", theme="monokai" if self.dark else "friendly",
                      background_color="default", line_numbers=True, word_wrap=True)

    def compose_dialog(self) -> ComposeResult:
        yield Label(f"Cell {escape_controls(self.cell_label)} changed since you loaded it", id="title", classes="title",
                    markup=False)
        yield Label("Someone else edited it. Nothing was applied; choose what to keep.", id="explain",
                    classes="hint")
        with Grid(id="versions"):
            theirs = VerticalScroll(Static(self._syntax(self.theirs), id="theirs-code"), classes="version", id="theirs")
            theirs.border_title = "Theirs (in the notebook now)"
            yield theirs
            yours = VerticalScroll(Static(self._syntax(self.yours), id="yours-code"), classes="version", id="yours")
            yours.border_title = "Yours (in the editor)"
            yield yours
        with Horizontal(id="buttons"):
            yield Button("Keep mine (m)", id="mine", variant="error")
            yield Button("Take theirs (t)", id="theirs-button", variant="primary")
            yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self._narrow(self.app.size.width)

    def on_resize(self) -> None:
        self._narrow(self.app.size.width)

    def _narrow(self, width: int) -> None:
        self.set_class(width < 100, "-narrow")

    def action_choose(self, choice: Choice) -> None:
        self.dismiss(choice)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        choice: Choice = {"mine": "mine", "theirs-button": "theirs"}.get(event.button.id or "", "cancel")  # type: ignore[assignment]
        self.dismiss(choice)
