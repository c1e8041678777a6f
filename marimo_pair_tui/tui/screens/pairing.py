"""The pairing screen: the live cell tree, an editor, and what the runs printed.

The screen holds a `PairingSession` (the live model plus the operations) and
no notebook state of its own. Model changes arrive through the session's
`on_change` callback, are collected, and are applied by one `ModelChanged`
message handler. Every operation runs in a worker; failures are reported in
the results pane and never touch the editor text. f6 swaps the editor and
results for the activity pane: every execution in the session, by anyone.

This module is the screen's frame: layout, the live model, the status line
and leaving. What the keys do lives in parts mixed into the screen:
pairing_editor.py (run, load, apply), pairing_cells.py (create, run, move,
delete, interrupt, refresh), pairing_activity.py (the activity feed, copy),
pairing_drafts.py (the editor's draft) and pairing_reports.py (how each
operation is queued and reported).
"""

from __future__ import annotations

import asyncio
import time

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, TextArea

from ...core.errors import PairError
from ...core.notebook import Cell, Changes, Notebook
from ...core.pairing import PairingSession
from ...core.sessions import Target
from ..display import Display
from ..drafts import DraftStore
from ..messages import LiveStateChanged, ModelChanged
from ..widgets.activity_pane import ActivityPane
from ..widgets.cell_tree import CellTree
from ..widgets.code_editor import CodeEditor
from ..widgets.results_pane import ResultsPane
from ..widgets.status_line import StatusLine
from .pairing_activity import ActivityActions
from .pairing_cells import CellActions, descendants
from .pairing_drafts import DraftKeeping
from .pairing_editor import EditorActions
from .pairing_reports import OperationReports

__all__ = ["PairingScreen", "descendants"]

NARROW = 70  # columns below which the panes stack
SHORT = 18  # rows below which the results pane shrinks
TIGHT = 90  # columns below which the footer leaves out the palette key (ctrl+p still works)
LEAVE_CONFIRM = 3.0  # seconds in which a second esc / ctrl+q leaves while an operation runs

EDITOR_PLACEHOLDER = (
    "Python for the kernel. ctrl+r runs it as a snippet; ctrl+l loads the selected cell, "
    "ctrl+s applies the text to it, ctrl+n makes it a new cell."
)


