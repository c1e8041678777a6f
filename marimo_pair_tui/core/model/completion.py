"""Completion for the editor: jedi over the notebook's code, as marimo's own first step does.

marimo answers `code_autocomplete` only to the browser's consumer, never to a
kiosk one like ours (see docs/protocol.md), so completion is
static: the other cells' code in dataflow order, as a module the editor's text
star-imports, given to jedi (which marimo already brings; jedi_context.py keeps
its inference while only the editor's text changes). It needs no kernel, so it
answers while the kernel is busy; names the kernel made at run time only are
not seen.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Sequence

from .cell import Cell
from .workspace import cell_graph

if TYPE_CHECKING:
    from .jedi_context import ContextScripts

MAX_COMPLETIONS = 50
DOC_CHARS = 4000

# jedi is not thread-safe (its caches and its inspection process are shared by every Script): one call at a
# time. A completion asked while the warm-up runs waits for it, and then finds jedi warm.
JEDI = threading.Lock()

# What a warm-up completes: a pandas frame's and a column's attributes, the completion that is slowest the
# first time (jedi parses its builtins stubs, starts its inspection process and parses pandas' big modules).
WARM_UP_SCRIPT = (
    "import pandas as pd\n"
    "frame = pd.DataFrame({'a': [1, 2]})\n"
    "frame.\n"
    "frame['a'].\n"
)
WARM_UP_AT = ((3, len("frame.")), (4, len("frame['a'].")))


@functools.cache
def _scripts() -> ContextScripts:
    """The process's kept jedi context, made at the first completion (its module imports jedi)."""
    from .jedi_context import ContextScripts

    return ContextScripts()


@dataclass
class Completion:
    name: str
    kind: str  # jedi's type: module, class, function, instance, keyword, statement, param, property, path
    signature: str = ""
    prefix_length: int = 0  # characters before the cursor the completion replaces


def _context(cells: Sequence[Cell], exclude: str | None) -> str:
    """The other cells' code, ancestors before descendants (marimo's order), as one module."""
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
    from .jedi_context import PRELUDE_LINES

    context = _context(cells, cell_id)
    with JEDI:
        try:
            found = _scripts().script(context, text).complete(line + PRELUDE_LINES, column)
            return [_completion(item) for item in found[:MAX_COMPLETIONS]]
        except Exception:  # noqa: BLE001 - jedi on arbitrary code: no completions rather than an error
            _scripts().discard()
            return []


# A library name's signature by its full name (`pandas.core.frame.DataFrame.groupby`): the same in every
# completion of this process, and a costly part of one (jedi infers each name afresh in every inference state,
# and the kept one starts afresh whenever another cell changes).
# Names the notebook's own code defines are never kept: an edit of a cell changes them.
_LIBRARY_SIGNATURES: dict[str, str] = {}
LIBRARY_SIGNATURES_KEPT = 20_000


def _completion(item: Any) -> Completion:
    """A jedi completion as ours, with its first signature (jedi may fail to find it: then none)."""
    return Completion(item.name, item.type, _signature(item), len(item.name) - len(item.complete or ""))


def _signature(item: Any) -> str:
    key = _library_key(item)
    if key is not None and key in _LIBRARY_SIGNATURES:
        return _LIBRARY_SIGNATURES[key]
    signature = ""
    try:
        signatures = item.get_signatures()
        signature = signatures[0].to_string() if signatures else ""
    except Exception:  # noqa: BLE001
        pass
    if key is not None and len(_LIBRARY_SIGNATURES) < LIBRARY_SIGNATURES_KEPT:
        _LIBRARY_SIGNATURES[key] = signature
    return signature


def _library_key(item: Any) -> str | None:
    """The full name of a name an installed module defines (the standard library's, site-packages'); None
    for the notebook's own and for a module beside it, whose code may change while the app runs."""
    try:
        module, full, path = item.module_name, item.full_name, item.module_path
    except Exception:  # noqa: BLE001
        return None
    from .jedi_context import CONTEXT_MODULE, installed

    if not module or module in ("__main__", CONTEXT_MODULE) or not full or not full.startswith(f"{module}."):
        return None
    if path is not None and not installed(str(path)):
        return None
    return f"{item.type}:{full}"


def help_text(cells: Sequence[Cell], text: str, line: int, column: int, *, cell_id: str | None = None) -> str:
    """The docstring of the name at (line, column), with its signature; empty when jedi knows none."""
    from .jedi_context import PRELUDE_LINES

    context = _context(cells, cell_id)
    with JEDI:
        try:
            names = _scripts().script(context, text).help(line + PRELUDE_LINES, column)
            docs = (name.docstring() for name in names)
            return next((doc[:DOC_CHARS] for doc in docs if doc), "")
        except Exception:  # noqa: BLE001
            _scripts().discard()
            return ""


def warm_up() -> int:
    """Import jedi and complete once on a representative script, so that the user's first completion
    finds jedi started and its parse caches full; how many names were found (none without pandas)."""
    import jedi

    found = 0
    with JEDI:
        script = jedi.Script(WARM_UP_SCRIPT)
        for line, column in WARM_UP_AT:
            try:  # with the signatures, as `complete` asks for them
                found += len([_completion(item) for item in script.complete(line, column)[:MAX_COMPLETIONS]])
            except Exception:  # noqa: BLE001 - a warm-up that fails costs only the time it saved
                pass
    return found
