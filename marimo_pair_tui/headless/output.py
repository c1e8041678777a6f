"""The headless contract: one JSON document (or JSON lines) on stdout, exit codes as API.

Narration goes to stderr; stdout never depends on whether it is a terminal.
Every PairError becomes `{"success": false, "error": {kind, message, next}}`
and its exit code.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any, AsyncContextManager, Awaitable, Callable, Coroutine, Protocol, TypeVar

from ..core.errors import EXIT_USAGE, PairError

T = TypeVar("T")


# Characters str.splitlines() breaks on that json.dumps leaves raw (it escapes
# the ASCII control characters itself): escaped, one document stays one line.
_LINE_BREAKERS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def dumps_line(document: dict[str, Any]) -> str:
    """One JSON document on one line, whatever line splitter the reader uses."""
    return json.dumps(document, ensure_ascii=False).translate(_LINE_BREAKERS)


def emit(document: dict[str, Any]) -> None:
    """Write one JSON document as one line on stdout."""
    sys.stdout.write(dumps_line(document) + "\n")
    sys.stdout.flush()


def narrate(text: str) -> None:
    """A human note on stderr; never part of the contract."""
    sys.stderr.write(text.rstrip("\n") + "\n")
    sys.stderr.flush()


def failure(error: PairError, **extra: Any) -> dict[str, Any]:
    from ..core.documents import error_json

    return {**error_json(error), **extra}


class Host(Protocol):
    """Where jobs run when the pairing service (headless/service_host.py) hosts this command."""

    def run(self, coroutine: Awaitable[T]) -> T: ...

    def service(self, options: Any) -> AsyncContextManager[Any]: ...


HOST: Host | None = None  # set in the pairing service; None in-process


def run(job: Callable[[], Coroutine[Any, Any, tuple[dict[str, Any], int]]]) -> None:
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


def serve(options: Any, job: Callable[[Any], Awaitable[tuple[dict[str, Any], int]]]) -> None:
    """Run one headless job on a `PairingService` (fresh in-process, or the pairing service's own
    for these options); print its document and exit."""
    from ..core.service import PairingService

    async def outer() -> tuple[dict[str, Any], int]:
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
    from ..core.errors import UsageError

    emit(failure(UsageError(message, next=next)))
    sys.exit(EXIT_USAGE)