class PairingScreen(EditorActions, CellActions, ActivityActions, DraftKeeping, OperationReports, Screen[None]):
    """One notebook session, live."""

    BINDINGS = [
        Binding("ctrl+r", "run_snippet", "run", id="run-snippet", priority=True,
                tooltip="Run the editor text in the kernel's scratchpad"),
        Binding("ctrl+s", "apply", "apply", id="apply-cell", priority=True,
                tooltip="Replace the loaded (or selected) cell's code with the editor text"),
        Binding("ctrl+l", "load", "load", id="load-cell", priority=True,
                tooltip="Load the selected cell's code into the editor"),
        Binding("ctrl+n", "new_after", "new", id="new-cell-after", priority=True,
                tooltip="New cell below the selected one, from the editor text"),
        Binding("ctrl+o", "new_before", "new above", id="new-cell-before", priority=True, show=False,
                tooltip="New cell above the selected one, from the editor text"),
        Binding("ctrl+g", "run_cell", "run cell", id="run-cell", priority=True,
                tooltip="Run the selected cell (and the cells that depend on it)"),
        Binding("alt+up", "move_up", "move up", id="move-up", priority=True, show=False,
                tooltip="Move the selected cell up"),
        Binding("alt+down", "move_down", "move down", id="move-down", priority=True, show=False,
                tooltip="Move the selected cell down"),
        Binding("delete", "delete_cell", "delete", id="delete-cell", show=False,
                tooltip="Delete the selected cell (asks first; in the cell tree)"),
        Binding("ctrl+t", "interrupt", "interrupt", id="interrupt", priority=True,
                tooltip="Interrupt the kernel"),
        Binding("f5", "refresh", "refresh", id="refresh", show=False,
                tooltip="Re-read every cell (defs, refs, statuses) through code_mode"),
        Binding("f2", "focus('cells')", "cells", id="focus-cells", show=False, tooltip="Focus the cell tree"),
        Binding("f3", "focus('editor')", "editor", id="focus-editor", show=False, tooltip="Focus the editor"),
        Binding("f4", "focus('results')", "results", id="focus-results", show=False, tooltip="Focus the results"),
        Binding("ctrl+y", "copy", "copy", id="copy", priority=True, show=False,
                tooltip="Copy to the clipboard (OSC 52, also over SSH): the selected cell's code, the editor's "
                        "selection, the last result, or the activity entry"),
        Binding("f6", "toggle_activity", "activity", id="activity", priority=True,  # the editor's f6 selects a line
                tooltip="Show or hide the activity feed: every snippet and cell run, by anyone, live"),
        Binding("e", "activity_to_editor", "to editor", id="activity-to-editor", show=False,
                tooltip="Activity: copy the selected entry's code into the editor (its text stays one ctrl+z away)"),
        Binding("p", "activity_promote", "promote", id="activity-promote", show=False,
                tooltip="Activity: make the selected entry's code a new cell below the selected cell"),
        Binding("escape", "back", "notebooks", id="back", show=False,
                tooltip="Back to the list of servers and notebooks (the draft is kept)"),
        Binding("f1", "app.help", "help", id="help", tooltip="Show every key"),
    ]

    DEFAULT_CSS = """
    PairingScreen #body {
        height: 1fr;
    }
    PairingScreen #cells {
        width: 2fr;
        min-width: 24;
        height: 1fr;
    }
    PairingScreen #side {
        width: 3fr;
        height: 1fr;
    }
    PairingScreen #editor {
        height: 3fr;
        min-height: 5;
    }
    PairingScreen #results {
        height: 2fr;
        min-height: 4;
    }
    PairingScreen.-narrow #body {
        layout: vertical;
    }
    PairingScreen.-narrow #cells {
        width: 1fr;
        min-width: 0;
        height: 2fr;
    }
    PairingScreen.-narrow #side {
        width: 1fr;
        height: 3fr;
    }
    PairingScreen.-short #results {
        height: 4;
        min-height: 3;
    }
    PairingScreen.-short #editor {
        min-height: 3;
    }
    PairingScreen #work {
        height: 1fr;
    }
    PairingScreen #activity, PairingScreen.-activity #work {
        display: none;
    }
    PairingScreen.-activity #activity {
        display: block;
    }
    PairingScreen.-tight Footer FooterKey.-command-palette {
        display: none;
    }
    """

    def __init__(
        self,
        target: Target,
        *,
        fmt: Display,
        drafts: DraftStore | None = None,
        cursor_blink: bool = True,
        notes: list[str] | None = None,
    ) -> None:
        super().__init__()
        self.target = target
        self.fmt = fmt
        self.drafts = drafts if drafts is not None else DraftStore(target.notebook)
        self.cursor_blink = cursor_blink
        self.notes = list(notes or [])
        self.session: PairingSession | None = None
        self._pending_ids: set[str] = set()
        self._pending_structure = False
        self._pending_activity: set[str] = set()
        self._flush_posted = False
        self._draft_timer: Timer | None = None
        self._ops_lock = asyncio.Lock()
        self._snippet_running = False
        self._session_closed = False
        self._leave_armed_at = float("-inf")

    # -- layout -------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield StatusLine(id="status")
        with Horizontal(id="body"):
            yield CellTree(self.fmt, id="cells")
            with Vertical(id="side"):
                with Vertical(id="work"):
                    yield CodeEditor.python(id="editor", placeholder=EDITOR_PLACEHOLDER)
                    yield ResultsPane(ascii=self.fmt.ascii, id="results")
                yield ActivityPane(self.fmt, id="activity")
        yield Footer(compact=True)

    @property
    def cell_tree(self) -> CellTree:
        return self.query_one(CellTree)

    @property
    def editor(self) -> CodeEditor:
        return self.query_one(CodeEditor)

    @property
    def results(self) -> ResultsPane:
        return self.query_one(ResultsPane)

    @property
    def activity_pane(self) -> ActivityPane:
        return self.query_one(ActivityPane)

    @property
    def activity_shown(self) -> bool:
        return self.has_class("-activity")

    @property
    def notebook(self) -> Notebook:
        assert self.session is not None
        return self.session.notebook

    def on_mount(self) -> None:
        self.editor.cursor_blink = self.cursor_blink
        self.session = PairingSession(
            self.app.hub,  # type: ignore[attr-defined]
            self.target,
            on_change=self._on_model_change,
            on_state=self._on_live_state,
        )
        self._restore_draft()
        self._layout_for(self.app.size.width, self.app.size.height)
        self.update_status()
        self.cell_tree.focus()
        self.connect()
        self.check_siblings()
        for note in self.notes:
            self.notify(note, severity="warning", timeout=10)

    def on_resize(self) -> None:
        self._layout_for(self.app.size.width, self.app.size.height)

    def _layout_for(self, width: int, height: int) -> None:
        self.set_class(width < NARROW, "-narrow")
        self.set_class(height < SHORT, "-short")
        self.set_class(width < TIGHT, "-tight")

    # -- the live model -------------------------------------------------------

    @work(group="live", exclusive=True)
    async def connect(self) -> None:
        assert self.session is not None
        await self.session.start(wait_ready=None)

    @work(group="siblings", exclusive=True)
    async def check_siblings(self) -> None:
        """Warn when the notebook has several sessions: the live view follows the first."""
        try:
            entries = await self.app.hub.notebooks([self.target.server])  # type: ignore[attr-defined]
        except PairError:
            return
        sessions = [s for e in entries if e.path == self.target.notebook for s in e.sessions]
        if len(sessions) > 1:
            self.notify(
                f"{self.target.notebook} has {len(sessions)} sessions; they do not see each other's edits, "
                "and the live view follows the first one.",
                severity="warning",
                timeout=12,
            )

    def _on_model_change(self, changes: Changes) -> None:
        self._pending_ids |= changes.cell_ids
        self._pending_structure = self._pending_structure or changes.structure
        self._pending_activity |= changes.activity
        if not self._flush_posted:
            self._flush_posted = True
            self.post_message(ModelChanged())

    def _on_live_state(self, state: str, detail: str) -> None:
        self.post_message(LiveStateChanged(state, detail))

    @on(ModelChanged)
    def _apply_model_changes(self, _message: ModelChanged) -> None:
        ids, structure, activity = self._pending_ids, self._pending_structure, self._pending_activity
        self._pending_ids, self._pending_structure, self._flush_posted = set(), False, False
        self._pending_activity = set()
        if self.session is None or self._session_closed:
            return
        self.cell_tree.sync(self.notebook, ids, structure)
        if activity:
            self.activity_pane.sync(self.notebook.activity, activity)
        self.update_status()

    @on(LiveStateChanged)
    def _live_state_changed(self, message: LiveStateChanged) -> None:
        self.update_status()
        if message.state == "gone":
            self.notify(f"The session is gone: {message.detail}.", severity="error", timeout=15)
        elif message.state == "reconnecting":
            self.notify(f"Live view lost ({message.detail}); reconnecting.", severity="warning", timeout=4)

    def update_status(self) -> None:
        fmt = self.fmt
        dot = f" {fmt.dot} "
        left = Text()
        name = self.target.notebook.rsplit("/", 1)[-1] or "(unsaved)"
        left.append(name, style="bold")
        left.append(dot + fmt.session(self.target.session.selector), style="dim")
        left.append(dot + fmt.server(self.target.server.url), style="dim")
        right = Text()
        state = self.session.live_state if self.session else "connecting"
        right.append_text(fmt.live(state))
        if self.session is not None and state == "live":  # otherwise the kernel state is unknown
            busy = not self.notebook.is_idle()
            right.append(dot + ("kernel busy" if busy else "kernel idle"), style="bold yellow" if busy else "dim")
        self.query_one(StatusLine).show(left, right)
        self._update_editor_title()

    def _update_editor_title(self) -> None:
        editor = self.editor
        if editor.loaded_cell is None:
            editor.border_title = "Editor (snippet)"
            return
        cell = self.notebook.get(editor.loaded_cell) if self.session else None
        if cell is None:
            label = editor.loaded_cell
            suffix = " (not in the notebook)" if self.session and len(self.notebook) else ""
        else:
            label = cell.label
            suffix = " (changed since loaded)" if editor.base is not None and cell.code != editor.base else ""
        editor.border_title = f"Editor (cell {label}){suffix}"

    @on(TextArea.Changed, "#editor")
    def _editor_changed(self, _event: TextArea.Changed) -> None:
        self._save_draft_soon()

    async def close(self) -> None:
        """Save the draft and detach the live view (the notebook's session lives on)."""
        if self._session_closed:
            return
        self.save_draft()
        self._session_closed = True
        if self.session is not None:
            await self.session.stop()

    async def on_unmount(self) -> None:
        await self.close()

    # -- helpers ------------------------------------------------------------

    def _selected(self, *, quiet: bool = False) -> Cell | None:
        cell_id = self.cell_tree.selected_cell_id
        cell = self.notebook.get(cell_id) if cell_id and self.session else None
        if cell is None and not quiet:
            self.notify("Select a cell in the cell tree first (f2).", severity="warning")
        return cell

    def _label(self, cell_id: str) -> str:
        cell = self.notebook.get(cell_id)
        return cell.label if cell is not None else cell_id

    # -- actions: navigation ---------------------------------------------------

    def action_focus(self, what: str) -> None:
        if what in ("editor", "results"):
            self.show_activity(False)
        self.query_one(f"#{what}").focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("activity_to_editor", "activity_promote"):
            return self.activity_shown  # e and p are free keys elsewhere
        return True

    # -- leaving --------------------------------------------------------------

    @property
    def busy(self) -> bool:
        """An operation of ours is in flight (leaving now would cut it off)."""
        return self._snippet_running or self._ops_lock.locked()

    def confirm_leave(self, what: str, key: str) -> bool:
        """True when nothing is running, or when the user pressed the key twice."""
        if not self.busy:
            return True
        now = time.monotonic()
        if now - self._leave_armed_at < LEAVE_CONFIRM:
            return True
        self._leave_armed_at = now
        self.notify(f"An operation is still running; leaving cuts it off (the kernel is interrupted). "
                    f"Press {key} again to {what} anyway.", severity="warning", timeout=LEAVE_CONFIRM)
        return False

    async def action_back(self) -> None:
        if not self.confirm_leave("go back", "esc"):
            return
        await self.close()
        self.dismiss(None)
