"""The terminal app: a picker of sessions, and a pairing screen per notebook."""

from __future__ import annotations


from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Literal

from textual import events, on
from textual.app import App
from textual.notifications import SeverityLevel
from textual.binding import Binding
from textual.dom import DOMNode

from ..core.api import HubOptions, OpenResult, PairingService, Target, settle_gc, GC_INTERACTIVE
from .commands import ScreenCommands
from .completion_warmer import IDLE, CompletionWarmer
from .config import Config, config_path
from .display import Display
from .drafts import DraftStore, drafts_dir
from .notices import tell
from .screens.help import HelpScreen, Row
from .screens.pairing import PairingScreen
from .screens.picker import PickerScreen
from .theme_setting import ThemeSetting


def notebook_view_owners() -> list[type[DOMNode]]:
    """The notebook view and the part widgets in it that have keys of their own."""
    from .widgets.notebook_cell import CellBlock
    from .widgets.notebook_view import NotebookView
    from .widgets.parts.numbers import StepInput
    from .widgets.parts.table import TableView

    return [NotebookView, CellBlock, TableView, StepInput]


def dialog_owners() -> list[type[DOMNode]]:
    """The editor and the pairing screen's dialogs, with keys of their own."""
    from .screens.confirm_packages import ConfirmPackagesScreen
    from .screens.confirm_restart import ConfirmRestartScreen
    from .screens.docs import DocsScreen
    from .screens.prompt import PromptScreen
    from .widgets.code_editor import CodeEditor

    return [CodeEditor, DocsScreen, ConfirmRestartScreen, PromptScreen, ConfirmPackagesScreen]




@dataclass
class Start:
    """What the app opens first: the picker, a notebook file, or a resolved session."""

    kind: Literal["picker", "open", "target"] = "picker"
    path: str | None = None
    run: bool | None = None
    target: Target | None = None
    notes: list[str] = field(default_factory=list)


def binding_ids() -> list[str]:
    """Every remappable binding id (docs/app.md and config validation use these)."""
    from .screens.confirm_delete import ConfirmDeleteScreen
    from .screens.conflict import ConflictScreen
    from .widgets.cell_tree import CellTree
    from .widgets.search_bar import SearchBar

    ids: list[str] = []
    owners: list[type[DOMNode]] = [PairApp, PickerScreen, PairingScreen, ConflictScreen, ConfirmDeleteScreen,
                                   HelpScreen, CellTree, *notebook_view_owners(), *dialog_owners(), SearchBar]
    for cls in owners:
        ids.extend(b.id for b in cls.BINDINGS if isinstance(b, Binding) and b.id)
    return list(dict.fromkeys(ids))


