"""Choose which of the notebook's sessions to follow after the followed one ended.

When the session a pairing screen follows ends (a kernel restarted by another
client, a server restarted) and the notebook then has several sessions, the
service chooses none ("ambiguous", core/service/recovery.py). This dialog lists them,
each with what tells it apart: its server, the tab that opened it, and (asked
of each server when the dialog opens) whether its kernel is busy and how many
connections that server has. enter follows the highlighted one; esc follows
none. The editor is not touched either way.
"""

from __future__ import annotations

import asyncio
from typing import Any, Optional, Sequence

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from ...core.api import PairError
from ...core.api import PairingService, Target
from ..display import Display
from ..terminal_text import escape_controls
from .dialog import Dialog

KERNEL_STATES = ("idle", "running", "stopped")


def _kernel_word(payload: Any) -> str:
    state = payload.get("state") if isinstance(payload, dict) else None
    if state == "running":
        return "kernel busy"
    return f"kernel {state}" if state in KERNEL_STATES else "kernel state unknown"


def _connections_word(payload: Any) -> str:
    active = payload.get("active") if isinstance(payload, dict) else None
    if not isinstance(active, int) or isinstance(active, bool):
        return "connections unknown"
    return f"{active} open connection{'' if active == 1 else 's'} on that server"


async def session_facts(service: PairingService, target: Target) -> list[str]:
    """What the candidate's server says about it now: its kernel's state and the server's connections."""
    connection = service.hub.connection(target.server)
    kernel: Any
    connections: Any
    kernel, connections = await asyncio.gather(
        connection.json("GET", "/api/kernel/status", headers={"Marimo-Session-Id": target.session.routing_id},
                        what="the kernel status request"),
        connection.json("GET", "/api/status/connections", what="the connection count"),
        return_exceptions=True,
    )
    words = [
        "kernel state unknown" if isinstance(kernel, BaseException) else _kernel_word(kernel),
        "connections unknown" if isinstance(connections, BaseException) else _connections_word(connections),
    ]
    if isinstance(kernel, PairError) and isinstance(connections, PairError):
        words = [f"the server did not answer ({kernel.message})"]
    return words


class SuccessorScreen(Dialog[Optional[Target]]):
    """The candidate sessions, keyboard-selectable; dismissed with the chosen one, or None."""

    BINDINGS = [
        Binding("escape", "follow_none", "follow none", id="successor-none",
                tooltip="Follow no session for now (the editor text is kept)"),
    ]

    def __init__(self, lost: Target, candidates: Sequence[Target], fmt: Display, service: PairingService) -> None:
        super().__init__()
        self.lost = lost
        self.candidates = list(candidates)
        self.fmt = fmt
        self.service = service
        self.facts: dict[int, str] = {}  # index -> what its server said (once asked)

    def compose_dialog(self) -> ComposeResult:
        fmt = self.fmt
        yield Label(f"The session {escape_controls(fmt.session(self.lost.session.selector))} ended", id="title", classes="title",
                    markup=False)
        yield Static(
            f"{escape_controls(fmt.path(self.lost.notebook))} now has {len(self.candidates)} sessions. Which one should "
            "this screen follow? Nothing was chosen for you; the editor text stays as it is.",
            id="explain", markup=False,
        )
        yield OptionList(*(Option(self.prompt(i), id=str(i)) for i in range(len(self.candidates))),
                         id="candidates")
        yield Label(f"up/down choose {fmt.dot} enter follow it {fmt.dot} esc follow none", id="keys", classes="hint",
                    markup=False)

    def prompt(self, index: int) -> Text:
        """One candidate: its session and server, the tab that opened it, what its server says."""
        fmt, target = self.fmt, self.candidates[index]
        server = target.server
        text = Text()
        text.append(escape_controls(fmt.session(target.session.selector)), style="bold")
        text.append(f"  on {escape_controls(fmt.server(server.url))}")
        if server.ssh_host:
            text.append(f" via ssh {escape_controls(server.ssh_host)}")
        same = server.url == self.lost.server.url and server.ssh_host == self.lost.server.ssh_host
        text.append(" (the server of the ended session)" if same else " (another server)", style="dim")
        about = [f"tab {escape_controls(fmt.session(target.session.routing_id))}"]
        if server.pid is not None:
            about.append(f"server {escape_controls(fmt.pid(server.pid))}")
        if server.version:
            about.append(f"marimo {escape_controls(server.version)}")
        text.append("\n  " + f" {fmt.dot} ".join(about), style="dim")
        text.append("\n  " + escape_controls(self.facts.get(index, f"asking the server{fmt.ellipsis}")), style="dim")
        return text

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = 0
        options.focus()
        self.ask_servers()

    @work(group="successor-facts", exclusive=True)
    async def ask_servers(self) -> None:
        """Ask each candidate's server about it, all at once; each answer fills its line in."""
        async def ask(index: int) -> None:
            try:
                facts = await session_facts(self.service, self.candidates[index])
            except PairError as error:
                facts = [f"the server did not answer ({error.message})"]
            self.facts[index] = f" {self.fmt.dot} ".join(facts)
            for options in self.query(OptionList):  # none once the dialog is gone
                options.replace_option_prompt(str(index), self.prompt(index))

        await asyncio.gather(*(ask(i) for i in range(len(self.candidates))))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.candidates[int(event.option.id or 0)])

    def action_follow_none(self) -> None:
        self.dismiss(None)
