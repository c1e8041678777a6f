"""Widgets that draw output parts: text, markdown, tables, images, charts, UI elements, layouts, errors."""

from .build import part_widget
from .control import Control
from .table import TableView

__all__ = ["Control", "TableView", "part_widget"]
