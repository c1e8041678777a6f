"""One live notebook session mirrored: the model and the kiosk stream that keeps it current.

The service (core/service/pairing_service.py) keeps one per session it follows
(core/service/mirrors.py): the kiosk stream feeds the `Notebook` model, and views
subscribe to its `Changes`. Operations go out through the service, never
through here. No view keeps notebook state of its own.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, Awaitable, Callable, Union

from ..codemode import client
from ..wire.connection import Connection
from ..servers.hub import Hub
from ..wire.live import LiveState, LiveStream
from ..model.notebook import Changes, Notebook
from ..wire.sessions import Target

OnChange = Callable[[Changes], Union[None, Awaitable[None]]]
OnLiveState = Callable[[LiveState, str], Union[None, Awaitable[None]]]
# Told when the followed session ended ("gone") or the stream came back on another session of the
# file ("replaced"); the service (core/service/pairing_service.py) then looks for the notebook's new session.
OnLost = Callable[["Mirror", str], None]


class Mirror:
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
        self.on_lost: OnLost | None = None
        self.shown_session: str | None = None  # the stable id of the session the stream last showed
        self.candidates: list[Target] = []  # when "ambiguous": the notebook's new sessions
        self._moving = False  # the stream shows a new session the target does not name yet

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
    def bytes_received(self) -> int:
        """Bytes the live stream's connection received: a replay still arriving shows here first."""
        return self._stream.bytes_received

    @property
    def stream_state(self) -> LiveState:
        """The stream's own state (`live_state` holds back "live" while a move is pending)."""
        return self._stream.state

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

    def reconnect_now(self) -> None:
        """A stream waiting to reconnect tries again now."""
        self._stream.reconnect_now()

    async def stop(self) -> None:
        self.on_lost = None  # stopped on purpose: nothing to recover
        await self._end_stream()
        self._task = None

    async def _end_stream(self) -> None:
        """Stop the kiosk stream and wait (a little) for its task to end."""
        try:
            await asyncio.wait_for(self._stream.stop(), timeout=10)  # a close handshake never holds us
        except asyncio.TimeoutError:
            pass
        if self._task is not None:
            try:
                await asyncio.wait_for(self._task, timeout=5)
            except (asyncio.TimeoutError, asyncio.CancelledError):
                self._task.cancel()

    async def __aenter__(self) -> "Mirror":
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
        if message.get("op") == "kernel-ready":
            shown = self.notebook.stable_session_id
            previous, self.shown_session = self.shown_session, shown
            if previous and shown and shown != previous and self.on_lost is not None:
                self._moving = True  # not "live" until the target follows: operations would miss
                self.on_lost(self, "replaced")  # the stream reconnected onto a new session of the file

    async def _on_live_state(self, state: LiveState, detail: str) -> None:
        if state == "live" and self._moving:
            return  # `retarget` says "moved", then "live"
        await self.report(state, detail)
        if state == "gone" and self.on_lost is not None:
            self.on_lost(self, "gone")

    async def retarget(self, target: Target, detail: str, *, restart: bool) -> None:
        """Follow `target` (the notebook's new session) from now on, and say so once ("moved").

        With `restart`, the stream is attached afresh; its kernel-ready replaces the model's
        cells (outputs and consoles come again with the replay, never twice). The subscribers,
        the activity log and the model object stay."""
        self.target = target
        self.candidates = []
        self._moving = False
        self.shown_session = target.session.session_id  # its kernel-ready is the one expected
        if restart:
            self._stream.on_state = None  # the old stream ends quietly: its "closed" is no news
            await self._end_stream()
            self._stream = LiveStream(self.connection, target.notebook, self._on_event, self._on_live_state)
        await self.report("moved", detail)
        if restart:
            self._task = asyncio.create_task(self._stream.run())
        else:
            await self.report("live", "")

    async def report(self, state: LiveState, detail: str) -> None:
        """Set the live state and tell every subscriber (the service reports "moved" and "ambiguous")."""
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
        snap = await client.snapshot(self.connection, self.target.session)
        await self._notify(self.notebook.apply_snapshot(snap.raw))
