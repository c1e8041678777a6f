"""`marimo-pair-tui --headless mcp`: the headless commands as MCP tools over stdio.

The server holds one `Hub` (one HTTP client per marimo server) for its whole
life, remembers which session each target (notebook, session id, url) resolved
to, and keeps one `PairingSession` (a kiosk mirror) per session it touched.
So:

- `cells` is served from the live model: no kernel round trip, and it answers
  while the kernel is busy. The model has no defs/refs for cells the kernel
  has not run; those are computed from each cell's code with marimo's own
  compiler in this process (what code_mode's snapshot falls back on). Pass
  `refresh: true` for code_mode's authoritative snapshot instead (a kernel
  round trip, which waits while the kernel is busy).
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
`error` has `kind`, `message` and `next`.
"""

from __future__ import annotations

import asyncio
import difflib
import os
import signal
import time
from functools import lru_cache
from typing import Annotated, Any, Awaitable, Callable, Sequence, TypeVar

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult, TextContent
from pydantic import Field, ValidationError

from ..core import codemode
from ..core.codemode import OpResult
from ..core.connection import Connection
from ..core.discovery import parse_server_url
from ..core.errors import CellNotFoundError, InvalidRequestError, OutcomeUnknownError, PairError, StaleSessionError
from ..core.execute import ExecResult, execute
from ..core.hub import Hub, HubOptions
from ..core.kernel import interrupt, kernel_state
from ..core.launch import open_notebook
from ..core.notebook import Cell, Notebook
from ..core.pairing import PairingSession
from ..core.sessions import Target, resolve_target
from .output import dumps_line

T = TypeVar("T")

ATTACH_TIMEOUT = 15.0  # kernel-ready after connecting the mirror
REPLAY_QUIET = 0.05  # the replay after kernel-ready has no end marker: wait for a lull
REPLAY_LIMIT = 2.0
SETTLE_TIMEOUT = 5.0  # our own change reaching the mirror
IDLE_RECHECK = 0.5

INSTRUCTIONS = """\
Pair with live marimo notebooks (their running kernels), the way the
`marimo-pair-tui --headless` commands do. Start with `notebooks`; target every
call by `notebook` (absolute path or unique basename) or `session` (sess-... id),
adding `url` when several servers run. Without a target a call succeeds only when
exactly one session is open; otherwise the error lists the candidates.
Read with `cells` (live, free, works while the kernel runs). Make lasting changes
as cells (`create_cell`, `edit_cell` with the `hash` you read), not with
`execute`, whose scratchpad code is not saved. Errors carry `kind`, `message` and
`next`: on `conflict` re-read, merge and retry with the new hash; on
`outcome_unknown`/`timeout` inspect before running anything again. The full guide
is the resource marimo-pair-tui://guide."""


class RunTimedOutError(OutcomeUnknownError):
    """The caller's time limit passed: the request was closed, which interrupts the kernel."""

    kind = "timeout"
    default_next = (
        "The request was closed when the time limit passed, which interrupts marimo's kernel; "
        "whatever ran before that stays done. Inspect the state (`cells`, `execute` a quick read) "
        "before running it again, with a larger `timeout` or none."
    )


class _Unexpected(PairError):
    kind = "internal_error"
    default_next = "This is a bug in marimo-pair-tui: retry once, and report it with the message if it persists."


# ---------------------------------------------------------------- documents


def result_of(document: dict[str, Any], *, is_error: bool | None = None) -> CallToolResult:
    """A tool result: the document as structuredContent and as one line of JSON text."""
    if is_error is None:
        is_error = document.get("success") is False
    return CallToolResult(
        content=[TextContent(type="text", text=dumps_line(document))],
        structured_content=document,
        is_error=is_error,
    )


def error_result(error: PairError, **extra: Any) -> CallToolResult:
    return result_of({"success": False, "error": error.to_json(), **extra}, is_error=True)


