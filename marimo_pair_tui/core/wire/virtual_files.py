"""Data marimo keeps in virtual files (`./@file/NAME`), fetched into the parts that refer to them.

`mo.ui.altair_chart` names its data by URL, `mo.image` of a file its
bytes, and `mo.download`, `mo.pdf`, `mo.audio`, `mo.video` theirs; the
server serves them while the cell's output lives. Fetching them
once per output lets vl-convert draw a chart without a server, descriptions
count rows, and images be saved and shown like any other.
"""

from __future__ import annotations


from .connection import Connection
from ..errors import PairError
from ..parts import ChartPart, ImagePart, Part, walk
from ..parts.model import MediaPart
from ..parts.chart_data import Unreadable, data_nodes, format_of, inline
from ..parts.charts import refresh_data
from ..parts.images import VIRTUAL_PREFIXES, image_part

MAX_VIRTUAL_FILE = 20 * 1024 * 1024  # bytes of one virtual file fetched; a larger one stays a URL


async def _fetch(connection: Connection, url: str) -> bytes | str:
    """The file's bytes, or why there are none."""
    try:
        response = await connection.request("GET", "/@file/" + url.split("@file/", 1)[1], what="a virtual file")
    except PairError as exc:
        return f"not fetched from the server ({exc.message})"
    if len(response.content) > MAX_VIRTUAL_FILE:
        return f"larger than {MAX_VIRTUAL_FILE // (1024 * 1024)} MB: not fetched"
    return response.content


async def _fill_image(connection: Connection, part: ImagePart) -> list[str]:
    """An image named by URL gets its bytes and size; returns its URL when they could not be fetched."""
    if not part.src or part.data:
        return []
    data = await _fetch(connection, part.src)
    if isinstance(data, str):
        return [part.src]
    found = image_part(part.mimetype, data, part.alt)
    part.data, part.width, part.height = found.data, found.width, found.height
    return []


async def _fill_media(connection: Connection, part: MediaPart) -> list[str]:
    """A file kept by the server gets its bytes, or says why it has none (a remote URL stays as it is)."""
    if not part.src or part.data or not part.src.startswith(VIRTUAL_PREFIXES):
        return []
    data = await _fetch(connection, part.src)
    if isinstance(data, str):
        part.unread = data
        return [part.src]
    part.data, part.unread = data, None
    return []


async def _fill_chart(connection: Connection, part: ChartPart) -> list[str]:
    """Each data node named by a virtual file is inlined, read in the format the chart declares; one that
    is not fetched or does not read keeps its URL and the part says why. Returns the URLs not fetched."""
    missing: list[str] = []
    for node in data_nodes(part.spec):
        url = node.get("url")
        if not (isinstance(url, str) and url.startswith(VIRTUAL_PREFIXES)):
            continue
        kind = format_of(node, url)
        data = await _fetch(connection, url)
        if isinstance(data, str):
            missing.append(url)
            refresh_data(part, url, node, kind, data)
            continue
        try:
            inline(node, data, url)
        except Unreadable as exc:
            refresh_data(part, url, node, kind, str(exc))
            continue
        refresh_data(part, url, node, kind)
    return missing


async def fetch_virtual_files(connection: Connection, parts: list[Part]) -> list[str]:
    """Fill the parts' virtual-file references with their data; returns the URLs that could not be fetched.

    Chart data is read in the format the chart declares (CSV, JSON, Arrow);
    data that does not read leaves its URL, and the part says why."""
    missing: list[str] = []
    for part in walk(parts):
        if isinstance(part, ImagePart):
            missing += await _fill_image(connection, part)
        elif isinstance(part, MediaPart):
            missing += await _fill_media(connection, part)
        elif isinstance(part, ChartPart) and part.library == "vega-lite":
            missing += await _fill_chart(connection, part)
    return missing
