"""THE session service: everything a door does to a notebook session goes through here.

Each door (the headless commands, the MCP server, the terminal app) parses
its input, calls one method, and renders the `Reply` (core/documents.py
turns replies into JSON). The service owns:

- resolution, through the directory, remembered for named targets while
  nothing says otherwise: a remembered session that went away (a 404 on its
  id, so nothing ran) is looked up again once, and so is one whose mirror lost
  its stream or whose server stopped answering, as a new process would look it
  up (a dead server is never answered for from memory);
- lost sessions (core/service/recovery.py): when a followed session ends, the
  notebook's new session is followed; a call that met a 404 (nothing ran) is
  sent once more there, never one whose outcome is unknown;
- the live mirrors (core/service/mirrors.py): reads are answered from them, never
  through the busy kernel; an operation returns once the mirror that
  follows its session shows the change;
- the activity log of each session: every request sent (snippets, cell
  operations, UI values, interrupts, restarts, answers) is logged, whether a
  mirror follows the session or not;
- operations: snippets (streaming), cell operations through code_mode,
  interrupt; the caller's time limit, which closes the request and so
  interrupts marimo's kernel, reported as an outcome unknown.

Requests (`TargetSpec`, code, ids) and results (`Reply` and the values in
core/service/values.py) are plain data.
"""

from __future__ import annotations

import asyncio
import re
import time
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Awaitable, Callable, Sequence, TypeVar, Union

from ..codemode import client
from ..codemode.batch import apply_checked, check_batch
from ..model.activity import ActivityLog
from ..wire.virtual_files import fetch_virtual_files
from ..model.completion import Completion, complete, help_text
from .lifecycle import NothingWaitingError, OnPrompt, PromptWatch, restart_session, send_stdin
from ..model.workspace import GraphView, Variable, cell_graph, variables
from ..codemode.variable_peek import peek as peek_values, wants_peek
from ..codemode.ui_elements import UNSURE_VALUES, UiElement, current_values, frontend_value, pick, read_elements, set_value
from ..codemode.table_pages import TablePage, table_page
from ..parts.tables import OBJECT_ID, table_object_id
from ..model.op_results import OpResult
from .directory import Directory, ServerView
from ..wire.discovery import ServerInfo
from ..errors import (
    CellNotFoundError, ConflictError, ConnectionFailedError, InvalidRequestError, KernelStoppedError, OutcomeUnknownError, PairError,
    RunTimedOutError, StaleSessionError,
)
from ..wire.execute import ExecResult, OnOutput, announcing, execute
from ..servers.hub import Hub, HubOptions
from ..wire.kernel import interrupt
from .mirrors import SETTLE_TIMEOUT, Mirrors, OnBusy, mirror_key
from .recovery import Recovery
from ..model.notebook import Cell, Notebook
from .mirror import Mirror
from .values import ActivityPage, CellsView, IdleWait, KernelView, Reply, TargetSpec
from .values import GrepView
from ..model.search import query as search_query, search
from ..wire.sessions import NotebookEntry, Target
from ..servers.browser_session import RUN_WAIT, Prompt, create_session
from ..servers.serving import open_notebook
from .pictures import Pictures
from .code_history import (
    HISTORY_DEFAULT, HistoryPage, history_page, nothing_done, revert_conflict, revert_plan, undo_plan,
)
from ..model.undo_plan import UndoPlan
from ..codemode.post_mortem import PostMortem, post_mortem
from .debugger import DebugSession, refuse_if_held

__all__ = ["ACTIVITY_DEFAULT", "PairingService", "cell_code", "kernel_view", "limited", "newest_entries", "pick_cells"]

T = TypeVar("T")
Targetable = Union[TargetSpec, Target]

ACTIVITY_DEFAULT = 20  # entries an activity read returns unless told otherwise
GREP_DEFAULT = 100  # matches a search returns unless told otherwise (all are counted)
MISSING_MODULE = re.compile(r"No module named '([\w.]+)'")
PROMPT_WATCH_AFTER = 1.0
STOP_WAIT = 5.0  # seconds a stopped helper task (a prompt watcher) is waited for  # seconds a job runs before its session's prompts are watched (a mirror attached)


def cell_code(code: str, what: str = "code") -> str:
    """Code for a cell or a snippet: refused when empty; trailing line breaks dropped (a heredoc's
    last newline would otherwise become a blank line before `return` in the saved notebook)."""
    if not isinstance(code, str) or not code.strip():
        raise InvalidRequestError(
            f"The {what} is empty.",
            next="Pass the code with -c CODE, --file PATH, or on stdin with - (it must hold some Python).",
        )
    return code.rstrip("\r\n")


def deleted_ids(deleted: Any) -> list[str]:
    """The cells an operation deleted: a delete's `deleted` is one cell, a batch's a list of them."""
    cells = deleted if isinstance(deleted, list) else [deleted]
    return [c["id"] for c in cells if isinstance(c, dict) and "id" in c]


def kernel_view(pairing: Mirror) -> KernelView:
    notebook = pairing.notebook
    return KernelView(
        idle=notebook.is_idle(),
        running=notebook.running_cell_ids(),
        queued=notebook.queued_cell_ids(),
        live=pairing.live_state,
        waiting_for_input=[{"cell": cell.id, "prompt": prompt} for cell, prompt in notebook.waiting_for_input()],
        notices=notebook.notices.to_json(),
        stopped=_stopped_words(notebook),
    )


