"""What a cell's code defines and reads, by marimo's own compiler.

The live stream's `variables` events name only notebook variables and miss
cells the kernel never ran; code_mode's snapshot falls back on the compiler
for those. Every door computes defs/refs through this one function.
"""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=4096)
def static_defs_refs(code: str) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """(defs, refs) of `code`, as code_mode's snapshot computes them; None if it does not compile."""
    from marimo._ast.compiler import compile_cell
    from marimo._types.ids import CellId_t

    try:
        cell = compile_cell(code, cell_id=CellId_t("__mpt_static__"))
    except Exception:  # a syntax error, or code the compiler refuses
        return None
    return tuple(sorted(cell.defs)), tuple(sorted(cell.refs))
