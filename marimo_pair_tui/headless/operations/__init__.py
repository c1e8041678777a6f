"""The operations both doors offer, each declared once (declaration.py says how).

A command (cli/declared.py) and an MCP tool (mcp/declared.py) are made from each; the JSON
document is the same on both, and so are the arguments' names, types and defaults. What a door
does around the call is declared too: code read from -c, --file or stdin on the command line, the
outputs' options, a snippet's output streamed (JSON lines, or MCP progress), an output's images as
MCP image content, a batch read from --file or stdin. Operations a door has alone (watch,
wait_until_idle, ...) are declared in their command and tool modules.
"""

from __future__ import annotations

from ..declaration import Operation
from .cell_changes import APPLY_CHANGES, CREATE_CELL, DELETE_CELL, EDIT_CELL, MOVE_CELL, RUN_CELLS
from .kernel import ADD_PACKAGES, ANSWER, DEBUG, GRAPH, INTERRUPT, RESTART, STATUS, VARIABLES
from .reading import CELLS, EXECUTE, NOTEBOOKS, OPEN, OUTPUT, SERVERS
from .review import ACTIVITY, GREP, HISTORY, REVERT, SCREENSHOT, UNDO
from .widgets import SET_UI, TABLE_PAGE, UI

# In the order the MCP server lists the tools: finding a notebook and its cells first.
OPERATIONS: tuple[Operation, ...] = (
    SERVERS, NOTEBOOKS, OPEN, CELLS, OUTPUT, EXECUTE, CREATE_CELL, EDIT_CELL,
    INTERRUPT, STATUS, RESTART, ANSWER, VARIABLES, GRAPH, UI, SET_UI, TABLE_PAGE, RUN_CELLS, MOVE_CELL, DELETE_CELL,
    ADD_PACKAGES, SCREENSHOT, DEBUG, GREP,
    HISTORY, REVERT, UNDO,
    ACTIVITY, APPLY_CHANGES,
)

__all__ = ["OPERATIONS"]
