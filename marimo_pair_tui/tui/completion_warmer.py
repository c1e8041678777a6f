"""Start jedi in the background once the app is idle, so the first completion does not wait for it.

The first completion in a process pays for jedi itself: its import, its
builtins stubs, its inspection process, and parsing the modules asked about
(pandas' frame: seconds). After `idle` seconds without a key or a mouse
event, one throwaway completion runs in a daemon thread (quitting never
waits for it); it runs once per app. The thread takes turns with the app
for the interpreter, so keys typed meanwhile still answer.
"""

from __future__ import annotations

import threading
from typing import Any, Callable

from textual.app import App
from textual.timer import Timer

from ..core.api import warm_completion

IDLE = 0.5  # seconds without input before the warm-up starts: early, so it is done by the first completion


class CompletionWarmer:
    """Run `warm` once, in a thread, after `idle` seconds of no input."""

    def __init__(self, app: App[Any], idle: float | None = IDLE, warm: Callable[[], object] = warm_completion) -> None:
        self.app = app
        self.idle = idle  # None: never (the app's tests, which do not complete)
        self.warm = warm
        self._timer: Timer | None = None
        self.started = False
        self.runs = 0  # warm-ups finished (tests wait on it)
        self.found: object = None  # what the warm-up returned (completion names found)
        self.error: BaseException | None = None  # what a warm-up that failed raised

    @property
    def armed(self) -> bool:
        """Waiting for the app to be idle."""
        return self._timer is not None

    def start(self) -> None:
        if self.idle is not None and not self.started:
            self._timer = self.app.set_timer(self.idle, self._idle, name="completion warm-up")

    def input_seen(self) -> None:
        """A key or the mouse: the idle time counts again from now."""
        if self._timer is not None:
            self._timer.reset()

    def _idle(self) -> None:
        self._timer = None
        if self.started:
            return
        self.started = True
        threading.Thread(target=self._run, name="completion-warm-up", daemon=True).start()

    def _run(self) -> None:
        try:
            self.found = self.warm()
        except Exception as error:  # noqa: BLE001 - the user's completions will say what is wrong
            self.error = error
        self.runs += 1