def _stopped_words(notebook: Notebook) -> str | None:
    """marimo's words for a kernel process that died, while the session is not restarted."""
    stopped = notebook.notices.kernel_stopped
    return None if stopped is None else f"{stopped.title}: {stopped.description}".rstrip(": ")


def pick_cells(notebook: Notebook, wanted: Sequence[str]) -> list[Cell]:
    """Cells by id or unique name, in the order asked; unknown ones refused with the nearest candidates."""
    import difflib

    picked = []
    for key in wanted:
        cell = notebook.get(key)
        if cell is None:
            names = sorted({c.name for c in notebook.cells if c.name not in ("", "_")})
            nearest = difflib.get_close_matches(key, notebook.cell_ids + names, n=5, cutoff=0.4)
            hint = f" Nearest: {', '.join(nearest)}." if nearest else ""
            raise CellNotFoundError(
                f"No cell {key!r} in the notebook ({len(notebook)} cells).{hint}",
                target=key, nearest=nearest, known=notebook.cell_ids[:10], count=len(notebook),
            )
        picked.append(cell)
    return picked


async def limited(job: Awaitable[T], timeout: float | None, what: str, partial: Callable[[], ExecResult] | None = None) -> T:
    """Run `job` under the caller's time limit (none by default)."""
    if timeout is None:
        return await job
    if timeout <= 0:
        raise InvalidRequestError("timeout must be a positive number of seconds.", next="Pass a positive timeout, or none.")
    try:
        return await asyncio.wait_for(job, timeout)
    except asyncio.TimeoutError:
        details: dict[str, Any] = {"timeout": timeout}
        if partial is not None:
            printed = partial()
            details.update(stdout=printed.stdout, stderr=printed.stderr)
        raise RunTimedOutError(
            f"{what} did not finish within {timeout:g} s; the request was closed, which interrupts the kernel.",
            **details,
        ) from None


