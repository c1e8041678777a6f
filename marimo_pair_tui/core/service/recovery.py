"""Lost sessions followed: when a session ends, find the notebook's session that replaced it.

A kernel restarted by another client, or a server restarted on the same port,
ends the session a mirror follows. The mirror says so (core/service/mirrors.py
`on_lost`), and the service's `Recovery` looks for the notebook's new session
until one appears (a browser reloading makes one; nothing here creates one:
a new session runs the notebook's code, which is someone's decision). One
candidate: the mirror is pointed at it and its subscribers hear "moved" once.
Several: "ambiguous", and nothing is chosen. Operations that meet a 404 on the
old session (so nothing ran) ask `successor()`, and remembered targets follow
the move through `on_move`.
"""

from __future__ import annotations

import asyncio
from typing import Callable, Sequence

from ..errors import AmbiguousTargetError, PairError
from ..servers.hub import Hub
from .mirrors import MirrorKey, Mirrors, mirror_key
from ..state.call_warnings import collecting
from .mirror import Mirror
from ..wire.sessions import NotebookEntry, Target, list_notebooks

RECOVER_FIRST = 0.25  # seconds before looking again for a lost session's successor (doubling)
RECOVER_CAP = 2.0


def ambiguity(lost: Target, found: Sequence[Target]) -> AmbiguousTargetError:
    """The error (and the "ambiguous" live state's detail) when a lost session has several successors."""
    ids = ", ".join(t.session.selector for t in found)
    return AmbiguousTargetError(
        f"The session {lost.session.selector} ended and {lost.notebook} now has {len(found)} sessions ({ids}); "
        "not guessing which one to follow.",
        next="Pick one with --session ID (or in the app's picker).",
        candidates=[{**t.to_json(), "select_with": f"--session {t.session.selector}"} for t in found],
    )


class Recovery:
    """Which session followed which, and the searches under way for lost mirrors."""

    def __init__(self, hub: Hub, mirrors: Mirrors, *, on_move: Callable[[Target, Target], None]) -> None:
        self.hub = hub
        self.mirrors = mirrors
        self.on_move = on_move
        self._moved: dict[MirrorKey, Target] = {}  # a lost session -> the notebook's session that followed it
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._moving = asyncio.Lock()
        mirrors.on_lost = self.lost

    async def aclose(self) -> None:
        for task in list(self._tasks.values()):
            task.cancel()
        await asyncio.gather(*self._tasks.values(), return_exceptions=True)

    def current(self, target: Target) -> Target:
        """`target`, or the session that followed it when it was lost (and the one after that…)."""
        for _ in range(100):  # a chain of restarts; bounded against a cycle
            moved = self._moved.get(mirror_key(target))
            if moved is None:
                break
            target = moved
        return target

    async def successors(self, lost: Target) -> list[Target]:
        """The notebook's sessions other than `lost`: on its own server (restarted on the same
        port counts), else, when that server answers without one, on the other servers."""

        def matching(entries: Sequence[NotebookEntry]) -> list[Target]:
            return [Target(server=e.server, notebook=e.path, session=ref) for e in entries
                    if e.path == lost.notebook for ref in e.sessions if ref.selector != lost.session.selector]

        with collecting():
            try:
                entries, _ = await list_notebooks(self.hub.connection(lost.server))
            except PairError:
                return []  # down, perhaps restarting: look again later
            found = matching(entries)
            if found:
                return found
            try:
                others = [s for s in await self.hub.servers() if s.url != lost.server.url]
                return matching(await self.hub.notebooks(others)) if others else []
            except PairError:
                return []

    async def successor(self, lost: Target) -> Target | None:
        """The one session that followed `lost` (the mirror moved there); None when there is none
        yet; an error listing them when there are several."""
        moved = self.current(lost)
        if moved is not lost:
            return moved
        found = await self.successors(lost)
        if not found:
            return None
        if len(found) > 1:
            raise ambiguity(lost, found)
        pairing = self.mirrors.held(lost)
        if pairing is not None:
            await self._move(pairing, lost, found[0])
        else:
            self._remember_move(lost, found[0])
        return self.current(lost)

    async def follow(self, lost: Target, new: Target) -> None:
        """`new` replaces `lost` (this client restarted it): its mirror, remembered targets and
        activity log go there now, not once the mirror notices."""
        pairing = self.mirrors.held(lost)
        if pairing is not None:
            await self._move(pairing, lost, new)
        else:
            self._remember_move(lost, new)

    def lost(self, pairing: Mirror, why: str) -> None:
        """A mirror's session ended, or its stream came back on another session: look for the new one."""
        task = self._tasks.get(id(pairing))
        if task is not None and not task.done():
            return
        key = id(pairing)
        self.mirrors.recovering.add(key)
        task = asyncio.get_running_loop().create_task(self._recover(pairing))
        self._tasks[key] = task

        def done(_task: asyncio.Task[None]) -> None:
            if self._tasks.get(key) is _task:
                del self._tasks[key]
                self.mirrors.recovering.discard(key)

        task.add_done_callback(done)

    async def _recover(self, pairing: Mirror) -> None:
        """Look for the notebook's new session until one appears (a browser reloading makes one)
        or the mirror is stopped; several are reported, not chosen between."""
        lost = pairing.target
        delay = RECOVER_FIRST
        while pairing.on_lost is not None and pairing.target is lost:
            found = await self.successors(lost)
            if len(found) > 1:
                pairing.candidates = found
                await pairing.report("ambiguous", ambiguity(lost, found).message)
                return
            if found:
                await self._move(pairing, lost, found[0])
                return
            await asyncio.sleep(delay)  # polling for a session someone else creates
            delay = min(RECOVER_CAP, delay * 2)

    def _remember_move(self, lost: Target, new: Target) -> None:
        self._moved[mirror_key(lost)] = new
        self.mirrors.carry_log(lost, new)
        self.on_move(lost, new)

    async def _move(self, pairing: Mirror, lost: Target, new: Target) -> None:
        """Point the mirror of `lost` at `new`; its subscribers hear "moved" once."""
        async with self._moving:
            if pairing.target is not lost:
                return  # moved already
            self._remember_move(lost, new)
            displaced = self.mirrors.move(lost, new)
            # A stream that reconnected onto the new session already shows it; else attach afresh.
            shows_new = (pairing.stream_state == "live" and new.session.session_id is not None
                         and pairing.notebook.stable_session_id == new.session.session_id)
            where = f" on {new.server.url}" if new.server.url != lost.server.url else ""
            detail = f"the session {lost.session.selector} ended; now following {new.session.selector}{where}"
            await pairing.retarget(new, detail, restart=not shows_new)
            if displaced is not None:
                await displaced.stop()
