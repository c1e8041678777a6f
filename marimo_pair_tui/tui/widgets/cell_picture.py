"""A picture of a cell's output as marimo's front end draws it (the screenshot key), under the cell.

The PNG comes from the session service's camera (the user's Chromium); it is drawn through
textual-image like any image output (widgets/parts/images.py), so MARIMO_PAIR_IMAGES applies.
"""

from __future__ import annotations

import io

from PIL import Image
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label

from ...core.api import ImagePart
from ..terminal_text import escape_controls
from .parts.images import ImageView


def picture_part(png: bytes) -> ImagePart:
    """The PNG as an image part, sized from its own header."""
    with Image.open(io.BytesIO(png)) as picture:
        width, height = picture.size
    return ImagePart("image/png", png, width, height, alt=f"{width}x{height} px, as the browser draws it")


class CellPicture(Vertical):
    """A caption saying what the picture is, and the picture."""

    DEFAULT_CSS = """
    CellPicture {
        height: auto;
        border-top: dashed $primary;
    }
    CellPicture > .picture-caption {
        width: 1fr;
        color: $text-muted;
    }
    """

    def __init__(self, caption: str, png: bytes) -> None:
        super().__init__()
        self.caption = caption
        self.part = picture_part(png)

    def compose(self) -> ComposeResult:
        yield Label(escape_controls(self.caption), classes="picture-caption", markup=False)
        yield ImageView(self.part)
