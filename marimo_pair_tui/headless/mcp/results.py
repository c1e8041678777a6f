"""What MCP tools return: headless JSON documents as tool results, failures included.

A result carries its document twice, as structuredContent and as one line of
JSON text, so clients that read either see the same thing. Failures are
`isError` results whose `error` has `kind`, `message` and `next`, exactly as
the headless commands print them.
"""

from __future__ import annotations

import base64
from typing import Any, Awaitable, Callable

from mcp.types import CallToolResult, ImageContent, TextContent

from ...core.api import documents
from ...core.api import Document
from ...core.api import PairError
from ..output import dumps_line


class InternalError(PairError):
    """An exception no tool expected: reported as a result so the server keeps serving."""

    kind = "internal_error"
    default_next = "This is a bug in marimo-pair-tui: retry once, and report it with the message if it persists."


def result_of(document: Document, *, is_error: bool | None = None) -> CallToolResult:
    """A tool result: the document as structuredContent and as one line of JSON text."""
    if is_error is None:
        is_error = document.get("success") is False
    return CallToolResult(
        content=[TextContent(type="text", text=dumps_line(document))],
        structured_content=document,
        is_error=is_error,
    )


def error_result(error: PairError, **extra: Any) -> CallToolResult:
    """A failure as the headless commands print it, flagged `isError`."""
    return result_of({**documents.error_json(error), **extra}, is_error=True)


Images = list[tuple[str, bytes]]


async def answer(job: Callable[[], Awaitable[Document]]) -> CallToolResult:
    """Run a tool's job; its document, its PairError, or a bug all become a result."""

    async def no_images() -> tuple[Document, Images]:
        return await job(), []

    return await answer_with_images(no_images)


async def answer_with_images(job: Callable[[], Awaitable[tuple[Document, Images]]]) -> CallToolResult:
    """As `answer`, and the job's images follow the document as MCP image content (what a multimodal client sees)."""
    try:
        document, images = await job()
    except PairError as error:
        return error_result(error)
    except Exception as exc:  # never let a bug take the server down, and say what happened
        return error_result(InternalError(f"{exc.__class__.__name__}: {exc}"))
    result = result_of(document)
    result.content.extend(ImageContent(type="image", data=base64.b64encode(data).decode("ascii"), mime_type=mimetype)
                          for mimetype, data in images)
    return result
