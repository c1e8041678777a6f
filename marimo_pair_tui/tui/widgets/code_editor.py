"""The editor pane: Python with tree-sitter highlighting, theme following light/dark.

The editor knows which cell its text came from (its `origin`): the cell id
and that cell's code when it was read, the base of the conflict check. The
origin is a reactive; every change of it posts `CodeEditor.OriginChanged`,
so the one handler that titles the editor and saves the draft hears them all.

The text is the cell's code byte for byte (an apply sends exactly it), but
TextArea draws control characters raw, so an ESC in loaded code would reach
the terminal: `render_line` shows them inert, in the drawn line only.

Completion: tab after a name or a dot (elsewhere tab indents) and ctrl+space
post `CompletionRequested` with the text and the cursor; whoever answers
calls `offer()`, which opens the editor's `CompletionMenu` by the cursor.
While it is open the editor keeps the focus and gives the menu up, down,
enter, tab (insert) and escape (close); typing narrows the list.

alt+e hands the text to the user's own editor ($VISUAL, else $EDITOR; see
tui/external_editor.py) and puts back what they saved as one undoable edit.
The origin stays, so an apply of the edited text is still checked against
the code it was loaded from; an editor that fails leaves the text as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from textual import events
from textual.binding import Binding
from textual.message import Message
from rich.segment import Segment
from textual.reactive import reactive
from textual.strip import Strip
from textual.widgets import TextArea

from ...core.api import Completion
from ..external_editor import edit
from ..terminal_text import escape_controls
from .completion_menu import CompletionMenu, matching

DARK_THEME = "monokai"
LIGHT_THEME = "github_light"


def is_name_char(char: str) -> bool:
    return char.isalnum() or char == "_"


@dataclass(frozen=True)
class Request:
    """Where completion was asked: the text, the cursor (row and column, 0-based)."""

    text: str
    row: int
    column: int

    @property
    def line(self) -> int:
        """jedi's line: 1-based."""
        return self.row + 1


@dataclass(frozen=True)
class Origin:
    """The cell the editor text was loaded from, and that cell's code at the time."""

    cell_id: str
    base: str | None = None


