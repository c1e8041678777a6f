"""The editor pane: Python with tree-sitter highlighting, theme following light/dark."""

from __future__ import annotations

from textual.widgets import TextArea

DARK_THEME = "monokai"
LIGHT_THEME = "github_light"


class CodeEditor(TextArea):
    """A `TextArea.code_editor` for Python that knows which cell its text came from.

    `loaded_cell` is the id of the cell the text was loaded from and `base`
    that cell's code at the time: an apply sends `base`, so marimo refuses it
    when someone changed the cell meanwhile.
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

    loaded_cell: str | None = None
    base: str | None = None

    @classmethod
    def python(cls, text: str = "", *, id: str | None = None, placeholder: str = "") -> "CodeEditor":
        editor = cls.code_editor(text, language="python", id=id, placeholder=placeholder)
        assert isinstance(editor, CodeEditor)
        return editor

    def on_mount(self) -> None:
        self.follow_theme()
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self.follow_theme())

    def follow_theme(self) -> None:
        self.theme = DARK_THEME if self.app.current_theme.dark else LIGHT_THEME

    def replace_all(self, text: str) -> None:
        """Replace the whole text as one undoable edit (ctrl+z brings the old text back)."""
        self.replace(text, self.document.start, self.document.end)
