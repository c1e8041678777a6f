"""The activity pane: every execution in the session, newest first, and the selected one in full.

A view of the model's `ActivityLog` (core/model/activity.py) that keeps nothing of
its own but the ids it shows. `sync()` applies a batch of changed entry ids:
rows are rebuilt when entries came or went, relabelled in place otherwise.
While the newest row is highlighted, the highlight follows new entries, so
an untouched pane always shows the latest run. Running rows show how long
they have run so far: a timer relabels them once a second, and pauses while
nothing runs, so an idle pane never redraws.
"""

from __future__ import annotations

import json
import time
from typing import Iterable

from rich.console import Group, RenderableType
from rich.syntax import Syntax
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.timer import Timer
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ...core.api import ActivityEntry, ActivityLog, output_text
from ..display import Display, syntax_theme
from ..terminal_text import escape_controls
from .cell_tree import first_line

EMPTY = ("Nothing ran yet. Snippets and cell runs show up here as they happen, "
         "whoever starts them: this app, a browser, an agent.")
HINT = "e editor · p promote"
HINT_ASCII = "e editor | p promote"
TICK = 1.0  # seconds between relabels of running rows

# outcome -> the status word whose glyph and colour it shares
_STATUS = {"running": "running", "ok": "idle", "error": "exception", "cancelled": "cancelled",
           "interrupted": "interrupted", "unknown": None}


def entry_title(entry: ActivityEntry) -> str:
    """What ran: `snippet`, `cell NAME`, `code_mode OP` for this tool's cell operations, or the kernel
    control (`interrupt`, `restart`, `answer to input()`)."""
    if entry.kind == "control" and entry.program is not None:
        op = entry.program.get("op")
        return "answer to input()" if op == "answer" else str(op)
    if entry.program is not None:
        return f"code_mode {entry.program.get('op')}"
    return "snippet" if entry.kind == "scratch" else f"cell {entry.cell_label or entry.cell_id}"


def entry_preview(entry: ActivityEntry) -> str:
    """The first line worth showing (for code_mode operations, of the code they carry)."""
    if entry.program is not None:
        code = entry.program.get("code")
        if isinstance(code, str):
            return first_line(code)
        target = entry.program.get("target") or entry.program.get("targets")
        return "" if target is None else (", ".join(map(str, target)) if isinstance(target, list) else str(target))
    return first_line(entry.code)


def elapsed(entry: ActivityEntry) -> float:
    """Seconds a running entry has run so far (never negative, should the kernel's clock be ahead)."""
    return max(0.0, time.time() - entry.started_at)


