"""marimo's banners ("Kernel stopped", a kernel that failed to start): a line above the panes until dismissed.

A toast fades; a banner says something that stays true (the kernel is gone,
packages need a restart), so it stays until the person dismisses it (its ✕). The newest undismissed one shows, with how many more wait.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Static

from ..terminal_text import escape_controls


class NoticeBanner(Horizontal):
    """The banners not yet dismissed, newest shown; hidden when there are none."""

    DEFAULT_CSS = """
    NoticeBanner { height: auto; display: none; background: $warning 30%; }
    NoticeBanner.-danger { background: $error 40%; }
    NoticeBanner.-shown { display: block; }
    NoticeBanner > Static { width: 1fr; padding: 0 1; }
    NoticeBanner > Button { min-width: 5; width: 5; height: 1; border: none; }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.waiting: list[tuple[str, bool]] = []  # (text, danger), oldest first

    def compose(self) -> ComposeResult:
        yield Static(id="banner-text")
        yield Button("✕", id="banner-dismiss", tooltip="Dismiss this banner")

    def show(self, title: str, description: str, *, danger: bool) -> None:
        text = f"{title}: {description}" if description else title
        self.waiting.append((text, danger))
        self._draw()

    def dismiss(self) -> None:
        if self.waiting:
            self.waiting.pop()
        self._draw()

    def _draw(self) -> None:
        self.set_class(bool(self.waiting), "-shown")
        if not self.waiting:
            return
        text, danger = self.waiting[-1]
        more = f"  (+{len(self.waiting) - 1} more)" if len(self.waiting) > 1 else ""
        self.set_class(danger, "-danger")
        self.query_one("#banner-text", Static).update(Text(escape_controls(text + more)))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss()
