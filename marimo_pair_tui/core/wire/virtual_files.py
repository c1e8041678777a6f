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


async def fetch_virtual_files(connection: Connection, parts: list[Part]) -> list[str]:
    """Fill the parts' virtual-file references with their data; returns the URLs that could not be fetched.

    Chart data is read in the format the chart declares (CSV, JSON, Arrow);
    data that does not read leaves its URL, and the part says why."""
    missing: list[str] = []
    for part in walk(parts):
        if isinstance(part, ImagePart) and part.src and not part.data:
            data = await _fetch(connection, part.src)
            if isinstance(data, str):
                missing.append(part.src)
                continue
            found = image_part(part.mimetype, data, part.alt)
            part.data, part.width, part.height = found.data, found.width, found.height
        if isinstance(part, MediaPart) and part.src and not part.data and part.src.startswith(VIRTUAL_PREFIXES):
            data = await _fetch(connection, part.src)
            if isinstance(data, str):
                missing.append(part.src)
                part.unread = data
            else:
                part.data, part.unread = data, None
        if isinstance(part, ChartPart) and part.library == "vega-lite":
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