def op_document(result: OpResult, target: Target, warnings: Sequence[str]) -> dict[str, Any]:
    """The headless shape of a cell operation's answer."""
    document: dict[str, Any] = {
        "success": result.success,
        "session": target.to_json(),
        "cells": [c.to_json() for c in result.cells],
        "order": result.order,
        **result.extra,
        "warnings": [*result.warnings, *warnings],
    }
    if result.failed_cells:
        document["failed"] = result.failed_cells
    return document


@lru_cache(maxsize=4096)
def static_defs_refs(code: str) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """(defs, refs) of `code` by marimo's compiler, as code_mode's snapshot computes them; None if it does not compile."""
    from marimo._ast.compiler import compile_cell

    try:
        cell = compile_cell(code, cell_id="__mpt_mcp__")
    except Exception:  # a syntax error, or code the compiler refuses
        return None
    return tuple(sorted(cell.defs)), tuple(sorted(cell.refs))


def live_cell_json(cell: Cell) -> dict[str, Any]:
    """A live-model cell in the headless shape.

    defs/refs come from the cell's code through marimo's compiler, as the
    kernel's graph computes them (builtins such as `print` among the refs, as
    code_mode reports them); the mirror's `variables` events only name
    notebook variables and miss cells that never ran. Code that does not
    compile keeps what the graph said.
    """
    data = cell.to_json()
    found = static_defs_refs(cell.code) if cell.code.strip() else ((), ())
    if found is not None:
        data["defs"], data["refs"] = list(found[0]), list(found[1])
    return data


def pick_cells(notebook: Notebook, wanted: Sequence[str]) -> list[Cell]:
    """Cells by id or unique name, in the order asked; unknown ones refused with the nearest candidates."""
    picked = []
    for key in wanted:
        cell = notebook.get(key)
        if cell is None:
            names = sorted({c.name for c in notebook.cells if c.name not in ("", "_")})
            nearest = difflib.get_close_matches(key, notebook.cell_ids + names, n=5, cutoff=0.4)
            hint = f" Nearest: {', '.join(nearest)}." if nearest else ""
            raise CellNotFoundError(
                f"No cell {key!r} in the notebook ({len(notebook)} cells).{hint}",
                target=key,
                nearest=nearest,
                known=notebook.cell_ids[:10],
                count=len(notebook),
            )
        picked.append(cell)
    return picked


def kernel_summary(pairing: PairingSession) -> dict[str, Any]:
    notebook = pairing.notebook
    return {
        "idle": notebook.is_idle(),
        "running": notebook.running_cell_ids(),
        "queued": notebook.queued_cell_ids(),
        "live": pairing.live_state,
    }


# ---------------------------------------------------------------- the state


