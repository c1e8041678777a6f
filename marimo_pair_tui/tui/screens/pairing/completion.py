"""Completion and documentation for the editor text, static (jedi over the notebook's code).

tab (after a name or a dot) or ctrl+space asks the service for completions
in a worker, with the editor's text and cursor and the loaded cell's id (so
that cell's old code is not part of the context); the editor opens its menu
with them. Keys keep working while jedi thinks: the answer is narrowed by
what was typed meanwhile, or dropped when the cursor left the line. f8 shows
the docstring of the name at the cursor. Neither needs the kernel, so both
answer while a cell runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ....core.errors import PairError
from ...widgets.code_editor import Request
from ..docs import DocsScreen

if TYPE_CHECKING:
    from .screen import PairingScreen


def name_at(text: str, row: int, column: int) -> str:
    """The dotted name around (row, column), for titles."""
    lines = text.split("\n")
    line = lines[row] if 0 <= row < len(lines) else ""
    start = column
    while start > 0 and (line[start - 1].isalnum() or line[start - 1] in "._"):
        start -= 1
    end = column
    while end < len(line) and (line[end].isalnum() or line[end] == "_"):
        end += 1
    return line[start:end]


class CompletionCommands:
    """Answers the editor's completion requests, and f8 (documentation)."""

    def __init__(self, screen: "PairingScreen") -> None:
        self.screen = screen
        self.asked = 0  # completion requests answered (tests wait on it)

    def complete(self, request: Request) -> None:
        self.screen.run_worker(self._complete(request), group="complete", exclusive=True)

    async def _complete(self, request: Request) -> None:
        screen = self.screen
        editor = screen.editor
        try:
            reply = await screen.service.complete(screen.target, request.text, request.line, request.column,
                                                  cell=editor.loaded_cell)
        except PairError as error:
            screen.notify(f"No completions: {error.message}", severity="warning", timeout=5)
            return
        finally:
            self.asked += 1
        if not editor.has_focus:
            return
        if not editor.offer(request, reply.value):
            what = name_at(request.text, request.row, request.column)
            screen.notify(f"No completions for {what!r}." if what else "No completions here.", timeout=3)

    def docs(self) -> None:
        screen = self.screen
        editor = screen.editor
        request = editor.request()
        what = name_at(request.text, request.row, request.column)
        if not what:
            screen.notify("Put the editor's cursor on a name first (f3 focuses the editor).", severity="warning")
            return
        screen.run_worker(self._docs(request, what), group="docs", exclusive=True)

    async def _docs(self, request: Request, what: str) -> None:
        screen = self.screen
        try:
            reply = await screen.service.help(screen.target, request.text, request.line, request.column,
                                              cell=screen.editor.loaded_cell)
        except PairError as error:
            screen.notify(f"No documentation: {error.message}", severity="warning", timeout=5)
            return
        if not reply.value.strip():
            screen.notify(f"No documentation found for {what!r}.", timeout=4)
            return
        await screen.app.push_screen(DocsScreen(what, reply.value))
