"""The theme the user picks is kept in config.toml (`[app] theme`) and used at the next start.

The theme is changed with Textual's own picker (ctrl+p, "Theme"); each change
the user makes is written to the file, keeping the rest of it as it was. A
name in the file that is not one of the app's themes is told about once and
the default theme used; the file keeps it until the user picks another.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.app import App
from textual.theme import Theme

from ..core.api import ConfigEditError, config_path, set_config_value
from .config import Config

SECTION, KEY = "app", "theme"


class ThemeSetting:
    """Apply the configured theme on mount; save the theme whenever it changes."""

    def __init__(self, app: App[Any], config: Config) -> None:
        self.app = app
        self.path: Path = config.path or config_path()
        self.wanted = config.theme
        self.saved = config.theme  # the name the file holds now
        self.saves = 0  # changes written (tests wait on it)
        self.problem: str | None = None  # the last save's failure, told once

    def apply(self) -> None:
        """Use the configured theme, or say why not; then follow the user's changes."""
        if self.wanted is not None:
            if self.wanted in self.app.available_themes:
                self.app.theme = self.wanted
            else:
                self.app.notify(
                    f"{self.path}: app.theme {self.wanted!r} is not a theme of this app; the default theme "
                    f"({self.app.theme}) is used. Pick one with ctrl+p, \"Theme\": it is saved there.",
                    title="config.toml", severity="warning", timeout=12,
                )
        self.app.theme_changed_signal.subscribe(self.app, self._changed)

    def _changed(self, theme: Theme) -> None:
        if theme.name == self.saved:
            return
        try:
            set_config_value(SECTION, KEY, theme.name, self.path)
        except ConfigEditError as error:
            if self.problem != str(error):
                self.problem = str(error)
                self.app.notify(f"{error} The theme is used until the app quits.", title="Theme not saved",
                                severity="warning", timeout=12)
            return
        self.problem = None
        self.saved = theme.name
        self.saves += 1
