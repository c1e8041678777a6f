"""pdb as the live stream shows it: its prompts, where it stands, and the locals it prints for us.

marimo's debugger writes to the console of the cell it runs in (a failed cell's
post-mortem started from a snippet: the scratchpad's; a `breakpoint()`: the
running cell's): its text on stdout ending in the prompt `(Pdb) `, then a
stdin write that waits for a command (docs/protocol.md, "Debugger"). So a cell
waits on pdb when it waits for input and its text before the prompt ends in
`(Pdb) `. Where pdb stands is its last `> FILE(LINE)FUNCTION()` line; the
locals are read by one more pdb command (`locals_probe`) whose answer
`read_locals` parses.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass

from .cell import Cell

PDB_PROMPT = "(Pdb) "
CELL_FILE = re.compile(r"__marimo__cell_(\w+?)_\.py$")
POSITION = re.compile(r"^> (?P<file>.+)\((?P<line>\d+)\)(?P<function>[^\s(]+)\(\)\s*$", re.MULTILINE)
LOCALS_TAG = "@@marimo-pair-tui/locals"


@dataclass(frozen=True)
class Position:
    """Where pdb stands: a file, a line (1-based), the function, and the cell when it is a cell's code."""

    file: str
    line: int
    function: str
    cell: str | None

    @property
    def module_level(self) -> bool:
        return self.function == "<module>"


def console_text(cell: Cell) -> str:
    """What the cell printed (stdout and stderr), without the prompts' own entries."""
    return "".join(entry.text for entry in cell.console if entry.channel != "stdin")


def waits_on_pdb(cell: Cell) -> bool:
    """The cell waits for input and the text before the prompt is pdb's."""
    return cell.prompt is not None and console_text(cell).endswith(PDB_PROMPT)


def position(text: str) -> Position | None:
    """The last place pdb said it stands in `text`."""
    matches = list(POSITION.finditer(text))
    if not matches:
        return None
    found = matches[-1]
    cell = CELL_FILE.search(found["file"])
    return Position(found["file"], int(found["line"]), found["function"], cell.group(1) if cell else None)


def locals_probe(names: set[str] | None) -> str:
    """A pdb command that prints the current frame's locals (name -> [type, short repr]) as tagged JSON;
    `names` keeps a cell's own frame (whose locals are all the kernel's globals) to the cell's names."""
    keep = 'not k.startswith("__")'
    if names is not None:
        keep += f" and k in {sorted(n for n in names if n.isidentifier())!r}"
    return (f'p "{LOCALS_TAG}" + __import__("json").dumps({{k: [type(v).__name__, __import__("reprlib").repr(v)] '
            f'for k, v in locals().items() if {keep}}})')


def read_locals(text: str) -> dict[str, tuple[str, str]] | None:
    """The locals a `locals_probe` answer holds (name -> (type, repr)), None when it holds none."""
    for line in text.splitlines():
        line = line.removesuffix(PDB_PROMPT).strip()
        if LOCALS_TAG not in line:
            continue
        try:
            printed = ast.literal_eval(line)
            found = json.loads(str(printed).removeprefix(LOCALS_TAG))
        except (ValueError, SyntaxError):
            return None
        return {str(k): (str(v[0]), str(v[1])) for k, v in found.items() if isinstance(v, list) and len(v) == 2}
    return None
