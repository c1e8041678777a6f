"""The documentation of a name (f8 in the editor): its docstring, scrollable, drawn inert."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from ..terminal_text import inert


class DocsScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,f8", "close", "close", id="docs-close", tooltip="Documentation: close it")]

    CSS_PATH = Path(__file__).with_name("dialogs.tcss")

    def __init__(self, name: str, text: str) -> None:
        super().__init__()
        self.title_name = name
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(f"{inert(self.title_name)}  (esc closes)", id="docs-title", markup=False)
            with VerticalScroll(id="docs-body"):
                yield Static(inert(self.text), id="docs-text", markup=False)

    def on_mount(self) -> None:
        self.query_one("#docs-body").focus()

    def action_close(self) -> None:
        self.dismiss(None)
