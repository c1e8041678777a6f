"""The kernel as a map: its variables (who defines and reads each, type, value) and the cells' dataflow graph.

Both are read from the live model, never from the kernel: marimo's stream
carries `variables` (every name with the cells that declare and use it),
`variable-values` (type and a short preview, sent for what changed) and
`datasets` (dataframes with columns and dtypes). The graph is built from the
cells' defs and refs (marimo's compiler, as everywhere else), so it holds for
cells that never ran too. A Series' or frame's labelled preview is read in the
kernel, above the model (core/codemode/variable_peek.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

from .cell import Cell
from .notebook import Notebook

PREVIEW_CHARS = 200


@dataclass
class Variable:
    name: str
    declared_by: list[str]
    used_by: list[str]
    datatype: str | None = None
    preview: str | None = None
    columns: list[dict[str, Any]] = field(default_factory=list)  # a dataframe's: name, type, dtype
    rows: int | None = None
    data: dict[str, Any] | None = None  # a Series' or frame's shape and first labelled values, read in the kernel

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"name": self.name, "type": self.datatype, "preview": self.preview,
                               "declared_by": self.declared_by, "used_by": self.used_by}
        if self.columns or self.rows is not None:
            doc["rows"], doc["columns"] = self.rows, self.columns
        if self.data is not None:
            doc["index"] = self.data.get("index", [])
            if self.data.get("kind") == "Series":
                doc["series"] = {"name": self.data.get("name"), "dtype": self.data.get("dtype"),
                                 "length": self.data.get("length"),
                                 "head": [{"label": label, "value": value} for label, value
                                          in zip(self.data.get("labels") or [], self.data.get("values") or [])]}
            else:
                doc["labels"] = self.data.get("labels", [])
        return doc


def variables(notebook: Notebook, names: Sequence[str] | None = None) -> list[Variable]:
    """Every global the kernel reported (or those `names`), sorted by name."""
    wanted = set(names) if names else None
    found = []
    for name in sorted(notebook.declarations):
        if wanted is not None and name not in wanted:
            continue
        declared_by, used_by = notebook.declarations[name]
        value = notebook.variable_values.get(name, {})
        preview = value.get("value")
        if isinstance(preview, str) and len(preview) > PREVIEW_CHARS:
            preview = preview[: PREVIEW_CHARS - 1] + "…"
        table = notebook.datasets.get(name, {})
        columns = [{"name": c.get("name"), "type": c.get("type"), "dtype": c.get("external_type")}
                   for c in table.get("columns") or () if isinstance(c, dict)]
        found.append(Variable(name, list(declared_by), list(used_by), value.get("datatype"), preview,
                              columns, table.get("num_rows")))
    return found


@dataclass
class CellGraph:
    """Edges from a cell to the cells that read a name it defines."""

    order: list[str]
    defs: dict[str, set[str]]
    refs: dict[str, set[str]]
    children: dict[str, set[str]]
    parents: dict[str, set[str]]

    def _closure(self, start: str, step: dict[str, set[str]]) -> list[str]:
        seen: set[str] = set()
        todo = [start]
        while todo:
            for nxt in step.get(todo.pop(), ()):
                if nxt not in seen and nxt != start:
                    seen.add(nxt)
                    todo.append(nxt)
        return [cid for cid in self.order if cid in seen]

    def ancestors(self, cell_id: str) -> list[str]:
        return self._closure(cell_id, self.parents)

    def descendants(self, cell_id: str) -> list[str]:
        return self._closure(cell_id, self.children)

    def definers(self, name: str) -> list[str]:
        return [cid for cid in self.order if name in self.defs[cid]]

    def readers(self, name: str) -> list[str]:
        return [cid for cid in self.order if name in self.refs[cid] and name not in self.defs[cid]]


def cell_graph(cells: Sequence[Cell]) -> CellGraph:
    order = [c.id for c in cells]
    defs = {c.id: set(c.defs) for c in cells}
    refs = {c.id: set(c.refs) for c in cells}
    definers: dict[str, set[str]] = {}
    for cid, names in defs.items():
        for name in names:
            definers.setdefault(name, set()).add(cid)
    parents: dict[str, set[str]] = {cid: set() for cid in order}
    children: dict[str, set[str]] = {cid: set() for cid in order}
    for cid in order:
        for name in refs[cid] - defs[cid]:
            for parent in definers.get(name, ()):
                if parent != cid:
                    parents[cid].add(parent)
                    children[parent].add(cid)
    return CellGraph(order, defs, refs, children, parents)


@dataclass
class GraphView:
    """A graph with the cells' names, and the cell a read asked about (None: the whole graph)."""

    graph: CellGraph
    names: dict[str, str]
    cell: str | None = None
