"""Kernel control: interrupt a stuck run, ask whether the kernel is busy.

These endpoints take the routing id (not the stable id) and the server's
skew-protection token, which `Connection.control_headers` fetches.
"""

from __future__ import annotations

from typing import Literal, cast

from .connection import Connection
from ..errors import NotMarimoError
from .sessions import SessionRef

KernelState = Literal["running", "idle", "stopped"]


async def interrupt(connection: Connection, session: SessionRef) -> None:
    """Interrupt whatever the session's kernel is running (a no-op when idle)."""
    headers = await connection.control_headers(session.routing_id)
    await connection.request("POST", "/api/kernel/interrupt", headers=headers, what="the interrupt")


async def kernel_state(connection: Connection, session: SessionRef) -> KernelState:
    """`running` while any cell is queued or running, `idle`, or `stopped`."""
    payload = await connection.json(
        "GET",
        "/api/kernel/status",
        headers={"Marimo-Session-Id": session.routing_id},
        what="the kernel status request",
    )
    state = payload.get("state") if isinstance(payload, dict) else None
    if state not in ("running", "idle", "stopped"):
        raise NotMarimoError(f"{connection.url}/api/kernel/status answered {payload!r}, not a kernel state.")
    return cast(KernelState, state)
