"""The kernel's lifecycle and prompts: restart a session, answer `input()`, notice what waits for an answer.

Verified against marimo 0.25.2 (docs/protocol.md): `restart_session`
takes the session's routing id and closes the session (no new one appears by
itself: a browser reloading makes one, and so does `create_session` here);
`stdin` takes any id of the session and feeds the kernel's one input queue,
so an answer sent while nothing waits would be read by the *next* `input()`:
answers go only to a prompt the live model shows. A snippet waiting on
`input()` is silent on the execute stream; only the live stream shows the
prompt, which `PromptWatch` follows.
"""

from __future__ import annotations

import asyncio
from typing import Awaitable, Callable, Sequence

from ..wire.connection import Connection
from ..errors import UsageError
from .mirror import Mirror
from ..wire.sessions import SessionRef

OnPrompt = Callable[[str, str], Awaitable[None] | None]  # (cell label, prompt)
PROMPT_WAIT = 3600.0  # seconds one wait for the next prompt lasts before it looks again


class NothingWaitingError(UsageError):
    kind = "nothing_waiting"
    default_next = ("Check `status` (its `waiting_for_input`) first: an answer sent while nothing waits "
                    "would be read by the next input() call.")


async def restart_session(connection: Connection, session: SessionRef) -> None:
    """Close the session (its kernel with it); a new one must be made (browser_session.create_session)."""
    headers = await connection.control_headers(session.routing_id)
    await connection.request("POST", "/api/kernel/restart_session", headers=headers, what="the restart request")


async def send_stdin(connection: Connection, session: SessionRef, text: str) -> None:
    headers = await connection.control_headers(session.routing_id)
    await connection.request("POST", "/api/kernel/stdin", headers=headers, json={"text": text},
                             what="the answer to input()")


class PromptWatch:
    """Hears each new `input()` prompt in a session: answers it from `answers` in order, else reports it."""

    def __init__(self, pairing: Mirror, send: Callable[[str], Awaitable[None]],
                 answers: Sequence[str] = (), on_prompt: OnPrompt | None = None) -> None:
        self.pairing = pairing
        self.send = send
        self.answers = list(answers)
        self.on_prompt = on_prompt
        self.seen: set[tuple[str, int]] = set()
        self.answered: list[tuple[str, str, str]] = []  # (cell label, prompt, answer)

    def _new(self) -> list[tuple[str, str, tuple[str, int]]]:
        return [(cell.label, prompt, (cell.id, len(cell.console)))
                for cell, prompt in self.pairing.notebook.waiting_for_input()
                if (cell.id, len(cell.console)) not in self.seen]

    async def run(self) -> None:
        while True:
            await self.pairing.wait_until(lambda nb: bool(self._new()), timeout=PROMPT_WAIT)
            for label, prompt, key in self._new():
                self.seen.add(key)
                if self.answers:
                    answer = self.answers.pop(0)
                    await self.send(answer)
                    self.answered.append((label, prompt, answer))
                elif self.on_prompt is not None:
                    outcome = self.on_prompt(label, prompt)
                    if asyncio.iscoroutine(outcome):
                        await outcome
