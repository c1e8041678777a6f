"""Run code in a session's kernel scratchpad through `POST /api/kernel/execute`.

The answer is a Server-Sent Events stream (parsed by httpx-sse): `stdout` and
`stderr` events as the code prints, then one `done`. A stream that ends
without `done` leaves the outcome unknown: the code may have run, so it is
reported as such and never sent again.

What a stream says is read by `ExecStream`, one event at a time: events of
other names are ignored (marimo may add some), a `stdout`/`stderr` event
whose data is not `{"data": "<text>"}` is left out with a warning (the run
goes on: closing the request would interrupt the kernel), and a `done` whose
data cannot be read leaves the outcome unknown.
"""

from __future__ import annotations

import asyncio
import json
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, AsyncIterator, Awaitable, Callable, Iterator, Literal, Mapping, Optional, Protocol, Union

import httpx
from httpx_sse import EventSource, ServerSentEvent, SSEError

from .connection import Connection
from ..errors import NotMarimoError, OutcomeUnknownError, PairError, StaleSessionError
from .kernel import kernel_state
from .sessions import SessionRef

Channel = Literal["stdout", "stderr"]
OnOutput = Callable[[Channel, str], Union[None, Awaitable[None]]]


class Ticket(Protocol):
    """What `execute` tells of one request it sends: each piece of output, and how it ended (once)."""

    def printed(self, channel: str, text: str) -> None: ...

    def withdraw(self) -> None:
        """Refused before anything ran."""

    def done(self, success: bool, stdout: str, stderr: str, output: Mapping[str, Any] | None) -> None: ...

    def unknown(self, stdout: str, stderr: str) -> None:
        """The answer was lost: the code may have run."""


# Told the code just before it is sent; returns the ticket that hears how it goes (see `announcing`).
Announce = Callable[[str], Optional[Ticket]]

_announce: ContextVar[Announce | None] = ContextVar("marimo_pair_tui_announce", default=None)


@contextmanager
def announcing(listener: Announce) -> Iterator[None]:
    """Within this block (this task), tell `listener` each code `execute` is about to send.

    The service uses it so the session's activity log holds every request it
    sends, code_mode programs included, and knows which scratchpad runs are this
    client's own, without every operation passing the program text back up.
    """
    token = _announce.set(listener)
    try:
        yield
    finally:
        _announce.reset(token)


@dataclass
class ExecResult:
    """What a snippet did: its success, what it printed, and its last expression's output."""

    success: bool
    stdout: str = ""
    stderr: str = ""
    output: dict[str, str] | None = None
    # What the stream held that could not be read (left out of stdout/stderr).
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "success": self.success,
            "stdout": self.stdout,
            "stderr": self.stderr,
            "output": self.output,
        }


def session_headers(session: SessionRef) -> dict[str, str]:
    """The header that names a session: the stable id when the server has one."""
    if session.session_id:
        return {"Marimo-Stable-Session-Id": session.session_id}
    return {"Marimo-Session-Id": session.routing_id}


def _output_of(payload: dict[str, Any]) -> dict[str, str] | None:
    raw = payload.get("output")
    if not isinstance(raw, dict):
        return None
    data = raw.get("data")
    if data in (None, ""):
        return None
    if not isinstance(data, str):
        try:
            data = json.dumps(data)
        except (ValueError, RecursionError):
            return None
    mimetype = raw.get("mimetype")
    return {"mimetype": mimetype if isinstance(mimetype, str) and mimetype else "text/plain", "data": data}


def _json_of(data: str) -> Any:
    """The JSON value an event's data holds; ValueError when it holds none."""
    try:
        return json.loads(data)
    except RecursionError:
        raise ValueError("nested too deeply") from None


