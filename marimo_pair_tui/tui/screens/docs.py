"""The documentation of a name (f8 in the editor): its docstring, scrollable, drawn inert."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Label, Static

from ..terminal_text import escape_controls
from .dialog import Dialog


class DocsScreen(Dialog[None]):
    BINDINGS = [Binding("escape,q,f8", "close", "close", id="docs-close", tooltip="Documentation: close it")]

    def __init__(self, name: str, text: str) -> None:
        super().__init__()
        self.title_name = name
        self.text = text

    def compose_dialog(self) -> ComposeResult:
        yield Label(f"{escape_controls(self.title_name)}  (esc closes)", id="docs-title", classes="title", markup=False)
        with VerticalScroll(id="docs-body"):
            yield Static(escape_controls(self.text), id="docs-text", markup=False)

    def on_mount(self) -> None:
        self.query_one("#docs-body").focus()

    def action_close(self) -> None:
        self.dismiss(None)
