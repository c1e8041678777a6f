"""The pairing screen: the live cell tree, an editor, and what the runs printed.

The screen holds a `PairingSession` (the live model plus the operations) and
no notebook state of its own. Model changes arrive through the session's
`on_change` callback, are collected, and are applied by one `ModelChanged`
message handler. Every operation runs in a worker; failures are reported in
the results pane and never touch the editor text. f6 swaps the editor and
results for the activity pane: every execution in the session, by anyone.

Cell operations (apply, create, run, move, delete) are serialised through one
lock instead of cancelling each other: cancelling a code_mode call mid-flight
closes its HTTP stream, which interrupts the kernel and leaves the outcome
unknown. Pressing alt+down three times moves the cell three places.
"""

from __future__ import annotations

import asyncio
import time
from typing import Awaitable, Callable

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, TextArea

from ...core.activity import ActivityEntry
from ...core.codemode import OpResult
from ...core.errors import ConflictError, PairError
from ...core.notebook import Cell, Changes, Notebook
from ...core.pairing import PairingSession
from ...core.sessions import Target
from ..display import Display
from ..drafts import DraftStore
from ..htmltext import output_text
from ..messages import LiveStateChanged, ModelChanged
from ..widgets.activity_pane import ActivityPane, entry_title
from ..widgets.cell_tree import CellTree, first_line
from ..widgets.code_editor import CodeEditor
from ..widgets.results_pane import ResultsPane
from ..widgets.run_block import RunBlock
from ..widgets.status_line import StatusLine
from .confirm_delete import ConfirmDeleteScreen
from .conflict import ConflictScreen

DRAFT_DEBOUNCE = 0.5
WAIT_FOR_MODEL = 5.0
NARROW = 70  # columns below which the panes stack
SHORT = 18  # rows below which the results pane shrinks
TIGHT = 90  # columns below which the footer leaves out the palette key (ctrl+p still works)
LEAVE_CONFIRM = 3.0  # seconds in which a second esc / ctrl+q leaves while an operation runs

EDITOR_PLACEHOLDER = (
    "Python for the kernel. ctrl+r runs it as a snippet; ctrl+l loads the selected cell, "
    "ctrl+s applies the text to it, ctrl+n makes it a new cell."
)


def descendants(notebook: Notebook, cell_id: str) -> list[Cell]:
    """Cells that read, directly or not, what `cell_id` defines (notebook order)."""
    start = notebook.get(cell_id)
    if start is None:
        return []
    defined = set(start.defs)
    found: set[str] = set()
    changed = True
    while changed:
        changed = False
        for cell in notebook.cells:
            if cell.id == cell_id or cell.id in found:
                continue
            if cell.refs & defined:
                found.add(cell.id)
                defined |= cell.defs
                changed = True
    return [c for c in notebook.cells if c.id in found]


