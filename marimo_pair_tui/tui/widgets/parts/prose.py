"""Text, markdown and error parts: what a cell printed or rendered as words."""

from __future__ import annotations

import re

from rich.text import Text
from textual.widgets import Markdown, Static
from textual.widgets.markdown import MarkdownBlock

from ....core.api import ErrorPart, MarkdownPart, TextPart
from ...terminal_text import escape_controls
from ..marks import marked_content, marked_text
from .plain import plain_text

TEXT_LINES = 200  # lines of a text part shown; the rest is counted


class TextView(Static):
    """Plain text (a repr, a `<pre>` value) as it is, control characters drawn as symbols."""

    DEFAULT_CSS = """
    TextView {
        height: auto;
        width: 1fr;
    }
    """

    def __init__(self, part: TextPart) -> None:
        lines = part.text.rstrip("\n").split("\n")
        shown = "\n".join(lines[:TEXT_LINES])
        text = plain_text(shown)
        if len(lines) > TEXT_LINES:
            text.append(f"\n… {len(lines) - TEXT_LINES} more lines", style="dim")
        super().__init__(text)
        self.text = text

    def mark_matches(self, pattern: re.Pattern[str] | None) -> None:
        self.update(marked_text(self.text, pattern))


class MarkdownView(Markdown):
    """marimo's rendered prose, drawn by Textual's markdown widget from the part's markdown."""

    DEFAULT_CSS = """
    MarkdownView {
        padding: 0 0;
        margin: 0;
        width: 1fr;
    }
    /* a typed subject: `*:last-child` would make every widget's style depend on its place */
    MarkdownView > MarkdownBlock:last-child {
        margin-bottom: 0;
    }
    """

    def __init__(self, part: MarkdownPart) -> None:
        super().__init__(escape_controls(part.markdown))
        self.pattern: re.Pattern[str] | None = None

    def on_markdown_table_of_contents_updated(self, _event: Markdown.TableOfContentsUpdated) -> None:
        """The blocks are built and mounted: mark them (a search may have come first)."""
        if self.pattern is not None:
            self.mark_matches(self.pattern)

    def mark_matches(self, pattern: re.Pattern[str] | None) -> None:
        """Mark the matches in the text of each block built from inline markdown (paragraphs, headings,
        list items, table cells); the blocks keep their unmarked content."""
        self.pattern = pattern
        for block in self.query(MarkdownBlock):
            if block._inline_token is not None:
                block.update(marked_content(block._content, pattern))


class ErrorView(Static):
    """A cell's errors, one per line, as marimo words them."""

    DEFAULT_CSS = """
    ErrorView {
        height: auto;
        color: $text-error;
    }
    """

    def __init__(self, part: ErrorPart) -> None:
        text = Text()
        for index, (kind, message) in enumerate(part.errors):
            if index:
                text.append("\n")
            text.append(f"{kind} error: " if kind == "graph" else "", style="bold")
            text.append(escape_controls(message))
        super().__init__(text)
