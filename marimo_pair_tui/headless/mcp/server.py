"""`marimo-pair-tui --headless mcp`: the headless commands as MCP tools over stdio.

The server holds one core `PairingService` for its whole life (one HTTP
client per marimo server, and with `--ssh` the forwards to each remote one;
the session each target resolved to; one live mirror per session it touched),
and each tool only parses its arguments, calls the service and returns the
document core/documents.py builds. So:

- `cells` is served from the live model: no kernel round trip, and it answers
  while the kernel is busy. The model has no defs/refs for cells the kernel
  has not run; those are computed from each cell's code with marimo's own
  compiler in this process (what code_mode's snapshot falls back on). Pass
  `refresh: true` for code_mode's authoritative snapshot instead (a kernel
  round trip, which waits while the kernel is busy).
- `activity` is served from the same mirror: every execution in the session
  since this server began following it, whoever sent it.
- every other call costs about one HTTP request (`execute`, one code_mode
  program per cell operation, one POST to interrupt). Discovery runs once per
  target; a session that went away is looked up again once, and only for
  refusals that prove nothing ran (404 on the session).
- `execute` streams the snippet's stdout/stderr as MCP progress notifications
  when the client sent a progressToken, and time limits are the caller's: an
  optional `timeout` (seconds) closes the request, which interrupts marimo's
  kernel, and reports the outcome as unknown. Without it nothing times out.

Results carry the same JSON documents as the headless commands, as
structuredContent and as JSON text; failures are `isError` results whose
`error` has `kind`, `message` and `next` (mcp/results.py).
"""

from __future__ import annotations

import asyncio
import os
import signal
from typing import Any

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult
from mcp.types import Tool
from pydantic import ValidationError

from ... import __version__
from ...core.api import documents, settle_gc
from ...core.api import Document
from ...core.api import InvalidRequestError
from ...core.api import HubOptions, PairingService, TargetSpec, static_defs_refs
from .declared import add_tools
from ..operations import OPERATIONS
from .results import error_result
from .schema import compact_schema
from .tooling import NotebookArg, IdleTimeoutArg, SessionArg, UrlArg, on, progress

INSTRUCTIONS = """\
Pair with live marimo notebooks (their running kernels), the way the
`marimo-pair-tui --headless` commands do. Start with `notebooks`; target every
call by `notebook` (absolute path, path relative to the server's cwd, or unique
basename) or `session` (the stable sess-... id, or a routing id), adding `url`
when several servers run (for an --ssh host, the URL the server has on that
host). Without a target a call succeeds only when exactly one session is open;
otherwise the error lists the candidates.
Read with `cells` (live, free, works while the kernel runs). Make lasting changes
as cells (`create_cell`, `edit_cell` with the `hash` you read), not with
`execute`, whose scratchpad code is not saved. `activity` shows what ran in the
session, by you or anyone else. Errors carry `kind`, `message` and
`next`: on `conflict` re-read, merge and retry with the new hash; on
`outcome_unknown`/`timeout` inspect before running anything again. The full guide
is the resource marimo-pair-tui://guide."""


class _Server(MCPServer):
    """MCPServer whose unknown tools and argument errors are structured like every other failure, and
    whose tool list carries compact input schemas (mcp/schema.py)."""

    async def list_tools(self) -> list[Tool]:
        return [tool.model_copy(update={"input_schema": compact_schema(tool.input_schema)})
                for tool in await super().list_tools()]

    async def call_tool(self, name: str, arguments: dict[str, Any], context: Any = None) -> Any:
        known = sorted(tool.name for tool in await self.list_tools())
        if name not in known:
            return error_result(InvalidRequestError(
                f"There is no tool {name!r}.",
                next=f"Call one of the tools the server lists: {', '.join(known)}.",
                tools=known,
            ))
        try:
            return await super().call_tool(name, arguments, context)
        except ToolError as exc:
            cause = exc.__cause__
            if not isinstance(cause, ValidationError):
                raise
            problems = [
                {"argument": ".".join(str(part) for part in err["loc"]), "problem": err["msg"]}
                for err in cause.errors()
            ]
            listed = "; ".join(f"{p['argument']}: {p['problem']}" for p in problems)
            return error_result(InvalidRequestError(
                f"{name} got invalid arguments ({listed}).",
                next=(
                    "Pass the arguments the tool's schema names; cell ids and names are strings "
                    "(e.g. \"MJUe\", as `cells` lists them), not objects."
                ),
                arguments=problems,
            ))


def build_server(service: PairingService) -> MCPServer:
    """The MCP server and its tools, all served by `service`."""
    server = _Server(
        "marimo-pair-tui",
        instructions=INSTRUCTIONS,
        version=__version__,
        log_level="WARNING",
    )

    add_tools(server, service, OPERATIONS)

    @server.tool(title="Wait until the kernel is idle")
    async def wait_until_idle(
        ctx: Context,
        notebook: NotebookArg = None,
        session: SessionArg = None,
        url: UrlArg = None,
        timeout: IdleTimeoutArg = None,
    ) -> CallToolResult:
        """Wait until no cell is queued or running (a browser's runs included). Reports the running
        cells as progress. `reason` is idle, timeout or gone."""

        async def work(spec: TargetSpec) -> Document:
            step = 0

            async def on_busy(busy: list[str]) -> None:
                nonlocal step
                step += 1
                await progress(ctx, step, "running: " + (", ".join(busy) or "the scratchpad"))

            return documents.idle_document(await service.wait_until_idle(spec, timeout=timeout, on_busy=on_busy))

        return await on(notebook, session, url, work)

    @server.resource("marimo-pair-tui://guide", name="guide", title="How to pair with marimo notebooks", mime_type="text/markdown")
    def guide() -> str:
        """The agent guide (SKILL.md): the workflow, exit codes and error kinds."""
        from ...guide import text

        return text()

    return server


async def _warm_compiler() -> None:
    """Import marimo's compiler off the event loop so the first `cells` does not pay for it."""
    try:
        await asyncio.to_thread(static_defs_refs, "_ = 0")
    except Exception:
        pass


async def serve(options: HubOptions) -> None:
    """Serve MCP over stdio until the client closes stdin or a signal comes; then stop every mirror."""
    service = PairingService(options, follow_used=True)
    service.door = "mcp"  # its code changes are recorded as the MCP server's
    await service.__aenter__()  # a long-lived service: its picture browser starts now, in the background
    server = build_server(service)
    loop = asyncio.get_running_loop()

    async def terminate() -> None:
        # The SDK reads stdin in a worker thread that no cancellation reaches:
        # close what we hold, then leave without waiting for that thread.
        try:
            await asyncio.wait_for(service.aclose(), timeout=10)
        finally:
            os._exit(0)

    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        try:
            loop.add_signal_handler(signum, lambda: asyncio.ensure_future(terminate()))
        except (NotImplementedError, RuntimeError, ValueError):  # not the main thread, or Windows
            pass
    warm = asyncio.ensure_future(_warm_compiler())
    settle_gc()
    try:
        await server.run_stdio_async()
    finally:
        warm.cancel()
        await service.aclose()


def main(options: HubOptions) -> None:
    asyncio.run(serve(options))


__all__ = ["build_server", "main", "serve"]
