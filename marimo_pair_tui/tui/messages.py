"""Typed messages from the core's callbacks into the screens."""

from __future__ import annotations

from textual.message import Message


class ModelChanged(Message):
    """The notebook model changed; the screen reads the pending changes it collected."""


class LiveStateChanged(Message):
    """The live stream connected, dropped, reconnected, or found the session gone."""

    def __init__(self, state: str, detail: str) -> None:
        super().__init__()
        self.state = state
        self.detail = detail
