"""The editor's completion menu: a small list by the cursor, never focused.

The editor keeps the focus while the menu is open and hands it the keys that
move or accept (up, down, enter, tab, escape); typing goes on in the editor
and narrows the list. The menu is drawn on the screen's top layer at an
absolute offset, so it is not clipped by the editor's border.
"""

from __future__ import annotations

from typing import Sequence

from rich.text import Text
from textual.geometry import Offset, Size
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from ...core.api import Completion
from ..terminal_text import escape_controls

ROWS = 8  # items shown at once
WIDTH = 60  # columns at most
NAME_WIDTH = 28  # columns the names are padded to, at most
KIND_WIDTH = 9


def completion_label(item: Completion, name_width: int = 0, width: int = WIDTH) -> Text:
    """One row: the name in bold (padded to `name_width`), its kind dimmed, its signature (parameters and
    return type); one line of `width`."""
    label = Text(no_wrap=True, overflow="ellipsis")
    label.append(escape_controls(item.name).ljust(name_width), style="bold")
    label.append(f"  {escape_controls(item.kind):<{KIND_WIDTH}}", style="dim")
    signature = escape_controls(item.signature)
    if signature.startswith(item.name + "("):
        signature = signature[len(item.name):]  # the name is in the first column
    if signature and signature != item.name:
        label.append(f" {signature}", style="italic")
    label.truncate(width, overflow="ellipsis")
    return label


def matching(items: Sequence[Completion], typed: str) -> list[Completion]:
    """The items whose name starts with `typed` (case-insensitive, as jedi matches)."""
    lowered = typed.lower()
    return [item for item in items if item.name.lower().startswith(lowered)]


class CompletionMenu(OptionList):
    """The completions for the editor's cursor; `items` are the ones shown, in order."""

    DEFAULT_CSS = """
    CompletionMenu {
        layer: completion;
        position: absolute;
        display: none;
        height: auto;
        max-height: 10;
        border: round $accent;
        background: $surface;
        padding: 0;
        scrollbar-size-vertical: 1;
    }
    CompletionMenu > .option-list--option-highlighted {
        background: $accent 40%;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.can_focus = False
        self.items: list[Completion] = []

    @property
    def shown(self) -> bool:
        return bool(self.display)

    @property
    def chosen(self) -> Completion | None:
        """The highlighted item."""
        index = self.highlighted
        return self.items[index] if index is not None and 0 <= index < len(self.items) else None

    def show_items(self, items: Sequence[Completion], cursor: Offset, screen: Size) -> None:
        """Show `items` below `cursor` (where the name begins; above it when there is no room below),
        inside the `screen`; none: hide."""
        self.items = list(items)
        if not self.items:
            self.hide()
            return
        name_width = min(NAME_WIDTH, max(len(item.name) for item in self.items))
        width = max(20, min(WIDTH, screen.width))
        labels = [completion_label(item, name_width, width - 3) for item in self.items]  # border, scrollbar
        width = min(width, max(label.cell_len for label in labels) + 3)
        self.clear_options()
        self.add_options([Option(label) for label in labels])
        self.highlighted = 0
        rows = min(len(self.items), ROWS) + 2
        x = max(0, min(cursor.x - 1, screen.width - width))
        below = cursor.y + 1
        y = below if below + rows <= screen.height else max(0, cursor.y - rows)
        self.styles.offset = (x, y)
        self.styles.height = rows
        self.styles.width = width
        self.display = True

    def hide(self) -> None:
        self.display = False
        self.items = []

    def step(self, delta: int) -> None:
        """Move the highlight by `delta`, wrapping around."""
        if not self.items:
            return
        current = self.highlighted if self.highlighted is not None else 0
        self.highlighted = (current + delta) % len(self.items)
