"""The pairing screen: the live cell tree, an editor, and what the runs printed.

The screen follows one session through the session service (`PairApp.service`)
and keeps no notebook state of its own: the service's live mirror holds the
model, the screen subscribes to it, and each model change arrives as a
`ModelChanged` message carrying its `Changes`, applied by one handler. Every
operation goes through the service in a worker; failures are reported in the
results pane and never touch the editor text. f6 swaps the editor and results
for the activity pane: every execution in the session, by anyone.

The screen is the frame (layout, the live model, the status line, leaving);
what the keys do is done by helpers it owns: `runner` (runner.py), `editing`
(editing.py), `cells` (cells.py), `activity` (activity.py), `draft`
(draft.py), `completion` (completion.py), `kernel` (kernel.py) and `panes`
(panes.py). Each is given only what it uses (link.py: the session, the
selected cell; the widgets it drives; callbacks). The status line and the side
column follow the screen's reactives (`live_state`, `kernel_busy`,
`waiting_note`, `choosing`, `follow_focus`, `target`; `side`). alt+f follows a
browser's focus; ctrl+f opens the search bar (`search`, search.py).
"""

from __future__ import annotations

import time
from functools import partial
from pathlib import Path
from typing import Callable, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.notifications import Notification
from textual.reactive import var
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import TextArea

from ....core.api import sibling_note
from ....core.api import PairError
from ...terminal_text import escape_controls
from ....core.api import Cell, Changes, Notebook, PairingService, Mirror, Target
from ...display import Display
from ...drafts import DraftStore
from ...messages import LiveStateChanged, ModelChanged
from ...notices import tell, withdraw
from ...widgets.activity_pane import ActivityPane
from ...widgets.cell_tree import CellTree
from ...widgets.code_editor import CodeEditor
from ...widgets.completion_menu import CompletionMenu
from ...widgets.graph_pane import GraphPane
from ...widgets.variables_pane import VariablesPane
from ...widgets.history_pane import HistoryPane
from ...widgets.notebook_view import NotebookView
from ...widgets.notice_banner import NoticeBanner
from ...widgets.steady_footer import SteadyFooter
from ...widgets.results_pane import ResultsPane
from ...widgets.search_bar import SearchBar
from ...widgets.run_block import RunBlock
from ...widgets.status_line import StatusLine
from ..successor import SuccessorScreen
from .activity import ActivityCommands
from .cells import CellCommands
from .completion import CompletionCommands
from .debugging import DebugCommands
from .pictures import PictureCommands
from .draft import DraftKeeper
from .editing import EditorCommands, editor_title
from .kernel import KernelCommands
from .notices import NoticeFollower
from .panes import PaneCommands
from .history import HistoryCommands
from .keys import PAIRING_KEYS, binding
from .link import CellSelection, Operations, SessionLink, Side
from .runner import OperationRunner
from .search import SearchCommands

NARROW = 70  # columns below which the panes stack
SHORT = 18  # rows below which the results pane shrinks
TIGHT = 90  # columns below which the footer leaves out the palette key (ctrl+p still works)
CELL_ACTIONS = frozenset({"load", "run_cell", "move_up", "move_down", "delete_cell", "screenshot"})  # act on the selected cell
OUTAGE_GRACE = 2.0  # seconds of connection trouble before it is told (a quick recovery is told by itself)
LEAVE_CONFIRM = 3.0  # seconds in which a second esc / ctrl+q leaves while an operation runs

EDITOR_PLACEHOLDER = (
    "Python for the kernel. ctrl+r runs it as a snippet; ctrl+l loads the selected cell, "
    "ctrl+s applies the text to it, ctrl+n makes it a new cell."
)


