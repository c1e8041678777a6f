"""Files an output offers, read into MediaParts: `mo.download`, `mo.pdf`, `mo.audio`, `mo.video`, remote images.

marimo hands their bytes over as a data URL or as a virtual file the server
keeps (`./@file/16-1234-x.wav`), fetched like an image's (virtual_files.py)
and saved like one (files.py). A remote URL (`mo.image(src="https://…")`, a
pdf on the web) is named, never fetched: reading an output does not reach
out to the internet. A download built lazily (`data=` a function) has no
bytes until a browser presses it, and says so.
"""

from __future__ import annotations

import mimetypes
from typing import TYPE_CHECKING, Any, Callable
from urllib.parse import unquote_to_bytes

if TYPE_CHECKING:  # bs4 is loaded once HTML is read (parts/html.py), not to import this
    from bs4 import Tag

from .images import VIRTUAL_PREFIXES, decode_base64
from .model import MediaPart

Attr = Callable[["Tag", str, Any], Any]
LabelText = Callable[[Any], str]
REMOTE = ("http://", "https://")
NOT_FETCHED = "a remote URL: not fetched"
_DEFAULT = {"pdf": "application/pdf", "audio": "audio/wav", "video": "video/mp4", "image": "image/png",
            "download": "application/octet-stream"}


def is_pdf(src: str) -> bool:
    """An iframe's source that is a pdf (`mo.pdf`): a pdf data URL or a file named `.pdf`."""
    return src.startswith("data:application/pdf") or src.split("#")[0].split("?")[0].lower().endswith(".pdf")


def _guess(name: str, kind: str) -> str:
    found, _ = mimetypes.guess_type(name.split("#")[0].split("?")[0])
    return found or _DEFAULT.get(kind, "application/octet-stream")


def _data_url(src: str) -> tuple[str, bytes] | None:
    head, _, body = src.partition(",")
    mimetype = head[5:].split(";")[0] or "text/plain"
    data = decode_base64(body) if ";base64" in head else unquote_to_bytes(body)
    return (mimetype, data) if data is not None else None


def media_from_src(kind: str, src: str, *, filename: str = "", label: str = "", object_id: str | None = None,
                   lazy: bool = False) -> MediaPart:
    """A MediaPart for a source: a data URL read now, a virtual file to fetch later, a remote URL named."""
    part = MediaPart(kind, _guess(filename or src, kind), filename=filename, label=label, object_id=object_id)
    if src.startswith("data:") and "," in src:
        found = _data_url(src)
        if found is not None:
            if found[0] not in ("text/plain", "application/octet-stream") or not filename:
                part.mimetype = found[0]  # the data URL's own type, unless the file name says more
            part.data = found[1]
        else:
            part.unread = "its data URL does not decode"
        return part
    part.src = src or None
    if src.startswith(VIRTUAL_PREFIXES):
        return part
    if src.startswith(REMOTE):
        part.unread = NOT_FETCHED
    elif lazy or not src:
        part.unread = "built when a browser presses it: not made yet"
    else:
        part.unread = "not a file the server keeps"
    return part


def download_part(el: Tag, object_id: str | None, attr: Attr, label_text: LabelText) -> MediaPart:
    """`<marimo-download>`: its data (URL), file name and button label."""
    return media_from_src("download", str(attr(el, "data-data", "") or ""),
                          filename=str(attr(el, "data-filename", "") or ""),
                          label=label_text(attr(el, "data-label", None)), object_id=object_id,
                          lazy=bool(attr(el, "data-lazy", False)))


def tag_media(node: Tag) -> MediaPart | None:
    """`<audio>`, `<video>`, a pdf's `<iframe>`, an `<img>` of a remote URL; None for any other tag."""
    name = node.name or ""
    src = str(node.get("src") or "")
    if name == "source" or (name in ("audio", "video") and not src):
        inner = node.find("source")
        from bs4 import Tag  # loaded already: this reads a parsed tree

        src = str(inner.get("src") or "") if isinstance(inner, Tag) else src
    if name in ("audio", "video"):
        return media_from_src(name, src)
    if name == "iframe" and is_pdf(src):
        return media_from_src("pdf", src)
    if name == "img" and src.startswith(REMOTE):
        return media_from_src("image", src, label=str(node.get("alt") or ""))
    return None


def _size(count: int) -> str:
    return f"{count:,} bytes"


def media_text(part: MediaPart) -> str:
    """`[download "Get CSV": data.csv, text/csv, 16 bytes, saved to …]`: what it is, where its bytes are."""
    label = f' "{part.label}"' if part.label else ""
    facts = [part.filename] if part.filename else []
    facts.append(part.mimetype)
    if part.data:
        facts.append(_size(len(part.data)))
        if part.file:
            facts.append(f"saved to {part.file}")
    elif part.remote:
        facts.append(f"at {part.src}, {NOT_FETCHED}")
    elif part.src and not part.unread:
        facts.append(f"on the server at {part.src}")
    if part.unread and not part.remote:
        facts.append(part.unread)
    return f"[{part.kind}{label}: {', '.join(facts)}]"
