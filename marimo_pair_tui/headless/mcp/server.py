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
from typing import Annotated, Any

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult
from pydantic import Field, ValidationError

from ...core.api import documents, settle_gc
from ...core.api import Document
from ...core.api import InvalidRequestError, UsageError
from ...core.api import ACTIVITY_DEFAULT, RUN_WAIT, HubOptions, PairingService, TargetSpec, static_defs_refs
from .cell_tools import register_cell_tools
from .batch_tools import register_batch_tools
from .declared import add_tools
from ..operations import OPERATIONS
from ..shared import save_document
from .results import answer, answer_with_images, error_result
from .tooling import CodeArg, NotebookArg, SessionArg, TimeoutArg, UrlArg, on

INSTRUCTIONS = """\
Pair with live marimo notebooks (their running kernels), the way the
`marimo-pair-tui --headless` commands do. Start with `notebooks`; target every
call by `notebook` (absolute path or unique basename) or `session` (sess-... id),
adding `url` when several servers run. Without a target a call succeeds only when
exactly one session is open; otherwise the error lists the candidates.
Read with `cells` (live, free, works while the kernel runs). Make lasting changes
as cells (`create_cell`, `edit_cell` with the `hash` you read), not with
`execute`, whose scratchpad code is not saved. `activity` shows what ran in the
session, by you or anyone else. Errors carry `kind`, `message` and
`next`: on `conflict` re-read, merge and retry with the new hash; on
`outcome_unknown`/`timeout` inspect before running anything again. The full guide
is the resource marimo-pair-tui://guide."""

PARTS_HELP = ("Also give each output's typed `parts` (a table's exact rows and dtypes, widgets' domains, charts' "
              "data). Off by default: `text` and `handles` (object ids, saved image files) are what most reads need.")


class _Server(MCPServer):
    """MCPServer whose unknown tools and argument errors are structured like every other failure."""

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


async def _progress(ctx: Context, step: int, message: str) -> None:
    """Report progress when the client asked for it; a client that went away or refused it changes nothing."""
    try:
        await ctx.report_progress(step, None, message)
    except Exception:
        pass


