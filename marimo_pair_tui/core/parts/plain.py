"""The text of one output or console write, as every door shows it in a line or a console.

One reading for every door: the notebook model's console text (a cell's, an
activity entry's stdout), the headless documents, and the app's previews (the
cell tree, the activity pane, a cell's console). HTML and markdown read as
their parts written as text, exactly as an output's `text` in a headless
document; a traceback as Python printed it; an error output as its messages.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .payloads import ERROR_MIMETYPE, TRACEBACK_MIMETYPE, parse_errors, plain_traceback
from .text import parts_text

_HTML_HINT = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>")
_SHORT = 2000  # characters of an unknown kind of payload shown as they are


def output_text(mimetype: str | None, data: Any) -> str:
    """Text a terminal shows for one output or console write; never raises for odd input."""
    mimetype = mimetype or "text/plain"
    if data is None:
        return ""
    if not isinstance(data, str):
        if mimetype == ERROR_MIMETYPE:
            return "\n".join(e.message for e in parse_errors(data))
        return json.dumps(data, default=str)
    if mimetype.startswith(TRACEBACK_MIMETYPE):
        return plain_traceback(data)
    if mimetype.startswith(("text/html", "text/markdown")):
        from .html import parse_html  # BeautifulSoup is imported with the first output read as HTML

        return parts_text(parse_html(data))
    if mimetype.startswith("text/") or mimetype == "application/json":
        return data
    if mimetype.startswith("image/"):
        return f"[{mimetype} image]"  # base64 says nothing in a line of text
    # Another kind of payload: short plain text as it is, markup or a long blob by its kind.
    return data if len(data) < _SHORT and _HTML_HINT.search(data) is None else f"[{mimetype}]"
