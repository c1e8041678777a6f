"""The picker: running servers, their notebooks and sessions; or open a notebook.

Refreshes itself every couple of seconds in a worker (only while it is the
screen on top), keeping the cursor where it was. Discovery warnings (dead
registry entries, servers that do not answer) are listed, not hidden.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.css.query import NoMatches
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Input, Label, Static, Tree

from ...core.api import ServerView
from ...core.api import PairError
from ...core.api import OpenResult, PairingService, Target, state_dir
from ...notebooks import tour_copy
from ..display import Display
from ..terminal_text import escape_controls
from ..widgets.server_tree import PickerItem, ServerTree
from ..widgets.steady_footer import SteadyFooter

REFRESH_SECONDS = 2.0
NO_SERVER = "No marimo server is running. Open a notebook below, or the tour."


class PickerScreen(Screen[None]):
    """Choose a session to pair with, or open a notebook."""

    class Chosen(Message):
        """A session to pair with (picked, or found or started for a notebook file): the app opens it."""

        def __init__(self, target: Target, notes: Sequence[str] = (), *, opened: OpenResult | None = None) -> None:
            super().__init__()
            self.target = target
            self.notes = list(notes)
            self.opened = opened  # set when the picker opened a notebook file

    BINDINGS = [
        Binding("f5", "refresh", "refresh", id="picker-refresh", tooltip="Look for servers again now"),
        Binding("ctrl+o", "focus_path", "open file", id="picker-open-path", tooltip="Type a notebook path to open"),
        Binding("ctrl+t", "tour", "tour", id="picker-tour", tooltip="Open the tour notebook (starts marimo)"),
        Binding("f1", "app.help", "help", id="picker-help", tooltip="Show every key"),
    ]

    DEFAULT_CSS = """
    PickerScreen #picker-title {
        height: 1;
        padding: 0 1;
        background: $panel;
        width: 1fr;
    }
    PickerScreen #warnings {
        height: auto;
        max-height: 6;
        color: $warning;
        padding: 0 1;
        display: none;
    }
    PickerScreen #warnings.-shown {
        display: block;
    }
    PickerScreen #opening {
        height: auto;
        padding: 0 1;
        display: none;
    }
    PickerScreen #opening.-shown {
        display: block;
    }
    PickerScreen #opening.-error {
        color: $error;
    }
    PickerScreen #open-row {
        height: 3;
    }
    PickerScreen #open-row Label {
        padding: 1 0 0 1;
        width: auto;
    }
    PickerScreen #path {
        width: 1fr;
    }
    PickerScreen #tour {
        min-width: 12;
    }
    """

    def __init__(self, fmt: Display, service: PairingService, *, cursor_blink: bool = True) -> None:
        super().__init__()
        self.fmt = fmt
        self.service = service
        self.cursor_blink = cursor_blink
        self.refreshes = 0  # completed refreshes (tests wait on it)
        self.states: list[ServerView] = []
        self.warnings: list[str] = []
        self.opening = False

    def compose(self) -> ComposeResult:
        yield Static(Text("marimo-pair-tui · choose a session, or open a notebook", style="bold"), id="picker-title")
        yield ServerTree(self.fmt, id="servers")
        yield Static(id="warnings", markup=False)
        yield Static(id="opening", markup=False)
        with Horizontal(id="open-row"):
            yield Label("Open")
            yield Input(placeholder="path/to/notebook.py (Enter opens it)", id="path")
            yield Button("Open the tour notebook", id="tour")
        yield SteadyFooter(compact=True)

    @property
    def server_tree(self) -> ServerTree:
        return self.query_one(ServerTree)

    def on_mount(self) -> None:
        self.query_one(Input).cursor_blink = self.cursor_blink
        self.server_tree.focus()
        self.refresh_servers()
        self.set_interval(REFRESH_SECONDS, self._tick)

    def on_screen_resume(self) -> None:
        self.refresh_servers()

    def _tick(self) -> None:
        if self.is_current and not self.opening:
            self.refresh_servers()

    # -- discovery ----------------------------------------------------------

    @work(exclusive=True, group="picker-refresh")
    async def refresh_servers(self) -> None:
        reply = await self.service.overview()
        try:
            tree = self.server_tree
        except NoMatches:  # the screen was taken down while the servers were asked (the app quits)
            return
        self.states = reply.value
        tree.show_servers(self.states, NO_SERVER)
        self._show_warnings(list(dict.fromkeys(reply.warnings)))
        if not self.states and self.refreshes == 0 and self.is_current and self.focused is self.server_tree:
            self.query_one(Input).focus()
        self.refreshes += 1

    def _show_warnings(self, warnings: list[str]) -> None:
        self.warnings = warnings
        panel = self.query_one("#warnings", Static)
        panel.set_class(bool(warnings), "-shown")
        mark = "!" if self.fmt.ascii else "⚠"
        panel.update(escape_controls("\n".join(f"{mark} {w}" for w in warnings)))

    def action_refresh(self) -> None:
        self.refresh_servers()

    # -- choosing ------------------------------------------------------------

    @on(Tree.NodeSelected, "#servers")
    def _chosen(self, event: Tree.NodeSelected[PickerItem]) -> None:
        item = event.node.data
        if item is None:
            return
        if item.kind == "session" and item.session and item.entry and item.server:
            self.post_message(self.Chosen(Target(server=item.server, notebook=item.entry.path, session=item.session)))
        elif item.kind == "notebook" and item.entry and item.server and len(item.entry.sessions) == 1:
            only = item.entry.sessions[0]
            self.post_message(self.Chosen(Target(server=item.server, notebook=item.entry.path, session=only)))
        elif item.kind in ("server", "notebook"):
            event.node.toggle()
        elif item.kind == "message":
            self.query_one(Input).focus()

    @on(Input.Submitted, "#path")
    def _path_submitted(self, event: Input.Submitted) -> None:
        path = event.value.strip()
        if not path:
            self.notify("Type the path of a notebook file, then Enter.", severity="warning")
            return
        self.open_path(str(Path(path).expanduser()))

    @on(Button.Pressed, "#tour")
    def _tour_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_tour()

    def action_tour(self) -> None:
        try:
            copy = tour_copy(state_dir() / "tour")
        except PairError as error:  # the private copy could not be written (full disk, a file in the way)
            self._show_failure("the tour", error)
            return
        self.open_path(str(copy), run=True)

    def _show_failure(self, name: str, error: PairError) -> None:
        """Say in the picker, and in a toast, why `name` could not be opened and what to do next."""
        status = self.query_one("#opening", Static)
        status.add_class("-shown", "-error")
        status.update(escape_controls(f"Could not open {name}: {error.message}\n{error.next}".rstrip()))
        self.notify(error.message, title=f"Could not open {name}", severity="error", timeout=10)

    def action_focus_path(self) -> None:
        self.query_one(Input).focus()

    @work(exclusive=True, group="picker-open")
    async def open_path(self, path: str, run: bool | None = None) -> None:
        """Reuse a server's session for `path`, or start marimo for it, then pair."""
        status = self.query_one("#opening", Static)
        status.remove_class("-error")
        status.add_class("-shown")
        name = Path(path).name
        status.update(escape_controls(f"Opening {name}{self.fmt.ellipsis} (a new marimo server takes a few seconds)"))
        self.opening = True
        try:
            reply = await self.service.open(path, run=run)
        except PairError as error:
            self._show_failure(name, error)
            return
        finally:
            self.opening = False
        status.remove_class("-shown")
        result = reply.value
        notes = list(reply.warnings)
        if result.started_server:
            notes.append(f"Started marimo for {name}; it keeps running after you quit.")
        self.post_message(self.Chosen(result.target, notes, opened=result))
        self.refresh_servers()