def build_server(service: PairingService) -> MCPServer:  # noqa: C901  (a flat list of tool declarations; each tool's function counts toward it)
    """The MCP server and its tools, all served by `service`."""
    server = _Server(
        "marimo-pair-tui",
        instructions=INSTRUCTIONS,
        version=_version(),
        log_level="WARNING",
    )

    @server.tool(title="List marimo servers")
    async def servers() -> CallToolResult:
        """Running marimo servers: the local registry, the URLs the MCP server was started with, and its --ssh hosts' registries."""
        return await answer(lambda: _doc(documents.servers_document, service.servers()))

    @server.tool(title="List notebooks and sessions")
    async def notebooks(url: UrlArg = None) -> CallToolResult:
        """Notebooks with open sessions on every server (or on `url`): path, name, session ids."""
        return await answer(lambda: _doc(documents.notebooks_document, service.notebooks(url)))

    @server.tool(name="open_notebook", title="Open a notebook")
    async def open_notebook_(
        path: Annotated[str, Field(description="The notebook file (absolute, or relative to the server's cwd).")],
        run: Annotated[bool | None, Field(description="Run all cells of a new session (default: as marimo's runtime.auto_instantiate says).")] = None,
        run_wait: Annotated[float, Field(ge=0, description="Seconds to follow the run at most; past them the session is "
                                                          "returned with `still_running` cells, the run goes on.")] = RUN_WAIT,
    ) -> CallToolResult:
        """A session for a notebook file: an existing one if a server has it, else start `marimo edit` for it."""

        async def job() -> Document:
            if service.hub.options.ssh_hosts:
                raise UsageError(
                    "open_notebook starts marimo on this machine only, and this server targets --ssh hosts.",
                    next="Start it on the remote host (`ssh DEST marimo edit --headless NOTEBOOK.py`), then call `notebooks`.",
                )
            return documents.open_document(await service.open(path, run=run, run_wait=run_wait))

        return await answer(job)

    @server.tool(title="Read cells")
    async def cells(
        notebook: NotebookArg = None,
        session: SessionArg = None,
        url: UrlArg = None,
        ids: Annotated[list[str] | None, Field(description="Only these cells (ids or names), in this order.")] = None,
        refresh: Annotated[bool, Field(description="Read through code_mode in the kernel instead of the live mirror (waits while the kernel is busy).")] = False,
        outputs: Annotated[bool, Field(description="Include outputs (text and handles); false leaves them out (mimetype and size stay).")] = True,
        parts: Annotated[bool, Field(description=PARTS_HELP)] = False,
        raw: Annotated[bool, Field(description="Also give marimo's own output data (HTML, base64 images).")] = False,
        save_images: Annotated[str | None, Field(description="A directory: write the outputs' images (plots, charts as PNG) there; the handles name the files.")] = None,
    ) -> CallToolResult:
        """Every cell in order: id, name, code, hash (pass it to edit_cell), status, errors, console, output, defs, refs.

        Each output has `text` (what to read: markdown, tables as GFM, widgets as one line, charts in words)
        and `handles` (object ids to page a table or set a widget, saved image files). Served from a live mirror of the session: costs no kernel round trip and answers
        while cells run. `kernel` says whether anything is queued or running. To look at a plot, call `output`."""

        async def work(spec: TargetSpec) -> Document:
            images = documents.ImageFiles(save_images) if save_images else None
            reply = await service.cells(spec, ids=ids, refresh=refresh, files=images is not None)
            return documents.cells_document(reply, outputs=("raw" if raw else True) if outputs else False,
                                            parts=parts, images=images)

        return await on(notebook, session, url, work)

    @server.tool(name="output", title="Look at one cell's output")
    async def output_(
        cell: Annotated[str, Field(description="The cell (id or name).")],
        notebook: NotebookArg = None,
        session: SessionArg = None,
        url: UrlArg = None,
        parts: Annotated[bool, Field(description=PARTS_HELP)] = False,
        raw: Annotated[bool, Field(description="Also give marimo's own output data.")] = False,
        save_images: Annotated[str | None, Field(description="A directory to also write the images to, as files.")] = None,
    ) -> CallToolResult:
        """One cell's output: `text` to read, `handles` (object ids, saved image files), its console,
        and its images (plots, charts drawn to PNG) as image content you can look at."""

        async def job() -> tuple[Document, list[tuple[str, bytes]]]:
            spec = TargetSpec(notebook=notebook, session=session, url=url)
            images = documents.ImageFiles(save_images) if save_images else None
            reply = await service.cells(spec, ids=[cell], files=True)
            document = documents.output_document(reply, outputs="raw" if raw else True, parts=parts, images=images)
            shown, left_out = documents.output_images(reply)
            if left_out:
                document["warnings"].append(f"{left_out} image(s) not attached (too many, too large, or SVG "
                                            "that could not be rasterized): pass save_images to get them as files.")
            return document, shown

        return await answer_with_images(job)

    @server.tool(name="execute", title="Run code in the kernel")
    async def execute_(
        code: CodeArg,
        ctx: Context,
        notebook: NotebookArg = None,
        session: SessionArg = None,
        url: UrlArg = None,
        timeout: TimeoutArg = None,
        save_to: Annotated[str | None, Field(description=(
            "A file path: also write the complete result there (JSON, stdout/stderr/output uncut). "
            "The answer keeps 256 KB per field (`truncated`, `chars` say when it was cut)."))] = None,
        input: Annotated[list[str] | None, Field(description="Answers to the code's input() prompts, in order.")] = None,
        parts: Annotated[bool, Field(description=PARTS_HELP)] = False,
    ) -> CallToolResult:
        """Run code in the session's kernel scratchpad (sees the notebook's variables; not saved).
        An input() without an answer in `input` waits: it is reported as progress, and the `answer`
        tool (called alongside) or `interrupt` ends the wait.

        stdout/stderr stream as progress notifications when the client asks for progress. Each of
        stdout, stderr and output is cut to 256 KB (`truncated: true`, full sizes in `chars`); pass
        `save_to` for everything in a file. To change the notebook, create or edit cells instead."""

        async def work(spec: TargetSpec) -> Document:
            count = 0

            async def on_output(channel: str, text: str) -> None:
                nonlocal count
                count += 1
                await _progress(ctx, count, text if channel == "stdout" else f"[stderr] {text}")

            async def on_prompt(cell: str, prompt: str) -> None:
                nonlocal count
                count += 1
                await _progress(ctx, count, f"[waiting for input] {prompt}")

            reply = await service.execute(spec, code, on_output=on_output, timeout=timeout, answers=input or (),
                                          on_prompt=on_prompt)
            saved = save_document(save_to, documents.exec_document(reply, limit=None)) if save_to else None
            return documents.exec_document(reply, saved_to=saved, parts=parts)

        return await on(notebook, session, url, work)

    register_cell_tools(server, service)
    add_tools(server, service, OPERATIONS)
    register_batch_tools(server, service)

    @server.tool(title="Wait until the kernel is idle")
    async def wait_until_idle(
        ctx: Context,
        notebook: NotebookArg = None,
        session: SessionArg = None,
        url: UrlArg = None,
        timeout: TimeoutArg = None,
    ) -> CallToolResult:
        """Wait until no cell is queued or running (a browser's runs included). Reports the running
        cells as progress. `reason` is idle, timeout or gone."""

        async def work(spec: TargetSpec) -> Document:
            step = 0

            async def on_busy(busy: list[str]) -> None:
                nonlocal step
                step += 1
                await _progress(ctx, step, "running: " + (", ".join(busy) or "the scratchpad"))

            return documents.idle_document(await service.wait_until_idle(spec, timeout=timeout, on_busy=on_busy))

        return await on(notebook, session, url, work)

    @server.tool(title="Read the activity log")
    async def activity(
        notebook: NotebookArg = None,
        session: SessionArg = None,
        url: UrlArg = None,
        limit: Annotated[int, Field(ge=1, description="At most this many entries, newest first.")] = ACTIVITY_DEFAULT,
        since: Annotated[str | None, Field(description="An entry `id` from an earlier result: only entries started after it.")] = None,
    ) -> CallToolResult:
        """What ran in the session, by anyone, newest first: snippets (`kind` scratch), cell runs (cell) and
        kernel controls (control: interrupt, restart, an answer to input(), in `program`).

        Each entry: `id`, `origin` (self: sent by this MCP server; other: a browser or another client),
        `code`, `outcome` (running, ok, error, cancelled, interrupted, unknown), `started_at`/`ended_at`
        (seconds since the epoch), stdout/stderr (their newest 4000 characters) and output (its first
        4000; `truncated` says when anything was cut). Every call this server sends is logged; other
        clients' runs are complete from when it began following the session (`log_started_at`: its first
        `cells`, `wait_until_idle` or `activity` call there), and one already running then is `running`."""

        async def work(spec: TargetSpec) -> Document:
            return documents.activity_document(await service.activity(spec, limit=limit, since=since))

        return await on(notebook, session, url, work)

    @server.resource("marimo-pair-tui://guide", name="guide", title="How to pair with marimo notebooks", mime_type="text/markdown")
    def guide() -> str:
        """The agent guide (SKILL.md): the workflow, exit codes and error kinds."""
        from ...guide import text

        return text()

    return server


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("marimo-pair-tui")
    except Exception:
        return "0"


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


async def _doc(shape: Any, call: Any) -> Document:
    """Await a service call and shape its reply as a document."""
    return shape(await call)


__all__ = ["build_server", "main", "serve"]
