"""Data marimo keeps in virtual files (`./@file/NAME`), fetched into the parts that refer to them.

`mo.ui.altair_chart` names its data by URL and `mo.image` of a file its
bytes; the server serves them while the cell's output lives. Fetching them
once per output lets vl-convert draw a chart without a server, descriptions
count rows, and images be saved and shown like any other.
"""

from __future__ import annotations

from typing import Any

from .connection import Connection
from .errors import PairError
from .parts import ChartPart, ImagePart, Part, walk
from .parts.charts import describe_vega
from .parts.images import VIRTUAL_PREFIXES, image_part

MAX_VIRTUAL_FILE = 20 * 1024 * 1024  # bytes of one virtual file fetched; a larger one stays a URL


def _data_nodes(spec: Any) -> list[dict[str, Any]]:
    """Every `data` object of a spec, its layers and concatenations included."""
    found: list[dict[str, Any]] = []
    if isinstance(spec, dict):
        if isinstance(spec.get("data"), dict):
            found.append(spec["data"])
        for key in ("layer", "hconcat", "vconcat", "concat"):
            for sub in spec.get(key) or ():
                found.extend(_data_nodes(sub))
        if isinstance(spec.get("spec"), dict):
            found.extend(_data_nodes(spec["spec"]))
    return found


async def _fetch(connection: Connection, url: str) -> bytes | None:
    try:
        response = await connection.request("GET", "/@file/" + url.split("@file/", 1)[1], what="a virtual file")
    except PairError:
        return None
    return response.content if len(response.content) <= MAX_VIRTUAL_FILE else None


async def fetch_virtual_files(connection: Connection, parts: list[Part]) -> list[str]:
    """Fill the parts' virtual-file references with their data; returns the URLs that could not be fetched."""
    missing: list[str] = []
    for part in walk(parts):
        if isinstance(part, ImagePart) and part.src and not part.data:
            data = await _fetch(connection, part.src)
            if data is None:
                missing.append(part.src)
                continue
            found = image_part(part.mimetype, data, part.alt)
            part.data, part.width, part.height = found.data, found.width, found.height
        if isinstance(part, ChartPart) and part.library == "vega-lite":
            for node in _data_nodes(part.spec):
                url = node.get("url")
                if not (isinstance(url, str) and url.startswith(VIRTUAL_PREFIXES)):
                    continue
                data = await _fetch(connection, url)
                if data is None:
                    missing.append(url)
                    continue
                node.pop("url", None)
                node["values"] = data.decode("utf-8", "replace")
                node["format"] = {**(node.get("format") or {}), "type": "json" if url.endswith(".json") else "csv"}
                part.description = describe_vega(part.spec)
    return missing
