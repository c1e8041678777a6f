"""Run code in a session's kernel scratchpad through `POST /api/kernel/execute`.

The answer is a Server-Sent Events stream (parsed by httpx-sse): `stdout` and
`stderr` events as the code prints, then one `done`. A stream that ends
without `done` leaves the outcome unknown: the code may have run, so it is
reported as such and never sent again.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Iterator, Literal, Optional, Union

import httpx
from httpx_sse import EventSource, SSEError

from .connection import Connection
from .errors import NotMarimoError, OutcomeUnknownError, PairError
from .sessions import SessionRef

Channel = Literal["stdout", "stderr"]
OnOutput = Callable[[Channel, str], Union[None, Awaitable[None]]]
# Told the code just before it is sent; returns what to call if the request is
# refused before anything ran (see `announcing`).
Announce = Callable[[str], Optional[Callable[[], None]]]

_announce: ContextVar[Announce | None] = ContextVar("marimo_pair_tui_announce", default=None)


@contextmanager
def announcing(listener: Announce) -> Iterator[None]:
    """Within this block (this task), tell `listener` each code `execute` is about to send.

    PairingSession uses it so the activity log knows which scratchpad runs are
    this client's own, code_mode programs included, without every operation
    passing the program text back up.
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
        data = json.dumps(data)
    return {"mimetype": str(raw.get("mimetype") or "text/plain"), "data": data}


async def execute(
    connection: Connection,
    session: SessionRef,
    code: str,
    on_output: OnOutput | None = None,
) -> ExecResult:
    """Run `code` and stream its output to `on_output` as it arrives.

    Raises OutcomeUnknownError when the stream breaks before `done`, and the
    usual PairErrors when the request is refused before anything ran.
    """
    result = ExecResult(success=False)
    stdout: list[str] = []
    stderr: list[str] = []
    headers = {**session_headers(session), "Accept": "text/event-stream"}
    started = False
    listener = _announce.get()
    withdraw = listener(code) if listener is not None else None
    try:
        async with connection.stream(
            "POST",
            "/api/kernel/execute",
            json={"code": code},
            headers=headers,
            # The kernel may legitimately be busy for a long time: no read limit.
            timeout=httpx.Timeout(connect=5.0, read=None, write=30.0, pool=10.0),
        ) as response:
            if response.status_code >= 300:
                await response.aread()
                connection.raise_for_status(response, what="the execute request")
            if "text/event-stream" not in response.headers.get("content-type", ""):
                raise NotMarimoError(
                    f"{connection.url} did not answer the execute request with an event stream: "
                    "it does not look like a marimo edit server (marimo >= 0.23 needed)."
                )
            started = True
            async for event in EventSource(response).aiter_sse():
                try:
                    payload = json.loads(event.data) if event.data else {}
                except ValueError:
                    raise OutcomeUnknownError(
                        f"{connection.url} sent a malformed event ({event.event!r}) before the run finished.",
                        stdout="".join(stdout),
                        stderr="".join(stderr),
                    ) from None
                if event.event in ("stdout", "stderr"):
                    text = payload.get("data", "") if isinstance(payload, dict) else ""
                    if not isinstance(text, str):
                        text = str(text)
                    (stdout if event.event == "stdout" else stderr).append(text)
                    if on_output is not None:
                        maybe = on_output(event.event, text)  # type: ignore[arg-type]
                        if maybe is not None:
                            await maybe
                elif event.event == "done":
                    result.success = bool(payload.get("success")) if isinstance(payload, dict) else False
                    result.output = _output_of(payload) if isinstance(payload, dict) else None
                    result.stdout = "".join(stdout)
                    result.stderr = "".join(stderr)
                    return result
    except (PairError, httpx.HTTPError, SSEError) as exc:
        if not started and withdraw is not None:
            withdraw()  # refused before anything ran: no run of ours to find
        if isinstance(exc, PairError):
            raise
        if not started:
            if isinstance(exc, httpx.HTTPError):
                raise connection.translate(exc) from None
            raise
        raise OutcomeUnknownError(
            f"The connection to {connection.url} broke before the run finished "
            f"({exc.__class__.__name__}).",
            stdout="".join(stdout),
            stderr="".join(stderr),
        ) from None
    raise OutcomeUnknownError(
        f"{connection.url} ended the stream before the run finished (the server may have stopped).",
        stdout="".join(stdout),
        stderr="".join(stderr),
    )