class PairApp(App[None]):
    """marimo-pair-tui's terminal app."""

    TITLE = "marimo-pair-tui"
    BINDINGS = [
        Binding("ctrl+q", "quit", "quit", id="quit", priority=True, show=False, tooltip="Quit (drafts are saved)"),
    ]
    COMMANDS = App.COMMANDS | {ScreenCommands}
    CSS = """
    Screen {
        background: $background;
    }
    """

    def __init__(
        self,
        hub_options: HubOptions | None = None,
        *,
        start: Start | None = None,
        fmt: Display | None = None,
        config: Config | None = None,
        cursor_blink: bool = True,
        drafts: Path | None = None,
        warm_up_after: float | None = IDLE,
    ) -> None:
        super().__init__()
        self.service = PairingService(hub_options or HubOptions())  # every session call goes through it
        self.service.door = "app"  # its code changes are recorded as the app's
        self.start_request = start or Start()
        self.fmt = fmt or Display()
        self.config = config or Config(path=config_path())
        self.cursor_blink = cursor_blink
        self.drafts_dir = drafts
        self.started: list[OpenResult] = []  # servers this app started (they keep running)
        self.theme_setting = ThemeSetting(self, self.config)
        self.warmer = CompletionWarmer(self, warm_up_after)  # jedi started while the user is idle

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """A notification; its text often carries a server's words, so it is shown inert, never as markup
        (`markup` is taken and not used: a widget's or screen's `notify` passes Textual's default, True)."""
        tell(self, message, title=title, severity=severity, timeout=timeout)

    # -- start and stop ---------------------------------------------------------

    def on_mount(self) -> None:
        settle_gc(GC_INTERACTIVE)
        if self.config.keymap:
            self.set_keymap(self.config.keymap)
        self.theme_setting.apply()  # before the first screen is drawn
        self.warmer.start()
        picker = PickerScreen(self.fmt, self.service, cursor_blink=self.cursor_blink)
        self.push_screen(picker)
        for warning in self.config.warnings:
            self.notify(warning, title="config.toml", severity="warning", timeout=12)
        if self.start_request.kind == "open" and self.start_request.path:
            picker.open_path(self.start_request.path, run=self.start_request.run)
        elif self.start_request.kind == "target" and self.start_request.target is not None:
            self.open_target(self.start_request.target, notes=self.start_request.notes)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.InputEvent) and not event.is_forwarded:
            self.warmer.input_seen()
        await super().on_event(event)

    def open_target(self, target: Target, notes: Iterable[str] = ()) -> PairingScreen:
        screen = PairingScreen(
            target,
            self.service,
            fmt=self.fmt,
            drafts=DraftStore(target.notebook, self.drafts_dir or drafts_dir()),
            cursor_blink=self.cursor_blink,
            notes=list(notes),
        )
        self.push_screen(screen)
        return screen

    @on(PickerScreen.Chosen)
    def _session_chosen(self, message: PickerScreen.Chosen) -> None:
        if message.opened is not None and message.opened.started_server:
            self.started.append(message.opened)
        self.open_target(message.target, notes=message.notes)

    async def action_quit(self) -> None:
        screen = self.screen
        if isinstance(screen, PairingScreen) and not screen.confirm_leave("quit", "ctrl+q"):
            return
        await self.shutdown()
        self.exit()

    async def shutdown(self) -> None:
        """Save drafts, stop the live mirrors, close connections (the sessions live on)."""
        for screen in list(self.screen_stack):
            if isinstance(screen, PairingScreen):
                await screen.close()
        await self.service.aclose()

    async def on_unmount(self) -> None:
        await self.shutdown()

    # -- keys -------------------------------------------------------------------

    def key_display(self, binding: Binding) -> str:
        """The key(s) a binding answers to now, with the user's keymap applied."""
        keys = self.config.keymap.get(binding.id or "", binding.key) if binding.id else binding.key
        shown = [self.get_key_display(binding.with_key(k.strip(), None)) for k in keys.split(",") if k.strip()]
        return " / ".join(shown)

    def help_rows(self) -> list[Row]:
        from .screens.conflict import ConflictScreen
        from .widgets.cell_tree import CellTree

        sections = [
            ("Pairing screen", PairingScreen.BINDINGS),
            ("Editor and dialogs", [b for owner in dialog_owners() for b in owner.BINDINGS]),
            ("Cell tree", CellTree.BINDINGS),
            ("Notebook view", [b for owner in notebook_view_owners() for b in owner.BINDINGS]),
            ("Conflict dialog", ConflictScreen.BINDINGS),
            ("Picker", PickerScreen.BINDINGS),
            ("Everywhere", PairApp.BINDINGS),
        ]
        rows: list[Row] = []
        for section, bindings in sections:
            for binding in bindings:
                if isinstance(binding, Binding) and binding.id:
                    text = binding.tooltip or binding.description
                    rows.append((section, self.key_display(binding), text, binding.id))
        rows.append(("Everywhere", self.get_key_display(Binding(self.COMMAND_PALETTE_BINDING, "")),
                     "Command palette: every action by name", "-"))
        return rows

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(self.help_rows(), self.fmt.config_path(self.config.path or config_path())))