class PairingService:
    """One service per process (or per background service): the hub, the directory, the mirrors."""

    def __init__(self, options: HubOptions | None = None, *, hub: Hub | None = None, follow_used: bool = False,
                 pictures: Pictures | None = None) -> None:
        self.hub = hub or Hub(options or HubOptions())
        # A long-lived service (the background one, MCP) follows a session from its first snippet or
        # operation on: marimo sends a toast or banner only to the clients connected then, so a notice a
        # run makes would be lost to the next `status`. A one-shot process ends with the call: it does not.
        self.follow_used = follow_used
        self.directory = Directory(self.hub)
        self.mirrors = Mirrors(self.hub)
        self._targets: dict[TargetSpec, Reply[Target]] = {}
        self.recovery = Recovery(self.hub, self.mirrors, on_move=self._remember_move)
        # Hears each `input()` prompt a running job meets and no answer was given for (a door sets it).
        self.on_prompt: OnPrompt | None = None
        # Warm browsers for `screenshot`: this service's own, or those of the process it shares them with
        # (the background service's PairingServices share one set, so a caller never starts a second Chromium).
        self.pictures = pictures if pictures is not None else Pictures()
        self._owns_pictures = pictures is None
        if follow_used:  # a long-lived service: the browser starts with the first session it follows
            self.mirrors.on_followed = self._warm_pictures

    def _warm_pictures(self, target: Target) -> None:
        """A session newly followed: its picture's browser and page start in the background."""
        self.pictures.warm(self.hub.connection(target.server), target)

    async def __aenter__(self) -> "PairingService":
        if self.follow_used and self._owns_pictures:  # a long-lived service: a picture may come with its first calls
            self.pictures.prepare()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Stop every mirror (the sessions live on), then the connections and forwards."""
        await self.recovery.aclose()
        if self._owns_pictures:
            await self.pictures.aclose()
        await self.mirrors.aclose()
        await self.hub.aclose()

    # -- the directory ----------------------------------------------------------

    async def servers(self) -> Reply[list[ServerInfo]]:
        return await self.directory.servers()

    async def notebooks(self, url: str | None = None) -> Reply[list[NotebookEntry]]:
        return await self.directory.notebooks(url)

    async def overview(self) -> Reply[list[ServerView]]:
        """Every server with its notebooks or its error (the app's picker)."""
        return await self.directory.overview()

    async def open(self, path: str, *, run: bool | None = None, run_wait: float = RUN_WAIT) -> Reply[Any]:
        """A session for a notebook file: an existing one if a server has it, else a started server.
        A run is followed for `run_wait` seconds at most; past them the cells run on (`still_running`)."""
        from ..state.call_warnings import collecting

        with collecting() as notes:
            result = await open_notebook(self.hub, path, run=run, run_wait=run_wait)
        await self._tell_prompts(result.waiting)
        return Reply(result, target=result.target, warnings=notes)

    async def _tell_prompts(self, waiting: Sequence[Prompt]) -> None:
        """A new session's run stopped at `input()`: tell `on_prompt`, as for any run that waits."""
        tell = self.on_prompt
        if tell is None:
            return
        for prompt in waiting:
            told = tell(prompt.label, prompt.prompt)
            if asyncio.iscoroutine(told):
                await told

    # -- targets ----------------------------------------------------------------

    async def resolve(self, spec: Targetable, *, fresh: bool = False) -> Reply[Target]:
        """The session `spec` means; remembered when it named one, looked up every time when it did not."""
        if isinstance(spec, Target):
            spec = self.current(spec)
            return Reply(spec, target=spec)
        known = self._recall(spec) if not fresh else None
        if known is not None:
            return Reply(known.value, target=known.target, warnings=list(known.warnings))
        self._targets.pop(spec, None)  # forgotten until found again
        reply = await self.directory.resolve(spec)
        if spec.named:
            self._targets[spec] = reply
        return Reply(reply.value, target=reply.target, warnings=list(reply.warnings))

    def _recall(self, spec: TargetSpec) -> Reply[Target] | None:
        """The session a named target was last resolved to, unless its mirror lost the stream (the
        server or the session may be gone: it is looked up again, as in a new process)."""
        known = self._targets.get(spec) if spec.named else None
        if known is None or self.mirrors.state(known.value) == "reconnecting":
            return None
        return known

    def _remember_move(self, lost: Target, new: Target) -> None:
        """Targets remembered as `lost` now mean the session that followed it."""
        for spec, known in list(self._targets.items()):
            if mirror_key(known.value) == mirror_key(lost):
                warnings = list(known.warnings)
                if spec.session:  # they named the old session: say which one answers now
                    warnings.append(f"Session {spec.session} ended (restarted); its notebook's new session "
                                    f"{new.session.selector} answers instead. Use --session {new.session.selector}.")
                self._targets[spec] = Reply(new, target=new, warnings=warnings)

    async def forget(self, target: Target) -> None:
        """Drop what is remembered about a session that went away."""
        for spec, known in list(self._targets.items()):
            if known.value.session == target.session and known.value.server.url == target.server.url:
                del self._targets[spec]
        await self.mirrors.drop(target)

    async def _on(self, spec: Targetable, work: Callable[[Target], Awaitable[T]]) -> Reply[T]:
        """Resolve, run `work` (its requests logged), and once more on the notebook's new session
        when the session turns out to be gone (a 404: nothing ran). A remembered session whose
        server does not answer is looked up again, and what that lookup meets is the answer (the
        same as a new process's); the call is never sent again."""
        with self.pictures.calling():  # a browser warms only once calls have stopped for a while
            return await self._resolved_on(spec, work)

    async def _resolved_on(self, spec: Targetable, work: Callable[[Target], Awaitable[T]]) -> Reply[T]:
        recalled = isinstance(spec, TargetSpec) and self._recall(spec) is not None
        resolved = await self.resolve(spec)
        if isinstance(spec, TargetSpec):
            await self.mirrors.revive(resolved.value)  # the server just answered for it
        try:
            return await self._attempt(spec, resolved, work)
        except ConnectionFailedError:
            if recalled:
                assert isinstance(spec, TargetSpec)
                await self.resolve(spec, fresh=True)  # raises what a new process would meet
            raise

    async def _attempt(self, spec: Targetable, resolved: Reply[Target], work: Callable[[Target], Awaitable[T]]
                       ) -> Reply[T]:
        target = resolved.value
        try:
            try:
                with announcing(self.mirrors.announcer(target)):
                    value = await work(target)
            except StaleSessionError:
                successor = await self.recovery.successor(target)
                if successor is None:
                    if not isinstance(spec, TargetSpec) or not spec.named:
                        raise
                    # Nothing followed it: forget it and look the named target up again, once.
                    await self.forget(target)
                    resolved = await self.resolve(spec, fresh=True)
                    successor = resolved.value
                target = successor
                with announcing(self.mirrors.announcer(target)):
                    value = await work(target)
        except PairError as error:
            error.details.setdefault("session", target.to_json())
            raise
        return Reply(value, target=target, warnings=resolved.warnings)

    def current(self, target: Target) -> Target:
        """`target`, or the session that followed it when it was lost (core/service/recovery.py)."""
        return self.recovery.current(target)

    # -- reads, from the live mirror --------------------------------------------

    async def mirror(self, spec: Targetable, *, wait: bool = True) -> Reply[Mirror]:
        """The live mirror of a session (the app subscribes to it; `watch` follows it)."""
        return await self._on(spec, lambda target: self.mirrors.get(target, wait=wait))

    async def cells(
        self, spec: Targetable, *, ids: Sequence[str] | None = None, refresh: bool = False, files: bool = False
    ) -> Reply[CellsView]:
        """Every cell (or those `ids` names) from the live mirror; `refresh` reads through code_mode
        instead (a kernel round trip that waits while the kernel is busy). `files`: fetch the files
        marimo keeps for the outputs (chart data, images) into their parts, so they can be drawn and saved."""
        notes: list[str] = []

        async def work(target: Target) -> CellsView:
            if refresh or self.mirrors.follows_other_session(target):
                if not refresh:
                    notes.append("The live mirror follows another session of this file; read through code_mode.")
                view = await self._cells_from_code_mode(target, ids, notes)
            else:
                view = await self._cells_from_mirror(target, ids, notes)
            if files:
                notes.extend(await self._fetch_output_files(target, view))
            return view

        return (await self._on(spec, work)).warn(*notes)

    async def _cells_from_code_mode(self, target: Target, ids: Sequence[str] | None, notes: list[str]) -> CellsView:
        """The cells as code_mode's snapshot reports them, with the UI elements' values in the kernel."""
        connection = self.hub.connection(target.server)
        snap = await client.snapshot(connection, target.session, ids=ids)
        ui, sure = await current_values(connection, target.session, snap.cells)
        if not sure:
            notes.append(UNSURE_VALUES)
        return CellsView(cells=snap.cells, source="code_mode", ui=ui)

    async def _cells_from_mirror(self, target: Target, ids: Sequence[str] | None, notes: list[str]) -> CellsView:
        """The cells as the live mirror holds them, with the UI elements' values in the kernel."""
        pairing = await self.mirrors.get(target)
        chosen = pick_cells(pairing.notebook, ids) if ids else pairing.notebook.cells
        ui, sure = await current_values(self.hub.connection(target.server), target.session, chosen, pairing.notebook,
                                        idle=lambda: self.mirrors.idle(target, pairing))
        if not sure:
            notes.append(UNSURE_VALUES)
        return CellsView(cells=chosen, source="live", kernel=kernel_view(pairing), ui=ui)

    async def _fetch_output_files(self, target: Target, view: CellsView) -> list[str]:
        """Fetch the files marimo keeps for the live cells' outputs (chart data, images) into their parts,
        so they can be drawn and saved; a note for each file that could not be fetched."""
        connection = self.hub.connection(target.server)
        notes = []
        for cell in view.cells:  # live cells: their parts are kept with the output
            if isinstance(cell, Cell) and cell.output is not None:
                for url in await fetch_virtual_files(connection, cell.output.parts):
                    notes.append(f"Could not fetch {url}, which the output of cell {cell.id} refers to: "
                                 "re-run the cell and read again.")
        return notes

    async def is_idle(self, spec: Targetable) -> Reply[bool]:
        """Nothing queued or running, by the mirror and by the kernel's own word."""

        async def work(target: Target) -> bool:
            return await self.mirrors.idle(target, await self.mirrors.get(target))

        return await self._on(spec, work)

    async def status(self, spec: Targetable) -> Reply[KernelView]:
        """Whether the kernel is busy, from the live stream (answers while a cell runs)."""

        async def work(target: Target) -> KernelView:
            return kernel_view(await self.mirrors.get(target))

        return await self._on(spec, work)

    async def activity(self, spec: Targetable, *, limit: int = ACTIVITY_DEFAULT, since: str | None = None,
                       listen: float = 0.0, on_listening: Callable[[], None] | None = None) -> Reply[ActivityPage]:
        """What ran in the session, by anyone, newest first; `since` an entry id: only later ones.

        What anyone runs is in the log from when the service began following
        the session (`log_started_at`); what this service sent, from its first
        call there, followed or not. `listen` seconds more are spent hearing
        the stream before answering (a one-shot reader's window onto what
        others run)."""
        if limit < 1:
            raise InvalidRequestError("limit must be at least 1.", next="Pass a positive limit.")
        notes: list[str] = []

        async def work(target: Target) -> ActivityPage:
            pairing = await self.mirrors.get(target)
            if listen > 0:
                if on_listening is not None:
                    on_listening()
                await asyncio.sleep(listen)  # a listening window, not a synchronisation
            if self.mirrors.follows_other_session(target):
                notes.append("The live mirror follows another session of this file; this is its activity.")
            entries, more = newest_entries(pairing.notebook.activity, limit=limit, since=since)
            return ActivityPage(entries, more, self.mirrors.followed_since(target), kernel_view(pairing))

        return (await self._on(spec, work)).warn(*notes)

    async def wait_until_idle(self, spec: Targetable, *, timeout: float | None = None,
                              on_busy: OnBusy | None = None) -> Reply[IdleWait]:
        """Wait until nothing is queued or running (a browser's runs included)."""
        if timeout is not None and timeout <= 0:
            raise InvalidRequestError("timeout must be a positive number of seconds.", next="Pass a positive timeout, or none.")

        async def work(target: Target) -> IdleWait:
            pairing, reason = await self.mirrors.until_idle(target, timeout, on_busy)
            return IdleWait(reason, kernel_view(pairing), pairing.notebook.cells)

        return await self._on(spec, work)

    async def refresh(self, spec: Targetable) -> Reply[Notebook]:
        """Re-read every cell through code_mode into the live mirror's model."""

        async def work(target: Target) -> Notebook:
            pairing = await self.mirrors.get(target, wait=False)
            await pairing.refresh()
            return pairing.notebook

        return await self._on(spec, work)

    # -- operations ---------------------------------------------------------------

    async def execute(self, spec: Targetable, code: str, *, on_output: OnOutput | None = None,
                      timeout: float | None = None, answers: Sequence[str] = (),
                      on_prompt: OnPrompt | None = None) -> Reply[ExecResult]:
        """Run a snippet in the kernel's scratchpad, streaming its output; never resent. Its `input()`
        prompts get `answers` in order; the others are told to `on_prompt` (the snippet waits)."""
        code = cell_code(code)

        async def work(target: Target) -> ExecResult:
            printed: dict[str, list[str]] = {"stdout": [], "stderr": []}  # joined only if the time runs out

            def partial() -> ExecResult:
                return ExecResult(success=False, stdout="".join(printed["stdout"]), stderr="".join(printed["stderr"]))

            async def relay(channel: Any, text: str) -> None:
                printed["stdout" if channel == "stdout" else "stderr"].append(text)
                if on_output is not None:
                    maybe = on_output(channel, text)
                    if maybe is not None:
                        await maybe

            await self._follow(target)
            self._refuse_if_stopped(target)
            self._refuse_if_held(target)
            run = execute(self.hub.connection(target.server), target.session, code, relay)
            async with self._prompts(target, answers, on_prompt):
                return await limited(self._unless_stopped(target, run), timeout, "The code", partial)

        return await self._on(spec, work)

    # -- lifecycle and prompts (core/service/lifecycle.py) -----------------------------------

    async def restart(self, spec: Targetable, *, run: bool | None = None, run_wait: float = RUN_WAIT) -> Reply[Target]:
        """Restart the kernel: marimo closes the session (every variable and output in memory goes), and a
        new session is made for the notebook as a browser reloading would (running its cells when
        `run`, or when the user's marimo config auto-runs). Mirrors following the old one move to it."""

        async def work(target: Target) -> Target:
            connection = self.hub.connection(target.server)
            log, began = self.mirrors.log(target), time.time()  # the log moves with the session (below)
            await restart_session(connection, target.session)
            session, ran, waiting, running = await create_session(connection, target.notebook, run=run, run_wait=run_wait)
            new = Target(server=target.server, notebook=target.notebook, session=session)
            log.control({"op": "restart", "session": new.session.selector, "ran": ran}, began)
            await self.recovery.follow(target, new)
            await self._tell_prompts(waiting)
            still.extend(running)
            return new

        still: list[str] = []
        reply = await self._on(spec, work)
        answer = Reply(reply.value, target=reply.value, warnings=reply.warnings)
        if still:
            answer.warn(f"The new session's run goes on ({len(still)} cells queued or running: "
                        f"{', '.join(still[:5])}{', …' if len(still) > 5 else ''}); `watch --until-idle` follows it.")
        return answer

    async def answer(self, spec: Targetable, text: str) -> Reply[tuple[str, str]]:
        """Answer the `input()` the session waits on; (cell label, prompt). Refused when nothing waits."""

        async def work(target: Target) -> tuple[str, str]:
            pairing = await self.mirrors.get(target)
            waiting = pairing.notebook.waiting_for_input()
            if not waiting:
                raise NothingWaitingError("Nothing in this session is waiting for input.")
            cell, prompt = waiting[0]
            key = (cell.id, len(cell.console))
            log, began = self.mirrors.log(target), time.time()
            await send_stdin(self.hub.connection(target.server), target.session, text)
            log.control({"op": "answer", "cell": cell.label, "prompt": prompt}, began)
            await pairing.wait_until(lambda nb: all((c.id, len(c.console)) != key for c, _ in nb.waiting_for_input()),
                                     timeout=SETTLE_TIMEOUT)
            return cell.label, prompt

        return await self._on(spec, work)

    def _missing_packages(self, target: Target, result: OpResult) -> list[str]:
        """Packages the cells an operation ran could not import: marimo's alert (its own module-to-package
        names) when a mirror heard it, else the modules named by ModuleNotFoundError."""
        if not result.ran:
            return []
        pairing = self.mirrors.held(target)
        if pairing is not None and pairing.notebook.missing_packages:
            found, pairing.notebook.missing_packages = pairing.notebook.missing_packages, []
            return found
        modules = [match.group(1).split(".")[0] for cell in result.cells for error in cell.errors
                   for match in [MISSING_MODULE.search(error.message)] if match]
        return sorted(set(modules))

    @asynccontextmanager
    async def _prompts(self, target: Target, answers: Sequence[str], on_prompt: OnPrompt | None = None
                       ) -> AsyncIterator[None]:
        """While a job runs: answer its `input()` prompts from `answers`, and tell `on_prompt` of the rest.
        A mirror is attached only if the job is still running after PROMPT_WATCH_AFTER (a silent run)."""

        async def watch() -> None:
            pairing = self.mirrors.held(target)
            if pairing is None:
                await asyncio.sleep(PROMPT_WATCH_AFTER)
                pairing = await self.mirrors.get(target)
            connection = self.hub.connection(target.server)
            await PromptWatch(pairing, lambda text: send_stdin(connection, target.session, text),
                              answers, on_prompt or self.on_prompt).run()

        task = asyncio.create_task(watch())
        try:
            yield
        finally:
            task.cancel()
            await asyncio.wait({task}, timeout=STOP_WAIT)  # the job's answer never waits on the watcher

    # -- the kernel as a map (core/model/workspace.py), from the live mirror ---------------

    async def variables(self, spec: Targetable, *, names: Sequence[str] | None = None, peek: bool = False
                        ) -> Reply[list[Variable]]:
        """The kernel's globals (or those `names`): type, preview, defining and reading cells, a frame's columns.
        `peek`: when the kernel is idle, read the Series' and frames' previews (labels, first values) in it."""
        notes: list[str] = []

        async def work(target: Target) -> list[Variable]:
            pairing = await self.mirrors.get(target)
            found = variables(pairing.notebook, names)
            if peek and any(wants_peek(v) for v in found):
                if await self.mirrors.idle(target, pairing):
                    await peek_values(self.hub.connection(target.server), target.session, found)
                else:
                    notes.append("The kernel is busy: Series and frames keep marimo's own preview (no row labels); "
                                 "ask again once it is idle.")
            return found

        return (await self._on(spec, work)).warn(*notes)

    async def graph(self, spec: Targetable, *, cell: str | None = None) -> Reply[GraphView]:
        """The cells' dataflow graph (built from their defs and refs), focused on `cell` if given."""

        async def work(target: Target) -> GraphView:
            notebook = (await self.mirrors.get(target)).notebook
            focus = pick_cells(notebook, [cell])[0].id if cell is not None else None
            return GraphView(cell_graph(notebook.cells), {c.id: c.name for c in notebook.cells}, focus)

        return await self._on(spec, work)

    async def complete(self, spec: Targetable, text: str, line: int, column: int, *, cell: str | None = None
                       ) -> Reply[list[Completion]]:
        """Completions for the editor at (line, column) of `text` in the notebook's context (static, jedi:
        marimo answers kernel completions only to the browser). Runs off the event loop."""

        async def work(target: Target) -> list[Completion]:
            cells = list((await self.mirrors.get(target)).notebook.cells)
            return await asyncio.to_thread(complete, cells, text, line, column, cell_id=cell)

        return await self._on(spec, work)

    async def help(self, spec: Targetable, text: str, line: int, column: int, *, cell: str | None = None) -> Reply[str]:
        """The docstring of the name at (line, column) of `text`."""

        async def work(target: Target) -> str:
            cells = list((await self.mirrors.get(target)).notebook.cells)
            return await asyncio.to_thread(help_text, cells, text, line, column, cell_id=cell)

        return await self._on(spec, work)

    # -- UI elements and tables (core/codemode/ui_elements.py) ------------------------------

    async def ui(self, spec: Targetable, *, ids: Sequence[str] | None = None) -> Reply[list[UiElement]]:
        """The session's UI elements as the kernel holds them now (a kernel round trip); the live mirror's
        copy of the values is brought up to date with them."""

        async def work(target: Target) -> list[UiElement]:
            held = None if self.mirrors.follows_other_session(target) else self.mirrors.held(target)
            return await read_elements(self.hub.connection(target.server), target.session, ids,
                                       notebook=held.notebook if held is not None else None)

        return await self._on(spec, work)

    async def set_ui(self, spec: Targetable, target_name: str, value: Any, *, label: str | None = None,
                     timeout: float | None = None) -> Reply[OpResult]:
        """Set one element's value (checked against its domain first); returns once its dependents re-ran
        and the live mirror shows them."""

        async def work(target: Target) -> OpResult:
            connection = self.hub.connection(target.server)
            named = (await self.mirrors.get(target)).notebook.get(target_name)  # a cell's name means its id
            elements = await read_elements(connection, target.session)
            element = pick(elements, target_name, label, cell_id=named.id if named is not None else None)
            sent = frontend_value(element, value, elements)
            result = await limited(set_value(connection, target.session, element, sent), timeout, "Setting the value")
            await self.mirrors.settle(target, result.order, result.cells, ran=True)
            return result

        return await self._on(spec, work)

    async def table_page(self, spec: Targetable, table: str, *, page: int = 0, page_size: int = 10
                         ) -> Reply[TablePage]:
        """One page of a table output (rows from page * page_size), read in the kernel; `table` is its
        object id, or the cell (id or name, as `cells --cell` takes it) whose output shows it."""

        async def work(target: Target) -> TablePage:
            object_id = table
            if not OBJECT_ID.fullmatch(table):
                cell = pick_cells((await self.mirrors.get(target)).notebook, [table])[0]
                object_id = table_object_id(cell.output.parts if cell.output else [], cell.label)
            return await table_page(self.hub.connection(target.server), target.session, object_id, page, page_size)

        return await self._on(spec, work)

    async def interrupt(self, spec: Targetable) -> Reply[None]:
        async def work(target: Target) -> None:
            log, began = self.mirrors.log(target), time.time()
            await interrupt(self.hub.connection(target.server), target.session)
            log.control({"op": "interrupt"}, began)

        return await self._on(spec, work)

    async def _follow(self, target: Target) -> None:
        """Attach the session's mirror before a request when this service follows what it is used on
        (`follow_used`); a session that cannot be followed live is still served, only not followed."""
        if not self.follow_used:
            return
        try:
            await self.mirrors.get(target)
        except PairError:
            pass

    def _refuse_if_stopped(self, target: Target) -> None:
        """Nothing is sent to a session whose kernel process marimo said died: it would wait forever."""
        pairing = self.mirrors.held(target)
        words = None if pairing is None else _stopped_words(pairing.notebook)
        if words is not None:
            raise KernelStoppedError(f"The session's kernel is not running ({words}); nothing was sent.")

    def _refuse_if_held(self, target: Target) -> None:
        """Nothing is sent while a debugger holds the kernel (core/service/debugger.py): it would wait."""
        pairing = self.mirrors.held(target)
        if pairing is not None:
            refuse_if_held(pairing.notebook)

    async def _unless_stopped(self, target: Target, work: Awaitable[T]) -> T:
        """`work`, unless the session's kernel process dies first: marimo never ends a request whose kernel
        died, so the run's outcome is then unknown (it was not resent)."""
        pairing = self.mirrors.held(target)
        if pairing is None:
            return await work
        task = asyncio.ensure_future(work)
        died = asyncio.ensure_future(pairing.wait_until(lambda nb: nb.notices.kernel_stopped is not None, 1e9))
        try:
            await asyncio.wait({task, died}, return_when=asyncio.FIRST_COMPLETED)
            if task.done():
                return task.result()
            task.cancel()
            raise OutcomeUnknownError(
                f"The session's kernel process died during the run ({_stopped_words(pairing.notebook)}).",
                next="Restart the session (`restart --run` with the same target), then check what the run had done.")
        finally:
            died.cancel()
            if not task.done():
                task.cancel()

    async def _operation(self, spec: Targetable, what: str, op: Callable[..., Awaitable[OpResult]],
                         *args: Any, timeout: float | None = None, **kwargs: Any) -> Reply[OpResult]:
        """One code_mode operation; returns once the mirror following the session shows it."""

        async def work(target: Target) -> OpResult:
            await self._follow(target)
            self._refuse_if_stopped(target)
            self._refuse_if_held(target)
            job = op(self.hub.connection(target.server), target.session, *args, **kwargs)
            async with self._prompts(target, ()):
                result = await limited(self._unless_stopped(target, job), timeout, what)
            missing = self._missing_packages(target, result)
            if missing:
                result.extra["missing_packages"] = missing
            gone = deleted_ids(result.extra.get("deleted"))
            await self.mirrors.settle(target, result.order, result.cells, ran=result.ran, gone=gone)
            return result

        return await self._on(spec, work)

    async def apply_changes(self, spec: Targetable, operations: Sequence[Any], *, run: bool = True,
                            timeout: float | None = None) -> Reply[OpResult]:
        """Several create/edit/move/delete operations applied as one change, all or nothing, then one run
        of the cells they affect (core/codemode/batch.py); checked before anything is sent."""
        checked = check_batch(operations, run)
        return await self._operation(spec, "Applying the changes", apply_checked, checked, run=run, timeout=timeout)

    async def create_cell(self, spec: Targetable, code: str, *, before: str | None = None,
                          after: str | None = None, name: str | None = None, run: bool = False,
                          timeout: float | None = None) -> Reply[OpResult]:
        return await self._operation(spec, "Creating the cell", client.create_cell, cell_code(code),
                                     before=before, after=after, name=name, run=run, timeout=timeout)

    async def edit_cell(self, spec: Targetable, cell: str, code: str, *, expect: str | None = None,
                        base: str | None = None, force: bool = False, run: bool = False,
                        timeout: float | None = None) -> Reply[OpResult]:
        base = base.rstrip("\r\n") if isinstance(base, str) else base
        return await self._operation(spec, "Editing the cell", client.edit_cell, cell, cell_code(code),
                                     expect=expect, base=base, force=force, run=run, timeout=timeout)

    async def run_cells(self, spec: Targetable, cells: Sequence[str], *, timeout: float | None = None
                        ) -> Reply[OpResult]:
        return await self._operation(spec, "Running the cells", client.run_cells, list(cells), timeout=timeout)

    async def move_cell(self, spec: Targetable, cell: str, *, before: str | None = None,
                        after: str | None = None) -> Reply[OpResult]:
        return await self._operation(spec, "Moving the cell", client.move_cell, cell, before=before, after=after)

    async def delete_cell(self, spec: Targetable, cell: str) -> Reply[OpResult]:
        return await self._operation(spec, "Deleting the cell", client.delete_cell, cell)

    async def add_packages(self, spec: Targetable, names: Sequence[str], *, timeout: float | None = None
                           ) -> Reply[OpResult]:
        return await self._operation(spec, "Installing the packages", client.add_packages, list(names),
                                     timeout=timeout)

    # -- the code history (core/service/code_history.py) -------------------------------------

    @property
    def door(self) -> str:
        """The door this service serves (cli, mcp, app): its own code changes are recorded as made through it."""
        return self.mirrors.histories.door

    @door.setter
    def door(self, name: str) -> None:
        self.mirrors.histories.door = name

    async def history(self, spec: Targetable, *, cell: str | None = None, since: str | None = None,
                      origin: str | None = None, limit: int = HISTORY_DEFAULT) -> Reply[HistoryPage]:
        """Every recorded change of the notebook's cells' code (or `cell`'s), newest first, by anyone."""

        async def work(target: Target) -> HistoryPage:
            pairing = await self.mirrors.get(target)
            return history_page(self.mirrors.histories, pairing, target, cell=cell, since=since, origin=origin,
                                limit=limit)

        reply = await self._on(spec, work)
        return reply.warn(*reply.value.warnings)

    async def revert(self, spec: Targetable, change: str, *, force: bool = False, run: bool = True
                     ) -> Reply[OpResult]:
        """Put back the code `change` replaced, if the cell still has the code it left (else a conflict,
        unless `force`); one batch, then a run of the cell when `run`."""
        return await self._undo(spec, lambda pairing, target: revert_plan(
            self.mirrors.histories, pairing, target, change, force=force), run)

    async def undo(self, spec: Targetable, since: str, *, origin: str = "self", run: bool = True
                   ) -> Reply[OpResult]:
        """Undo every change `origin` made since `since`, all or nothing, as one batch."""
        return await self._undo(spec, lambda pairing, target: undo_plan(
            self.mirrors.histories, pairing, target, since, origin), run)

    async def _undo(self, spec: Targetable, plan_of: Callable[[Mirror, Target], UndoPlan], run: bool
                    ) -> Reply[OpResult]:
        held = await self.mirror(spec)
        pairing = held.value
        plan = plan_of(pairing, pairing.target)
        if not plan.operations:
            return Reply(nothing_done(plan, pairing), target=held.target, warnings=held.warnings).warn(*plan.warnings)
        try:
            reply = await self.apply_changes(pairing.target, plan.operations, run=run)
        except ConflictError as error:
            raise revert_conflict(error) from None
        reply.value.extra["reverted"] = plan.reverted
        return reply.warn(*held.warnings, *plan.warnings)


    # -- the debugger (core/codemode/post_mortem.py, core/service/debugger.py) ---------------

    async def debug(self, spec: Targetable, cell: str, *, commands: Sequence[str] = ()) -> Reply[PostMortem]:
        """A failed cell's post-mortem in one request: pdb's transcript for `commands` (a batch: the kernel
        never waits), the traceback's frames and their locals. Refused while a debugger holds the kernel."""

        async def work(target: Target) -> PostMortem:
            notebook = (await self.mirrors.get(target)).notebook
            chosen = pick_cells(notebook, [cell])[0]
            refuse_if_held(notebook)
            self._refuse_if_stopped(target)
            found = await post_mortem(self.hub.connection(target.server), target.session, chosen.id, commands,
                                      chosen.label)
            found.error = next((e.message for e in chosen.errors if e.kind == "runtime"), None)
            return found

        return await self._on(spec, work)

    async def debugger(self, spec: Targetable, cell: str) -> Reply[DebugSession]:
        """An interactive pdb on `cell` (not started: `start()` a failed cell's post-mortem, or `attach()` to
        the `breakpoint()` it waits on)."""

        async def work(target: Target) -> DebugSession:
            chosen = pick_cells((await self.mirrors.get(target)).notebook, [cell])[0]
            return DebugSession(self, target, chosen.id)

        return await self._on(spec, work)

    async def grep(self, spec: Targetable, pattern: str, *, regex: bool = False, ignore_case: bool = False,
                   scope: str = "all", limit: int | None = GREP_DEFAULT) -> Reply[GrepView]:
        """The lines of the cells' names, code, output and console text (as `cells` gives them) that match
        `pattern` (text as written, or a regular expression), read from the live mirror: no kernel round
        trip, so it answers while the kernel is busy (core/model/search.py). The pattern is checked first."""
        wanted = search_query(pattern, regex=regex, ignore_case=ignore_case, scope=scope)
        notes: list[str] = []

        async def work(target: Target) -> GrepView:
            pairing = await self.mirrors.get(target)
            if self.mirrors.follows_other_session(target):
                notes.append("The live mirror follows another session of this file; these are its cells.")
            return GrepView(search(pairing.notebook.cells, wanted, limit=limit), kernel_view(pairing))

        return (await self._on(spec, work)).warn(*notes)


    async def screenshot(self, spec: Targetable, cell: str | None = None, *, browser: str | None = None,
                         timeout: float | None = None) -> Reply[bytes]:
        """A PNG of a cell's output (None: the whole notebook) as marimo's front end draws it, taken in the
        user's Chromium (`browser`: its program; core/service/pictures.py); nothing runs in the kernel."""

        async def work(target: Target) -> bytes:
            notebook: Notebook | None = (await self.mirrors.get(target)).notebook
            if self.mirrors.follows_other_session(target):
                notebook = None  # its news are another session's
            cell_id = pick_cells(notebook, [cell])[0].id if cell is not None and notebook is not None else cell
            return await self.pictures.take(self.hub.connection(target.server), target, notebook, cell_id,
                                            browser=browser, timeout=timeout)

        return await self._on(spec, work)


def newest_entries(log: ActivityLog, *, limit: int, since: str | None) -> tuple[list[Any], bool]:
    """The newest `limit` entries, newest first (only those planned after entry `since`), and whether more matched."""
    entries = log.newest_first()
    if since is not None:
        mark = log.get(since)
        if mark is None:
            raise InvalidRequestError(
                f"No activity entry {since!r} in the log (it keeps the newest {log.limit} entries, "
                "from when the session began to be followed).",
                next="Pass an `id` from a recent activity result, or leave `since` out to read the newest entries.",
                since=since,
            )
        entries = [e for e in entries if e.seq > mark.seq]
    return entries[:limit], len(entries) > limit
