"""Structures, diagrams and lazy content: a collapsible tree, a diagram's source, a line saying what is not loaded."""

from __future__ import annotations

import json
from typing import Any

from textual.widgets import Static, Tree
from textual.widgets.tree import TreeNode

from ....core.api import DiagramPart, LazyPart, StructurePart
from ...terminal_text import escape_controls
from .plain import plain_text

OPEN_DEPTH = 2  # levels of a structure open when it is drawn; deeper ones open on a key or a click
MAX_CHILDREN = 500  # entries of one list or dict drawn; the rest are counted


def _leaf(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str) if not isinstance(value, str) else json.dumps(value)


def _size(value: Any) -> str:
    return f"[{len(value)}]" if isinstance(value, list) else f"{{{len(value)}}}"


class StructureView(Tree[Any]):
    """`mo.tree`, `mo.json`, a dict or list: a Textual tree, its first levels open, each branch collapsible."""

    DEFAULT_CSS = """
    StructureView {
        height: auto;
        max-height: 24;
        width: 1fr;
        padding: 0;
        background: $surface;
    }
    """

    def __init__(self, part: StructurePart) -> None:
        super().__init__(escape_controls(part.label) or _size(part.value) if isinstance(part.value, (dict, list))
                         else escape_controls(part.label) or "value", data=part.value)
        self.part = part
        self.show_root = bool(part.label)
        self._grow(self.root, part.value, 0)
        self.root.expand()

    def _grow(self, node: TreeNode[Any], value: Any, depth: int) -> None:
        if isinstance(value, dict):
            items: list[tuple[str, Any]] = [(str(k), v) for k, v in value.items()]
        elif isinstance(value, list):
            items = [(str(i), v) for i, v in enumerate(value)]
        else:
            node.add_leaf(escape_controls(_leaf(value)), data=value)
            return
        for key, child in items[:MAX_CHILDREN]:
            if isinstance(child, (dict, list)) and child:
                branch = node.add(f"{escape_controls(key)}: {_size(child)}", data=child)
                self._grow(branch, child, depth + 1)
                if depth + 1 < OPEN_DEPTH:
                    branch.expand()
            else:
                node.add_leaf(f"{escape_controls(key)}: {escape_controls(_leaf(child))}", data=child)
        if len(items) > MAX_CHILDREN:
            node.add_leaf(f"… {len(items) - MAX_CHILDREN:,} more", data=None)

    def process_label(self, label: Any) -> Any:
        """Labels are kernel text: never read as markup."""
        return plain_text(str(label)) if isinstance(label, str) else super().process_label(label)


class DiagramView(Static):
    """A mermaid diagram: its source (a browser draws it; no terminal renderer is installed here)."""

    DEFAULT_CSS = """
    DiagramView {
        height: auto;
        width: 1fr;
        border-left: thick $accent;
        padding: 0 1;
    }
    """

    def __init__(self, part: DiagramPart) -> None:
        text = plain_text(f"{part.language} diagram (drawn in a browser), its source:\n", style="dim")
        text.append_text(plain_text(part.source.rstrip()))
        super().__init__(text)
        self.part = part


class LazyView(Static):
    """`mo.lazy`: content a browser loads when it shows it; nothing to draw until then."""

    DEFAULT_CSS = """
    LazyView {
        height: auto;
        color: $text-muted;
    }
    """

    def __init__(self, part: LazyPart) -> None:
        super().__init__(plain_text("(lazy content: not loaded; marimo sends it only when a browser shows it)"))
        self.part = part
