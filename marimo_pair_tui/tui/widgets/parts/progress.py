"""A progress bar or spinner as the kernel last sent it, redrawn in place as it moves.

marimo re-sends a running cell's whole output on every tick; the output view
hands a new ProgressPart to the widget already drawn (`show`) instead of
mounting a new one, so a loop that ticks a thousand times costs a label and
a bar update each, and keys stay answered.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import ProgressBar, Static

from ....core.api import ProgressPart, part_text
from .plain import plain_text


class ProgressView(Vertical):
    """The part's line (`[progress] Loading 30/100 (30%) — eta 2s`) and, for a bar, a drawn bar."""

    DEFAULT_CSS = """
    ProgressView {
        height: auto;
        width: 1fr;
    }
    ProgressView > ProgressBar {
        height: 1;
    }
    """

    def __init__(self, part: ProgressPart) -> None:
        super().__init__()
        self.part = part
        self._label = Static(self._line(part))
        self._bar: ProgressBar | None = None
        if not part.spinner:
            self._bar = ProgressBar(total=part.total or None, show_eta=False, show_percentage=False)
            self._move(part)

    def compose(self) -> ComposeResult:
        yield self._label
        if self._bar is not None:
            yield self._bar

    def fits(self, part: ProgressPart) -> bool:
        """True when `part` can be drawn by this widget (a bar stays a bar, a spinner a spinner)."""
        return part.spinner == self.part.spinner

    def show(self, part: ProgressPart) -> None:
        """Draw `part` in place of the one shown."""
        self.part = part
        self._label.update(self._line(part))
        self._move(part)

    def _move(self, part: ProgressPart) -> None:
        if self._bar is not None and part.current is not None:
            self._bar.update(total=part.total or None, progress=part.current)

    @staticmethod
    def _line(part: ProgressPart) -> Text:
        return plain_text(part_text(part), "bold" if part.done else "")
