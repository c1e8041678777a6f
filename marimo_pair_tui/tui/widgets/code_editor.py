"""The editor pane: Python with tree-sitter highlighting, theme following light/dark.

The editor knows which cell its text came from (its `origin`): the cell id
and that cell's code when it was read, the base of the conflict check. The
origin is a reactive; every change of it posts `CodeEditor.OriginChanged`,
so the one handler that titles the editor and saves the draft hears them all.

The text is the cell's code byte for byte (an apply sends exactly it), but
TextArea draws control characters raw, so an ESC in loaded code would reach
the terminal: `render_line` shows them inert, in the drawn line only.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message
from rich.segment import Segment
from textual.reactive import reactive
from textual.strip import Strip
from textual.widgets import TextArea

from ..inert import inert

DARK_THEME = "monokai"
LIGHT_THEME = "github_light"


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

    origin: reactive[Origin | None] = reactive(None, init=False)

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
        shown = [Segment(inert(text), style, control) for text, style, control in strip]
        if all(a.text == b.text for a, b in zip(shown, strip)):
            return strip
        return Strip(shown).crop_extend(0, strip.cell_length, None)

    def replace_all(self, text: str) -> None:
        """Replace the whole text as one undoable edit (ctrl+z brings the old text back)."""
        self.replace(text, self.document.start, self.document.end)
