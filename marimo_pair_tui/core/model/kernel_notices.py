"""What marimo tells a notebook's people besides its cells: toasts, banners, startup, package work.

marimo sends these on the live stream: `alert` (a toast: `mo.status.toast`),
`banner` (stays until dismissed: "Kernel stopped" when the kernel process dies),
`startup-logs` (a server's `--startup-command` output), `startup-progress`
(preparing the environment, starting the kernel), `kernel-startup-error`,
`environment-state` and `environment-operation` (package installs and
removals, per environment: the kernel's or the server's). This keeps them,
bounded, and turns each into JSON one way for every door.

Not all of it is replayed: a client that attaches late gets the environment
state, the startup progress and unfinished startup logs, but no earlier alert,
banner or startup error (marimo sends those once, to whoever is connected).
marimo's "Reconnected" toast and banner go only to a main (browser) consumer that
reconnects or resumes a session, never to the kiosk stream this tool follows.
`events` is the running log a door follows (`watch`, the app's toasts): one
entry per alert, banner, startup error, and package operation that began or ended.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Mapping


EVENT_LIMIT = 50  # events kept (alerts, banners, errors, operations begun or ended), oldest dropped first
BANNER_LIMIT = 10
LOG_LIMIT = 16 * 1024  # characters of each startup or operation log kept (the newest)
OPERATION_LIMIT = 20  # operations kept per environment (the newest)


@dataclass(frozen=True)
class NoticeEvent:
    """One thing marimo told: `kind` alert | banner | startup-error | environment, in words a reader can use."""

    seq: int
    kind: str
    title: str
    description: str = ""  # marimo's HTML as markdown text
    variant: str | None = None  # "danger" for an error; None otherwise
    action: str | None = None  # a banner's suggested action ("restart")
    at: float = 0.0  # when it arrived (time.time())

    def to_json(self) -> dict[str, Any]:
        return {"seq": self.seq, "kind": self.kind, "title": self.title, "description": self.description,
                "variant": self.variant, "action": self.action, "at": round(self.at, 3)}

    @property
    def text(self) -> str:
        return f"{self.title}: {self.description}" if self.description else self.title


@dataclass
class Operation:
    """One package operation (prepare, install, remove, sync) as its latest notification says."""

    operation_id: str
    action: str
    status: str  # running | succeeded | failed | cancelled | restart-required
    detail: str = ""  # a failure's error, a restart's reason
    packages: dict[str, str] = field(default_factory=dict)  # name -> queued | running | succeeded | failed | …
    logs: dict[str, str] = field(default_factory=dict)  # stream name -> text (the newest LOG_LIMIT characters)

    def to_json(self) -> dict[str, Any]:
        return {"operation_id": self.operation_id, "action": self.action, "status": self.status,
                "detail": self.detail, "packages": dict(self.packages), "logs": dict(self.logs)}


@dataclass
class Environment:
    """An environment's (the kernel's or the server's) package operations and whether it needs a restart."""

    restart_required: bool = False
    operations: dict[str, Operation] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"restart_required": self.restart_required, "operations": [o.to_json() for o in self.operations.values()]}


def _text(value: Any) -> str:
    """marimo's HTML (a toast's description) as markdown text."""
    if not isinstance(value, str) or not value:
        return ""
    if "<" not in value and "&" not in value:
        return value
    from ..parts.html import to_markdown  # BeautifulSoup is imported with the first markup read

    return to_markdown(value).strip()


def _tail(text: str) -> str:
    return text[-LOG_LIMIT:]


def _status(raw: Any) -> tuple[str, str]:
    """An operation status (`{"kind": "failed", "error": ...}`) as its word and its detail."""
    if isinstance(raw, Mapping):
        return str(raw.get("kind") or "running"), str(raw.get("error") or raw.get("reason") or "")
    return str(raw or "running"), ""


