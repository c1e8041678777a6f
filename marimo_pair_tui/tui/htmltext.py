"""Readable text from the HTML marimo sends as outputs (markdown renders, tables).

A small html.parser-based reducer for the one-line previews (the cell tree,
the activity pane, a cell's console): tags go, block elements become line
breaks, table cells are separated by two spaces, entities are unescaped and
script/style bodies are dropped. It knows nothing of marimo's own elements (a
`<marimo-table>` reads as nothing): whatever shows an output in full (the
notebook view, the Results pane) draws core's typed parts instead. A
traceback is read by core, as in every door.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from typing import Any

from ..core.api import plain_text

_BLOCK = {
    "p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "tr", "table",
    "pre", "blockquote", "section", "article", "header", "footer", "hr", "thead", "tbody", "dl", "dt", "dd",
}
_SKIP = {"script", "style", "head", "template"}
_CELL = {"td", "th"}
_HTML_HINT = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>")


class _Reducer(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0
        self._pre = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self._skip += 1
        elif tag == "pre":
            self._pre += 1
            self.parts.append("\n")
        elif tag in _BLOCK:
            self.parts.append("\n")
        elif tag == "li":
            self.parts.append("\n• ")
        elif tag in _CELL:
            self.parts.append("  " if self.parts and not self.parts[-1].endswith("\n") else "")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag == "pre":
            self._pre = max(0, self._pre - 1)
            self.parts.append("\n")
        elif tag in _BLOCK or tag == "li":
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        self.parts.append(data if self._pre else re.sub(r"\s+", " ", data))


def html_to_text(markup: str) -> str:
    """Plain text of an HTML fragment, with blank-line runs squeezed."""
    reducer = _Reducer()
    reducer.feed(markup)
    reducer.close()
    text = "".join(reducer.parts)
    lines = [line.rstrip() for line in text.split("\n")]
    out: list[str] = []
    for line in lines:
        if not line.strip() and (not out or not out[-1].strip()):
            continue
        # Collapsed whitespace leaves at most one leading space; more came from <pre>.
        out.append(line[1:] if line.startswith(" ") and not line.startswith("  ") else line)
    while out and not out[-1].strip():
        out.pop()
    return "\n".join(out)


def output_text(mimetype: str | None, data: Any) -> str:
    """Text for one marimo output (cell output, console entry or snippet result)."""
    mimetype = mimetype or "text/plain"
    if data is None:
        return ""
    if not isinstance(data, str):
        return json.dumps(data, default=str)
    if mimetype.startswith("application/vnd.marimo+traceback"):
        return plain_text("application/vnd.marimo+traceback", data)  # core's reading, as every door's
    if mimetype.startswith(("text/html", "text/markdown")):
        return html_to_text(data)
    if mimetype.startswith("text/") or mimetype == "application/json":
        return data
    if mimetype.startswith("image/"):
        return f"[{mimetype} image]"
    return data if len(data) < 2000 and _HTML_HINT.search(data) is None else f"[{mimetype}]"