class PairingScreen(Screen[None]):
    """One notebook session, live."""

    BINDINGS = PAIRING_KEYS

    CSS_PATH = Path(__file__).with_name("screen.tcss")  # absolute: a subclass elsewhere finds it too

    # What the status line shows; it is redrawn when one of them changes.
    target: var[Target] = var(cast(Target, None))  # the session followed (set in __init__; another after a move)
    live_state: var[str] = var("connecting")  # the live mirror's state; "connecting" until it is followed
    kernel_busy: var[bool] = var(False)
    waiting_note: var[str | None] = var(None)  # an input() waiting while no prompt is open
    choosing: var[bool] = var(False)  # the chooser of the notebook's sessions is open
    follow_focus: var[bool] = var(False)  # alt+f: a browser focusing a cell selects it here
    side: var[Side] = var("work", init=False)  # the side column: editor and results, or a pane in their place

    # The helpers, made on mount around the widgets they drive.
    runner: OperationRunner
    draft: DraftKeeper
    selection: CellSelection
    editing: EditorCommands
    cells: CellCommands
    activity: ActivityCommands
    completion: CompletionCommands
    kernel: KernelCommands
    debugging: DebugCommands
    notices: NoticeFollower
    panes: PaneCommands
    search: SearchCommands

    def __init__(
        self,
        target: Target,
        service: PairingService,
        *,
        fmt: Display,
        drafts: DraftStore | None = None,
        cursor_blink: bool = True,
        notes: list[str] | None = None,
    ) -> None:
        super().__init__()
        self.target = target
        self.service = service
        self.fmt = fmt
        self.drafts = drafts if drafts is not None else DraftStore(target.notebook)
        self.cursor_blink = cursor_blink
        self.notes = list(notes or [])
        self.session: Mirror | None = None  # the service's live mirror, once attached
        self.link = SessionLink(service, lambda: self.target, lambda: self.session)
        self._unsubscribe: Callable[[], None] | None = None
        self._left = False
        self._tree: CellTree | None = None  # found once: check_action runs for every binding on each footer redraw
        self._had_selection: bool | None = None
        self._leave_armed_at = float("-inf")
        self._outage: str | None = None  # the connection trouble last told (reset once live again)
        self._outage_timer: Timer | None = None
        self._outage_notice: Notification | None = None  # the outage told, withdrawn once it mends
        self._out_when_lost: list[RunBlock] | None = None  # operations out when the live view was lost
        self._focus_seen: str | None = None  # the browser's focused cell last followed

    # -- layout -------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield StatusLine(id="status")
        yield NoticeBanner(id="banner")
        with Horizontal(id="body"):
            yield CellTree(self.fmt, id="cells")
            yield NotebookView(self.service, lambda: self.target, self.fmt, id="notebook")
            with Vertical(id="side"):
                with Vertical(id="work"):
                    yield CodeEditor.python(id="editor", placeholder=EDITOR_PLACEHOLDER)
                    yield ResultsPane(ascii=self.fmt.ascii, id="results")
                yield ActivityPane(self.fmt, id="activity")
                yield VariablesPane(id="variables")
                yield GraphPane(id="graph")
                yield HistoryPane(id="history")
        yield SearchBar(id="search")
        yield SteadyFooter(compact=True)
        yield CompletionMenu(id="completions")

    @property
    def cell_tree(self) -> CellTree:
        if self._tree is None:
            self._tree = self.query_one(CellTree)
        return self._tree

    @property
    def notebook_view(self) -> NotebookView:
        return self.query_one(NotebookView)

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
        return self.side == "activity"

    @property
    def notebook(self) -> Notebook:
        return self.link.notebook()

    def on_mount(self) -> None:
        self._make_helpers()
        self.editor.cursor_blink = self.cursor_blink
        self.editor.menu = self.query_one(CompletionMenu)
        self.draft.restore()
        self._layout_for(self.app.size.width, self.app.size.height)
        for name in ("target", "live_state", "kernel_busy", "waiting_note", "choosing", "follow_focus"):
            self.watch(self, name, self._show_status, init=False)
        self._show_status()
        self._title_editor()
        self.cell_tree.focus()
        key = getattr(self.app, "key_display", lambda b: b.key)(binding("notebook-view"))
        self.cell_tree.border_subtitle = f"{key} notebook"  # the footer has no room for it at 80 columns
        self.notebook_view.border_subtitle = f"{key} cells"
        self.connect()
        self.check_siblings()
        for note in self.notes:
            self.notify(note, severity="warning", timeout=10)

    def _make_helpers(self) -> None:
        """Each helper gets the widgets it drives and the calls it makes, not the screen."""
        link, editor, notify, run_worker = self.link, self.editor, self.notify, self.run_worker
        app = self.app
        self.runner = runner = OperationRunner(self.results, self.fmt, notify, link.label)
        self.draft = DraftKeeper(self.drafts, editor, notify, self.set_timer)
        self.selection = selection = CellSelection(self.cell_tree, self.notebook_view, link, notify, self.call_later)
        ops = Operations(link, runner, notify, run_worker, app.push_screen_wait)
        self.editing = EditorCommands(ops, editor, selection, dark=lambda: app.current_theme.dark,
                                      hide_activity=lambda: self.activity.show(False))
        self.cells = CellCommands(ops, editor, selection, self._follow_results)
        self.activity = ActivityCommands(link, self.activity_pane, lambda: self.side, self._show_side, editor,
                                         self.results, selection, self.editing, self.cells, notify,
                                         lambda: app.focused, app.copy_to_clipboard)
        self.completion = CompletionCommands(link, editor, notify, run_worker, app.push_screen)
        self.debugging = DebugCommands(link, selection, notify, app.push_screen)
        self.kernel = KernelCommands(ops, self.fmt, self.set_timer, push=app.push_screen,
                                     on_top=lambda: app.screen is self, on_waiting=self._set_waiting_note,
                                     on_pdb=self.debugging.offer)
        self.notices = NoticeFollower(lambda: self.notebook, self.query_one(NoticeBanner), partial(tell, app))
        self.panes = PaneCommands(link, lambda: self.side, self._show_side, self.query_one(VariablesPane),
                                  self.query_one(GraphPane), editor, selection, notify, run_worker,
                                  ascii=self.fmt.ascii)
        runner.on_result = self.kernel.check_result
        self.code_history = HistoryCommands(ops, self.query_one(HistoryPane), lambda: self.side, self._show_side,
                                            editor.focus)
        self.search = SearchCommands(link, self.query_one(SearchBar), selection, notify, run_worker)
        self.pictures = PictureCommands(link, selection, notify, run_worker, app.push_screen)

    def _show_side(self, side: Side) -> None:
        self.side = side

    def watch_side(self, side: Side) -> None:
        for pane in ("activity", "variables", "graph", "history"):
            self.set_class(side == pane, f"-{pane}")
        self.refresh_bindings()

    def _set_waiting_note(self, note: str | None) -> None:
        self.waiting_note = note

    def _follow_results(self) -> None:
        for pane in self.query(ResultsPane):  # none once the app is closing
            pane.follow()

    def on_resize(self) -> None:
        self._layout_for(self.app.size.width, self.app.size.height)

    def _layout_for(self, width: int, height: int) -> None:
        self.set_class(width < NARROW, "-narrow")
        self.set_class(height < SHORT, "-short")
        self.set_class(width < TIGHT, "-tight")

    # -- the live model -------------------------------------------------------

    @work(group="live", exclusive=True)
    async def connect(self) -> None:
        """Follow the session through the service's live mirror (attached if nobody follows it yet)."""
        await self._follow_target()

    async def _follow_target(self) -> bool:
        """Subscribe to the live mirror of `target`; False when there is none (told)."""
        try:
            reply = await self.service.mirror(self.target, wait=False)
        except PairError as error:
            self.notify(f"{error.message} {error.next}".strip(), title="No live view", severity="error", timeout=15)
            return False
        if self._left:
            return False
        if self._unsubscribe is not None:
            self._unsubscribe()
        pairing = reply.value
        self.session = pairing
        self._unsubscribe = pairing.subscribe(self._on_model_change, self._on_live_state)
        everything = Changes(cell_ids=frozenset(pairing.notebook.cell_ids), structure=True, kernel=True)
        self.post_message(ModelChanged(everything))  # a mirror followed before has no news to tell
        for warning in reply.warnings:
            self.notify(warning, severity="warning", timeout=10)
        return True

    @work(group="siblings", exclusive=True)
    async def check_siblings(self) -> None:
        """Warn when the notebook has several sessions: the live view follows the first."""
        try:
            reply = await self.service.notebooks(self.target.server.url)
        except PairError:
            return
        note = sibling_note(reply.value, self.target)
        if note and note not in self.notes:  # resolving the target may have said so already
            self.notify(note, severity="warning", timeout=12)

    def _on_model_change(self, changes: Changes) -> None:
        self.post_message(ModelChanged(changes))

    def _on_live_state(self, state: str, detail: str) -> None:
        self.post_message(LiveStateChanged(state, detail))

    @on(ModelChanged)
    def _model_changed(self, message: ModelChanged) -> None:
        if self.session is None or self._left:
            return
        changes = message.changes
        self.cell_tree.sync(self.notebook, changes.cell_ids, changes.structure)
        self.notebook_view.sync(self.notebook, changes.cell_ids, changes.structure)
        if changes.ui_values or changes.models or self.notebook.ui_element_names(changes.variables):
            self.notebook_view.values_changed()  # a kernel read: only when an element's value changed
        self.cells.model_changed(changes)
        self.editing.model_changed(changes)
        self.kernel.model_changed(changes)
        self.notices.model_changed(changes)
        self.panes.model_changed(changes)
        self.code_history.model_changed(changes)
        self._follow_browser_focus(changes)
        if changes.activity and self.activity_shown:  # a hidden pane catches up when shown (ActivityCommands.show)
            self.activity_pane.sync(self.notebook.activity, changes.activity)
        self._read_model()

    def _read_model(self) -> None:
        """The mirror's state and the kernel's into the reactives the status line follows; the editor's
        title (whether its cell changed since loaded)."""
        self.live_state = self.session.live_state if self.session is not None else "connecting"
        self.kernel_busy = not self.notebook.is_idle()
        self._title_editor()

    @on(LiveStateChanged)
    def _live_state_changed(self, message: LiveStateChanged) -> None:
        """One notification per change of the connection's fortune, never one per retry; trouble
        that mends itself within OUTAGE_GRACE (a restarted kernel whose new session is found at
        once) is told only by its outcome, and trouble told already is withdrawn once it mends
        (a kernel restarted in a browser whose reload came late: "Session restarted" alone stays).
        Operations out when the view was lost end on a move: their session is gone."""
        if self.session is not None and message.state == "moved":
            self.target = self.session.target  # the notebook's new session: the status line says so
        self._read_model()
        state, detail = message.state, message.detail
        if state in ("live", "moved", "ambiguous"):
            self._outage_mended()
        lost = self._operations_out_when_lost(state)
        self._outage_follows(state, detail, lost)
        if state == "closed" and not self._left:
            self.connect()  # the service let that mirror go: follow the session with a new one

    def _operations_out_when_lost(self, state: str) -> list[RunBlock] | None:
        """The operations that were out when the live view was lost: noted at the first loss (a retry
        keeps them), forgotten once the view is back or has moved."""
        if state in ("reconnecting", "gone") and self._out_when_lost is None:
            self._out_when_lost = self.runner.waiting()
        lost = self._out_when_lost
        if state in ("live", "moved"):
            self._out_when_lost = None
        return lost

    def _outage_follows(self, state: str, detail: str, lost: list[RunBlock] | None) -> None:
        """What the new state does to the trouble told: live ends it, a move or several new sessions are
        told at once, a loss is told only if it lasts OUTAGE_GRACE (and once per kind of trouble)."""
        if state == "live":
            self._outage = None
        elif state == "moved":
            self._outage = state
            self._session_moved(detail, lost)
        elif state == "ambiguous":
            self._outage = state
            self._offer_successors(detail)
        elif state in ("reconnecting", "gone") and self._outage != state:
            if self._outage_timer is not None:
                self._outage_timer.stop()
            self._outage_timer = self.set_timer(OUTAGE_GRACE, lambda: self._tell_outage(state, detail))

    def _session_moved(self, detail: str, lost: list[RunBlock] | None) -> None:
        """The notebook's new session is followed; operations sent to the old one end (marimo never
        answers them), unless our own restart moved it and told that already."""
        if self.kernel.moved():
            return  # our own restart, told already (it ends what it cut off)
        self.runner.abandon(lost or [], "ended: the session closed (its kernel restarted)")
        self.notify(f"Following the notebook's new session: {detail}.", title="Session restarted",
                    severity="information", timeout=8)

    def _outage_mended(self) -> None:
        """The live view is back (or its end is settled): the outage is not told any more."""
        if self._outage_timer is not None:
            self._outage_timer.stop()
            self._outage_timer = None
        if self._outage_notice is not None:
            withdraw(self.app, self._outage_notice)
            self._outage_notice = None

    # -- several sessions after the followed one ended ------------------------

    def _offer_successors(self, detail: str) -> None:
        """The session ended and the notebook has several: the user chooses which to follow."""
        candidates = list(self.session.candidates) if self.session is not None else []
        if self._left or self.choosing:
            return
        if not candidates:
            self.notify(f"{detail} Press esc and pick one.", severity="error", timeout=20)
            return
        self.choosing = True
        self.app.push_screen(SuccessorScreen(self.target, candidates, self.fmt, self.service), self._successor_chosen)

    def _successor_chosen(self, chosen: Target | None) -> None:
        self.choosing = False
        if self._left:
            return
        if chosen is None:
            self.notify("This screen follows no session now; the editor text is kept. To follow one, press esc "
                        "and pick it in the list.", title="No session chosen", severity="warning", timeout=15)
            return
        self.follow_successor(self.target, chosen)

    @work(group="live", exclusive=True)
    async def follow_successor(self, lost: Target, chosen: Target) -> None:
        """Leave the ended session's mirror and follow `chosen`; the editor is not touched."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self.session = None
        self.target = chosen
        self._read_model()
        await self.service.forget(lost)  # its mirror waits on a session that will not come back
        if not await self._follow_target():
            return
        where = f" on {self.fmt.server(chosen.server.url)}" if chosen.server.url != lost.server.url else ""
        self.notify(f"Now following {self.fmt.session(chosen.session.selector)}{where}, as chosen, instead of "
                    f"{self.fmt.session(lost.session.selector)}, which ended. The editor text is kept.",
                    title="Session chosen", severity="information", timeout=8)

    def _tell_outage(self, state: str, detail: str) -> None:
        self._outage_timer = None
        if self._left or self.session is None or self.session.live_state != state or self._outage == state:
            return
        if self.kernel.expecting_move:
            return  # our own restart: its outcome is told
        self._outage = state
        if self._outage_notice is not None:
            withdraw(self.app, self._outage_notice)  # "gone" supersedes "reconnecting"
        if state == "gone":
            self._outage_notice = tell(
                self.app, f"The session is gone: {detail}. Waiting for the notebook's new session "
                "(open it in a browser, or run `marimo-pair-tui --headless open PATH`); "
                "the editor text is kept.", severity="error", timeout=15)
        else:
            self._outage_notice = tell(self.app, f"Live view lost ({detail}); reconnecting.", severity="warning",
                                       timeout=6)

    def _show_status(self) -> None:
        """Draw the status line from the reactives it follows."""
        fmt = self.fmt
        dot = f" {fmt.dot} "
        left = Text()
        name = self.target.notebook.rsplit("/", 1)[-1] or "(unsaved)"
        left.append(escape_controls(name), style="bold")
        state = self.live_state
        ended = " (ended)" if state == "ambiguous" else ""
        left.append(dot + escape_controls(fmt.session(self.target.session.selector)) + ended, style="dim")
        left.append(dot + escape_controls(fmt.server(self.target.server.url)), style="dim")
        right = Text()
        right.append_text(fmt.live(state))
        if state == "ambiguous" and not self.choosing:
            right.append(dot + "following no session: esc, then pick one", style="bold red")
        if state == "live":  # otherwise the kernel state is unknown
            waiting = self.waiting_note
            if waiting:
                key = getattr(self.app, "key_display", lambda b: b.key)(binding("run-snippet"))
                right.append(f"{dot}{escape_controls(waiting)} ({key})", style="bold magenta")
            if self.follow_focus:
                right.append(dot + "following focus", style="cyan")
            busy = self.kernel_busy
            right.append(dot + ("kernel busy" if busy else "kernel idle"), style="bold yellow" if busy else "dim")
        self.query_one(StatusLine).show(left, right)

    def _title_editor(self) -> None:
        self.editor.border_title = editor_title(self.editor, self.session.notebook if self.session else None)

    @on(CodeEditor.OriginChanged)
    def _origin_changed(self, _message: CodeEditor.OriginChanged) -> None:
        """The one place that follows the editor's origin: its title and the draft."""
        self._title_editor()
        self.draft.save()

    @on(CodeEditor.CompletionRequested)
    def _completion_requested(self, message: CodeEditor.CompletionRequested) -> None:
        self.completion.complete(message.request)

    @on(TextArea.Changed, "#editor")
    def _editor_changed(self, _event: TextArea.Changed) -> None:
        self.draft.save_soon()

    async def close(self) -> None:
        """Save the draft and stop hearing the live mirror (the service keeps it; the session lives on)."""
        if self._left:
            return
        self._left = True
        if hasattr(self, "draft"):
            self.draft.save()
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    async def on_unmount(self) -> None:
        await self.close()

    # -- helpers ------------------------------------------------------------

    def selected(self, *, quiet: bool = False) -> Cell | None:
        """The cell under the tree's cursor; without one (and not `quiet`) says how to pick one."""
        return self.selection.cell(quiet=quiet)

    def label(self, cell_id: str) -> str:
        return self.link.label(cell_id)

    def show_activity(self, shown: bool) -> None:
        self.activity.show(shown)

    # -- actions ----------------------------------------------------------------

    def action_run_snippet(self) -> None:
        if self.kernel.check_prompts(again=True):
            return  # an input() waits: its prompt comes first
        self.editing.run_snippet()

    def action_load(self) -> None:
        self.editing.load()

    def action_apply(self) -> None:
        self.editing.apply()

    def action_new_after(self) -> None:
        self.cells.new_cell(before=False)

    def action_new_before(self) -> None:
        self.cells.new_cell(before=True)

    def action_run_cell(self) -> None:
        self.cells.run_selected()

    def action_move_up(self) -> None:
        self.cells.move_selected(-1)

    def action_move_down(self) -> None:
        self.cells.move_selected(+1)

    def action_delete_cell(self) -> None:
        self.cells.delete_selected()

    def action_interrupt(self) -> None:
        self.cells.interrupt()

    def action_refresh(self) -> None:
        self.cells.refresh()

    def action_copy(self) -> None:
        self.activity.copy()

    def action_screenshot(self) -> None:
        self.pictures.take()

    def action_toggle_history(self) -> None:
        self.code_history.toggle()

    @on(HistoryPane.RevertRequested)
    def _revert_requested(self, message: HistoryPane.RevertRequested) -> None:
        self.code_history.revert(message.change)

    def action_toggle_variables(self) -> None:
        self.panes.toggle("variables")

    def action_toggle_graph(self) -> None:
        self.panes.toggle("graph")

    @on(VariablesPane.CellChosen)
    def _variable_chosen(self, message: VariablesPane.CellChosen) -> None:
        self.panes.choose(message.cell_id)

    @on(GraphPane.CellChosen)
    def _graph_cell_chosen(self, message: GraphPane.CellChosen) -> None:
        self.panes.choose(message.cell_id)

    # -- the search bar (ctrl+f) ------------------------------------------------

    def action_search(self) -> None:
        self.search.open()

    @on(SearchBar.Changed)
    def _search_changed(self, message: SearchBar.Changed) -> None:
        self.search.search(message.pattern, message.regex, message.ignore_case)

    @on(SearchBar.Step)
    def _search_step(self, message: SearchBar.Step) -> None:
        self.search.step(message.step)

    @on(SearchBar.Closed)
    def _search_closed(self, _message: SearchBar.Closed) -> None:
        """The marks go; the focus goes to the selected cell (the notebook view's block, or the tree)."""
        self.search.close()
        if self.notebook_view.shown:
            self.notebook_view.focus_cell(self.cell_tree.selected_cell_id)
        else:
            self.cell_tree.focus()

    # -- following a browser's focus (alt+f) ------------------------------------

    def action_toggle_follow_focus(self) -> None:
        self.follow_focus = not self.follow_focus
        self._focus_seen = None
        if self.follow_focus:
            self.notify("Following the browser's focus: the cell a browser focuses is selected here.", timeout=4)
            self._follow_browser_focus(Changes(focus=True))
        else:
            self.notify("No longer following the browser's focus.", timeout=4)

    def _follow_browser_focus(self, changes: Changes) -> None:
        """Select the cell a browser focused, when following it. A focus can arrive merged into another
        change that does not flag it, so a focused cell other than the last one followed counts too."""
        focused = self.notebook.focused_cell
        if not self.follow_focus or focused is None or not (changes.focus or focused != self._focus_seen):
            return
        self._focus_seen = focused
        if self.notebook.get(focused) is None:
            return
        self.call_later(self.cell_tree.select_cell, focused)  # after the tree applied this change
        focus = self.app.focused
        if self.notebook_view.shown and focus is not None and self.notebook_view in (focus, *focus.ancestors):
            self.call_later(self.notebook_view.focus_cell, focused)  # the focus stays where the user typed

    def action_debug_cell(self) -> None:
        self.debugging.debug_selected()

    def action_restart(self) -> None:
        self.kernel.restart()

    def action_docs(self) -> None:
        self.completion.docs()

    def action_toggle_activity(self) -> None:
        self.activity.toggle()

    def action_activity_to_editor(self) -> None:
        self.activity.to_editor()

    def action_activity_promote(self) -> None:
        self.activity.promote()

    async def action_focus(self, what: str) -> None:
        if what in ("editor", "results"):
            self.show_activity(False)
            self.panes.show(None)
        if what == "cells" and self.notebook_view.shown:
            what = "notebook"  # the notebook view stands in for the tree
        self.query_one(f"#{what}").focus()

    # -- the notebook view (f7): in place of the cell tree ----------------------

    def action_toggle_notebook(self) -> None:
        shown = not self.notebook_view.shown
        self.set_class(shown, "-notebook")
        self.notebook_view.show_view(shown)
        if shown:
            self.notebook_view.focus_cell(self.cell_tree.selected_cell_id)
        else:
            self.cell_tree.focus()

    @on(NotebookView.CellFocused)
    def _notebook_cell_focused(self, message: NotebookView.CellFocused) -> None:
        """The cell focused in the notebook view is the selected cell: the cell keys act on it."""
        self.cell_tree.select_cell(message.cell_id)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("activity_to_editor", "activity_promote"):
            return self.activity_shown  # e and p are free keys elsewhere
        if action in CELL_ACTIONS and self.is_mounted and not self._left:
            if self._tree is None and not self.query(CellTree):
                return True
            if self.cell_tree.selected_cell_id is None:
                return None  # shown dimmed: there is no cell to act on
        return True

    @on(CellTree.CellHighlighted)
    def _cell_highlighted(self, _message: CellTree.CellHighlighted) -> None:
        """The footer dims the cell keys when the cursor is on no cell, and lights them again; the
        graph pane follows the selected cell."""
        selected = self.cell_tree.selected_cell_id is not None
        if selected != self._had_selection:  # the footer changes only when there is, or is no longer, a cell
            self._had_selection = selected
            self.refresh_bindings()
        self.panes.selection_changed()

    # -- leaving --------------------------------------------------------------

    @property
    def busy(self) -> bool:
        """An operation of ours is in flight (leaving now would cut it off)."""
        return self.runner.busy

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