class ActivityPane(Vertical):
    """The list of entries (newest first) above the selected entry's code and output."""

    DEFAULT_CSS = """
    ActivityPane {
        height: 1fr;
    }
    ActivityPane > #activity-list {
        height: 2fr;
        min-height: 3;
        border: round $primary 50%;
        border-title-color: $text-muted;
        border-subtitle-color: $text-muted;
        padding: 0;
        scrollbar-size-vertical: 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    ActivityPane > #activity-list:focus {
        border: round $primary;
    }
    ActivityPane > #activity-entry {
        height: 3fr;
        min-height: 3;
        border: round $primary 50%;
        border-title-color: $text-muted;
        padding: 0 1;
    }
    ActivityPane > #activity-entry:focus {
        border: round $primary;
    }
    """

    def __init__(self, display_format: Display, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.fmt = display_format
        self._shown: list[str] = []
        self._log: ActivityLog | None = None
        self._ticker: Timer | None = None
        self._ticker_on = False
        self.detail_text = EMPTY  # plain text of the detail view, for tests

    def compose(self) -> ComposeResult:
        rows = OptionList(id="activity-list")
        rows.border_title = "Activity"
        rows.border_subtitle = HINT_ASCII if self.fmt.ascii else HINT
        yield rows
        with VerticalScroll(id="activity-entry", can_focus=True) as entry:
            entry.border_title = "Entry"
            yield Static(Text(EMPTY, style="dim"), id="activity-detail")

    def on_mount(self) -> None:
        self._ticker = self.set_interval(TICK, self._tick, pause=True)
        if self._log is not None:
            self._keep_time(self._log)

    @property
    def rows(self) -> OptionList:
        return self.query_one("#activity-list", OptionList)

    @property
    def entry_ids(self) -> list[str]:
        """Entry ids in the order the list shows them (newest first)."""
        return list(self._shown)

    @property
    def selected_entry(self) -> ActivityEntry | None:
        rows = self.rows
        if self._log is None or rows.highlighted is None or not 0 <= rows.highlighted < len(self._shown):
            return None
        return self._log.get(self._shown[rows.highlighted])

    def select_entry(self, entry_id: str) -> bool:
        if entry_id not in self._shown:
            return False
        self.rows.highlighted = self._shown.index(entry_id)
        return True

    def focus_rows(self) -> None:
        self.rows.focus()

    @property
    def ticking(self) -> bool:
        """The running rows' clock is on (it is off while nothing runs)."""
        return self._ticker_on

    # -- rendering --------------------------------------------------------

    def glyph(self, entry: ActivityEntry) -> Text:
        return self.fmt.glyph(_STATUS.get(entry.outcome))

    def row_for(self, entry: ActivityEntry) -> Text:
        row = Text(no_wrap=True, overflow="ellipsis")
        row.append_text(self.glyph(entry))
        row.append(f" {self.fmt.clock(entry.started_at)} ", style="dim")
        took = self.fmt.duration(entry.duration if entry.duration is not None else elapsed(entry))
        row.append(took.rjust(7) + " ", style="dim")
        row.append(escape_controls(entry_title(entry)), style="bold" if entry.kind == "scratch" else "")
        if entry.origin == "self":
            row.append(" (you)", style="cyan")
        preview = entry_preview(entry)
        if preview:
            row.append("  " + escape_controls(preview))
        return row

    def detail_for(self, entry: ActivityEntry) -> list[RenderableType]:
        """The selected entry: who and how it went, its code, errors, console and output."""
        fmt, dot = self.fmt, f" {self.fmt.dot} "
        head = Text()
        head.append_text(self.glyph(entry))
        head.append(" " + escape_controls(entry_title(entry)), style="bold")
        head.append(dot + ("you" if entry.origin == "self" else "another client"), style="cyan")
        head.append(dot + entry.outcome)
        when = Text(fmt.clock(entry.started_at), style="dim")
        if entry.duration is not None:
            when.append(dot + fmt.duration(entry.duration))
        parts: list[RenderableType] = [head, when]
        if entry.program is not None:
            parts.append(Text("request", style="dim"))
            request = {k: v for k, v in entry.program.items() if k != "code"}
            parts.append(Text(escape_controls(json.dumps(request, ensure_ascii=False))))
            code = entry.program.get("code")
        else:
            code = entry.code
        if isinstance(code, str) and code.strip():
            parts.append(Text("code", style="dim"))
            parts.append(Syntax(escape_controls(code.rstrip("\n")), "python", theme=syntax_theme(self),
                                background_color="default", word_wrap=True))
        for error in entry.errors:
            parts.append(Text(escape_controls(fmt.scrub(error.message)), style="red"))
        if entry.console:
            parts.append(Text("console", style="dim"))
            console = Text()
            if entry.truncated:
                console.append(f"{fmt.ellipsis} older output dropped\n", style="dim")
            for item in entry.console:
                text = escape_controls(fmt.scrub(output_text(item.mimetype, item.data)))
                red = item.channel == "stderr" or "traceback" in item.mimetype
                console.append(text if text.endswith("\n") else text + "\n", style="red" if red else None)
            console.rstrip()
            parts.append(console)
        out = entry.output
        if out is not None and not out.mimetype.startswith("application/vnd.marimo+error"):
            shown = escape_controls(output_text(out.mimetype, out.data)).strip("\n")
            if shown.strip():
                parts.append(Text("output", style="dim"))
                parts.append(Text(shown))
        return parts

    def _show_detail(self) -> None:
        detail = self.query_one("#activity-detail", Static)
        entry = self.selected_entry
        if entry is None:
            detail.update(Text(EMPTY, style="dim"))
            self.detail_text = EMPTY
            return
        parts = self.detail_for(entry)
        detail.update(Group(*parts))
        self.detail_text = "\n".join(p.plain if isinstance(p, Text) else getattr(p, "code", "") for p in parts)

    # -- keeping up with the model ------------------------------------------

    def sync(self, log: ActivityLog, changed: Iterable[str] = ()) -> None:
        """Apply changed entries: the list is rebuilt when entries came or went."""
        self._log = log
        rows = self.rows
        entries = log.newest_first()
        ids = [e.id for e in entries]
        changed = set(changed)
        selected = self._shown[rows.highlighted] if rows.highlighted is not None and self._shown else None
        self._keep_time(log)
        if ids != self._shown:
            following = selected is None or (self._shown and selected == self._shown[0])
            self._shown = ids
            rows.set_options([Option(self.row_for(e), id=e.id) for e in entries])
            if ids:
                rows.highlighted = 0 if following or selected not in ids else ids.index(selected)
            self._show_detail()
            return
        self._relabel(changed)
        if selected in changed:
            self._show_detail()

    def _relabel(self, entry_ids: Iterable[str]) -> None:
        if self._log is None:
            return
        for entry_id in entry_ids:
            entry = self._log.get(entry_id)
            if entry is not None and entry_id in self._shown:
                self.rows.replace_option_prompt(entry_id, self.row_for(entry))

    def _keep_time(self, log: ActivityLog) -> None:
        """Run the clock of the running rows while any entry runs, pause it otherwise."""
        running = bool(log.running)
        if self._ticker is None or running == self._ticker_on:
            return
        self._ticker_on = running
        if running:
            self._ticker.resume()
        else:
            self._ticker.pause()

    def _tick(self) -> None:
        if self._log is None:
            return
        self._relabel([e.id for e in self._log.running])
        self._keep_time(self._log)

    @on(OptionList.OptionHighlighted, "#activity-list")
    def _highlighted(self, _event: OptionList.OptionHighlighted) -> None:
        self._show_detail()