class Workbench:
    """What the MCP server keeps between calls: the hub, resolved targets, live mirrors."""

    def __init__(self, options: HubOptions) -> None:
        self.hub = Hub(options)
        self._targets: dict[tuple[str | None, str | None, str | None], tuple[Target, list[str]]] = {}
        self._pairings: dict[tuple[str, str], PairingSession] = {}
        self._mirrors_other: set[tuple[str, str]] = set()
        self._discovery = asyncio.Lock()
        self._attach = asyncio.Lock()

    async def aclose(self) -> None:
        """Stop every mirror (the browser's sessions are left as they were), then the HTTP clients."""
        pairings = list(self._pairings.values())
        self._pairings.clear()
        await asyncio.gather(*(p.stop() for p in pairings), return_exceptions=True)
        await self.hub.aclose()

    # -- discovery, once per target -----------------------------------------

    async def discovering(self, job: Callable[[], Awaitable[T]]) -> tuple[T, list[str]]:
        """Run discovery serially and collect exactly the warnings it produced."""
        async with self._discovery:
            self.hub.warnings.clear()
            try:
                value = await job()
                return value, list(self.hub.warnings)
            finally:
                self.hub.warnings.clear()

    async def servers(self) -> dict[str, Any]:
        found, warnings = await self.discovering(self.hub.inventory)
        return {"servers": [s.to_json() for s in found], "warnings": warnings}

    async def notebooks(self, url: str | None) -> dict[str, Any]:
        servers = [parse_server_url(url)] if url else None
        entries, warnings = await self.discovering(lambda: self.hub.notebooks(servers))
        return {"notebooks": [e.to_json() for e in entries], "warnings": warnings}

    async def resolve(
        self, notebook: str | None, session: str | None, url: str | None, *, fresh: bool = False
    ) -> tuple[Target, list[str]]:
        """The session a call means; remembered when the call named it, re-checked every time when it did not."""
        key = (url, session, notebook)
        targeted = notebook is not None or session is not None
        if targeted and not fresh and key in self._targets:
            return self._targets[key]

        async def job() -> tuple[Target, list[str]]:
            servers = [parse_server_url(url)] if url else await self.hub.servers()
            entries = await self.hub.notebooks(servers)
            target = resolve_target(entries, session=session, notebook=notebook, servers=servers)
            notes = []
            siblings = [
                s for e in entries
                if e.server.url == target.server.url and e.path == target.notebook
                for s in e.sessions
            ]
            if len(siblings) > 1:
                notes.append(
                    f"{target.notebook} has {len(siblings)} sessions; an edit in one is saved to the file "
                    "but not seen by the others."
                )
            return target, notes

        (target, notes), warnings = await self.discovering(job)
        resolved = (target, [*notes, *warnings])
        if targeted:
            self._targets[key] = resolved
        return resolved

    def forget(self, target: Target) -> None:
        """Drop what we remembered about a session that went away."""
        for key, (known, _notes) in list(self._targets.items()):
            if known.session == target.session and known.server.url == target.server.url:
                del self._targets[key]
        pairing = self._pairings.pop(self._pairing_key(target), None)
        if pairing is not None:
            asyncio.ensure_future(pairing.stop())

    # -- live mirrors ---------------------------------------------------------

    @staticmethod
    def _pairing_key(target: Target) -> tuple[str, str]:
        return (target.server.url, target.session.selector)

    async def pairing(self, target: Target) -> PairingSession:
        """The live mirror of `target`, attached (and its replay read) on first use."""
        key = self._pairing_key(target)
        async with self._attach:
            pairing = self._pairings.get(key)
            if pairing is not None and pairing.live_state != "gone":
                return pairing
            if pairing is not None:
                await pairing.stop()
                del self._pairings[key]
                raise StaleSessionError(f"The session {target.session.selector} on {target.server.url} is gone.")
            pairing = PairingSession(self.hub, target)
            await pairing.start(wait_ready=ATTACH_TIMEOUT)
            if pairing.live_state == "gone" or pairing.notebook.version == 0:
                detail = pairing.live_detail or "no answer"
                await pairing.stop()
                raise StaleSessionError(
                    f"Could not follow {target.notebook} live ({detail}).",
                )
            await _replay_lull(pairing)
            mirrored = pairing.notebook.stable_session_id
            if mirrored and target.session.session_id and mirrored != target.session.session_id:
                self._mirrors_other.add(key)
            self._pairings[key] = pairing
            return pairing

    def mirrors_other_session(self, target: Target) -> bool:
        """True when marimo attached the mirror to another session of the same file."""
        return self._pairing_key(target) in self._mirrors_other

    async def settle(self, target: Target, result: OpResult, *, ran: bool) -> None:
        """Wait until our own change reached the mirror, so the next read sees it; else re-attach later."""
        key = self._pairing_key(target)
        pairing = self._pairings.get(key)
        if pairing is None or key in self._mirrors_other:
            return
        codes = {c.id: c.code for c in result.cells}
        order = list(result.order)

        def caught_up(notebook: Notebook) -> bool:
            if order and notebook.cell_ids != order:
                return False
            for cell_id, code in codes.items():
                cell = notebook.get(cell_id)
                if cell is None or cell.code != code:
                    return False
                if ran and cell.runtime in ("queued", "running"):
                    return False
            return True

        if not await pairing.wait_until(caught_up, timeout=SETTLE_TIMEOUT):
            # The mirror missed something: read it afresh next time.
            self._pairings.pop(key, None)
            await pairing.stop()

    # -- calls ----------------------------------------------------------------

    async def targeted(
        self,
        notebook: str | None,
        session: str | None,
        url: str | None,
        work: Callable[[Target, list[str]], Awaitable[dict[str, Any]]],
    ) -> dict[str, Any]:
        """Resolve, run `work`, and look the target up once more when a remembered session is gone."""
        target, warnings = await self.resolve(notebook, session, url)
        try:
            return await work(target, warnings)
        except StaleSessionError:
            if notebook is None and session is None:
                raise
            # A 404 on the session id: nothing ran. Forget it and look again once.
            self.forget(target)
            target, warnings = await self.resolve(notebook, session, url, fresh=True)
            return await work(target, warnings)
        except PairError as error:
            error.details.setdefault("session", target.to_json())
            raise


