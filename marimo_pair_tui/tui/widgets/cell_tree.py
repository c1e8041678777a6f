"""The cell tree: one node per cell in notebook order, details when expanded.

The tree is a view of the `Notebook` model and keeps nothing of its own but
the node for each cell id. `sync()` applies a batch of model changes in place:
labels are updated, nodes are added and removed for created and deleted
cells and moved on moves (tree_order.py), so expansion and the cursor
survive live updates. Details (code, errors, console, output, defs/refs) are built when a
cell is expanded and rebuilt when it changes while expanded.
"""

from __future__ import annotations

from typing import Iterable

from rich.syntax import Syntax
from rich.text import Text
from textual import on
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from ...core.api import Cell, Notebook, output_text
from ..display import Display, syntax_theme
from ..terminal_text import escape_controls
from .tree_order import in_place

CODE_LINES = 30
CONSOLE_LINES = 12
OUTPUT_LINES = 12
PREVIEW_CHARS = 60
SECTION = 8  # width of the section labels in the details


def first_line(code: str) -> str:
    """The first line worth showing: not blank, and not a comment when code follows."""
    lines = [line.strip() for line in code.splitlines() if line.strip()]
    for line in lines:
        if not line.startswith("#"):
            return line
    return lines[0] if lines else ""


def _tail(lines: list[str], keep: int, ellipsis: str) -> list[str]:
    if len(lines) <= keep:
        return lines
    return [f"{ellipsis} {len(lines) - keep} earlier lines", *lines[-keep:]]


def _head(lines: list[str], keep: int, ellipsis: str) -> list[str]:
    if len(lines) <= keep:
        return lines
    return [*lines[:keep], f"{ellipsis} {len(lines) - keep} more lines"]


