"""Images and charts drawn in the terminal through textual-image: kitty, sixel or unicode half-cells.

Decoding, SVG rasterizing and chart drawing run in a thread: a large PNG or a
vl-convert render takes long enough to stall the keys. The picture is sized in
cells from its own aspect (a cell is about twice as tall as wide), never from
the terminal's pixel size, so the same output takes the same room everywhere.
`MARIMO_PAIR_IMAGES` picks the renderer: `auto` (what textual-image finds the
terminal supports), `halfcell`, `unicode`, `sixel`, `kitty`, or `off` (a line
of text instead).

textual-image asks the terminal what it supports when it is imported, which
is impossible once Textual owns the terminal: this module imports it at the
top, and the app imports this module before it starts.
"""

from __future__ import annotations

import asyncio
import io
import math
import os
from dataclasses import dataclass, replace
from typing import Callable, Mapping

from PIL import Image as PILImage
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Static
from textual_image.widget import HalfcellImage, Image as AutoImage, SixelImage, TGPImage, UnicodeImage

from ....core.api import ChartPart, ImagePart, draw_charts, rasterized
from .plain import plain_text

IMAGES_ENV = "MARIMO_PAIR_IMAGES"
ImageWidget = Callable[..., Widget]  # a textual-image widget class: (picture, classes=...) -> widget
RENDERERS: dict[str, ImageWidget] = {
    "auto": AutoImage, "halfcell": HalfcellImage, "unicode": UnicodeImage, "sixel": SixelImage,
    "kitty": TGPImage,
}
PIXELS_PER_COLUMN = 6  # image pixels one terminal column stands for, at most
MIN_COLUMNS = 16  # a small picture is drawn at least this wide (when there is room)
MAX_ROWS = 20  # rows a picture takes at most; a taller one is drawn narrower
MAX_PIXELS = 1600  # longest side kept after decoding (renderers rescale on every draw)


def renderer(environ: Mapping[str, str] | None = None) -> ImageWidget | None:
    """The image widget class MARIMO_PAIR_IMAGES asks for; None for `off` (text only)."""
    name = (os.environ if environ is None else environ).get(IMAGES_ENV, "auto").strip().lower() or "auto"
    if name in ("off", "none", "0", "no"):
        return None
    return RENDERERS.get(name, AutoImage)


def fit(width: int, height: int, columns: int) -> tuple[int, int]:
    """(columns, rows) for a `width`x`height` pixel picture in at most `columns` columns."""
    if width <= 0 or height <= 0 or columns <= 0:
        return 0, 0
    cols = max(1, min(columns, max(MIN_COLUMNS, math.ceil(width / PIXELS_PER_COLUMN))))
    rows = max(1, round(cols * height / width / 2))
    if rows > MAX_ROWS:
        rows = MAX_ROWS
        cols = max(1, min(columns, round(rows * 2 * width / height)))
    return cols, rows


@dataclass
class Picture:
    """What a thread made of an image or chart part: a decoded picture, or why there is none."""

    image: PILImage.Image | None
    note: str  # shown when there is no picture (a chart's description), else a caption ("" for none)


def decode(data: bytes) -> PILImage.Image:
    """A decoded picture, its longest side at most MAX_PIXELS (raises for bytes Pillow cannot read)."""
    picture = PILImage.open(io.BytesIO(data))
    picture.load()
    if max(picture.size) > MAX_PIXELS:
        picture.thumbnail((MAX_PIXELS, MAX_PIXELS))
    return picture


def image_picture(part: ImagePart) -> Picture:
    """An image part decoded (SVG rasterized when vl-convert is installed)."""
    kind = f"{part.format} image" + (f" {part.width}x{part.height}" if part.width and part.height else "")
    if not part.data:
        return Picture(None, f"{kind}: not fetched from the server")
    drawn = rasterized(part)
    if drawn is None:
        return Picture(None, f"{kind} (drawing SVG needs vl-convert: the charts extra)")
    try:
        return Picture(decode(drawn.data), part.alt)
    except Exception:  # noqa: BLE001 - Pillow raises many kinds for bytes that are no picture
        return Picture(None, f"{kind}: could not be decoded")


def chart_picture(part: ChartPart) -> Picture:
    """A chart drawn to PNG (vl-convert installed, its data read; plotly through Vega-Lite), else its
    description, which then ends with why it is not drawn.

    The chart is drawn on a copy: the live model's part stays as the kernel sent it."""
    image, description = part.image, part.description
    if image is None:
        copy = replace(part, image=None, not_drawn=None)
        draw_charts([copy])
        image, description = copy.image, copy.description
    if image is None or not image.data:
        return Picture(None, description)
    try:
        return Picture(decode(image.data), description)
    except Exception:  # noqa: BLE001 - as above
        return Picture(None, part.description)


class ImageView(Vertical):
    """An image or chart part: a note while it is decoded, then the picture with its caption."""

    DEFAULT_CSS = """
    ImageView {
        height: auto;
        width: 1fr;
    }
    ImageView > .image-note {
        color: $text-muted;
    }
    ImageView > .image-box {
        height: auto;
    }
    """

    def __init__(self, part: ImagePart | ChartPart) -> None:
        super().__init__()
        self.part = part
        self.picture: Picture | None = None  # once decoded
        self.image_widget: Widget | None = None
        self.loaded = False  # the picture (or the note standing for it) is on the screen

    def compose(self) -> ComposeResult:
        what = "chart" if isinstance(self.part, ChartPart) else "image"
        yield Static(plain_text(f"({what}: drawing…)"), classes="image-note")

    def on_mount(self) -> None:
        self.load()

    @work(exclusive=True, group="picture")
    async def load(self) -> None:
        part = self.part
        if isinstance(part, ChartPart):
            picture = await asyncio.to_thread(chart_picture, part)
        else:
            picture = await asyncio.to_thread(image_picture, part)
        self.picture = picture
        await self.remove_children()
        kind = renderer()
        if picture.image is None or kind is None:
            size = f" {picture.image.width}x{picture.image.height}" if picture.image is not None else ""
            note = picture.note or f"(image{size})"
            await self.mount(Static(plain_text(note), classes="image-note"))
            self.loaded = True
            return
        self.image_widget = kind(picture.image, classes="image-box")
        self._size_image()
        await self.mount(self.image_widget)
        if picture.note:
            await self.mount(Static(plain_text(picture.note), classes="image-note"))
        self.loaded = True

    def on_resize(self) -> None:
        self._size_image()

    def _size_image(self) -> None:
        if self.image_widget is None or self.picture is None or self.picture.image is None:
            return
        columns = self.content_size.width or 40
        cols, rows = fit(self.picture.image.width, self.picture.image.height, columns)
        styles = self.image_widget.styles
        if styles.width is None or styles.width.value != cols or styles.height is None or styles.height.value != rows:
            styles.width = cols
            styles.height = rows