class KernelNotices:
    """The notices of one session, fed by the notebook model (`apply`); bounded."""

    def __init__(self) -> None:
        self.events: deque[NoticeEvent] = deque(maxlen=EVENT_LIMIT)
        self.banners: deque[NoticeEvent] = deque(maxlen=BANNER_LIMIT)
        self.startup_logs = ""  # the server's startup command output
        self.startup_logs_status: str | None = None  # start | append | done
        self.startup_phase: str | None = None  # preparing-environment | starting-kernel
        self.startup_progress = ""  # that phase's output
        self.startup_error: str | None = None
        self.environments: dict[str, Environment] = {}
        # marimo's word that this session's kernel process died ("Kernel stopped", variant danger, action
        # restart: marimo/_session/extensions): nothing sent to it will run until the session is restarted.
        self.kernel_stopped: NoticeEvent | None = None
        self._seq = 0

    # -- queries ----------------------------------------------------------

    @property
    def alerts(self) -> list[NoticeEvent]:
        return [e for e in self.events if e.kind == "alert"]

    def since(self, seq: int) -> list[NoticeEvent]:
        """Events after `seq` (0: all kept), oldest first: what a follower has not shown yet."""
        return [e for e in self.events if e.seq > seq]

    @property
    def last_seq(self) -> int:
        return self._seq

    def __bool__(self) -> bool:
        return bool(self.events or self.startup_logs or self.startup_phase or self.startup_error
                    or any(e.restart_required or e.operations for e in self.environments.values()))

    def to_json(self) -> dict[str, Any]:
        """`{alerts, banners, startup, environment}`: the newest alerts and banners (oldest first), startup's logs,
        phase and error (null when marimo said nothing of it), each environment's operations."""
        startup = None
        if self.startup_logs or self.startup_phase or self.startup_error or self.startup_logs_status:
            startup = {"phase": self.startup_phase, "progress": self.startup_progress, "logs": self.startup_logs,
                       "logs_done": self.startup_logs_status == "done", "error": self.startup_error}
        return {"alerts": [e.to_json() for e in self.alerts], "banners": [e.to_json() for e in self.banners],
                "startup": startup,
                "environment": {source: env.to_json() for source, env in sorted(self.environments.items())}}

    # -- feed -------------------------------------------------------------

    def apply(self, op: str, data: Mapping[str, Any]) -> bool:
        """One stream message of the ops in `OPS`; whether anything changed."""
        handler = _OPS.get(op)
        return handler(self, data) if handler is not None else False

    def reset(self) -> bool:
        """A new kernel (`kernel-ready` after a restart or reconnect): startup state of the old one goes.
        Alerts and banners stay: they were told, and a reader may not have seen them yet."""
        changed = bool(self.startup_phase or self.startup_error)
        self.startup_phase, self.startup_progress, self.startup_error = None, "", None
        return changed

    def new_session(self) -> None:
        """The mirror follows the notebook's new session (a restart): a kernel that died is the old
        session's. Not on `kernel-ready`: a reconnect to the dead kernel's session brings one too."""
        self.kernel_stopped = None

    def _event(self, kind: str, title: str, description: str = "", variant: str | None = None,
               action: str | None = None) -> NoticeEvent:
        self._seq += 1
        event = NoticeEvent(self._seq, kind, title, description, variant, action, time.time())
        self.events.append(event)
        return event

    def _alert(self, data: Mapping[str, Any]) -> bool:
        self._event("alert", str(data.get("title") or ""), _text(data.get("description")), data.get("variant"))
        return True

    def _banner(self, data: Mapping[str, Any]) -> bool:
        event = self._event("banner", str(data.get("title") or ""), _text(data.get("description")),
                            data.get("variant"), data.get("action"))
        self.banners.append(event)
        if event.variant == "danger" and event.action == "restart":
            self.kernel_stopped = event
        return True

    def _startup_logs(self, data: Mapping[str, Any]) -> bool:
        status, content = data.get("status"), str(data.get("content") or "")
        if status == "start" and self.startup_logs_status in (None, "done"):
            self.startup_logs = ""
        self.startup_logs, self.startup_logs_status = _tail(self.startup_logs + content), status
        return True

    def _startup_progress(self, data: Mapping[str, Any]) -> bool:
        phase, logs = data.get("phase"), str(data.get("logs") or "")
        if data.get("log_mode") == "append" and phase == self.startup_phase:
            logs = self.startup_progress + logs
        self.startup_phase, self.startup_progress = phase, _tail(logs)
        return True

    def _startup_error(self, data: Mapping[str, Any]) -> bool:
        self.startup_error = str(data.get("error") or "")
        self._event("startup-error", "Kernel failed to start", self.startup_error, "danger")
        return True

    def _environment_state(self, data: Mapping[str, Any]) -> bool:
        """A whole environment's state, sent on every (re)connection: it replaces what was kept."""
        raw_state = data.get("state")
        state: Mapping[str, Any] = raw_state if isinstance(raw_state, Mapping) else {}
        env = Environment(restart_required=bool(state.get("restart_required")))
        for raw in state.get("operations") or ():
            if isinstance(raw, Mapping) and raw.get("operation_id"):
                status, detail = _status(raw.get("status"))
                env.operations[str(raw["operation_id"])] = Operation(
                    str(raw["operation_id"]), str(raw.get("action") or ""), status, detail,
                    {str(k): str(v) for k, v in (raw.get("packages") or {}).items()},
                    {str(k): _tail(str(v)) for k, v in (raw.get("logs") or {}).items()})
        source = str(data.get("source") or "kernel")
        old = self.environments.get(source)
        self.environments[source] = env
        return old is None or old.to_json() != env.to_json()

    def _environment_operation(self, data: Mapping[str, Any]) -> bool:
        """One operation's progress: packages replace, logs append (or replace), a new status may end it."""
        oid = str(data.get("operation_id") or "")
        env = self.environments.setdefault(str(data.get("source") or "kernel"), Environment())
        status, detail = _status(data.get("status"))
        op = env.operations.get(oid)
        began = op is None
        if op is None:
            op = env.operations[oid] = Operation(oid, str(data.get("action") or ""), status)
            while len(env.operations) > OPERATION_LIMIT:
                env.operations.pop(next(iter(env.operations)))
        ended = status != "running" and status != op.status
        op.status, op.detail = status, detail
        op.packages = {str(k): str(v) for k, v in (data.get("packages") or {}).items()}
        for stream, text in (data.get("logs") or {}).items():
            old = "" if data.get("log_mode") == "replace" else op.logs.get(str(stream), "")
            op.logs[str(stream)] = _tail(old + str(text))
        if status == "restart-required":
            env.restart_required = True
        if began or ended:
            names = ", ".join(op.packages) or "packages"
            words = {"running": "started", "succeeded": "done", "restart-required": "done; restart the kernel"}
            self._event("environment", f"{op.action} {names}: {words.get(status, status)}", detail,
                        "danger" if status == "failed" else None)
        return True


OPS = ("alert", "banner", "startup-logs", "startup-progress", "kernel-startup-error", "environment-state",
       "environment-operation")
_OPS = {
    "alert": KernelNotices._alert,
    "banner": KernelNotices._banner,
    "startup-logs": KernelNotices._startup_logs,
    "startup-progress": KernelNotices._startup_progress,
    "kernel-startup-error": KernelNotices._startup_error,
    "environment-state": KernelNotices._environment_state,
    "environment-operation": KernelNotices._environment_operation,
}