async def _replay_lull(pairing: PairingSession) -> None:
    """Let the replay that follows kernel-ready arrive (it has no end marker: wait for a short lull)."""
    deadline = time.monotonic() + REPLAY_LIMIT
    while time.monotonic() < deadline:
        version = pairing.notebook.version
        changed = await pairing.wait_until(lambda nb: nb.version != version, timeout=REPLAY_QUIET)
        if not changed:
            return


async def _limited(job: Awaitable[T], timeout: float | None, what: str, partial: ExecResult | None = None) -> T:
    """Run `job` under the caller's time limit (none by default)."""
    if timeout is None:
        return await job
    if timeout <= 0:
        raise PairError("timeout must be a positive number of seconds.", next="Pass a positive timeout, or none.")
    try:
        return await asyncio.wait_for(job, timeout)
    except asyncio.TimeoutError:
        details: dict[str, Any] = {"timeout": timeout}
        if partial is not None:
            details.update(stdout=partial.stdout, stderr=partial.stderr)
        raise RunTimedOutError(
            f"{what} did not finish within {timeout:g} s; the request was closed, which interrupts the kernel.",
            **details,
        ) from None


# ---------------------------------------------------------------- the server

NotebookArg = Annotated[
    str | None,
    Field(description="The notebook: absolute path, path relative to the server's cwd, or a unique basename."),
]
SessionArg = Annotated[str | None, Field(description="A session id: the stable sess-... id, or a routing id.")]
UrlArg = Annotated[str | None, Field(description="The marimo server's URL, when several run (e.g. http://127.0.0.1:2718).")]
TimeoutArg = Annotated[
    float | None,
    Field(description="Seconds to wait at most; then the request is closed, which interrupts the kernel. None: no limit."),
]
CodeArg = Annotated[str, Field(description="Python code, exactly as it should arrive (no escaping needed).")]
CellArg = Annotated[str, Field(description="A cell id (from `cells`) or a unique cell name.")]
PlaceArg = Annotated[str | None, Field(description="A cell id or name to place it next to.")]


class _Server(MCPServer):
    """MCPServer whose argument errors are structured like every other failure."""

    async def call_tool(self, name: str, arguments: dict[str, Any], context: Any = None) -> Any:
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


