"""One widget per output part, whatever its kind: the app's drawing of core's typed parts."""

from __future__ import annotations

from typing import Any, Callable

from textual.widget import Widget

from ....core.api import ChartPart, DiagramPart, ErrorPart, ImagePart, LayoutPart, LazyPart, MarkdownPart, MediaPart, Part, ProgressPart, StructurePart, TablePart, TextPart, WidgetPart
from .controls import control_widget
from .images import ImageView
from .layout import layout_widget
from .media import MediaView
from .progress import ProgressView
from .prose import ErrorView, MarkdownView, TextView
from .structure import DiagramView, LazyView, StructureView
from .table import TableView


def part_widget(part: Part) -> Widget:
    """The widget that draws `part` (a layout's children drawn the same way)."""
    for kinds, build in _BUILDERS:
        if isinstance(part, kinds):
            return build(part)
    return TextView(TextPart(repr(part)))


# Each kind of part and the widget that draws it, tried in order.
_BUILDERS: tuple[tuple[type[Part] | tuple[type[Part], ...], Callable[[Any], Widget]], ...] = (
    (TextPart, TextView),
    (MarkdownPart, MarkdownView),
    (TablePart, TableView),
    ((ImagePart, ChartPart), ImageView),
    (LayoutPart, lambda part: layout_widget(part, part_widget)),
    (WidgetPart, control_widget),
    (ErrorPart, ErrorView),
    (ProgressPart, ProgressView),
    (StructurePart, StructureView),
    (DiagramPart, DiagramView),
    (MediaPart, MediaView),
    (LazyPart, LazyView),
)