class CellTree(Tree[str]):
    """Cells of the notebook; node data is the cell id (None for detail lines)."""

    DEFAULT_CSS = """
    CellTree {
        border: round $primary 50%;
        border-title-color: $text-muted;
        padding: 0;
        scrollbar-size-vertical: 1;
        overflow-x: hidden;
    }
    CellTree:focus {
        border: round $primary;
    }
    """

    class CellHighlighted(Message):
        """The cursor came to another cell (a detail line counts as its cell), or to none."""

        def __init__(self, cell_tree: "CellTree", cell_id: str | None) -> None:
            super().__init__()
            self.cell_tree = cell_tree
            self.cell_id = cell_id

        @property
        def control(self) -> "CellTree":
            return self.cell_tree

    BINDINGS = [
        Binding("right", "expand_cell", "Expand", show=False, id="cells-expand"),
        Binding("left", "collapse_cell", "Collapse", show=False, id="cells-collapse"),
    ]

    def __init__(self, display_format: Display, *, id: str | None = None) -> None:
        super().__init__("cells", id=id)
        self.fmt = display_format
        self.show_root = False
        self.guide_depth = 2
        self.auto_expand = True
        self.border_title = "Cells"
        self._cell_nodes: dict[str, TreeNode[str]] = {}
        self._notebook: Notebook | None = None
        self._name_width = 4
        self._highlighted: str | None = None  # the cell the last CellHighlighted named

    # -- queries ----------------------------------------------------------

    @property
    def cell_ids(self) -> list[str]:
        """Cell ids in the order the tree shows them."""
        return [node.data for node in self.root.children if node.data is not None]

    def node_for(self, cell_id: str) -> TreeNode[str] | None:
        return self._cell_nodes.get(cell_id)

    def _cell_node_of(self, node: TreeNode[str] | None) -> TreeNode[str] | None:
        while node is not None and node.parent is not None and node.parent is not self.root:
            node = node.parent
        if node is None or node is self.root:
            return None
        return node

    @property
    def selected_cell_id(self) -> str | None:
        """The cell under the cursor (a detail line counts as its cell)."""
        node = self._cell_node_of(self.cursor_node)
        return node.data if node is not None else None

    def select_cell(self, cell_id: str) -> bool:
        node = self._cell_nodes.get(cell_id)
        if node is None:
            return False
        self._settle_cursor(node)
        return True

    def _settle_cursor(self, node: TreeNode[str]) -> None:
        self.get_node_at_line(0)  # rebuilds the line cache, so node lines are current
        self.move_cursor(node)

    # -- rendering ----------------------------------------------------------

    def label_for(self, cell: Cell) -> Text:
        label = Text()
        label.append_text(self.fmt.glyph(cell.status))
        label.append(" ")
        name = escape_controls(cell.name if cell.name and cell.name != "_" else cell.id)
        if len(name) > self._name_width:
            name = name[: self._name_width - 1] + self.fmt.ellipsis
        label.append(name.ljust(self._name_width) + " ", style="bold" if cell.name not in ("", "_") else "dim")
        preview = escape_controls(first_line(cell.code))
        if len(preview) > PREVIEW_CHARS:
            preview = preview[: PREVIEW_CHARS - 1] + self.fmt.ellipsis
        if preview:
            label.append("  ")
            label.append(preview, style="dim" if cell.status == "stale" else "")
        if cell.status == "stale":
            label.append(" (stale)", style="magenta")
        return label

    def details_for(self, cell: Cell) -> list[Text]:
        """The lines shown under an expanded cell."""
        lines = self._code_lines(cell)
        for error in cell.errors:
            lines.extend(self._section("error", escape_controls(self.fmt.scrub(error.message)).splitlines() or [""], "red"))
        lines.extend(self._console_lines(cell))
        lines.extend(self._output_lines(cell))
        if cell.defs or cell.refs:
            dot = self.fmt.dot
            summary = Text()
            summary.append("defs ".ljust(SECTION), style="dim")
            summary.append(escape_controls(", ".join(sorted(cell.defs))) or "-")
            summary.append(f" {dot} refs ", style="dim")
            summary.append(escape_controls(", ".join(sorted(cell.refs))) or "-")
            lines.append(summary)
        if cell.status is None and not cell.console and cell.output is None:
            lines.append(Text("(not run in this session)", style="dim"))
        return lines

    def _code_lines(self, cell: Cell) -> list[Text]:
        """The cell's first lines of code, highlighted, and how many more there are."""
        code = escape_controls(cell.code.rstrip("\n"))
        if not code:
            return [Text("(empty cell)", style="dim")]
        lines: list[Text] = []
        syntax = Syntax(code, "python", theme=syntax_theme(self), background_color="default")
        highlighted = list(syntax.highlight(code).split("\n", allow_blank=True))
        if highlighted and not highlighted[-1].plain and not code.endswith("\n"):
            highlighted.pop()  # highlight() ends the text with a newline
        shown = list(highlighted)[:CODE_LINES]
        for text in shown:
            text.rstrip()
            lines.append(text)
        if len(highlighted) > CODE_LINES:
            lines.append(Text(f"{self.fmt.ellipsis} {len(highlighted) - CODE_LINES} more lines", style="dim"))
        return lines

    def _console_lines(self, cell: Cell) -> list[Text]:
        """The console's last lines, stderr and tracebacks in red."""
        console: list[tuple[str, str]] = []
        for entry in cell.console:
            printed = escape_controls(self.fmt.scrub(output_text(entry.mimetype, entry.data)))
            style = "red" if entry.channel == "stderr" or "traceback" in entry.mimetype else ""
            console.extend((line, style) for line in printed.splitlines())
        if not console:
            return []
        shown_console = _tail([line for line, _ in console], CONSOLE_LINES, self.fmt.ellipsis)
        styles = [style for _, style in console][-len(shown_console):]
        if len(shown_console) > len(styles):
            styles = ["dim", *styles]
        return self._section_styled("console", list(zip(shown_console, styles)))

    def _output_lines(self, cell: Cell) -> list[Text]:
        """The output's first lines as text (an error output is shown as the cell's errors)."""
        output = cell.output
        if output is None or output.mimetype.startswith("application/vnd.marimo+error"):
            return []
        shown_output = escape_controls(output_text(output.mimetype, output.data))  # a progress bar as its line, too
        out_lines = [line for line in shown_output.splitlines() if line.strip()]
        if not out_lines:
            return []
        return self._section("output", _head(out_lines, OUTPUT_LINES, self.fmt.ellipsis), "")

    def _section(self, name: str, body: list[str], style: str) -> list[Text]:
        return self._section_styled(name, [(line, style) for line in body])

    def _section_styled(self, name: str, body: list[tuple[str, str]]) -> list[Text]:
        out = []
        for index, (line, style) in enumerate(body):
            text = Text((name if index == 0 else "").ljust(SECTION), style="dim")
            text.append(line, style=style or None)
            out.append(text)
        return out

    # -- keeping up with the model ----------------------------------------

    def sync(self, notebook: Notebook, changed: Iterable[str] = (), structure: bool = False) -> None:
        """Apply model changes: labels in place, nodes added/removed/reordered."""
        self._notebook = notebook
        cells = notebook.cells
        width = min(12, max((len(c.name if c.name not in ("", "_") else c.id) for c in cells), default=4))
        relabel_all = width != self._name_width
        self._name_width = width
        if structure or set(self._cell_nodes) != set(notebook.cell_ids):
            self._sync_structure(cells)
        targets = (c for c in cells) if relabel_all else (notebook.get(cid) for cid in set(changed))
        for cell in targets:
            if cell is None or cell.id not in self._cell_nodes:
                continue
            node = self._cell_nodes[cell.id]
            node.set_label(self.label_for(cell))
            if node.is_expanded:
                self._fill(node, cell)
            elif node.children:
                node.remove_children()

    def _sync_structure(self, cells: list[Cell]) -> None:
        """Remove deleted cells' nodes, add created ones at their place, and move moved ones (a
        moved node is added again at its new place, expanded if it was, the cursor kept on it)."""
        wanted = [c.id for c in cells]
        wanted_set = set(wanted)
        cursor_cell = self.selected_cell_id
        replacement: str | None = None
        if cursor_cell is not None and cursor_cell not in wanted_set:
            shown = self.cell_ids
            position = shown.index(cursor_cell)
            later = [c for c in shown[position + 1 :] if c in wanted_set]
            earlier = [c for c in shown[:position] if c in wanted_set]
            replacement = later[0] if later else (earlier[-1] if earlier else None)
        stay = in_place(self.cell_ids, wanted)
        moved: dict[str, bool] = {}  # moved cell id -> was expanded
        for cid in [c for c in self._cell_nodes if c not in stay]:
            node = self._cell_nodes.pop(cid)
            if cid in wanted_set:
                moved[cid] = node.is_expanded
            node.remove()
        for index, cell in enumerate(cells):
            if cell.id in self._cell_nodes:
                continue
            expanded = moved.get(cell.id, False)
            node = self.root.add(self.label_for(cell), data=cell.id, before=index, expand=expanded)
            self._cell_nodes[cell.id] = node
            if expanded:
                self._fill(node, cell)
        if cursor_cell is not None and cursor_cell in moved:
            replacement = cursor_cell
        if replacement is not None:
            self._settle_cursor(self._cell_nodes[replacement])
        elif self.cursor_line < 0 and self._cell_nodes and self.cursor_node is None:
            self._settle_cursor(self._cell_nodes[wanted[0]])
        self._tell_highlight()  # nodes moved under a cursor that stayed on its line

    def _fill(self, node: TreeNode[str], cell: Cell) -> None:
        """(Re)build the detail lines under a cell, keeping a cursor that was on one."""
        cursor = self.cursor_node
        index = None
        if cursor is not None and cursor.parent is node:
            index = list(node.children).index(cursor)
        node.remove_children()
        for text in self.details_for(cell):
            node.add_leaf(text)
        if index is not None:
            children = list(node.children)
            self._settle_cursor(children[min(index, len(children) - 1)] if children else node)

    def on_mount(self) -> None:
        self.watch(self, "cursor_line", lambda _line: self._tell_highlight(), init=False)

    def _tell_highlight(self) -> None:
        """Post CellHighlighted when the cell under the cursor changed (not for moves within a cell)."""
        cell_id = self.selected_cell_id
        if cell_id != self._highlighted:
            self._highlighted = cell_id
            self.post_message(self.CellHighlighted(self, cell_id))

    @on(Tree.NodeExpanded)
    def _expanded(self, event: Tree.NodeExpanded[str]) -> None:
        node = event.node
        if node.parent is self.root and node.data is not None and self._notebook is not None:
            cell = self._notebook.get(node.data)
            if cell is not None:
                self._fill(node, cell)

    @on(Tree.NodeCollapsed)
    def _collapsed(self, event: Tree.NodeCollapsed[str]) -> None:
        node = event.node
        if node.parent is self.root:
            node.remove_children()

    def action_expand_cell(self) -> None:
        node = self._cell_node_of(self.cursor_node)
        if node is not None and not node.is_expanded:
            node.expand()

    def action_collapse_cell(self) -> None:
        node = self._cell_node_of(self.cursor_node)
        if node is not None:
            if node.is_expanded:
                node.collapse()
            self._settle_cursor(node)

    def refresh_theme(self) -> None:
        """Re-highlight expanded cells (the syntax theme follows light/dark)."""
        if self._notebook is None:
            return
        for cid, node in self._cell_nodes.items():
            cell = self._notebook.get(cid)
            if node.is_expanded and cell is not None:
                self._fill(node, cell)
