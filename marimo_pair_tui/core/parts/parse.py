"""One entry point: any marimo output (mimetype and data) into typed parts."""

from __future__ import annotations

import json
from typing import Any

from .payloads import ERROR_MIMETYPE, TRACEBACK_MIMETYPE, parse_errors, plain_traceback
from .charts import plotly_chart, vega_chart
from .images import IMAGE_TYPES, image_from_payload
from .model import ErrorPart, Part, TextPart
from .structure import json_payload_part

# A mimebundle's entries in the order a terminal prefers them.
_BUNDLE_ORDER = IMAGE_TYPES + ("text/html", "text/markdown", "text/plain")


def parse_output(mimetype: str | None, data: Any) -> list[Part]:
    """The parts of one output. Never raises for odd input: what cannot be read is text."""
    mimetype = (mimetype or "text/plain").split(";")[0].strip()
    if data is None or data == "" or data == []:
        return []
    if mimetype == ERROR_MIMETYPE:
        return _errors(data)
    if mimetype == "application/vnd.marimo+mimebundle":
        return _bundle(data)
    drawn = _drawn(mimetype, data)
    return drawn if drawn is not None else _textual(mimetype, data)


def _errors(data: Any) -> list[Part]:
    """marimo's error output (its items, or their JSON text) as one error part."""
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except ValueError:
            return [ErrorPart([("runtime", data)])]
    return [ErrorPart([(e.kind, e.message) for e in parse_errors(data)])]


def _drawn(mimetype: str, data: Any) -> list[Part] | None:
    """An image or a chart; None for any other kind of output."""
    if mimetype in IMAGE_TYPES:
        image = image_from_payload(mimetype, data)
        return [image] if image is not None else [TextPart(f"[{mimetype}: unreadable]")]
    if mimetype.startswith(("application/vnd.vegalite", "application/vnd.vega.")):
        return [vega_chart(_json(data), None)]
    if mimetype == "application/vnd.plotly.v1+json":
        return [plotly_chart(_json(data), None)]
    return None


def _textual(mimetype: str, data: Any) -> list[Part]:
    """Output read as text: a JSON structure, a traceback, HTML or markdown, plain text, or its kind."""
    from .html import label_text, parse_html  # BeautifulSoup is imported with the first output read as HTML

    if mimetype == "application/json":
        structure = json_payload_part(data, label_text)
        if structure is not None:
            return [structure]
    if not isinstance(data, str):
        return [TextPart(json.dumps(data, default=str, indent=1))]
    if mimetype == TRACEBACK_MIMETYPE:
        return [TextPart(plain_traceback(data))]
    if mimetype in ("text/html", "text/markdown"):
        return parse_html(data)
    if mimetype.startswith("text/") or mimetype == "application/json":
        return [TextPart(data)]
    return [TextPart(f"[{mimetype}]")]


def _json(data: Any) -> Any:
    if isinstance(data, str):
        try:
            return json.loads(data)
        except ValueError:
            return {}
    return data


def _bundle(data: Any) -> list[Part]:
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except ValueError:
            return [TextPart(data)]
    if not isinstance(data, dict):
        return [TextPart(str(data))]
    for mimetype in _BUNDLE_ORDER:
        if mimetype in data:
            parts = parse_output(mimetype, data[mimetype])
            if parts:
                return parts
    for mimetype, payload in data.items():
        return parse_output(str(mimetype), payload)
    return []
