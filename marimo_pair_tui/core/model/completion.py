"""Completion for the editor: jedi over the notebook's code, as marimo's own first step does.

marimo answers `code_autocomplete` only to the browser's consumer, never to a
kiosk one like ours (see docs/protocol.md), so completion is
static: the other cells' code in dataflow order, then the editor's text, given
to jedi (which marimo already brings). It needs no kernel, so it answers
while the kernel is busy; names the kernel made at run time only are not seen.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from .cell import Cell
from .workspace import cell_graph

MAX_COMPLETIONS = 50
DOC_CHARS = 4000


@dataclass
class Completion:
    name: str
    kind: str  # jedi's type: module, class, function, instance, keyword, statement, param, property, path
    signature: str = ""
    prefix_length: int = 0  # characters before the cursor the completion replaces


def _context(cells: Sequence[Cell], exclude: str | None) -> str:
    """The other cells' code, ancestors before descendants (marimo's order), as one program."""
    graph = cell_graph(cells)
    order: list[str] = []
    seen: set[str] = set()

    def visit(cid: str) -> None:
        if cid in seen:
            return
        seen.add(cid)
        for parent in graph.order:
            if parent in graph.parents[cid]:
                visit(parent)
        order.append(cid)

    for cid in graph.order:
        visit(cid)
    code = {c.id: c.code for c in cells}
    return "\n".join(code[cid] for cid in order if cid != exclude)


def complete(cells: Sequence[Cell], text: str, line: int, column: int, *, cell_id: str | None = None
             ) -> list[Completion]:
    """Completions at (line, column) of `text` (1-based line, 0-based column), in the notebook's context."""
    import jedi

    context = _context(cells, cell_id)
    offset = context.count("\n") + 1 if context else 0
    source = f"{context}\n{text}" if context else text
    try:
        found = jedi.Script(source).complete(line + offset, column)
    except Exception:  # noqa: BLE001 - jedi on arbitrary code: no completions rather than an error
        return []
    out = []
    for item in found[:MAX_COMPLETIONS]:
        signature = ""
        try:
            signatures = item.get_signatures()
            signature = signatures[0].to_string() if signatures else ""
        except Exception:  # noqa: BLE001
            pass
        out.append(Completion(item.name, item.type, signature, len(item.name) - len(item.complete or "")))
    return out


def help_text(cells: Sequence[Cell], text: str, line: int, column: int, *, cell_id: str | None = None) -> str:
    """The docstring of the name at (line, column), with its signature; empty when jedi knows none."""
    import jedi

    context = _context(cells, cell_id)
    offset = context.count("\n") + 1 if context else 0
    source = f"{context}\n{text}" if context else text
    try:
        names = jedi.Script(source).help(line + offset, column)
    except Exception:  # noqa: BLE001
        return ""
    for name in names:
        doc = name.docstring()
        if doc:
            return doc[:DOC_CHARS]
    return ""
