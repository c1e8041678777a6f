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

from typing import Any, Awaitable, Callable

from ....core.api import PairError
from ...widgets.code_editor import CodeEditor, Request
from ..docs import DocsScreen
from .link import Notify, RunWorker, SessionLink


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

    def __init__(self, link: SessionLink, editor: CodeEditor, notify: Notify, run_worker: RunWorker,
                 show: Callable[[DocsScreen], Awaitable[Any]]) -> None:
        self.link = link
        self.editor = editor
        self.notify = notify
        self.run_worker = run_worker
        self.show = show  # pushes the documentation dialog
        self.asked = 0  # completion requests answered (tests wait on it)

    def complete(self, request: Request) -> None:
        self.run_worker(self._complete(request), group="complete", exclusive=True)

    async def _complete(self, request: Request) -> None:
        editor = self.editor
        try:
            reply = await self.link.service.complete(self.link.target(), request.text, request.line, request.column,
                                                     cell=editor.loaded_cell)
        except PairError as error:
            self.notify(f"No completions: {error.message}", severity="warning", timeout=5)
            return
        finally:
            self.asked += 1
        if not editor.has_focus:
            return
        if not editor.offer(request, reply.value):
            what = name_at(request.text, request.row, request.column)
            self.notify(f"No completions for {what!r}." if what else "No completions here.", timeout=3)

    def docs(self) -> None:
        request = self.editor.request()
        what = name_at(request.text, request.row, request.column)
        if not what:
            self.notify("Put the editor's cursor on a name first (f3 focuses the editor).", severity="warning")
            return
        self.run_worker(self._docs(request, what), group="docs", exclusive=True)

    async def _docs(self, request: Request, what: str) -> None:
        try:
            reply = await self.link.service.help(self.link.target(), request.text, request.line, request.column,
                                                 cell=self.editor.loaded_cell)
        except PairError as error:
            self.notify(f"No documentation: {error.message}", severity="warning", timeout=5)
            return
        if not reply.value.strip():
            self.notify(f"No documentation found for {what!r}.", timeout=4)
            return
        await self.show(DocsScreen(what, reply.value))
