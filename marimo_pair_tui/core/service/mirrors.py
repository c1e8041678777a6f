"""The live mirrors the service keeps: one kiosk stream per session it was asked about.

A `Mirror` is attached on first use and its replay read,
then kept for the service's life, so reads are answered from memory and
never wait on the kernel. Two rules live here and nowhere else:

- *caught up*: after an operation, the mirror shows the change when the
  cells the kernel reported in the notebook's order stand in that order (the
  notebook may have gained or lost other cells since, by other operations or
  other clients), a deleted cell is gone, and every affected cell holds the
  code and has the status the kernel reported (and, after a run, is no longer
  queued or running). An operation returns only then, so the next read sees
  it; a mirror that does not catch up within a few seconds is dropped and
  attached afresh on the next read.
- *idle*: nothing is queued or running in the mirror and the kernel says so
  too (the replay after attaching has no end marker).

When a mirror's session ends, the mirror stays (its subscribers with it) and
`on_lost` tells the service, which looks for the notebook's new session and
moves the mirror there (`move`).

Each session's activity log is kept here too, apart from its mirror: the
service logs every request it sends to a session (`announcer`) whether a
mirror follows it or not, and a mirror attached later, or again, feeds the
same log.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from typing import Awaitable, Callable, Sequence

from ..model.activity import ActivityLog, CallTicket
from ..model.op_results import CellState
from ..errors import NotMarimoError, StaleSessionError
from ..wire.live import NOT_A_LIVE_STREAM, LiveState
from ..wire.execute import Announce
from ..servers.hub import Hub
from ..wire.kernel import kernel_state
from ..model.notebook import Notebook
from .history_files import HistoryFiles
from .mirror import OnLost, Mirror
from ..wire.sessions import Target

ATTACH_TIMEOUT = 15.0  # kernel-ready after connecting the mirror
REPLAY_QUIET = 0.05  # the replay after kernel-ready has no end marker: wait for a lull
REPLAY_LIMIT = 2.0  # seconds of lull-waiting at most
REPLAY_CELLS_LIMIT = 30.0  # seconds a replay may keep arriving (large outputs) before a read answers anyway
SETTLE_TIMEOUT = 5.0  # our own change reaching the mirror
IDLE_RECHECK = 0.5
LOGS_LIMIT = 64  # activity logs kept for sessions no mirror follows (the least recently used go)

MirrorKey = tuple[str, str]
OnBusy = Callable[[list[str]], Awaitable[None]]


def mirror_key(target: Target) -> MirrorKey:
    return (target.server.url, target.session.selector)


def caught_up(notebook: Notebook, order: Sequence[str], cells: Sequence[CellState], *, ran: bool,
              gone: Sequence[str] = ()) -> bool:
    """The one rule for "the mirror shows the change": order, code and status (after a run: not busy).

    The order is compared on the cells both know, so changes made after the operation (a
    concurrent create or delete) do not keep the mirror from ever catching up; `gone` are
    the cells the operation deleted."""
    if order:
        mirrored, reported = set(notebook.cell_ids), set(order)
        if [c for c in notebook.cell_ids if c in reported] != [c for c in order if c in mirrored]:
            return False
    if any(cell_id in notebook.cell_ids for cell_id in gone):
        return False
    for state in cells:
        cell = notebook.get(state.id)
        if cell is None or cell.code != state.code:
            return False
        if ran and cell.runtime in ("queued", "running"):
            return False
        if cell.status != state.status:
            return False
    return True


async def replay_lull(pairing: Mirror) -> None:
    """Let the replay that follows kernel-ready arrive. It has no end marker: wait for the cell-op of
    every cell that ran, then for a lull, a moment in which no message was applied and no byte arrived
    (a 50 MB output is bytes long before it is a message). Bounded by REPLAY_CELLS_LIMIT and REPLAY_LIMIT."""
    await pairing.wait_until(lambda nb: not nb.replay_pending or pairing.live_state == "gone",
                             timeout=REPLAY_CELLS_LIMIT)
    messages_until = time.monotonic() + REPLAY_LIMIT
    bytes_until = time.monotonic() + REPLAY_CELLS_LIMIT
    while time.monotonic() < messages_until:
        version, received = pairing.notebook.version, pairing.bytes_received
        changed = await pairing.wait_until(_moved_past(version), timeout=REPLAY_QUIET)
        if changed:
            continue
        if pairing.bytes_received == received or pairing.live_state == "gone" or time.monotonic() > bytes_until:
            return
        messages_until = max(messages_until, time.monotonic() + REPLAY_QUIET)  # a frame is still arriving


def _moved_past(version: int) -> Callable[[Notebook], bool]:
    """True once the model's version is not `version`, bound now (a loop's variable moves on)."""
    return lambda nb: nb.version != version


class Mirrors:
    """One `Mirror` per session, attached on first use, dropped when its session goes."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self._pairings: dict[MirrorKey, Mirror] = {}
        self._followed_since: dict[MirrorKey, float] = {}
        self._other_session: set[MirrorKey] = set()
        self._attach = asyncio.Lock()
        self._logs: OrderedDict[MirrorKey, ActivityLog] = OrderedDict()
        self.on_lost: OnLost | None = None  # set by the service: a mirror's session ended
        self.on_followed: Callable[[Target], None] | None = None  # set by the service: a mirror was attached
        self.recovering: set[int] = set()  # ids of the mirrors whose new session is being looked for
        self.histories = HistoryFiles()  # each notebook's code history, kept on disk
        self._catching_up: set[asyncio.Task[None]] = set()

    async def aclose(self) -> None:
        """Stop every mirror; the notebooks' sessions are left as they were."""
        pairings = list(self._pairings.values())
        self._pairings.clear()
        tasks, self._catching_up = list(self._catching_up), set()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, *(p.stop() for p in pairings), return_exceptions=True)

    def followed(self) -> list[Mirror]:
        """Every mirror attached now (the pairing service reports them)."""
        return list(self._pairings.values())

    def held(self, target: Target) -> Mirror | None:
        """The mirror of `target` if one is attached (none is attached by asking)."""
        return self._pairings.get(mirror_key(target))

    async def get(self, target: Target, *, wait: bool = True) -> Mirror:
        """The live mirror of `target`; attached (and, with `wait`, its replay read) on first use."""
        key = mirror_key(target)
        async with self._attach:
            pairing = self._pairings.get(key)
            held = pairing is not None and pairing.live_state not in ("gone", "ambiguous")
        if held and pairing is not None:
            found = pairing
            if wait:  # a mirror moved to a new session: its kernel-ready and replay first (bounded)
                await found.wait_until(
                    lambda nb: (nb.stable_session_id == found.shown_session and not nb.replay_pending)
                    or found.live_state == "gone", timeout=REPLAY_CELLS_LIMIT)
            return found
        async with self._attach:
            pairing = self._pairings.get(key)
            if pairing is not None and pairing.live_state not in ("gone", "ambiguous"):
                return pairing
            if pairing is not None:
                if id(pairing) not in self.recovering:
                    await self.drop(target)
                raise StaleSessionError(f"The session {target.session.selector} on {target.server.url} is gone.")
            pairing = Mirror(self.hub, target)
            pairing.notebook.activity = self.log(target)  # the session's log: calls made before are in it
            self.histories.attach(pairing.notebook, target)  # the notebook's code history, as recorded so far
            pairing.on_lost = self.on_lost
            followed_since = time.time()
            if not wait:
                await pairing.start(wait_ready=None)
                self._catch_up_later(pairing, target)
            else:
                await pairing.start(wait_ready=ATTACH_TIMEOUT)
                if pairing.live_state == "gone" or pairing.notebook.version == 0:
                    detail = pairing.live_detail or "no answer"
                    await pairing.stop()
                    if detail.startswith(NOT_A_LIVE_STREAM):
                        raise NotMarimoError(f"{detail}: it is not a marimo server, or not one this tool can follow.")
                    raise StaleSessionError(f"Could not follow {target.notebook} live ({detail}).")
                await replay_lull(pairing)
                self._note_session(key, pairing, target)
                self.histories.catch_up(pairing.notebook, target)
            self._pairings[key] = pairing
            self._followed_since[key] = followed_since  # from now on, what anyone runs is in the log
            if self.on_followed is not None:
                self.on_followed(target)
            return pairing

    def _note_session(self, key: MirrorKey, pairing: Mirror, target: Target) -> None:
        mirrored = pairing.notebook.stable_session_id
        if mirrored and target.session.session_id and mirrored != target.session.session_id:
            self._other_session.add(key)

    def move(self, old: Target, new: Target) -> Mirror | None:
        """File the mirror of `old` under `new` (the notebook's new session). Returns a mirror
        that already followed `new` and is no longer filed (the caller stops it), if any."""
        key, new_key = mirror_key(old), mirror_key(new)
        if key == new_key or key not in self._pairings:
            return None
        pairing = self._pairings.pop(key)
        pairing.notebook.notices.new_session()
        displaced = self._pairings.get(new_key)
        self._pairings[new_key] = pairing
        self._logs.pop(key, None)
        self._logs[new_key] = pairing.notebook.activity
        self._followed_since[new_key] = self._followed_since.pop(key, time.time())
        self._other_session.discard(key)
        self._other_session.discard(new_key)
        self._catch_up_later(pairing, new)
        return displaced if displaced is not pairing else None

    def _catch_up_later(self, pairing: Mirror, target: Target) -> None:
        """Once the session's replay is read, record what changed while nothing followed the notebook."""

        async def catch_up() -> None:
            await pairing.wait_until(
                lambda nb: (nb.stable_session_id == pairing.shown_session and not nb.replay_pending)
                or pairing.live_state == "gone", timeout=REPLAY_CELLS_LIMIT)
            if pairing.live_state == "gone" or pairing.notebook.version == 0:
                return
            await replay_lull(pairing)
            self.histories.catch_up(pairing.notebook, target)

        task = asyncio.get_running_loop().create_task(catch_up())
        self._catching_up.add(task)
        task.add_done_callback(self._catching_up.discard)

    async def caught_up_history(self) -> None:
        """Wait until the history has taken in what changed while nothing followed (started so far)."""
        await asyncio.gather(*list(self._catching_up), return_exceptions=True)

    async def drop(self, target: Target) -> None:
        key = mirror_key(target)
        pairing = self._pairings.pop(key, None)
        self._other_session.discard(key)
        if pairing is not None:
            await pairing.stop()

    def follows_other_session(self, target: Target) -> bool:
        """True when marimo attached the mirror to another session of the same file."""
        return mirror_key(target) in self._other_session

    def followed_since(self, target: Target) -> float | None:
        """When the service began following `target`: what anyone runs is in its log from then."""
        return self._followed_since.get(mirror_key(target))

    def log(self, target: Target) -> ActivityLog:
        """The activity log of `target`'s session, kept across mirrors (made on first use)."""
        key = mirror_key(target)
        log = self._logs.get(key)
        if log is None:
            held = self._pairings.get(key)
            log = self._logs[key] = held.notebook.activity if held is not None else ActivityLog()
        self._logs.move_to_end(key)
        spare = [k for k in self._logs if k not in self._pairings]
        for old in spare[:max(0, len(spare) - LOGS_LIMIT)]:
            del self._logs[old]
        return log

    def carry_log(self, old: Target, new: Target) -> None:
        """The log of `old`'s session goes on as the log of `new` (a restart made that session);
        a mirror that follows `new` already keeps its own."""
        key, new_key = mirror_key(old), mirror_key(new)
        if key != new_key and key in self._logs and key not in self._pairings and new_key not in self._pairings:
            self._logs[new_key] = self._logs.pop(key)

    def announcer(self, target: Target) -> Announce:
        """Logs each request about to be sent to `target`'s session (core/wire/execute.py `announcing`):
        the mirror's stream then marks that run as this client's own; with no stream, the call's
        answer ends the entry."""
        key = mirror_key(target)

        def announce(code: str) -> CallTicket:
            log = self.log(target)

            def followed() -> bool:
                pairing = self._pairings.get(key)
                return (pairing is not None and key not in self._other_session
                        and pairing.live_state == "live" and pairing.notebook.activity is log)

            return log.call(code, followed=followed)

        return announce

    def state(self, target: Target) -> LiveState | None:
        """The live state of the mirror following `target`, None when none does."""
        pairing = self._pairings.get(mirror_key(target))
        return None if pairing is None else pairing.live_state

    async def revive(self, target: Target) -> None:
        """A mirror that lost its stream and waits to reconnect (the server was just found answering)
        reconnects now, and is waited for until live again with its replay read (bounded)."""
        pairing = self._pairings.get(mirror_key(target))
        if pairing is None or pairing.live_state != "reconnecting":
            return
        pairing.reconnect_now()
        if await pairing.wait_until(lambda nb: pairing.live_state != "reconnecting", timeout=ATTACH_TIMEOUT):
            if pairing.live_state == "live":
                await replay_lull(pairing)

    async def settle(self, target: Target, order: Sequence[str], cells: Sequence[CellState], *, ran: bool,
                     gone: Sequence[str] = ()) -> bool:
        """Wait until the mirror (if one follows `target`) shows an operation's change; a mirror
        that misses it is dropped and re-attached on the next read. False when it was dropped."""
        key = mirror_key(target)
        pairing = self._pairings.get(key)
        if pairing is None or key in self._other_session:
            return True
        if await pairing.wait_until(lambda nb: caught_up(nb, order, cells, ran=ran, gone=gone), timeout=SETTLE_TIMEOUT):
            return True
        await self.drop(target)
        return False

    async def idle(self, target: Target, pairing: Mirror) -> bool:
        """The one rule for idle: nothing queued or running in the mirror, and the kernel agrees."""
        if not pairing.notebook.is_idle():
            return False
        return await kernel_state(self.hub.connection(target.server), target.session) == "idle"

    async def until_idle(self, target: Target, timeout: float | None, on_busy: OnBusy | None = None
                         ) -> tuple[Mirror, str]:
        """Wait until nothing is queued or running (anyone's runs); the mirror and why it ended:
        idle, timeout or gone. `on_busy` hears the busy cells each time they change."""
        pairing = await self.get(target)
        deadline = None if timeout is None else time.monotonic() + timeout
        last = None
        while True:
            if pairing.live_state == "gone":
                return pairing, "gone"
            if await self.idle(target, pairing):
                return pairing, "idle"
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                return pairing, "timeout"
            busy = pairing.notebook.running_cell_ids() + pairing.notebook.queued_cell_ids()
            if busy != last and on_busy is not None:
                last = busy
                await on_busy(busy)
            version = pairing.notebook.version
            wait = IDLE_RECHECK if remaining is None else min(IDLE_RECHECK, remaining)
            await pairing.wait_until(_moved_past(version), timeout=wait)
