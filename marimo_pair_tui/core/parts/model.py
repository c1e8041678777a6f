"""Typed output parts: what a marimo output *is*, whatever door shows it.

Every output (a cell's output, a console entry, a snippet's result) is read
once, in core, into a list of these. The app draws each kind with its own
widget; agents get them as JSON (`to_json`) beside a `text` rendition written
for a language model (parts/text.py). Images are never inlined in JSON: they
carry their size and, once saved, the file they were written to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Union


@dataclass
class TextPart:
    """Plain text: stdout, a repr, a `<pre>` value."""

    text: str

    def to_json(self) -> dict[str, Any]:
        return {"type": "text", "text": self.text}


@dataclass
class MarkdownPart:
    """Rendered prose turned back into markdown (headings, lists, GFM tables)."""

    markdown: str

    def to_json(self) -> dict[str, Any]:
        return {"type": "markdown", "markdown": self.markdown}


@dataclass
class Column:
    name: str
    kind: str  # marimo's field kind: integer, number, string, boolean, date, ...
    dtype: str  # the library's own dtype name: int64, str, Float64, ...
    index: bool = False  # a row label (marimo's row header: a named index, each level of a MultiIndex)

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "dtype": self.dtype, "index": self.index}


@dataclass
class TablePart:
    """A marimo table: the rows marimo sent inline (its first page) and the totals.

    `columns` start with the row labels (`index` columns, marimo's row headers),
    whose values the rows carry under those names; `total_columns` counts the
    others, as marimo does. Rows hold the exact values marimo sent."""

    columns: list[Column]
    rows: list[dict[str, Any]]
    total_rows: int | None  # None when marimo does not know ("too_many")
    total_columns: int
    page_size: int
    object_id: str | None = None
    selection: str | None = None  # "single"/"multi" for a mo.ui.table that selects rows
    formatted: bool = False  # values are the text a pandas Styler wrote (`df.style`), not the data

    @property
    def more_rows(self) -> int:
        return max(0, (self.total_rows or len(self.rows)) - len(self.rows))

    @property
    def row_headers(self) -> list[str]:
        """The names of the row-label columns (an index's name, each level's of a MultiIndex)."""
        return [c.name for c in self.columns if c.index]

    def to_json(self) -> dict[str, Any]:
        return {"type": "table", "columns": [c.to_json() for c in self.columns], "row_headers": self.row_headers,
                "rows": self.rows, "total_rows": self.total_rows, "total_columns": self.total_columns,
                "page_size": self.page_size, "object_id": self.object_id, "selection": self.selection,
                **({"formatted": True} if self.formatted else {})}


@dataclass
class ImagePart:
    """Image bytes with their size; `file` is set once a door saved them."""

    mimetype: str
    data: bytes = field(repr=False)
    width: int | None = None
    height: int | None = None
    alt: str = ""
    file: str | None = None
    src: str | None = None  # a server's virtual file (`./@file/…`) the bytes come from, until fetched

    @property
    def format(self) -> str:
        return self.mimetype.split("/")[-1].split("+")[0].upper()

    def to_json(self) -> dict[str, Any]:
        doc = {"type": "image", "mimetype": self.mimetype, "bytes": len(self.data),
               "width": self.width, "height": self.height, "alt": self.alt, "file": self.file}
        if self.src and not self.data:
            doc["src"] = self.src
        return doc


@dataclass
class ChartPart:
    """A chart spec (Vega-Lite or plotly) and a description a reader can use without seeing it."""

    library: str  # "vega-lite" or "plotly"
    spec: dict[str, Any] = field(repr=False)
    description: str
    object_id: str | None = None
    image: ImagePart | None = None  # the chart rendered, when a renderer is installed
    data: list[dict[str, Any]] = field(default_factory=list)  # Vega-Lite: each dataset; plotly: each trace
    not_drawn: str | None = None  # why drawing was asked for and gave no image

    def to_json(self) -> dict[str, Any]:
        return {"type": "chart", "library": self.library, "description": self.description,
                "object_id": self.object_id, "data": self.data, "image": self.image.to_json() if self.image else None,
                "not_drawn": self.not_drawn}


@dataclass
class WidgetPart:
    """A UI element: its kind, label, value as rendered, and the values it accepts."""

    kind: str  # slider, number, dropdown, multiselect, checkbox, switch, radio, text, ...
    object_id: str
    label: str
    value: Any
    domain: dict[str, Any] = field(default_factory=dict)
    children: list["Part"] = field(default_factory=list)  # a form's or a batch's inner elements

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"type": "widget", "kind": self.kind, "object_id": self.object_id,
                               "label": self.label, "value": self.value, "domain": self.domain}
        if self.children:
            doc["children"] = [c.to_json() for c in self.children]
        return doc


@dataclass
class LayoutPart:
    """hstack, vstack, tabs, accordion, callout or stat, around its children."""

    kind: str
    children: list["Part"] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)  # tab and accordion titles
    detail: dict[str, Any] = field(default_factory=dict)  # callout kind; stat value, label, caption

    def to_json(self) -> dict[str, Any]:
        return {"type": "layout", "kind": self.kind, "labels": self.labels, "detail": self.detail,
                "children": [c.to_json() for c in self.children]}


@dataclass
class ErrorPart:
    """A cell's errors, each "graph" or "runtime" as code_mode says, with a readable message."""

    errors: list[tuple[str, str]]

    def to_json(self) -> dict[str, Any]:
        return {"type": "error", "errors": [{"kind": k, "message": m} for k, m in self.errors]}


@dataclass
class ProgressPart:
    """`mo.status.progress_bar` or `mo.status.spinner` as last sent: a bar has a count and a total,
    a spinner neither; rate (items a second) and eta (seconds left) only when marimo sent them."""

    title: str = ""
    subtitle: str = ""
    current: int | None = None  # items done; None for a spinner
    total: int | None = None
    rate: float | None = None
    eta: float | None = None

    @property
    def spinner(self) -> bool:
        return self.current is None

    @property
    def fraction(self) -> float | None:
        if self.current is None or not self.total:
            return None
        return min(1.0, max(0.0, self.current / self.total))

    @property
    def done(self) -> bool:
        return self.total is not None and self.current is not None and self.current >= self.total

    def to_json(self) -> dict[str, Any]:
        return {"type": "progress", "kind": "spinner" if self.spinner else "bar", "title": self.title,
                "subtitle": self.subtitle, "current": self.current, "total": self.total,
                "fraction": self.fraction, "rate": self.rate, "eta": self.eta, "done": self.done}


@dataclass
class StructurePart:
    """A nested structure (`mo.tree`, `mo.json`, a dict or list as a cell's value, `application/json`),
    its leaves decoded from marimo's typed strings (`text/plain+float:1.5` is 1.5)."""

    value: Any
    label: str = ""
    python: bool = True  # leaves written as Python values (tuples, None, True), as marimo shows them

    def to_json(self) -> dict[str, Any]:
        return {"type": "structure", "label": self.label, "value": self.value,
                "value_types": "python" if self.python else "json"}


@dataclass
class DiagramPart:
    """A diagram drawn from source text in a browser (`mo.mermaid`): the source is what it says."""

    language: str  # "mermaid"
    source: str

    def to_json(self) -> dict[str, Any]:
        return {"type": "diagram", "language": self.language, "source": self.source}


@dataclass
class MediaPart:
    """A file an output offers (`mo.download`, `mo.pdf`, `mo.audio`, `mo.video`), its bytes once read.

    `src` is where marimo keeps it (a server's virtual file, fetched like an image's) or a remote URL,
    never fetched; `file` is set once a door saved the bytes."""

    kind: str  # download, pdf, audio, video
    mimetype: str
    data: bytes = field(repr=False, default=b"")
    src: str | None = None
    filename: str = ""
    label: str = ""
    object_id: str | None = None
    file: str | None = None
    unread: str | None = None  # why the bytes are not here (remote, loaded on a press, not fetched)

    @property
    def remote(self) -> bool:
        return bool(self.src) and str(self.src).startswith(("http://", "https://"))

    def to_json(self) -> dict[str, Any]:
        import hashlib

        return {"type": "media", "kind": self.kind, "mimetype": self.mimetype, "filename": self.filename,
                "label": self.label, "bytes": len(self.data) if self.data else None,
                "sha256": hashlib.sha256(self.data).hexdigest() if self.data else None,
                "src": self.src, "file": self.file, "unread": self.unread, "object_id": self.object_id}


@dataclass
class LazyPart:
    """`mo.lazy(...)`: content a browser asks the kernel for when it shows it; not in the output."""

    object_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"type": "lazy", "loaded": False, "object_id": self.object_id}


Part = Union[TextPart, MarkdownPart, TablePart, ImagePart, ChartPart, WidgetPart, LayoutPart, ErrorPart,
             ProgressPart, StructurePart, DiagramPart, MediaPart, LazyPart]


def walk(parts: list[Part]) -> list[Part]:
    """Every part, depth first, children after their parent."""
    out: list[Part] = []
    for part in parts:
        out.append(part)
        if isinstance(part, (LayoutPart, WidgetPart)):
            out.extend(walk(part.children))
        if isinstance(part, ChartPart) and part.image is not None:
            out.append(part.image)
    return out
