"""Typed messages from the live mirror's callbacks into the screens, carrying their data."""

from __future__ import annotations

from textual.message import Message

from ..core.api import Changes


def merged(first: Changes, then: Changes) -> Changes:
    """One `Changes` that says what both said (core's `Changes.__or__`: every field merged)."""
    return first | then


class ModelChanged(Message):
    """The notebook model changed: `changes` says what, so views refresh only that."""

    def __init__(self, changes: Changes) -> None:
        super().__init__()
        self.changes = changes

    def can_replace(self, message: Message) -> bool:
        """A burst of stream events is applied once: when the next message in the queue is
        another `ModelChanged`, it takes this one's changes and this one is dropped."""
        if isinstance(message, ModelChanged):
            message.changes = merged(self.changes, message.changes)
            return True
        return False


class LiveStateChanged(Message):
    """The live stream connected, dropped, reconnected, or found the session gone."""

    def __init__(self, state: str, detail: str) -> None:
        super().__init__()
        self.state = state
        self.detail = detail
