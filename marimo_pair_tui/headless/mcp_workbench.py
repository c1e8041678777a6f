"""What the MCP server keeps between calls: one Hub, resolved targets, live mirrors.

Discovery runs once per target and is remembered; a session that went away is
looked up again once, and only for refusals that prove nothing ran (404 on
the session). Each session a call touches gets one `PairingSession` (a kiosk
mirror) for the server's life; code the server sends while a mirror follows
the session is announced to its activity log, so `activity` tells this
server's runs from everyone else's. Time limits are the caller's: `limited`
closes a request when its `timeout` passes, which interrupts marimo's kernel.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, Awaitable, Callable, TypeVar

from ..core.codemode import OpResult
from ..core.connection import Connection
from ..core.discovery import ServerInfo, parse_server_url
from ..core.errors import NoServerError, OutcomeUnknownError, PairError, StaleSessionError
from ..core.execute import Announce, ExecResult, announcing
from ..core.hub import Hub, HubOptions
from ..core.kernel import kernel_state
from ..core.notebook import Notebook
from ..core.pairing import PairingSession
from ..core.sessions import Target, resolve_target

T = TypeVar("T")
Work = Callable[[Target, list[str]], Awaitable[dict[str, Any]]]

ATTACH_TIMEOUT = 15.0  # kernel-ready after connecting the mirror
REPLAY_QUIET = 0.05  # the replay after kernel-ready has no end marker: wait for a lull
REPLAY_LIMIT = 2.0
SETTLE_TIMEOUT = 5.0  # our own change reaching the mirror
IDLE_RECHECK = 0.5


class RunTimedOutError(OutcomeUnknownError):
    """The caller's time limit passed: the request was closed, which interrupts the kernel."""

    kind = "timeout"
    default_next = (
        "The request was closed when the time limit passed, which interrupts marimo's kernel; "
        "whatever ran before that stays done. Inspect the state (`cells`, `execute` a quick read) "
        "before running it again, with a larger `timeout` or none."
    )


async def limited(job: Awaitable[T], timeout: float | None, what: str, partial: ExecResult | None = None) -> T:
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


class Workbench:
    """What the MCP server keeps between calls: the hub, resolved targets, live mirrors."""

    def __init__(self, options: HubOptions) -> None:
        self.hub = Hub(options)
        self._targets: dict[tuple[str | None, str | None, str | None], tuple[Target, list[str]]] = {}
        self._pairings: dict[tuple[str, str], PairingSession] = {}
        self._followed_since: dict[tuple[str, str], float] = {}
        self._mirrors_other: set[tuple[str, str]] = set()
        self._discovery = asyncio.Lock()
        self._attach = asyncio.Lock()

    async def aclose(self) -> None:
        """Stop every mirror (the browser's sessions are left as they were), then the HTTP clients."""
        pairings = list(self._pairings.values())
        self._pairings.clear()
        await asyncio.gather(*(p.stop() for p in pairings), return_exceptions=True)
        await self.hub.aclose()

    def connection(self, target: Target) -> Connection:
        return self.hub.connection(target.server)

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
        async def job() -> list[Any]:
            return await self.hub.notebooks(await self._servers(url))

        entries, warnings = await self.discovering(job)
        return {"notebooks": [e.to_json() for e in entries], "warnings": warnings}

    async def _servers(self, url: str | None) -> list[ServerInfo] | None:
        """The servers a call's `url` names (None: every server the Hub targets).

        With --ssh hosts a URL is the one a server has on its host, as `servers`
        lists it; only servers found there are reachable (through their forward).
        """
        if not url:
            return None
        wanted = parse_server_url(url)
        hosts = self.hub.options.ssh_hosts
        if not hosts:
            return [wanted]
        found = [s for s in await self.hub.servers() if s.url == wanted.url]
        if not found:
            raise NoServerError(
                f"No server at {wanted.url} on {', '.join(hosts)}.",
                next="Pass a `url` that `servers` lists with source ssh, or leave `url` out to search every host.",
            )
        return found

    async def resolve(
        self, notebook: str | None, session: str | None, url: str | None, *, fresh: bool = False
    ) -> tuple[Target, list[str]]:
        """The session a call means; remembered when the call named it, re-checked every time when it did not."""
        key = (url, session, notebook)
        targeted = notebook is not None or session is not None
        if targeted and not fresh and key in self._targets:
            return self._targets[key]

        async def job() -> tuple[Target, list[str]]:
            servers = await self._servers(url)
            if servers is None:
                servers = await self.hub.servers()
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
            followed_since = time.time()
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
            self._followed_since[key] = followed_since  # a new mirror starts a new log
            return pairing

    def mirrors_other_session(self, target: Target) -> bool:
        """True when marimo attached the mirror to another session of the same file."""
        return self._pairing_key(target) in self._mirrors_other

    def followed_since(self, target: Target) -> float | None:
        """When this server began following `target` (its activity log starts there)."""
        return self._followed_since.get(self._pairing_key(target))

    def _announcer(self, target: Target) -> Announce:
        """Tells the mirror following `target` (if one does) about code this server is about to send."""
        key = self._pairing_key(target)

        def announce(code: str) -> Callable[[], None] | None:
            pairing = self._pairings.get(key)
            if pairing is None or key in self._mirrors_other:
                return None
            return pairing.notebook.activity.expect(code)

        return announce

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

    async def until_idle(
        self, target: Target, timeout: float | None, on_busy: Callable[[list[str]], Awaitable[None]]
    ) -> tuple[PairingSession, str]:
        """Wait until nothing is queued or running (a browser's runs included); the mirror and why it ended.

        The reason is idle, timeout or gone. `on_busy` hears the busy cells each time they change.
        """
        pairing = await self.pairing(target)
        deadline = None if timeout is None else time.monotonic() + timeout
        last = None
        while True:
            if pairing.live_state == "gone":
                return pairing, "gone"
            if pairing.notebook.is_idle() and await kernel_state(self.connection(target), target.session) == "idle":
                return pairing, "idle"
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                return pairing, "timeout"
            busy = pairing.notebook.running_cell_ids() + pairing.notebook.queued_cell_ids()
            if busy != last:
                last = busy
                await on_busy(busy)
            version = pairing.notebook.version
            wait = IDLE_RECHECK if remaining is None else min(IDLE_RECHECK, remaining)
            await pairing.wait_until(lambda nb: nb.version != version, timeout=wait)

    # -- calls ----------------------------------------------------------------

    async def targeted(self, notebook: str | None, session: str | None, url: str | None, work: Work) -> dict[str, Any]:
        """Resolve, run `work`, and look the target up once more when a remembered session is gone."""
        target, warnings = await self.resolve(notebook, session, url)
        try:
            with announcing(self._announcer(target)):
                return await work(target, warnings)
        except StaleSessionError:
            if notebook is None and session is None:
                raise
            # A 404 on the session id: nothing ran. Forget it and look again once.
            self.forget(target)
            target, warnings = await self.resolve(notebook, session, url, fresh=True)
            with announcing(self._announcer(target)):
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
