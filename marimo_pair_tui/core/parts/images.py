"""Image bytes out of data URLs and base64, with their pixel size; SVG rasterized when it can be.

Pillow reads the size of raster images. SVG is rasterized with vl-convert
(the charts extra) when it is installed; otherwise it stays SVG, which files
and MCP image content carry as they are.
"""

from __future__ import annotations

import base64
import binascii
import io
from typing import Any

from .model import ImagePart

RASTER = ("image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp")
IMAGE_TYPES = RASTER + ("image/svg+xml",)
EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp",
              "image/bmp": "bmp", "image/svg+xml": "svg"}


def decode_base64(text: str) -> bytes | None:
    try:
        return base64.b64decode(text.strip(), validate=False)
    except (binascii.Error, ValueError):
        return None


def raster_size(data: bytes) -> tuple[int | None, int | None]:
    """Pixel width and height, or (None, None) for bytes Pillow cannot read."""
    try:
        from PIL import Image

        with Image.open(io.BytesIO(data)) as img:
            return img.size
    except Exception:  # noqa: BLE001 - any undecodable image is just "size unknown"
        return None, None


def image_part(mimetype: str, data: bytes, alt: str = "") -> ImagePart:
    if mimetype == "image/svg+xml":
        return svg_image(data.decode("utf-8", "replace"), alt)
    width, height = raster_size(data)
    return ImagePart(mimetype, data, width, height, alt)


VIRTUAL_PREFIXES = ("./@file/", "/@file/", "@file/")
_BY_EXTENSION = {ext: mimetype for mimetype, ext in EXTENSIONS.items()} | {"jpeg": "image/jpeg"}


def image_from_src(src: str, alt: str = "") -> ImagePart | None:
    """An `<img src>`: a data URL read now, a server's virtual file to fetch later, else None."""
    if src.startswith(VIRTUAL_PREFIXES):
        mimetype = _BY_EXTENSION.get(src.rsplit(".", 1)[-1].lower(), "image/png")
        return ImagePart(mimetype, b"", alt=alt, src=src)
    return image_from_data_url(src, alt)


def image_from_data_url(src: str, alt: str = "") -> ImagePart | None:
    """An ImagePart for a `data:image/...;base64,...` URL; None for anything else."""
    if not src.startswith("data:image/") or "," not in src:
        return None
    head, _, body = src.partition(",")
    mimetype = head[5:].split(";")[0]
    if ";base64" in head:
        data = decode_base64(body)
        if data is None:
            return None
    else:
        from urllib.parse import unquote_to_bytes

        data = unquote_to_bytes(body)
    return image_part(mimetype, data, alt)


def image_from_payload(mimetype: str, payload: Any) -> ImagePart | None:
    """An image output's data: a data URL, bare base64, or (SVG) markup."""
    if not isinstance(payload, str):
        return None
    if payload.startswith("data:"):
        return image_from_data_url(payload)
    if mimetype == "image/svg+xml":
        return svg_image(payload)
    data = decode_base64(payload)
    return image_part(mimetype, data) if data else None


def svg_image(markup: str, alt: str = "") -> ImagePart:
    """SVG kept as SVG, with its declared size when it has one."""
    import re

    def number(name: str) -> int | None:
        found = re.search(rf'\b{name}\s*=\s*["\']?([\d.]+)', markup[:2000])
        return int(float(found.group(1))) if found else None

    return ImagePart("image/svg+xml", markup.encode(), number("width"), number("height"), alt)


def rasterized(image: ImagePart, scale: float = 1.0) -> ImagePart | None:
    """A PNG of an SVG image (vl-convert), or the image itself when it is raster; None when impossible."""
    if image.mimetype != "image/svg+xml":
        return image
    try:
        import vl_convert
    except ImportError:
        return None
    try:
        png = vl_convert.svg_to_png(image.data.decode("utf-8", "replace"), scale=scale)
    except Exception:  # noqa: BLE001 - malformed SVG: no raster, the SVG stays
        return None
    return image_part("image/png", bytes(png), image.alt)
