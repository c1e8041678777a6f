"""The headless contract: one JSON document (or JSON lines) on stdout, exit codes as API.

Narration goes to stderr; stdout never depends on whether it is a terminal.
Every PairError becomes `{"success": false, "error": {kind, message, next}}`
and its exit code.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any, AsyncContextManager, Awaitable, Callable, Coroutine, Protocol, TypeVar

from ..core.api import EXIT_USAGE, PairError
from ..core.api import Document
from . import json_text

T = TypeVar("T")


def dumps_line(document: Document) -> str:
    """One JSON document on one line, whatever line splitter the reader uses, inert on a terminal
    (for a str consumer such as MCP's text content; streams get `emit`)."""
    return json_text.dumps_line(document)


def emit(document: Document) -> None:
    """Write one JSON document as one line on stdout, in stdout's encoding (ASCII escapes where
    it cannot hold every character: the parsed JSON is the same in any locale)."""
    json_text.write_line(sys.stdout, document)


def narrate(text: str) -> None:
    """A human note on stderr; never part of the contract, and never a reason to fail."""
    line = text.rstrip("\n") + "\n"
    try:
        sys.stderr.write(line)
    except UnicodeEncodeError:  # a strict stderr in an encoding short of the text
        sys.stderr.write(line.encode("ascii", "backslashreplace").decode("ascii"))
    sys.stderr.flush()


def failure(error: PairError, **extra: Any) -> dict[str, Any]:
    from ..core.api import error_json

    return {**error_json(error), **extra}


class Host(Protocol):
    """Where jobs run when the pairing service (headless/service/host.py) hosts this command."""

    def run(self, coroutine: Awaitable[T]) -> T: ...

    def service(self, options: Any) -> AsyncContextManager[Any]: ...


HOST: Host | None = None  # set in the pairing service; None in-process


def run(job: Callable[[], Coroutine[Any, Any, tuple[Document, int]]]) -> None:
    """Run one async headless job: print its document and exit with its code."""
    try:
        document, code = HOST.run(job()) if HOST is not None else asyncio.run(job())
    except PairError as error:
        emit(failure(error))
        sys.exit(error.exit_code)
    except KeyboardInterrupt:
        emit(
            failure(
                PairError(
                    "Interrupted by the user.",
                    next="If code was running, closing the request interrupted the kernel; check its state.",
                )
            )
        )
        sys.exit(130)
    emit(document)
    sys.exit(code)


def serve(options: Any, job: Callable[[Any], Awaitable[tuple[Document, int]]]) -> None:
    """Run one headless job on a `PairingService` (fresh in-process, or the pairing service's own
    for these options); print its document and exit."""
    from ..core.api import PairingService

    async def outer() -> tuple[Document, int]:
        hosted = HOST.service(options) if HOST is not None else PairingService(options)
        async with hosted as service:
            service.on_prompt = tell_prompt
            return await job(service)

    run(outer)


def tell_prompt(cell: str, prompt: str) -> None:
    """A run waits on input(): say so on stderr (the JSON answer comes when it ends)."""
    who = "the snippet" if cell == "__scratch__" else f"cell {cell}"
    narrate(f"{who} waits for input: {prompt!r}. Answer from another shell with "
            "`marimo-pair-tui --headless answer TEXT` (same target), or interrupt it.")


def usage_failure(message: str, next: str) -> None:
    """A usage error before any I/O (bad flags, unreadable code file)."""
    from ..core.api import UsageError

    emit(failure(UsageError(message, next=next)))
    sys.exit(EXIT_USAGE)
