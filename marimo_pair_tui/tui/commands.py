"""Command palette (ctrl+p): every action of the current screen, with its key."""

from __future__ import annotations

from functools import partial
from typing import Iterator

from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider


class ScreenCommands(Provider):
    """The bindings of the screen the palette was opened from, searchable by name."""

    def _commands(self) -> Iterator[tuple[str, str, Binding]]:
        screen = self.screen
        app = self.app
        describe = getattr(app, "key_display", None)
        for binding in getattr(screen, "BINDINGS", []):
            if not isinstance(binding, Binding) or binding.id is None:
                continue
            title = (binding.tooltip or binding.description or binding.action).rstrip(".")
            keys = describe(binding) if describe else binding.key
            yield title, f"{keys}  ({binding.id})", binding

    def _run(self, binding: Binding) -> None:
        self.app.call_later(self.screen.run_action, binding.action)

    async def discover(self) -> Hits:
        for title, help_text, binding in self._commands():
            yield DiscoveryHit(title, partial(self._run, binding), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, binding in self._commands():
            score = max(matcher.match(title), matcher.match(binding.id or "") * 0.9)
            if score > 0:
                yield Hit(score, matcher.highlight(title), partial(self._run, binding), help=help_text)
