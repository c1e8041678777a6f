"""A session made as a browser makes one: connect as a front end, then instantiate.

Connecting to `/ws` with a fresh session id creates the session; instantiating it runs
the cells when the user's `runtime.auto_instantiate` says so (or as asked), and the run
is followed until it completes, a cell waits on `input()`, or the wait runs out.
"""

from __future__ import annotations

import asyncio
import html
import json
import re
import time
from typing import Any, NamedTuple
from urllib.parse import quote

from websockets.asyncio.client import connect

from ..errors import NoSessionError, ServerError
from ..model.notebook import Notebook
from ..wire.connection import Connection
from ..wire.live import fresh_consumer_id
from ..wire.sessions import SessionRef
from .processes import START_TIMEOUT

_USER_CONFIG_RE = re.compile(r"<marimo-user-config[^>]*\bdata-config=\"([^\"]*)\"", re.I)
RUN_WAIT = 60.0  # seconds `open --run` follows a new session's run before returning with the cells still running


class Prompt(NamedTuple):
    """An `input()` a cell waits on: the cell's id and label, and the prompt it printed."""

    cell: str
    label: str
    prompt: str


class NewSession(NamedTuple):
    """A session `create_session` made: whether its run completed, the prompts it stopped at, and the
    cells still queued or running when it stopped following a run that outlasted its wait."""

    session: SessionRef
    ran: bool
    waiting: list[Prompt]
    running: list[str]


async def _auto_instantiate(connection: Connection) -> bool:
    """`runtime.auto_instantiate` from the user config embedded in the page."""
    response = await connection.request("GET", "/", what="the notebook page")
    match = _USER_CONFIG_RE.search(response.text)
    if match is None:
        return True
    try:
        config = json.loads(html.unescape(match.group(1)))
    except ValueError:
        return True
    return bool(config.get("runtime", {}).get("auto_instantiate", True))


async def create_session(
    connection: Connection, notebook: str, *, run: bool | None = None, timeout: float = START_TIMEOUT,
    run_wait: float = RUN_WAIT,
) -> NewSession:
    """Connect as a front end (creating the session) and instantiate it like a browser.

    `run=None` does what a browser does: run all cells only when the user's
    `runtime.auto_instantiate` says so; True or False overrides it. The run is
    followed through the notebook model (the one that tells `status` what
    waits): it ends at `completed-run`, or as soon as a cell waits on `input()`
    (its prompt is returned: marimo would wait for an answer forever), or after
    `run_wait` seconds: the session is made and its cells run on (those still
    queued or running are returned), the run is neither stopped nor sent again.
    """
    routing_id = fresh_consumer_id()
    query = f"session_id={routing_id}&file={quote(notebook, safe='')}"
    ws_url = connection.url.replace("http", "ws", 1) + f"/ws?{query}"
    model = Notebook()
    ran = False
    running: list[str] = []
    async with connect(ws_url, additional_headers=connection.auth_headers(), max_size=None, open_timeout=15) as ws:
        await _follow(ws, model, "kernel-ready", timeout)
        auto_run = await _auto_instantiate(connection) if run is None else run
        headers = await connection.control_headers(routing_id)
        await connection.request(
            "POST",
            "/api/kernel/instantiate",
            headers=headers,
            json={"objectIds": [], "values": [], "autoRun": auto_run},
            what="instantiating the notebook",
        )
        if auto_run:
            followed = await _follow(ws, model, "completed-run", run_wait, stop_at_prompt=True, quiet=True)
            ran = bool(followed)
            if followed is None:
                busy = set(model.running_cell_ids()) | set(model.queued_cell_ids())
                running = [cell.label for cell in model.cells if cell.id in busy]
    sessions = await connection.json("GET", "/api/sessions", what="the session list")
    info = sessions.get(routing_id) if isinstance(sessions, dict) else None
    if not isinstance(info, dict):
        raise NoSessionError(f"{connection.url} did not keep the session it created for {notebook}.")
    waiting = [Prompt(cell.id, cell.label, prompt) for cell, prompt in model.waiting_for_input()] if not ran else []
    return NewSession(SessionRef(session_id=info.get("session_id"), routing_id=routing_id), ran, waiting, running)


async def _follow(ws: Any, model: Notebook, op: str, timeout: float, *, stop_at_prompt: bool = False,
                  quiet: bool = False) -> bool | None:
    """Feed the session's messages to `model` until `op` comes (True), or, with `stop_at_prompt`, until
    a cell waits on `input()` (False). Once `timeout` seconds went by without either: None when `quiet`,
    else a ServerError."""
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        try:
            if remaining <= 0:
                raise asyncio.TimeoutError
            raw = await asyncio.wait_for(ws.recv(), timeout=remaining)
        except asyncio.TimeoutError:
            if quiet:
                return None
            raise ServerError(f"The notebook did not report {op!r} within {timeout:.0f} s.",
                              next="Check the notebook in a browser, or open it with --no-run.") from None
        try:
            message = json.loads(raw)
        except (ValueError, RecursionError):
            continue
        if not isinstance(message, dict):
            continue
        model.apply_event(message)
        if message.get("op") == op:
            return True
        if stop_at_prompt and model.waiting_for_input():
            return False
