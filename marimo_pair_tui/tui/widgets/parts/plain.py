"""Kernel text as widget content that is shown, never obeyed and never read as markup.

Textual reads a `str` label as markup (`[b]` would turn bold, `[@click=…]`
would become an action) and passes most control characters to the terminal;
everything a part carries goes through these instead.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.content import Content
from textual.markup import escape

from ...terminal_text import escape_controls


def plain(text: object) -> Content:
    """A label for a widget: the text as it is, control characters drawn as symbols."""
    return Content(escape_controls(str(text)))


def markup_safe(text: object) -> str:
    """Kernel text for the few places that take only markup (titles): inert, brackets escaped."""
    return escape(escape_controls(str(text)))


def plain_text(text: object, style: str = "") -> Text:
    """A Rich `Text` of kernel text, inert, in one style."""
    return Text(escape_controls(str(text)), style=style)


def shown(value: Any) -> str:
    """A value as a person reads it: 3 rather than 3.0, text without quotes, lists joined."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (list, tuple)):
        return ", ".join(shown(v) for v in value)
    if value is None:
        return "-"
    return str(value)
