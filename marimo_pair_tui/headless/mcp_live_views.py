"""JSON views of a live mirror for MCP tools: its cells, its kernel, its activity log.

Everything here reads the `PairingSession`'s notebook model and costs no
kernel round trip.
"""

from __future__ import annotations

import difflib
from functools import lru_cache
from typing import Any, Sequence

from ..core.activity import ActivityEntry, ActivityLog
from ..core.errors import CellNotFoundError, InvalidRequestError
from ..core.notebook import Cell, Notebook
from ..core.outputs import bounded_output
from ..core.pairing import PairingSession

ACTIVITY_DEFAULT = 20  # entries an `activity` call returns unless told otherwise
# Characters of stdout, stderr and output data per entry in an `activity` result:
# the log keeps far more (core/activity.py), more than a reader wants per entry.
ACTIVITY_TEXT_LIMIT = 4000


@lru_cache(maxsize=4096)
def static_defs_refs(code: str) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """(defs, refs) of `code` by marimo's compiler, as code_mode's snapshot computes them; None if it does not compile."""
    from marimo._ast.compiler import compile_cell

    try:
        cell = compile_cell(code, cell_id="__mpt_mcp__")
    except Exception:  # a syntax error, or code the compiler refuses
        return None
    return tuple(sorted(cell.defs)), tuple(sorted(cell.refs))


def live_cell_json(cell: Cell) -> dict[str, Any]:
    """A live-model cell in the headless shape.

    defs/refs come from the cell's code through marimo's compiler, as the
    kernel's graph computes them (builtins such as `print` among the refs, as
    code_mode reports them); the mirror's `variables` events only name
    notebook variables and miss cells that never ran. Code that does not
    compile keeps what the graph said.
    """
    data = cell.to_json()
    found = static_defs_refs(cell.code) if cell.code.strip() else ((), ())
    if found is not None:
        data["defs"], data["refs"] = list(found[0]), list(found[1])
    return data


def pick_cells(notebook: Notebook, wanted: Sequence[str]) -> list[Cell]:
    """Cells by id or unique name, in the order asked; unknown ones refused with the nearest candidates."""
    picked = []
    for key in wanted:
        cell = notebook.get(key)
        if cell is None:
            names = sorted({c.name for c in notebook.cells if c.name not in ("", "_")})
            nearest = difflib.get_close_matches(key, notebook.cell_ids + names, n=5, cutoff=0.4)
            hint = f" Nearest: {', '.join(nearest)}." if nearest else ""
            raise CellNotFoundError(
                f"No cell {key!r} in the notebook ({len(notebook)} cells).{hint}",
                target=key,
                nearest=nearest,
                known=notebook.cell_ids[:10],
                count=len(notebook),
            )
        picked.append(cell)
    return picked


def kernel_summary(pairing: PairingSession) -> dict[str, Any]:
    """Whether anything is queued or running, as the mirror sees it."""
    notebook = pairing.notebook
    return {
        "idle": notebook.is_idle(),
        "running": notebook.running_cell_ids(),
        "queued": notebook.queued_cell_ids(),
        "live": pairing.live_state,
    }


def bounded_entry(entry: ActivityEntry, limit: int = ACTIVITY_TEXT_LIMIT) -> dict[str, Any]:
    """An entry in the headless shape (`watch --activity`'s), its texts cut to `limit` characters.

    stdout and stderr keep their newest text, as the log itself does; output
    data keeps its start. `truncated` says when anything was cut, here or by
    the log.
    """
    data = entry.to_json()
    for channel in ("stdout", "stderr"):
        if len(data[channel]) > limit:
            data[channel], data["truncated"] = data[channel][-limit:], True
    if data["output"] is not None:
        output = bounded_output(data["output"], limit)
        data["output"] = {"mimetype": output.mimetype, "data": output.data}
        data["truncated"] = data["truncated"] or output.truncated
    return data


def activity_entries(log: ActivityLog, *, limit: int, since: str | None) -> tuple[list[dict[str, Any]], bool]:
    """The newest `limit` entries, newest first (only those planned after entry `since`), and whether more matched."""
    entries = log.newest_first()
    if since is not None:
        mark = log.get(since)
        if mark is None:
            raise InvalidRequestError(
                f"No activity entry {since!r} in the log (it keeps the newest {log.limit} entries, "
                "from when this server began following the session).",
                next="Pass an `id` from a recent `activity` result, or leave `since` out to read the newest entries.",
                since=since,
            )
        entries = [e for e in entries if e.seq > mark.seq]
    return [bounded_entry(e) for e in entries[:limit]], len(entries) > limit
