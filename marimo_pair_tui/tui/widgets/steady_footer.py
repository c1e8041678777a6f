"""A footer that is rebuilt only when the keys it shows change.

Textual's Footer rebuilds all its key widgets whenever the focus moves,
though moving from cell to cell in the notebook view changes none of the
keys it shows: measured, each step cost ~30 new widgets and about 0.5 MB
that stayed (a thousand steps through a long notebook, half a gigabyte).
"""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widgets import Footer


class SteadyFooter(Footer):
    """Footer, rebuilt only when the shown keys (or their enabled state or text) differ."""

    _shown_keys: Any = None

    def _keys(self, screen: Screen) -> Any:
        active = screen.active_bindings
        shown = tuple((binding.key, binding.action, binding.description, enabled, tooltip)
                      for (_node, binding, enabled, tooltip) in active.values() if binding.show)
        palette = active.get(self.app.COMMAND_PALETTE_BINDING)
        return shown, None if palette is None else palette[2:]

    def bindings_changed(self, screen: Screen) -> None:
        if self.is_attached and screen is self.screen and screen.app.app_focus:
            keys = self._keys(screen)
            if keys == self._shown_keys and self._bindings_ready:
                return
            self._shown_keys = keys
        super().bindings_changed(screen)
