"""How volatile facts (ids, ports, paths, clock times) and cell statuses are shown.

Everything the screens print that changes from run to run goes through a
`Display`, so snapshot tests and screenshots can swap in `Display(redact=True)`
and get the same pixels every time. Status glyphs live here too, with a plain
ASCII set for terminals whose font lacks the symbols.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

from rich.text import Text

ASCII_ENV = "MARIMO_PAIR_ASCII"
_TEMP_DIRS = re.compile(r"(marimo_|pytest-)[0-9]+")

# status word (code_mode's) -> (unicode glyph, ascii glyph, style). Exactly
# code_mode's words (and None: nothing known), each with its own glyph in both
# sets, so a cell's state reads the same in the app, `watch` and `cells`.
STATUS_WORDS = ("idle", "queued", "running", "stale", "exception", "cancelled", "interrupted",
                "marimo-error", "disabled", None)
_GLYPHS: dict[str | None, tuple[str, str, str]] = {
    "idle": ("✓", "+", "green"),
    "running": ("●", "*", "bold yellow"),
    "queued": ("…", ":", "cyan"),
    "stale": ("◌", "~", "magenta"),
    "exception": ("✗", "x", "bold red"),
    "marimo-error": ("⊠", "#", "bold red"),
    "cancelled": ("⊖", "-", "red"),
    "interrupted": ("↯", "!", "yellow"),
    "disabled": ("⊘", "/", "dim"),
    None: ("·", ".", "dim"),
}

LIVE_STYLES = {
    "live": ("●", "*", "green"),
    "connecting": ("○", "o", "yellow"),
    "reconnecting": ("◐", "o", "bold yellow"),
    "gone": ("✗", "x", "bold red"),
    "closed": ("○", "o", "dim"),
    "moved": ("↪", ">", "bold cyan"),
    "ambiguous": ("?", "?", "bold red"),
}


def ascii_from_env(environ: dict[str, str] | None = None) -> bool:
    """True when MARIMO_PAIR_ASCII asks for plain-ASCII glyphs."""
    value = (os.environ if environ is None else environ).get(ASCII_ENV, "")
    return value.strip().lower() not in ("", "0", "false", "no")


@dataclass(frozen=True)
class Display:
    """Formats for ids, places and times; `redact` replaces the volatile ones."""

    ascii: bool = False
    redact: bool = False

    # -- glyphs ---------------------------------------------------------

    def glyph(self, status: str | None) -> Text:
        uni, plain, style = _GLYPHS.get(status, _GLYPHS[None])
        return Text(plain if self.ascii else uni, style=style)

    def live(self, state: str) -> Text:
        uni, plain, style = LIVE_STYLES.get(state, LIVE_STYLES["closed"])
        return Text(f"{plain if self.ascii else uni} {state}", style=style)

    @property
    def dot(self) -> str:
        return "|" if self.ascii else "·"

    @property
    def ellipsis(self) -> str:
        return "..." if self.ascii else "…"

    # -- volatile facts -------------------------------------------------

    def server(self, url: str) -> str:
        """A server as host:port (scheme dropped when plain http)."""
        shown = url.removeprefix("http://")
        if self.redact:
            host = shown.rsplit(":", 1)[0] if ":" in shown else shown
            return f"{host}:PORT"
        return shown

    def session(self, session_id: str | None) -> str:
        if not session_id:
            return "-"
        if self.redact:
            prefix = session_id.split("-", 1)[0] if "-" in session_id else session_id.split("_", 1)[0]
            return f"{prefix}-XXXX" if session_id.startswith("sess") else f"{prefix}_XXXX"
        return session_id

    def pid(self, pid: int | None) -> str:
        if pid is None:
            return ""
        return "pid XXXX" if self.redact else f"pid {pid}"

    def path(self, path: str) -> str:
        """A notebook path, shortened to ~ when under the home directory."""
        if not path:
            return "(unsaved)"
        if self.redact:
            return Path(path).name
        home = str(Path.home())
        return "~" + path[len(home):] if path.startswith(home + os.sep) else path

    def config_path(self, path: Path) -> str:
        if self.redact:
            return f"<config dir>/{path.name}"
        return self.path(str(path))

    def scrub(self, text: str) -> str:
        """Output text, with run-specific temporary paths masked when redacting."""
        return _TEMP_DIRS.sub(r"\1NNNN", text) if self.redact else text

    def clock(self, when: float | None = None) -> str:
        if self.redact:
            return "hh:mm:ss"
        return time.strftime("%H:%M:%S", time.localtime(time.time() if when is None else when))

    def duration(self, seconds: float) -> str:
        if self.redact:
            return "n.nn s"
        return f"{seconds:.2f} s" if seconds < 60 else f"{int(seconds // 60)} min {seconds % 60:.0f} s"


def syntax_theme(widget: object) -> str:
    """The code highlighting theme that matches the app's light or dark theme."""
    try:
        dark = widget.app.current_theme.dark  # type: ignore[attr-defined]
    except Exception:  # no app yet
        dark = True
    return "monokai" if dark else "friendly"