class PairingScreen(Screen[None]):
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

    # -- drafts -------------------------------------------------------------

    def _restore_draft(self) -> None:
        draft = self.drafts.load()
        if draft is None:
            return
        editor = self.editor
        editor.load_text(draft.text)
        editor.loaded_cell, editor.base = draft.cell_id, draft.base
        if draft.text:
            self.notify("Restored the editor text you had for this notebook.", timeout=4)

    @on(TextArea.Changed, "#editor")
    def _editor_changed(self, _event: TextArea.Changed) -> None:
        if self._draft_timer is not None:
            self._draft_timer.stop()
        self._draft_timer = self.set_timer(DRAFT_DEBOUNCE, self.save_draft)

    def save_draft(self) -> None:
        try:
            editor = self.editor
        except Exception:  # not mounted (any more)
            return
        try:
            self.drafts.save(editor.text, editor.loaded_cell, editor.base)
        except OSError as exc:
            self.notify(f"Could not save the draft: {exc}", severity="error")

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

    def _start(self, kind: str, title: str) -> RunBlock:
        return self.results.start(kind, title, self.fmt.clock())

    def _fail(self, block: RunBlock, error: BaseException, began: float) -> None:
        if isinstance(error, PairError):
            block.line(error.message, "bold red")
            if error.next:
                block.line(error.next, "yellow")
            self.notify(error.message, title="Failed", severity="error", timeout=8)
        else:
            block.line(f"Unexpected error: {error!r}", "bold red")
            self.notify(f"Unexpected error: {error!r}", severity="error", timeout=8)
        block.finish(False, self._summary("failed", began))
        self.results.follow()

    def _summary(self, outcome: str, began: float) -> str:
        return f"{outcome}{self._dot}{self.fmt.duration(time.monotonic() - began)}"

    @property
    def _dot(self) -> str:
        return f" {self.fmt.dot} "

    def _label(self, cell_id: str) -> str:
        cell = self.notebook.get(cell_id)
        return cell.label if cell is not None else cell_id

    async def _cell_op(self, kind: str, title: str, op: Callable[[], Awaitable[OpResult]]
                       ) -> tuple[OpResult | None, RunBlock]:
        """Run one code_mode operation after the earlier ones, reporting into the results pane."""
        block = self._start(kind, title)
        if self._ops_lock.locked() or not self.notebook.is_idle():
            block.line("waiting for the kernel" + self.fmt.ellipsis, "dim")
        async with self._ops_lock:
            return await self._op_locked(block, op), block

    async def _op_locked(self, block: RunBlock, op: Callable[[], Awaitable[OpResult]]) -> OpResult | None:
        began = time.monotonic()
        try:
            result = await op()
            if result.order:
                await self.session.wait_until(  # type: ignore[union-attr]
                    lambda nb: nb.cell_ids == result.order, timeout=WAIT_FOR_MODEL
                )
        except ConflictError:
            block.finish(False, self._summary("conflict", began))
            raise
        except Exception as error:  # reported, never raised into the app
            self._fail(block, error, began)
            return None
        if result.narration:
            block.line(result.narration, "dim")
        for warning in result.warnings:
            block.line(warning, "yellow")
        for state in result.cells:
            for error in state.errors:
                block.line(f"{state.name or state.id}: {error.message}", "red")
        ok = result.success
        outcome = "ok" if ok else "failed: " + ", ".join(self._label(c) for c in result.failed_cells)
        block.finish(ok, self._summary(outcome, began))
        self.results.follow()
        return result

    # -- actions: the editor ---------------------------------------------------

    def action_run_snippet(self) -> None:
        code = self.editor.text
        if not code.strip():
            self.notify("The editor is empty: type some Python first.", severity="warning")
            return
        if self._snippet_running:
            self.notify("A snippet is still running; ctrl+t interrupts it.", severity="warning")
            return
        self._snippet_running = True
        self.run_snippet(code)

    @work(group="snippet")
    async def run_snippet(self, code: str) -> None:
        assert self.session is not None
        preview = first_line(code)
        block = self._start("snippet", preview[:40] or "snippet")
        began = time.monotonic()

        def on_output(channel: str, text: str) -> None:
            block.append(text, "red" if channel == "stderr" else "")
            self.results.follow()

        try:
            result = await self.session.run_snippet(code, on_output)
        except Exception as error:
            self._fail(block, error, began)
            return
        finally:
            self._snippet_running = False
        output = result.output or {}
        shown = output_text(output.get("mimetype"), output.get("data")) if output else ""
        if shown.strip():
            block.line(shown)
        block.finish(result.success, self._summary("ok" if result.success else "failed", began))
        self.results.follow()

    def action_load(self) -> None:
        cell = self._selected()
        if cell is None:
            return
        editor = self.editor
        previous = editor.text
        if previous == cell.code and editor.loaded_cell == cell.id:
            editor.base = cell.code
            self._update_editor_title()
            return
        self._replace_editor_text(cell.code, "editor text before loading " + cell.label)
        editor.loaded_cell, editor.base = cell.id, cell.code
        self._update_editor_title()
        self.save_draft()
        self.show_activity(False)
        self.editor.focus()

    def _replace_editor_text(self, text: str, kept_title: str) -> None:
        """Put `text` in the editor; unsaved text goes to the results and stays one ctrl+z away."""
        editor = self.editor
        previous = editor.text
        unsaved = previous.strip() and previous != (editor.base or "")
        editor.replace_all(text)
        editor.move_cursor(editor.document.end)
        if unsaved:
            block = self._start("kept", kept_title)
            block.line(previous)
            block.finish(True, "ctrl+z in the editor brings it back")

    def _apply_target(self) -> tuple[Cell | None, str | None]:
        """The cell an apply replaces: the loaded one, else the selected one."""
        editor = self.editor
        if editor.loaded_cell is not None:
            cell = self.notebook.get(editor.loaded_cell)
            if cell is not None:
                return cell, editor.base if editor.base is not None else cell.code
            self.notify(
                f"The cell the editor text came from ({editor.loaded_cell}) is not in the notebook any more; "
                "use ctrl+n to add the text as a new cell.",
                severity="warning", timeout=8,
            )
            return None, None
        cell = self._selected()
        return cell, (cell.code if cell is not None else None)

    def action_apply(self) -> None:
        cell, base = self._apply_target()
        if cell is None:
            return
        self.apply_edit(cell.id, cell.label, self.editor.text, base)

    @work(group="cell-ops")
    async def apply_edit(self, cell_id: str, label: str, code: str, base: str | None, force: bool = False) -> None:
        assert self.session is not None
        session = self.session
        title = f"{label} (force)" if force else label
        try:
            if force:
                result, _ = await self._cell_op("apply", title, lambda: session.edit_cell(cell_id, code, force=True))
            else:
                result, _ = await self._cell_op("apply", title, lambda: session.edit_cell(cell_id, code, base=base))
        except ConflictError as conflict:
            await self._resolve_conflict(cell_id, label, code, conflict)
            return
        if result is not None:
            editor = self.editor
            editor.loaded_cell, editor.base = cell_id, code
            self._update_editor_title()
            self.save_draft()

    async def _resolve_conflict(self, cell_id: str, label: str, code: str, conflict: ConflictError) -> None:
        theirs = str(conflict.details.get("theirs", ""))
        yours = str(conflict.details.get("yours", code))
        choice = await self.app.push_screen_wait(
            ConflictScreen(label, theirs, yours, dark=self.app.current_theme.dark)
        )
        editor = self.editor
        if choice == "mine":
            self.apply_edit(cell_id, label, yours, None, force=True)
        elif choice == "theirs":
            block = self._start("kept", f"your text for {label} (replaced by theirs)")
            block.line(editor.text)
            block.finish(True, "ctrl+z in the editor brings it back")
            editor.replace_all(theirs)
            editor.loaded_cell, editor.base = cell_id, theirs
            self._update_editor_title()
            self.save_draft()
        else:
            self.notify("Nothing applied; your text stays in the editor.", timeout=5)

    # -- actions: cells -------------------------------------------------------

    def action_new_after(self) -> None:
        self._new_cell(before=False)

    def action_new_before(self) -> None:
        self._new_cell(before=True)

    def _new_cell(self, *, before: bool) -> None:
        anchor = self._selected(quiet=True)
        self.create(self.editor.text, anchor.id if anchor else None, before)

    @work(group="cell-ops")
    async def create(self, code: str, anchor: str | None, before: bool, *, kind: str = "new cell",
                     from_editor: bool = True) -> None:
        """Create a cell from `code`; `from_editor`: the editor text becomes that cell's loaded code."""
        assert self.session is not None
        session = self.session
        where = {} if anchor is None else ({"before": anchor} if before else {"after": anchor})
        place = "at the end" if anchor is None else f"{'above' if before else 'below'} {self._label(anchor)}"
        result, _ = await self._cell_op(kind, place, lambda: session.create_cell(code, **where))
        if result is None:
            return
        created = result.extra.get("created")
        if isinstance(created, str):
            await session.wait_until(lambda nb: nb.get(created) is not None, timeout=WAIT_FOR_MODEL)
            self._apply_model_changes(ModelChanged())
            self.cell_tree.select_cell(created)
            if not from_editor:
                self.notify(f"New cell {self._label(created)} {place}.", timeout=5)
                return
            editor = self.editor
            editor.loaded_cell, editor.base = created, code
            self._update_editor_title()
            self.save_draft()

    def action_run_cell(self) -> None:
        cell = self._selected()
        if cell is not None:
            self.run_cell(cell.id)

    @work(group="cell-ops")
    async def run_cell(self, cell_id: str) -> None:
        assert self.session is not None
        session = self.session
        result, block = await self._cell_op("run", self._label(cell_id), lambda: session.run_cells([cell_id]))
        if result is None:
            return
        for state in result.cells:
            if state.console or state.output:
                block.line(f"{state.name if state.name not in ('', '_') else state.id}:", "bold")
            for item in state.console:
                text = output_text(item.mimetype, item.data)
                if text:
                    block.append(text if text.endswith("\n") else text + "\n", "red" if item.channel == "stderr" else "")
            if state.output:
                shown = output_text(state.output.get("mimetype"), state.output.get("data"))
                if shown.strip() and not str(state.output.get("mimetype", "")).startswith("application/vnd.marimo+error"):
                    block.line(shown)
        self.results.follow()

    def action_move_up(self) -> None:
        self._move(-1)

    def action_move_down(self) -> None:
        self._move(+1)

    def _move(self, step: int) -> None:
        cell = self._selected()
        if cell is not None:
            self.move(cell.id, step)

    @work(group="cell-ops")
    async def move(self, cell_id: str, step: int) -> None:
        assert self.session is not None
        session = self.session
        title = f"{self._label(cell_id)} {'up' if step < 0 else 'down'}"
        async with self._ops_lock:  # the neighbour is read after earlier moves landed
            order = self.notebook.cell_ids
            if cell_id not in order:
                return
            index = order.index(cell_id) + step
            if not 0 <= index < len(order):
                self.notify(f"{self._label(cell_id)} is already the {'first' if step < 0 else 'last'} cell.")
                return
            neighbour = order[index]
            where = {"before": neighbour} if step < 0 else {"after": neighbour}
            result = await self._op_locked(self._start("move", title), lambda: session.move_cell(cell_id, **where))
        if result is not None:
            self._apply_model_changes(ModelChanged())
            self.cell_tree.select_cell(cell_id)

    def action_delete_cell(self) -> None:
        cell = self._selected()
        if cell is not None:
            self.delete(cell.id)

    @work(group="cell-ops")
    async def delete(self, cell_id: str) -> None:
        assert self.session is not None
        session = self.session
        cell = self.notebook.get(cell_id)
        if cell is None:
            return
        stale = [c.label for c in descendants(self.notebook, cell_id)]
        confirmed = await self.app.push_screen_wait(ConfirmDeleteScreen(cell.label, stale, first_line(cell.code)))
        if not confirmed:
            return
        result, block = await self._cell_op("delete", cell.label, lambda: session.delete_cell(cell_id))
        if result is None:
            return
        went_stale = result.extra.get("stale") or []
        if went_stale:
            block.line("now stale: " + ", ".join(self._label(c) for c in went_stale), "magenta")
        if self.editor.loaded_cell == cell_id:
            self.editor.loaded_cell, self.editor.base = None, None
            self._update_editor_title()
            self.save_draft()

    def action_interrupt(self) -> None:
        self.interrupt()

    @work(group="interrupt", exclusive=True)
    async def interrupt(self) -> None:
        assert self.session is not None
        block = self._start("interrupt", "kernel")
        began = time.monotonic()
        try:
            await self.session.interrupt()
        except Exception as error:
            self._fail(block, error, began)
            return
        block.finish(True, "sent")

    def action_refresh(self) -> None:
        self.refresh_model()

    @work(group="refresh", exclusive=True)
    async def refresh_model(self) -> None:
        assert self.session is not None
        block = self._start("refresh", "read every cell")
        began = time.monotonic()
        try:
            await self.session.refresh()
        except Exception as error:
            self._fail(block, error, began)
            return
        block.finish(True, self._summary(f"{len(self.notebook)} cells", began))

    # -- actions: navigation ---------------------------------------------------

    def action_focus(self, what: str) -> None:
        if what in ("editor", "results"):
            self.show_activity(False)
        self.query_one(f"#{what}").focus()

    # -- actions: the activity pane ----------------------------------------------

    def show_activity(self, shown: bool) -> None:
        """Swap the editor and results for the activity pane (or back)."""
        if shown == self.activity_shown:
            return
        if shown and self.session is not None:
            self.activity_pane.sync(self.notebook.activity)
        self.set_class(shown, "-activity")
        self.refresh_bindings()

    def action_toggle_activity(self) -> None:
        if self.activity_shown:
            self.show_activity(False)
            self.editor.focus()
        else:
            self.show_activity(True)
            self.activity_pane.focus_rows()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("activity_to_editor", "activity_promote"):
            return self.activity_shown  # e and p are free keys elsewhere
        return True

    def _activity_entry(self) -> ActivityEntry | None:
        """The entry the activity actions work on; says why when there is none to use."""
        if not self.activity_shown:
            self.show_activity(True)
            self.activity_pane.focus_rows()
            self.notify("Pick an entry in the activity pane first.", severity="warning")
            return None
        entry = self.activity_pane.selected_entry
        if entry is None:
            self.notify("Nothing ran yet: the activity pane is empty.", severity="warning")
            return None
        if entry.program is not None:
            self.notify(f"That entry is a cell operation ({entry_title(entry)}), not code to keep.",
                        severity="warning")
            return None
        return entry

    def copy_text(self) -> tuple[str, str] | None:
        """What `copy` takes, by where the focus is: (text, what it is)."""
        focused = self.app.focused
        entry = self._activity_entry() if self.activity_shown else None
        if entry is not None and entry.code:
            return entry.code, "the activity entry's code"
        if focused is self.editor:
            selected = self.editor.selected_text
            return (selected, "the selection") if selected else (self.editor.text, "the editor's text")
        if focused is not None and self.results in (focused, *focused.ancestors):
            blocks = self.results.blocks
            return (blocks[-1].body.plain, "the last result") if blocks else None
        cell = self._selected(quiet=True)
        return (cell.code, f"the code of {cell.label}") if cell is not None else None

    def action_copy(self) -> None:
        """Copy through the terminal (OSC 52), so it reaches the local clipboard over SSH too."""
        found = self.copy_text()
        if found is None or not found[0]:
            self.notify("Nothing to copy here: select a cell, text, or a result.", severity="warning")
            return
        text, what = found
        self.app.copy_to_clipboard(text)
        self.notify(f"Copied {what} ({len(text.splitlines()) or 1} lines).")

    def action_activity_to_editor(self) -> None:
        entry = self._activity_entry()
        if entry is None:
            return
        editor = self.editor
        if editor.text != entry.code:
            self._replace_editor_text(entry.code, f"editor text before copying {entry_title(entry)} from the activity")
        editor.loaded_cell, editor.base = None, None
        self.show_activity(False)
        self._update_editor_title()
        self.save_draft()
        editor.focus()

    def action_activity_promote(self) -> None:
        entry = self._activity_entry()
        if entry is None:
            return
        anchor = self._selected(quiet=True)
        self.create(entry.code, anchor.id if anchor else None, False, kind="promote", from_editor=False)

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
