"""A search's matches (ctrl+f) marked in what the notebook view draws: code, console and outputs.

The pattern is the one the session service's `grep` compiled; it is matched line by line in the
text as drawn, as `grep` matches line by line in the text it reads.
"""

from __future__ import annotations

import re
from typing import Protocol, runtime_checkable

from rich.text import Text
from textual.content import Content

MARK_STYLE = "bold reverse"


def spans(plain: str, pattern: re.Pattern[str] | None) -> list[tuple[int, int]]:
    """Where `pattern` matches in `plain`, line by line as the search matches (none of no characters)."""
    found: list[tuple[int, int]] = []
    if pattern is None:
        return found
    offset = 0
    for line in plain.split("\n"):
        found.extend((offset + m.start(), offset + m.end()) for m in pattern.finditer(line) if m.end() > m.start())
        offset += len(line) + 1
    return found


def marked_text(text: Text, pattern: re.Pattern[str] | None) -> Text:
    """A copy of `text` with the matches marked (`text` itself when there are none)."""
    found = spans(text.plain, pattern)
    if not found:
        return text
    marked = text.copy()
    for start, end in found:
        marked.stylize(MARK_STYLE, start, end)
    return marked


def marked_content(content: Content, pattern: re.Pattern[str] | None) -> Content:
    """`content` with the matches marked."""
    for start, end in spans(content.plain, pattern):
        content = content.stylize(MARK_STYLE, start, end)
    return content


@runtime_checkable
class Markable(Protocol):
    """An output part's widget that marks the matches in what it draws."""

    def mark_matches(self, pattern: re.Pattern[str] | None) -> None: ...