class ExecStream:
    """The execute stream read so far: the output, the end once `done` came, what was left out."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        self.warnings: list[str] = []
        self.result: ExecResult | None = None

    def feed(self, event: str, data: str) -> tuple[Channel, str] | None:
        """Take one event; returns the output it carries, if any.

        Sets `result` on `done`. Raises OutcomeUnknownError when `done`
        cannot be read (the run ended, but how is not known). Never anything else.
        """
        if self.result is not None or event not in ("stdout", "stderr", "done"):
            return None
        try:
            payload = _json_of(data)
        except ValueError:
            payload = None
        if event == "done":
            success = payload.get("success") if isinstance(payload, dict) else None
            if not isinstance(success, bool):
                raise self.unknown(
                    f"{self.url} ended the run with a `done` event that could not be read "
                    "(not a JSON object with a true/false `success`)."
                )
            self.result = ExecResult(
                success=success,
                stdout="".join(self.stdout),
                stderr="".join(self.stderr),
                output=_output_of(payload),
                warnings=list(self.warnings),
            )
            return None
        text = payload.get("data") if isinstance(payload, dict) else None
        if not isinstance(text, str):
            self.warnings.append(
                f"{self.url} sent a {event} event that could not be read "
                f"(not a JSON object with a text `data`); it was left out of {event}."
            )
            return None
        channel: Channel = "stdout" if event == "stdout" else "stderr"
        (self.stdout if channel == "stdout" else self.stderr).append(text)
        return channel, text

    def unknown(self, message: str) -> OutcomeUnknownError:
        """The error for a run whose outcome is not known, with the output so far."""
        details: dict[str, Any] = {"stdout": "".join(self.stdout), "stderr": "".join(self.stderr)}
        if self.warnings:
            details["warnings"] = list(self.warnings)
        return OutcomeUnknownError(message, **details)


SILENT_CHECK = 10.0  # seconds without an event before the kernel is asked whether it still runs
IDLE_CHECKS = 2  # consecutive "idle" answers (SILENT_CHECK apart) that mean the stream will not end


async def _watched(events: AsyncIterator[ServerSentEvent], connection: Connection, session: SessionRef,
                   stream: "ExecStream") -> AsyncIterator[ServerSentEvent]:
    """The stream's events; but when it is silent while the kernel says it is idle, the run is over and its
    `done` was lost (seen with very large outputs under load): the outcome is unknown, never a hang."""
    pending: asyncio.Future[ServerSentEvent] = asyncio.ensure_future(events.__anext__())
    idle = 0
    try:
        while True:
            done, _ = await asyncio.wait({pending}, timeout=SILENT_CHECK)
            if not done:
                state: str
                try:
                    state = await kernel_state(connection, session)
                except StaleSessionError:  # marimo never ends the stream of a session it closed
                    raise stream.unknown(f"The session ended on {connection.url} (closed, or its kernel "
                                         "restarted) before the run finished.") from None
                except PairError:
                    state = "unknown"
                idle = idle + 1 if state == "idle" else 0
                if idle >= IDLE_CHECKS:
                    raise stream.unknown(f"The kernel is idle, but {connection.url} never ended the run's "
                                         "stream: it finished, and its answer was lost.")
                continue
            try:
                event = pending.result()
            except StopAsyncIteration:
                return
            idle = 0
            yield event
            pending = asyncio.ensure_future(events.__anext__())
    finally:
        pending.cancel()


async def execute(
    connection: Connection,
    session: SessionRef,
    code: str,
    on_output: OnOutput | None = None,
) -> ExecResult:
    """Run `code` and stream its output to `on_output` as it arrives.

    Raises OutcomeUnknownError when the stream breaks before `done` (or its
    `done` cannot be read), and the usual PairErrors when the request is
    refused before anything ran.
    """
    stream = ExecStream(connection.url)
    listener = _announce.get()
    ticket = listener(code) if listener is not None else None
    try:
        return await _execute(connection, session, code, stream, ticket, on_output)
    finally:
        if ticket is not None:  # cancelled, timed out or broken: said once, unless it ended already
            ticket.unknown("".join(stream.stdout), "".join(stream.stderr))


async def _expect_event_stream(connection: Connection, response: httpx.Response) -> None:
    """Raise unless the answer is the event stream a marimo edit server sends (an error's body is
    read first: it says what was refused)."""
    if response.status_code >= 300:
        await response.aread()
        connection.raise_for_status(response, what="the execute request")
    if "text/event-stream" not in response.headers.get("content-type", ""):
        raise NotMarimoError(
            f"{connection.url} did not answer the execute request with an event stream: "
            "it does not look like a marimo edit server (marimo >= 0.23 needed)."
        )


async def _pass_on(chunk: tuple[Channel, str], ticket: Ticket | None, on_output: OnOutput | None) -> None:
    """One piece of output, told to the ticket and to the caller as it arrives."""
    if ticket is not None:
        ticket.printed(*chunk)
    if on_output is not None:
        maybe = on_output(*chunk)
        if maybe is not None:
            await maybe


def _failure(exc: PairError | httpx.HTTPError | SSEError, started: bool, connection: Connection,
             stream: ExecStream) -> PairError | None:
    """The error a broken request becomes, or None to raise it as it is: once the stream started the
    code may have run (outcome unknown); before, nothing ran and a transport error says why."""
    if isinstance(exc, PairError):
        return None
    if started:
        return stream.unknown(
            f"The connection to {connection.url} broke before the run finished "
            f"({exc.__class__.__name__})."
        )
    if isinstance(exc, httpx.HTTPError):
        return connection.translate(exc)
    return None


async def _execute(connection: Connection, session: SessionRef, code: str, stream: ExecStream,
                   ticket: Ticket | None, on_output: OnOutput | None) -> ExecResult:
    headers = {**session_headers(session), "Accept": "text/event-stream"}
    started = False
    try:
        async with connection.stream(
            "POST",
            "/api/kernel/execute",
            json={"code": code},
            headers=headers,
            # The kernel may legitimately be busy for a long time: no read limit.
            timeout=httpx.Timeout(connect=5.0, read=None, write=30.0, pool=10.0),
        ) as response:
            await _expect_event_stream(connection, response)
            started = True
            async for event in _watched(EventSource(response).aiter_sse(), connection, session, stream):
                chunk = stream.feed(event.event, event.data)
                if chunk is not None:
                    await _pass_on(chunk, ticket, on_output)
                if stream.result is not None:
                    result = stream.result
                    if ticket is not None:
                        ticket.done(result.success, result.stdout, result.stderr, result.output)
                    return result
    except (PairError, httpx.HTTPError, SSEError) as exc:
        if not started and ticket is not None:
            ticket.withdraw()  # refused before anything ran: no run of ours to find
        failure = _failure(exc, started, connection, stream)
        if failure is None:
            raise
        raise failure from None
    raise stream.unknown(
        f"{connection.url} ended the stream before the run finished (the server may have stopped)."
    )
