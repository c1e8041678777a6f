"""A picture of a cell's output as marimo's front end draws it (the screenshot key), over the screen
when the notebook view is not there to show it under its cell (widgets/cell_picture.py).

The PNG comes from the session service's camera (the user's Chromium); it is drawn through
textual-image like any image output (widgets/parts/images.py), so MARIMO_PAIR_IMAGES applies.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Label

from ..terminal_text import escape_controls
from ..widgets.cell_picture import picture_part
from ..widgets.parts.images import ImageView
from .dialog import Dialog


class PictureScreen(Dialog[None]):
    BINDINGS = [Binding("escape,q", "close", "close", id="picture-close", tooltip="Picture: close it")]

    DEFAULT_CSS = """
    PictureScreen > #dialog {
        width: 100;
        max-width: 96%;
        height: auto;
        max-height: 90%;
        border: thick $primary;
    }
    PictureScreen #picture-body {
        height: auto;
        max-height: 30;
    }
    """

    def __init__(self, title: str, png: bytes) -> None:
        super().__init__()
        self.title_text = title
        self.part = picture_part(png)

    def compose_dialog(self) -> ComposeResult:
        yield Label(f"{escape_controls(self.title_text)}  (esc closes)", id="picture-title", classes="title", markup=False)
        with VerticalScroll(id="picture-body"):
            yield ImageView(self.part)

    def on_mount(self) -> None:
        self.query_one("#picture-body").focus()

    def action_close(self) -> None:
        self.dismiss(None)