def build_server(workbench: Workbench) -> MCPServer:
    """The MCP server and its tools, all served by `workbench`."""
    server = _Server(
        "marimo-pair-tui",
        instructions=INSTRUCTIONS,
        version=_version(),
        log_level="WARNING",
    )

    async def call(job: Callable[[], Awaitable[dict[str, Any]]]) -> CallToolResult:
        try:
            return result_of(await job())
        except PairError as error:
            return error_result(error)
        except Exception as exc:  # never let a bug take the server down, and say what happened
            return error_result(_Unexpected(f"{exc.__class__.__name__}: {exc}"))

    def on(
        notebook: str | None, session: str | None, url: str | None,
        work: Callable[[Target, list[str]], Awaitable[dict[str, Any]]],
    ) -> Awaitable[CallToolResult]:
        return call(lambda: workbench.targeted(notebook, session, url, work))

    def connection(target: Target) -> Connection:
        return workbench.hub.connection(target.server)

    async def operation(
        target: Target, warnings: list[str], job: Awaitable[OpResult], timeout: float | None, what: str, ran: bool
    ) -> dict[str, Any]:
        result = await _limited(job, timeout, what)
        await workbench.settle(target, result, ran=ran)
        return op_document(result, target, warnings)

    @server.tool(title="List marimo servers")
    async def servers() -> CallToolResult:
        """Running marimo servers: the local registry, plus the URLs the MCP server was started with."""
        return await call(workbench.servers)

    @server.tool(title="List notebooks and sessions")
    async def notebooks(url: UrlArg = None) -> CallToolResult:
        """Notebooks with open sessions on every server (or on `url`): path, name, session ids."""
        return await call(lambda: workbench.notebooks(url))

    @server.tool(name="open_notebook", title="Open a notebook")
    async def open_notebook_(
        path: Annotated[str, Field(description="The notebook file (absolute, or relative to the server's cwd).")],
        run: Annotated[bool | None, Field(description="Run all cells of a new session (default: as marimo's runtime.auto_instantiate says).")] = None,
    ) -> CallToolResult:
        """A session for a notebook file: an existing one if a server has it, else start `marimo edit` for it."""

        async def job() -> dict[str, Any]:
            result, warnings = await workbench.discovering(lambda: open_notebook(workbench.hub, path, run=run))
            return {**result.to_json(), "warnings": warnings}

        return await call(job)

    @server.tool(title="Read cells")
    async def cells(
        notebook: NotebookArg = None,
        session: SessionArg = None,
        url: UrlArg = None,
        ids: Annotated[list[str] | None, Field(description="Only these cells (ids or names), in this order.")] = None,
        refresh: Annotated[bool, Field(description="Read through code_mode in the kernel instead of the live mirror (waits while the kernel is busy).")] = False,
    ) -> CallToolResult:
        """Every cell in order: id, name, code, hash (pass it to edit_cell), status, errors, console, output, defs, refs.

        Served from a live mirror of the session: costs no kernel round trip and answers while cells run.
        `kernel` says whether anything is queued or running."""

        async def work(target: Target, warnings: list[str]) -> dict[str, Any]:
            if refresh or workbench.mirrors_other_session(target):
                if not refresh:
                    warnings = [*warnings, "The live mirror follows another session of this file; read through code_mode."]
                snap = await codemode.snapshot(connection(target), target.session, ids=ids)
                return {
                    "success": True, "session": target.to_json(), "source": "code_mode",
                    "cells": [c.to_json() for c in snap.cells], "warnings": warnings,
                }
            pairing = await workbench.pairing(target)
            chosen = pick_cells(pairing.notebook, ids) if ids else pairing.notebook.cells
            return {
                "success": True, "session": target.to_json(), "source": "live",
                "cells": [live_cell_json(c) for c in chosen],
                "kernel": kernel_summary(pairing),
                "warnings": warnings,
            }

        return await on(notebook, session, url, work)

    @server.tool(name="execute", title="Run code in the kernel")
    async def execute_(
        code: CodeArg,
        ctx: Context,
        notebook: NotebookArg = None,
        session: SessionArg = None,
        url: UrlArg = None,
        timeout: TimeoutArg = None,
    ) -> CallToolResult:
        """Run code in the session's kernel scratchpad (sees the notebook's variables; not saved).

        stdout/stderr stream as progress notifications when the client asks for progress. To change
        the notebook, create or edit cells instead."""

        async def work(target: Target, warnings: list[str]) -> dict[str, Any]:
            partial = ExecResult(success=False)
            count = 0

            async def on_output(channel: str, text: str) -> None:
                nonlocal count
                count += 1
                if channel == "stdout":
                    partial.stdout += text
                else:
                    partial.stderr += text
                try:
                    await ctx.report_progress(count, None, text if channel == "stdout" else f"[stderr] {text}")
                except Exception:  # the client went away or refused progress: the run goes on
                    pass

            result = await _limited(execute(connection(target), target.session, code, on_output), timeout, "The code", partial)
            return {**result.to_json(), "session": target.to_json(), "warnings": warnings}

        return await on(notebook, session, url, work)

    @server.tool(title="Create a cell")
    async def create_cell(
        code: CodeArg,
        notebook: NotebookArg = None,
        session: SessionArg = None,
        url: UrlArg = None,
        after: PlaceArg = None,
        before: PlaceArg = None,
        name: Annotated[str | None, Field(description="A name for the cell (a Python identifier).")] = None,
        run: Annotated[bool, Field(description="Run the cell once created.")] = False,
        timeout: TimeoutArg = None,
    ) -> CallToolResult:
        """Add a cell (at the end unless placed) and save it to the notebook file. Refuses syntax errors,
        names another cell defines (naming that cell) and cycles; then nothing is applied."""

        async def work(target: Target, warnings: list[str]) -> dict[str, Any]:
            job = codemode.create_cell(connection(target), target.session, code, before=before, after=after, name=name, run=run)
            return await operation(target, warnings, job, timeout, "Creating the cell", run)

        return await on(notebook, session, url, work)

    @server.tool(title="Edit a cell")
    async def edit_cell(
        cell: CellArg,
        code: CodeArg,
        notebook: NotebookArg = None,
        session: SessionArg = None,
        url: UrlArg = None,
        expect: Annotated[str | None, Field(description="The cell's `hash` as you read it: the edit is refused (conflict) if it changed since.")] = None,
        base: Annotated[str | None, Field(description="Or the cell's code as you read it.")] = None,
        force: Annotated[bool, Field(description="Overwrite whatever the cell holds now.")] = False,
        run: Annotated[bool, Field(description="Run the cell once edited.")] = False,
        timeout: TimeoutArg = None,
    ) -> CallToolResult:
        """Replace a cell's code only if it is still what you read (pass `expect`, the hash from `cells`).
        A conflict returns both versions (`theirs`, `yours`) and applies nothing."""

        async def work(target: Target, warnings: list[str]) -> dict[str, Any]:
            job = codemode.edit_cell(connection(target), target.session, cell, code, expect=expect, base=base, force=force, run=run)
            return await operation(target, warnings, job, timeout, "Editing the cell", run)

        return await on(notebook, session, url, work)

    @server.tool(title="Run cells")
    async def run_cells(
        cells: Annotated[list[str], Field(description="Cell ids or names to run.")],
        notebook: NotebookArg = None,
        session: SessionArg = None,
        url: UrlArg = None,
        timeout: TimeoutArg = None,
    ) -> CallToolResult:
        """Run cells (and what depends on them); returns their state after the run."""

        async def work(target: Target, warnings: list[str]) -> dict[str, Any]:
            job = codemode.run_cells(connection(target), target.session, cells)
            return await operation(target, warnings, job, timeout, "Running the cells", True)

        return await on(notebook, session, url, work)

    @server.tool(title="Move a cell")
    async def move_cell(
        cell: CellArg,
        notebook: NotebookArg = None,
        session: SessionArg = None,
        url: UrlArg = None,
        after: PlaceArg = None,
        before: PlaceArg = None,
    ) -> CallToolResult:
        """Move a cell before or after another (exactly one of them); `order` is the new order."""

        async def work(target: Target, warnings: list[str]) -> dict[str, Any]:
            job = codemode.move_cell(connection(target), target.session, cell, before=before, after=after)
            return await operation(target, warnings, job, None, "Moving the cell", False)

        return await on(notebook, session, url, work)

    @server.tool(title="Delete a cell")
    async def delete_cell(
        cell: CellArg,
        notebook: NotebookArg = None,
        session: SessionArg = None,
        url: UrlArg = None,
    ) -> CallToolResult:
        """Delete a cell; `stale` lists the cells that read what it defined."""

        async def work(target: Target, warnings: list[str]) -> dict[str, Any]:
            job = codemode.delete_cell(connection(target), target.session, cell)
            return await operation(target, warnings, job, None, "Deleting the cell", False)

        return await on(notebook, session, url, work)

    @server.tool(title="Add packages")
    async def add_packages(
        packages: Annotated[list[str], Field(description="Package names as the package manager takes them (e.g. 'humanize', 'polars>=1').")],
        notebook: NotebookArg = None,
        session: SessionArg = None,
        url: UrlArg = None,
        timeout: TimeoutArg = None,
    ) -> CallToolResult:
        """Install packages into the kernel's environment with the notebook's package manager; then re-run
        the cells that failed to import them."""

        async def work(target: Target, warnings: list[str]) -> dict[str, Any]:
            job = codemode.add_packages(connection(target), target.session, packages)
            return await operation(target, warnings, job, timeout, "Installing the packages", False)

        return await on(notebook, session, url, work)

    @server.tool(name="interrupt", title="Interrupt the kernel")
    async def interrupt_(notebook: NotebookArg = None, session: SessionArg = None, url: UrlArg = None) -> CallToolResult:
        """Interrupt whatever the session's kernel is running."""

        async def work(target: Target, warnings: list[str]) -> dict[str, Any]:
            await interrupt(connection(target), target.session)
            return {"success": True, "session": target.to_json(), "warnings": warnings}

        return await on(notebook, session, url, work)

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

        async def work(target: Target, warnings: list[str]) -> dict[str, Any]:
            pairing = await workbench.pairing(target)
            deadline = None if timeout is None else time.monotonic() + timeout
            reason, step, last = "timeout", 0, None
            while True:
                if pairing.live_state == "gone":
                    reason = "gone"
                    break
                if pairing.notebook.is_idle() and await kernel_state(connection(target), target.session) == "idle":
                    reason = "idle"
                    break
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    break
                busy = pairing.notebook.running_cell_ids() + pairing.notebook.queued_cell_ids()
                if busy != last:
                    last, step = busy, step + 1
                    try:
                        await ctx.report_progress(step, None, "running: " + (", ".join(busy) or "the scratchpad"))
                    except Exception:
                        pass
                version = pairing.notebook.version
                wait = IDLE_RECHECK if remaining is None else min(IDLE_RECHECK, remaining)
                await pairing.wait_until(lambda nb: nb.version != version, timeout=wait)
            return {
                "success": reason == "idle",
                "reason": reason,
                "session": target.to_json(),
                "kernel": kernel_summary(pairing),
                "cells": [{"id": c.id, "name": c.name, "status": c.status, "hash": c.hash} for c in pairing.notebook.cells],
                "warnings": warnings,
            }

        return await on(notebook, session, url, work)

    @server.resource("marimo-pair-tui://guide", name="guide", title="How to pair with marimo notebooks", mime_type="text/markdown")
    def guide() -> str:
        """The agent guide (SKILL.md): the workflow, exit codes and error kinds."""
        from ..guide import text

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
    workbench = Workbench(options)
    server = build_server(workbench)
    loop = asyncio.get_running_loop()

    async def terminate() -> None:
        # The SDK reads stdin in a worker thread that no cancellation reaches:
        # close what we hold, then leave without waiting for that thread.
        try:
            await asyncio.wait_for(workbench.aclose(), timeout=10)
        finally:
            os._exit(0)

    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        try:
            loop.add_signal_handler(signum, lambda: asyncio.ensure_future(terminate()))
        except (NotImplementedError, RuntimeError, ValueError):  # not the main thread, or Windows
            pass
    warm = asyncio.ensure_future(_warm_compiler())
    try:
        await server.run_stdio_async()
    finally:
        warm.cancel()
        await workbench.aclose()


def main(options: HubOptions) -> None:
    asyncio.run(serve(options))


__all__ = ["RunTimedOutError", "Workbench", "build_server", "main", "serve"]
