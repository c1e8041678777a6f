"""Typed output parts (model.py), read from marimo's outputs (parse.py), written as text (text.py)."""

from .model import (ChartPart, Column, ErrorPart, ImagePart, LayoutPart, MarkdownPart, Part, ProgressPart,
                    TablePart, TextPart, WidgetPart, walk)
from .parse import parse_output
from .text import part_text, parts_text, table_text
from .widgets import describe_widget, with_values
from .files import draw_charts
from .images import rasterized

__all__ = ["ChartPart", "Column", "ErrorPart", "ImagePart", "LayoutPart", "MarkdownPart", "Part", "ProgressPart", "TablePart",
           "TextPart", "WidgetPart", "walk", "parse_output", "part_text", "parts_text", "table_text",
           "describe_widget", "draw_charts", "rasterized", "with_values"]
