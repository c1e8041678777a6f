"""The user's pairing service: switched off, not running, or running (which version, for how long).

Asked as `service status` asks it, with the same short timeout; never started.
A service of another version is replaced by the next call, so it is only noted.
"""

from __future__ import annotations

from typing import Mapping

from ..service import client, wire
from ..service.control import CONTROL_TIMEOUT
from .findings import Finding

STOP_HINT = "`marimo-pair-tui --headless service stop` ends it by its pid; calls meanwhile run in-process."


def pairing_service(env: Mapping[str, str]) -> Finding:
    if client.switched_off(env):
        return Finding("service", "ok", f"Switched off ({wire.NO_SERVICE_ENV}): one-shot calls run in-process.",
                       facts={"running": None})
    path = wire.socket_path(env)
    try:
        sock = client.open_service(path, CONTROL_TIMEOUT, rebind=False)
    except client.Unavailable as why:
        return Finding("service", "problem", f"The pairing service cannot be used: {why}.",
                       next=f"Calls run in-process meanwhile; its log is {client.log_path()}.", facts={"socket": path})
    if sock is None:
        return Finding("service", "ok", "Not running; the next one-shot call starts it.",
                       facts={"running": False, "socket": path})
    with sock:
        try:
            sock.settimeout(CONTROL_TIMEOUT)
            wire.send(sock, {"op": "status"})
            reply, _ = wire.receive(sock)
        except (wire.WireError, OSError) as exc:
            return Finding("service", "problem", f"The pairing service at {path} did not answer ({exc}).",
                           next=f"{STOP_HINT} Its log is {client.log_path()}.", facts={"socket": path})
    facts = {key: reply.get(key) for key in ("pid", "version", "uptime_s", "calls", "in_flight")}
    facts.update({"running": True, "socket": path, "sessions": len(reply.get("sessions") or [])})
    same = reply.get("version") == wire.fingerprint()
    detail = f"Running (pid {reply.get('pid')}, up {reply.get('uptime_s')} s, {facts['calls']} calls)"
    if not same:
        detail += "; another version of the code, replaced by the next call"
    return Finding("service", "ok", detail, facts={**facts, "this_version": same})
