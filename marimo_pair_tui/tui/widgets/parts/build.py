"""One widget per output part, whatever its kind: the app's drawing of core's typed parts."""

from __future__ import annotations

from textual.widget import Widget

from ....core.documents import (ChartPart, DiagramPart, ErrorPart, ImagePart, LayoutPart, LazyPart, MarkdownPart,
                                MediaPart, Part, ProgressPart, StructurePart, TablePart, TextPart, WidgetPart)
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
    if isinstance(part, TextPart):
        return TextView(part)
    if isinstance(part, MarkdownPart):
        return MarkdownView(part)
    if isinstance(part, TablePart):
        return TableView(part)
    if isinstance(part, (ImagePart, ChartPart)):
        return ImageView(part)
    if isinstance(part, LayoutPart):
        return layout_widget(part, part_widget)
    if isinstance(part, WidgetPart):
        return control_widget(part)
    if isinstance(part, ErrorPart):
        return ErrorView(part)
    if isinstance(part, ProgressPart):
        return ProgressView(part)
    if isinstance(part, StructurePart):
        return StructureView(part)
    if isinstance(part, DiagramPart):
        return DiagramView(part)
    if isinstance(part, MediaPart):
        return MediaView(part)
    if isinstance(part, LazyPart):
        return LazyView(part)
    return TextView(TextPart(repr(part)))
