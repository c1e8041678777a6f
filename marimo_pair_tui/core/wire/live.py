"""The kiosk websocket: a read-only mirror of a session's events, kept alive.

We attach with a fresh consumer id of our own (`s_pair_<random>`): marimo keys
a session's consumers by that id, and reusing the browser's routing id would
silently cut the browser off. With `kiosk=true` and the notebook's path,
marimo attaches us to the first session of that file and replays its state
(`kernel-ready`, then one `cell-op` per cell) before live events flow.

When the socket drops we reconnect with backoff; the replay on reconnect
rebuilds the model. The stream says "live" only once the first message arrived
(marimo accepts the socket before it knows whether the file has a session). A
close with reason MARIMO_NO_SESSION means the session is gone, which is
reported and ends the loop.
"""

from __future__ import annotations

import asyncio
import json
import secrets
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Literal, Union
from urllib.parse import quote, urlsplit, urlunsplit

import websockets
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from .connection import Connection

# "moved": the service found the notebook's new session and follows it now (after a kernel
# restart or a server restarted); "ambiguous": the session is gone and the notebook has several
# new sessions, so the service does not guess (core/service/pairing_service.py reports them).
LiveState = Literal["connecting", "live", "reconnecting", "gone", "closed", "moved", "ambiguous"]
OnEvent = Callable[[dict[str, Any]], Union[None, Awaitable[None]]]
OnState = Callable[[LiveState, str], Union[None, Awaitable[None]]]

NO_SESSION_REASON = "MARIMO_NO_SESSION"
# The detail of a stream that was never live because the server answered the upgrade with a page:
# something that is not marimo is listening there (marimo refuses a missing session by closing).
NOT_A_LIVE_STREAM = "no marimo live stream"
SHUTDOWN_REASON = "MARIMO_SHUTDOWN"


def fresh_consumer_id() -> str:
    """A consumer id that is ours alone (never the browser's routing id)."""
    return f"s_pair_{secrets.token_hex(6)}"


def kiosk_url(server_url: str, notebook_path: str, consumer_id: str) -> str:
    """ws(s)://host/ws?session_id=<ours>&kiosk=true&file=<path>."""
    parts = urlsplit(server_url)
    scheme = "wss" if parts.scheme == "https" else "ws"
    query = f"session_id={quote(consumer_id)}&kiosk=true&file={quote(notebook_path, safe='')}"
    return urlunsplit((scheme, parts.netloc, f"{parts.path.rstrip('/')}/ws", query, ""))


@dataclass
class Backoff:
    """Exponential backoff between reconnect attempts, reset once live."""

    first: float = 0.25
    factor: float = 2.0
    cap: float = 8.0
    _next: float = 0.0

    def reset(self) -> None:
        self._next = 0.0

    def delay(self) -> float:
        self._next = self.first if self._next == 0 else min(self.cap, self._next * self.factor)
        return self._next


async def _call(callback: Callable[..., Any] | None, *args: Any) -> None:
    if callback is None:
        return
    result = callback(*args)
    if asyncio.iscoroutine(result):
        await result


class CountingConnection(ClientConnection):
    """A websocket connection that counts the bytes it receives: a large frame still arriving is
    activity before it is a message (the replay after connecting has no end marker)."""

    bytes_received = 0

    def data_received(self, data: bytes) -> None:
        self.bytes_received += len(data)
        super().data_received(data)


class LiveStream:
    """Follow one notebook's session through a kiosk websocket until stopped."""

    def __init__(
        self,
        connection: Connection,
        notebook_path: str,
        on_event: OnEvent,
        on_state: OnState | None = None,
        backoff: Backoff | None = None,
    ) -> None:
        self.connection = connection
        self.notebook_path = notebook_path
        self.consumer_id = fresh_consumer_id()
        self.on_event = on_event
        self.on_state = on_state
        self.backoff = backoff or Backoff()
        self.state: LiveState = "connecting"
        self._stop = asyncio.Event()
        self._wake = asyncio.Event()  # set to end a wait between reconnect attempts early
        self._ws: Any = None
        self._ever_live = False  # a connection of this run went live (a page after that is an outage)

    async def _set_state(self, state: LiveState, detail: str = "") -> None:
        self.state = state
        await _call(self.on_state, state, detail)

    @property
    def bytes_received(self) -> int:
        """Bytes the current connection received so far (0 between connections)."""
        return int(getattr(self._ws, "bytes_received", 0))

    async def stop(self) -> None:
        """Close the mirror; the browser's session is left as it was."""
        self._stop.set()
        self._wake.set()
        if self._ws is not None:
            await self._ws.close()

    def reconnect_now(self) -> None:
        """While waiting to reconnect: try now (someone needs the stream, and the server answers)."""
        self._wake.set()

    async def run(self) -> LiveState:
        """Receive events until stopped or the session is gone; returns the final state."""
        url = kiosk_url(self.connection.url, self.notebook_path, self.consumer_id)
        self._ever_live = False
        while not self._stop.is_set():
            try:
                reason = await self._follow(url)
            except InvalidStatus as exc:
                status = exc.response.status_code
                refusal = self._refusal(status)
                if refusal is not None:
                    await self._set_state("gone", refusal)
                    return self.state
                reason = f"HTTP {status}"
            if self._stop.is_set():
                break
            if reason == NO_SESSION_REASON:
                await self._set_state("gone", "the notebook's session is gone (closed or restarted)")
                return self.state
            await self._wait_to_reconnect(reason)
        await self._set_state("closed")
        return self.state

    async def _follow(self, url: str) -> str:
        """One connection: its messages dispatched until it closes; returns why it closed (a refused
        upgrade is raised as InvalidStatus: `run` decides whether that ends the stream)."""
        try:
            async with connect(
                url,
                additional_headers=self.connection.auth_headers(),
                max_size=None,
                open_timeout=10,
                create_connection=CountingConnection,
                ping_interval=20,
            ) as ws:
                self._ws = ws
                first = True
                async for raw in ws:
                    await self._dispatch(raw)
                    if first:  # a session answered (kernel-ready, now applied): live, not before
                        first, self._ever_live = False, True
                        await self._set_state("live")
                        self.backoff.reset()
            return ws.close_reason or ""
        except ConnectionClosed as exc:
            return exc.rcvd.reason if exc.rcvd is not None else ""
        except InvalidStatus:
            raise
        except (OSError, asyncio.TimeoutError, websockets.exceptions.InvalidHandshake) as exc:
            return exc.__class__.__name__
        finally:
            self._ws = None

    def _refusal(self, status: int) -> str | None:
        """Why an HTTP answer to the upgrade ends the stream for good, or None to try again: a refused
        token does not mend itself, and a page where no stream was ever live means it is not marimo."""
        if status in (401, 403):
            return f"the server refused the live stream ({status}): check the token"
        if not self._ever_live and status in (200, 404):
            return f"{NOT_A_LIVE_STREAM}: {self.connection.url} answered HTTP {status} to the websocket upgrade"
        return None

    async def _wait_to_reconnect(self, reason: str) -> None:
        """Say the stream is reconnecting, then wait out the backoff (or until woken early)."""
        self._wake.clear()
        await self._set_state("reconnecting", reason or "connection lost")
        try:
            await asyncio.wait_for(self._wake.wait(), timeout=self.backoff.delay())
        except asyncio.TimeoutError:
            pass

    async def _dispatch(self, raw: str | bytes) -> None:
        try:
            message = json.loads(raw)
        except (ValueError, RecursionError):  # not JSON, or nested past the parser: not a message we use
            return
        if isinstance(message, dict) and "op" in message:
            await _call(self.on_event, message)
