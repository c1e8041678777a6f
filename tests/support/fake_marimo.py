"""Loopback HTTP servers that are not marimo, or that imitate it badly, for the fault tests.

:class:`FakeServer` runs a stdlib ``ThreadingHTTPServer`` on 127.0.0.1 (port 0:
the kernel picks a free one) in a thread. Every request is recorded
(:attr:`FakeServer.seen`, :meth:`FakeServer.count`) before it is answered, so
once a client has its answer the request is on the record. The answer comes
from a function of the request: an :class:`Answer` with a status, a content
type and a body, or ``raw`` bytes written to the socket as they are (status
line and headers included) before the connection is closed, which is how a
stream is cut short.

The helpers build marimo-shaped pieces: :func:`sse` frames events as
``POST /api/kernel/execute`` sends them, :func:`event_stream` and
:func:`chunked_stream` wrap them in a response that ends cleanly (the
connection closes) or breaks mid-body (a chunked body without its last
chunk), and :func:`sessions_body` is a ``GET /api/sessions`` answer.
"""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

__all__ = [
    "Answer",
    "FakeServer",
    "Seen",
    "chunked_stream",
    "event_stream",
    "fake_server",
    "html_answer",
    "json_answer",
    "sessions_body",
    "sse",
]

HTML_PAGE = (
    b"<!DOCTYPE html>\n<html><head><title>Welcome to nginx!</title></head>"
    b"<body><h1>Welcome to nginx!</h1><p>If you see this page, the web server works.</p></body></html>\n"
)


@dataclass(frozen=True)
class Seen:
    """One request as the server received it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class Answer:
    """What to answer: a status, a content type and a body, or `raw` bytes sent as they are."""

    status: int = 200
    content_type: str = "application/json"
    body: bytes = b""
    raw: bytes | None = None
    hold_open: threading.Event | None = None  # after `raw`, keep the connection open until this is set


Respond = Callable[[Seen], Answer]


def html_answer(_seen: Seen | None = None) -> Answer:
    """A web server's welcome page, whatever was asked."""
    return Answer(200, "text/html; charset=utf-8", HTML_PAGE)


def json_answer(value: Any, status: int = 200) -> Answer:
    return Answer(status, "application/json", json.dumps(value).encode("utf-8"))


def sse(*events: tuple[str | None, str]) -> bytes:
    """Events framed as marimo frames them (`event:` line, one `data:` line per line, blank line)."""
    out: list[str] = []
    for name, data in events:
        if name is not None:
            out.append(f"event: {name}\n")
        out.extend(f"data: {line}\n" for line in data.split("\n"))
        out.append("\n")
    return "".join(out).encode("utf-8")


def event_stream(body: bytes) -> bytes:
    """A complete event-stream response whose body ends when the connection closes."""
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n"
    return head + body


def chunked_stream(body: bytes) -> bytes:
    """An event-stream response in one chunk whose terminating chunk never comes (a broken body)."""
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
    return head + f"{len(body):x}\r\n".encode("ascii") + body + b"\r\n"


def sessions_body(notebook: str, *, routing_id: str = "s_fake01", session_id: str = "sess-fake01") -> Answer:
    """`GET /api/sessions` as marimo answers it, with one session on `notebook`."""
    return json_answer({routing_id: {"session_id": session_id, "filename": notebook, "path": notebook}})


@dataclass
class FakeServer:
    """A threaded HTTP server on 127.0.0.1 answering every request with `respond(request)`."""

    respond: Respond
    seen: list[Seen] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length > 0 else b""
                request = Seen(self.command, urlsplit(self.path).path, dict(self.headers.items()), body)
                with server._lock:
                    server.seen.append(request)
                answer = server.respond(request)
                self.close_connection = True
                if answer.raw is not None:
                    self.wfile.write(answer.raw)
                    self.wfile.flush()
                    if answer.hold_open is not None:
                        answer.hold_open.wait(60)
                    return
                self.send_response(answer.status)
                self.send_header("Content-Type", answer.content_type)
                self.send_header("Content-Length", str(len(answer.body)))
                self.send_header("Connection", "close")
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(answer.body)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _serve

        self._httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = False  # server_close() joins every handler thread
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-marimo", daemon=True
        )
        self._thread.start()

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def requests(self) -> list[Seen]:
        with self._lock:
            return list(self.seen)

    def count(self, method: str, path: str) -> int:
        """How many `method path` requests arrived."""
        return sum(1 for r in self.requests() if r.method == method and r.path == path)

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()


@contextmanager
def fake_server(respond: Respond) -> Iterator[FakeServer]:
    """A FakeServer for the block, shut down (and its thread joined) after it."""
    server = FakeServer(respond)
    try:
        yield server
    finally:
        server.close()
