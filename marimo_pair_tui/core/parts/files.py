"""Images and files of outputs written to files, so JSON names a file instead of carrying base64.

Files are named by cell, position and content (`CELL-2-1a2b3c4d.png`): the
same image saved twice is one file, a changed one a new file. SVG is written
as PNG when it can be rasterized (vl-convert), else as SVG. Charts are drawn
to PNG when vl-convert is installed and their data was read (plotly figures
through Vega-Lite); a chart that is not drawn says why. The bytes of a
download, pdf, audio or video are written as they came, with their file's extension.
"""

from __future__ import annotations

import copy
import hashlib
import mimetypes
import re
from pathlib import Path

from ..state import caller
from ..errors import UsageError
from .charts import chart_png
from .images import EXTENSIONS, image_part, rasterized
from .model import ChartPart, ImagePart, MediaPart, Part, walk

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


DRAWN_BY = {"vega-lite": "drawn by vl-convert",
            "plotly": "redrawn from the figure's data by vl-convert, not in plotly's own style"}


def media_suffix(part: MediaPart) -> str:
    """The file's extension: its file name's, else its mimetype's (`.bin` when neither says)."""
    suffix = Path(part.filename).suffix if part.filename else ""
    if not suffix and part.src:
        suffix = Path(part.src.split("?")[0]).suffix
    suffix = suffix or mimetypes.guess_extension(part.mimetype) or ".bin"
    return _UNSAFE.sub("_", suffix)[:16]


def draw_charts(parts: list[Part]) -> None:
    """Give each chart a PNG (vl-convert; plotly figures through Vega-Lite), or say why it has none."""
    for part in walk(parts):
        if isinstance(part, ChartPart) and part.image is None and part.not_drawn is None:
            png, why = chart_png(part)
            if png is not None:
                part.image = image_part("image/png", png, alt=DRAWN_BY.get(part.library, ""))
            else:
                part.not_drawn = why
                part.description += f"; not drawn: {why}"


class ImageFiles:
    """Writes images under one directory; `save` returns copies of the parts naming their files."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = caller.path(directory)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(f"Could not use {self.directory} for images: {exc.strerror or exc}.",
                             next="Pass a directory you can write (it is created if missing).") from None
        self.written: list[str] = []

    def save(self, parts: list[Part], stem: str, *, charts: bool = True) -> list[Part]:
        parts = copy.deepcopy(parts)
        if charts:
            draw_charts(parts)
        images = [p for p in walk(parts) if isinstance(p, ImagePart)]
        for index, image in enumerate(images):
            image.file = str(self._write(image, f"{_UNSAFE.sub('_', stem)}-{index}"))
        media = [p for p in walk(parts) if isinstance(p, MediaPart) and p.data]
        for index, found in enumerate(media, start=len(images)):
            found.file = str(self._write_media(found, f"{_UNSAFE.sub('_', stem)}-{index}"))
        return parts

    def _write_media(self, part: MediaPart, stem: str) -> Path:
        """A download's, pdf's, audio's or video's bytes as they came, named with its own extension."""
        digest = hashlib.sha256(part.data).hexdigest()[:8]
        path = self.directory / f"{stem}-{digest}{media_suffix(part)}"
        if not path.exists():
            path.write_bytes(part.data)
        self.written.append(str(path))
        return path.resolve()

    def _write(self, image: ImagePart, stem: str) -> Path:
        drawn = rasterized(image) or image
        digest = hashlib.sha256(drawn.data).hexdigest()[:8]
        path = self.directory / f"{stem}-{digest}.{EXTENSIONS.get(drawn.mimetype, 'bin')}"
        if not path.exists():
            path.write_bytes(drawn.data)
        if drawn is not image:
            image.width, image.height = drawn.width, drawn.height
        self.written.append(str(path))
        return path.resolve()


def image_payloads(parts: list[Part], *, max_images: int = 8, max_bytes: int = 8 * 1024 * 1024
                   ) -> tuple[list[tuple[str, bytes]], int]:
    """The outputs' images as (mimetype, bytes) for clients that take images inline (MCP image content).

    Charts are drawn, SVG is rasterized where it can be; at most `max_images`
    images and `max_bytes` bytes. Also returns how many were left out.
    """
    parts = copy.deepcopy(parts)
    draw_charts(parts)
    payloads: list[tuple[str, bytes]] = []
    left_out, total = 0, 0
    for image in (p for p in walk(parts) if isinstance(p, ImagePart) and p.data):
        drawn = rasterized(image)
        if drawn is None or len(payloads) >= max_images or total + len(drawn.data) > max_bytes:
            left_out += 1
            continue
        payloads.append((drawn.mimetype, drawn.data))
        total += len(drawn.data)
    return payloads, left_out