class CodeEditor(TextArea):
    """A `TextArea.code_editor` for Python that knows which cell its text came from.

    `loaded_cell` is the id of the cell the text was loaded from and `base`
    that cell's code at the time: an apply sends `base`, so marimo refuses it
    when someone changed the cell meanwhile. Both are read from `origin`.
    """

    DEFAULT_CSS = """
    CodeEditor {
        border: round $primary 50%;
        border-title-color: $text-muted;
        height: 1fr;
    }
    CodeEditor:focus {
        border: round $primary;
    }
    """

    BINDINGS = [
        Binding("ctrl+space,ctrl+@", "complete", "complete", id="complete", show=False,
                tooltip="Complete the name at the cursor (tab after a name or a dot does too): the list shows "
                        "name, kind and signature; enter or tab inserts, esc closes"),
        Binding("alt+e", "external_edit", "your editor", id="external-editor", show=False, priority=True,
                tooltip="Edit the text in your own editor ($VISUAL, else $EDITOR); saved and closed, it comes back "
                        "here (ctrl+z undoes it) and still applies with the conflict check"),
    ]

    origin: reactive[Origin | None] = reactive(None, init=False)

    class CompletionRequested(Message):
        """Completions are wanted for `request` (the editor's text and cursor when asked)."""

        def __init__(self, editor: "CodeEditor", request: Request) -> None:
            super().__init__()
            self.editor = editor
            self.request = request

        @property
        def control(self) -> "CodeEditor":
            return self.editor

    class OriginChanged(Message):
        """The editor text now comes from another cell (or none: a snippet), or from newer code."""

        def __init__(self, editor: "CodeEditor", origin: Origin | None) -> None:
            super().__init__()
            self.editor = editor
            self.origin = origin

        @property
        def control(self) -> "CodeEditor":
            return self.editor

    @classmethod
    def python(cls, text: str = "", *, id: str | None = None, placeholder: str = "") -> "CodeEditor":
        editor = cls.code_editor(text, language="python", id=id, placeholder=placeholder)
        assert isinstance(editor, CodeEditor)
        return editor

    @property
    def loaded_cell(self) -> str | None:
        return self.origin.cell_id if self.origin is not None else None

    @property
    def base(self) -> str | None:
        return self.origin.base if self.origin is not None else None

    menu: CompletionMenu | None = None  # set by the screen that shows it
    external_edits = 0  # trips to the user's editor, however they ended (tests wait on it)
    _offered: tuple[Request, list[Completion]] | None = None

    # -- completion -----------------------------------------------------------

    @property
    def completing(self) -> bool:
        """The completion menu is open."""
        return self.menu is not None and self.menu.shown

    def request(self) -> Request:
        row, column = self.cursor_location
        return Request(self.text, row, column)

    def wants_completion(self) -> bool:
        """Tab completes after a name character or a dot; elsewhere it indents."""
        row, column = self.cursor_location
        if column == 0 or self.selected_text:
            return False
        before = self.document.get_line(row)[column - 1]
        return is_name_char(before) or before == "."

    def action_complete(self) -> None:
        self.post_message(self.CompletionRequested(self, self.request()))

    def action_external_edit(self) -> None:
        """The text through the user's editor; on failure it stays as it was and the user is told why."""
        if self.read_only:
            return
        self.close_completion()
        edited = edit(self.text, self.app.suspend)
        self.external_edits += 1
        if edited.text is None:
            self.notify(f"{edited.problem} The editor text is unchanged.", title="Your editor", severity="error",
                        timeout=10)
        elif edited.text != self.text:
            self.replace_all(edited.text)

    def offer(self, request: Request, items: Sequence[Completion]) -> int:
        """Open the menu with `items` for `request`, narrowed by what was typed since; how many are shown.
        Nothing is shown when the cursor left the line or went before where the name began."""
        self._offered = (request, list(items))
        return self._narrow()

    def _typed(self) -> tuple[int, str] | None:
        """How many characters before the cursor a completion replaces, and those characters."""
        if self._offered is None:
            return None
        request, items = self._offered
        row, column = self.cursor_location
        if row != request.row or not items:
            return None
        replace = items[0].prefix_length + (column - request.column)
        if replace < 0:
            return None
        line = self.document.get_line(row)
        typed = line[column - replace:column]
        if not all(is_name_char(c) for c in typed):
            return None
        return replace, typed

    def _narrow(self) -> int:
        found = self._typed()
        if self.menu is None or found is None or self._offered is None:
            self.close_completion()
            return 0
        shown = matching(self._offered[1], found[1])
        if not shown:
            self.close_completion()
            return 0
        cursor = self.cursor_screen_offset
        self.menu.show_items(shown, cursor - (len(found[1]), 0), self.screen.size)
        return len(shown)

    def close_completion(self) -> None:
        self._offered = None
        if self.menu is not None and self.menu.shown:
            self.menu.hide()

    def accept_completion(self) -> str | None:
        """Insert the highlighted completion in place of what was typed of it; the name inserted."""
        item = self.menu.chosen if self.menu is not None else None
        found = self._typed()
        self.close_completion()
        if item is None or found is None:
            return None
        replace, _typed = found
        row, column = self.cursor_location
        self.replace(item.name, (row, column - replace), (row, column))
        return item.name

    async def _on_key(self, event: events.Key) -> None:
        if self.completing:
            key = event.key
            if key in ("up", "down", "enter", "tab", "escape"):
                event.stop()
                event.prevent_default()
                if key in ("up", "down"):
                    assert self.menu is not None
                    self.menu.step(-1 if key == "up" else 1)
                elif key == "escape":
                    self.close_completion()
                else:
                    self.accept_completion()
                return
        elif event.key == "tab" and not self.read_only and self.wants_completion():
            event.stop()
            event.prevent_default()
            self.action_complete()
            return
        await super()._on_key(event)

    def _on_text_area_changed(self, _event: TextArea.Changed) -> None:
        if self._offered is not None:
            self._narrow()

    def _on_text_area_selection_changed(self, _event: TextArea.SelectionChanged) -> None:
        if self._offered is not None and self._typed() is None:
            self.close_completion()

    def _on_blur(self, event: events.Blur) -> None:
        self.close_completion()
        super()._on_blur(event)

    def watch_origin(self, origin: Origin | None) -> None:
        self.post_message(self.OriginChanged(self, origin))

    def on_mount(self) -> None:
        self.follow_theme()
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self.follow_theme())

    def follow_theme(self) -> None:
        self.theme = DARK_THEME if self.app.current_theme.dark else LIGHT_THEME

    def render_line(self, y: int) -> Strip:
        """The drawn line, with control characters of the text shown inert (the text is unchanged).

        TextArea measures a control character as zero cells and its visible form
        takes one or more, so the line is cut back to the width it was drawn for.
        """
        strip = super().render_line(y)
        shown = [Segment(escape_controls(text), style, control) for text, style, control in strip]
        if all(a.text == b.text for a, b in zip(shown, strip)):
            return strip
        return Strip(shown).crop_extend(0, strip.cell_length, None)

    def replace_all(self, text: str) -> None:
        """Replace the whole text as one undoable edit (ctrl+z brings the old text back)."""
        self.replace(text, self.document.start, self.document.end)
