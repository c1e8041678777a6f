"""Parts as text a language model reads: markdown, GFM tables, widgets as one line, charts in words."""

from __future__ import annotations

from typing import Any, Callable, cast

from .model import (ChartPart, Column, DiagramPart, ErrorPart, ImagePart, LayoutPart, LazyPart, MarkdownPart, MediaPart,
                    Part, ProgressPart, StructurePart, TablePart, TextPart, WidgetPart)
from .frames import KINDS as FRAME_KINDS, frame_widget_text
from .media import media_text
from .structure import diagram_text, structure_text
from .progress import progress_text
from .tables import shown_rows
from .widgets import describe_widget

TABLE_ROWS = 10  # rows of a table written out in text
CELL_CHARS = 60  # characters of one table value


def _cell(text: str) -> str:
    text = text.replace("|", "\\|").replace("\n", " ")
    return text if len(text) <= CELL_CHARS else text[: CELL_CHARS - 1] + "…"


def table_text(part: TablePart, rows: int = TABLE_ROWS, first: int = 0, *, exact: bool = False) -> str:
    """A GFM table of the first `rows` rows (numbered from `first` in the whole table), then what is left.

    Row labels come first and are named in the last line; values are written as the browser's
    table shows them, or (`exact`) as the shortest digits that read back as each value."""
    columns = part.columns or [Column(str(name), "", "") for name in (part.rows[0] if part.rows else {})]
    head = [f"{c.name} ({c.dtype})" if c.dtype else c.name for c in columns]
    lines = ["| " + " | ".join(_cell(h) for h in head) + " |", "|" + "---|" * len(head)]
    shown = part.rows[:rows]
    lines += ["| " + " | ".join(_cell(v) for v in values) + " |"
              for values in shown_rows(columns, shown, page=part.rows, exact=exact)]
    total = part.total_rows
    more = total - first - len(shown) if total is not None else None
    if more and more > 0:
        lines.append(f"… {more:,} more rows")
    size = f"{total:,}" if total is not None else "many"
    span = f"rows {first + 1:,}-{first + len(shown):,} of " if first else ""
    labels = part.row_headers
    named = f"; row labels: {', '.join(labels)}" if labels else ""
    styled = "; values as its pandas Styler formats them" if part.formatted else ""
    selects = f"; rows selectable ({part.selection})" if part.selection else ""
    lines.append(f"({span}{size} rows × {part.total_columns} columns{named}{styled}{selects}){_named_by(part.object_id)}")
    return "\n".join(lines)


def _named_by(object_id: str | None) -> str:
    """` [id]` after a part a reader acts on (pages a table, sets a chart's selection), as a widget's line ends."""
    return f" [{object_id}]" if object_id else ""


def image_text(part: ImagePart) -> str:
    size = f" {part.width}×{part.height}" if part.width and part.height else ""
    where = f", saved to {part.file}" if part.file else ""
    alt = f' "{part.alt}"' if part.alt else ""
    if not part.data:
        return f"[image{alt}: {part.format}, on the server at {part.src}]"
    return f"[image{alt}: {part.format}{size}, {len(part.data):,} bytes{where}]"


def part_text(part: Part) -> str:
    """The text of one part (a layout's or widget's children written inside it)."""
    for kinds, text in _TEXTS:
        if isinstance(part, kinds):
            return text(part)
    return layout_text(cast(LayoutPart, part))


def _chart_text(part: ChartPart) -> str:
    image = f"\n{image_text(part.image)}" if part.image is not None else ""
    return f"[chart: {part.description}]{_named_by(part.object_id)}{image}"


def _widget_text(part: WidgetPart) -> str:
    if part.kind in FRAME_KINDS:
        return frame_widget_text(part, table_text)
    inner = "\n".join("  " + line for p in part.children for line in part_text(p).splitlines())
    return describe_widget(part) + (f"\n{inner}" if inner else "")


def _error_text(part: ErrorPart) -> str:
    return "\n".join(f"Error ({kind}): {message}" for kind, message in part.errors)


# Each kind of part and its text, tried in order; a layout is what is left.
_TEXTS: tuple[tuple[type[Part], Callable[[Any], str]], ...] = (
    (TextPart, lambda part: part.text),
    (MarkdownPart, lambda part: part.markdown),
    (TablePart, table_text),
    (ImagePart, image_text),
    (ChartPart, _chart_text),
    (WidgetPart, _widget_text),
    (ProgressPart, progress_text),
    (StructurePart, structure_text),
    (DiagramPart, diagram_text),
    (MediaPart, media_text),
    (LazyPart, lambda part: "[lazy content: not loaded; marimo sends it only when a browser shows it]"),
    (ErrorPart, _error_text),
)


def layout_text(part: LayoutPart) -> str:
    if part.kind == "stat":
        d = part.detail
        caption = f" ({d['caption']})" if d.get("caption") else ""
        return f"{d.get('label') or 'stat'}: {d.get('value', '')}{caption}"
    if part.kind in ("tabs", "accordion"):
        blocks = []
        for index, child in enumerate(part.children):
            title = part.labels[index] if index < len(part.labels) else f"#{index + 1}"
            blocks.append(f"[{part.kind[:-1] if part.kind == 'tabs' else 'section'} \"{title}\"]\n{part_text(child)}")
        return "\n\n".join(blocks)
    body = "\n\n".join(t for t in (part_text(c) for c in part.children) if t)
    if part.kind == "callout":
        return "\n".join(f"> {line}" if line else ">" for line in
                         [f"[{part.detail.get('kind', 'note')}]", *body.splitlines()])
    return body


def parts_text(parts: list[Part]) -> str:
    return "\n\n".join(t for t in (part_text(p) for p in parts) if t)
