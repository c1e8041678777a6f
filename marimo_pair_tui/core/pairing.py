"""One live notebook session mirrored: the model and the kiosk stream that keeps it current.

The service (core/service.py) keeps one per session it follows
(core/mirrors.py): the kiosk stream feeds the `Notebook` model, and views
subscribe to its `Changes`. Operations go out through the service, never
through here. No view keeps notebook state of its own.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, Awaitable, Callable, Union

from . import codemode
from .connection import Connection
from .hub import Hub
from .live import LiveState, LiveStream
from .notebook import Changes, Notebook
from .sessions import Target

OnChange = Callable[[Changes], Union[None, Awaitable[None]]]
OnLiveState = Callable[[LiveState, str], Union[None, Awaitable[None]]]


class PairingSession:
    """A target session mirrored into a `Notebook`, with the operations that change it."""

    def __init__(
        self,
        hub: Hub,
        target: Target,
        on_change: OnChange | None = None,
        on_state: OnLiveState | None = None,
    ) -> None:
        self.hub = hub
        self.target = target
        self.notebook = Notebook()
        self._change_listeners: list[OnChange] = [on_change] if on_change is not None else []
        self._state_listeners: list[OnLiveState] = [on_state] if on_state is not None else []
        self.live_state: LiveState = "connecting"
        self.live_detail = ""
        self._changed = asyncio.Condition()
        self._stream = LiveStream(self.connection, target.notebook, self._on_event, self._on_live_state)
        self._task: asyncio.Task[LiveState] | None = None

    def subscribe(self, on_change: OnChange | None = None, on_state: OnLiveState | None = None) -> Callable[[], None]:
        """Hear every model change and live-state change; returns what to call to stop hearing them."""
        if on_change is not None:
            self._change_listeners.append(on_change)
        if on_state is not None:
            self._state_listeners.append(on_state)

        def unsubscribe() -> None:
            if on_change in self._change_listeners:
                self._change_listeners.remove(on_change)
            if on_state in self._state_listeners:
                self._state_listeners.remove(on_state)

        return unsubscribe

    @property
    def started(self) -> bool:
        return self._task is not None

    @property
    def connection(self) -> Connection:
        return self.hub.connection(self.target.server)

    # -- the live mirror -------------------------------------------------

    async def start(self, *, wait_ready: float | None = 15.0) -> None:
        """Attach the kiosk mirror; optionally wait until the first replay arrived."""
        self._task = asyncio.create_task(self._stream.run())
        if wait_ready is not None:
            await self.wait_until(lambda nb: nb.version > 0 or self.live_state == "gone", timeout=wait_ready)

    async def stop(self) -> None:
        await self._stream.stop()
        if self._task is not None:
            try:
                await asyncio.wait_for(self._task, timeout=5)
            except (asyncio.TimeoutError, asyncio.CancelledError):
                self._task.cancel()
            self._task = None

    async def __aenter__(self) -> "PairingSession":
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def _notify(self, changes: Changes) -> None:
        async with self._changed:
            self._changed.notify_all()
        if changes:
            for listener in list(self._change_listeners):
                result = listener(changes)
                if asyncio.iscoroutine(result):
                    await result

    async def _on_event(self, message: dict[str, Any]) -> None:
        changes = self.notebook.apply_event(message)
        await self._notify(changes)

    async def _on_live_state(self, state: LiveState, detail: str) -> None:
        self.live_state, self.live_detail = state, detail
        await self._notify(Changes(kernel=True))
        for listener in list(self._state_listeners):
            result = listener(state, detail)
            if asyncio.iscoroutine(result):
                await result

    async def wait_until(self, predicate: Callable[[Notebook], bool], timeout: float) -> bool:
        """Wait (with a deadline) until the model satisfies `predicate`; False on timeout."""
        deadline = time.monotonic() + timeout
        async with self._changed:
            while not predicate(self.notebook):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                try:
                    await asyncio.wait_for(self._changed.wait(), timeout=remaining)
                except asyncio.TimeoutError:
                    return predicate(self.notebook)
        return True

    async def refresh(self) -> None:
        """Re-read every cell through code_mode (defs, refs, statuses) into the model."""
        snap = await codemode.snapshot(self.connection, self.target.session)
        await self._notify(self.notebook.apply_snapshot(snap.raw))
