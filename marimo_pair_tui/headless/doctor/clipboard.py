"""Whether the app's copy (OSC 52, which reaches the local clipboard over SSH too) can work here.

No terminal says whether it honours OSC 52; what is known comes from the
environment: the terminal's name, and tmux's `set-clipboard` option (tmux
passes an application's OSC 52 on only when it is `on`).
"""

from __future__ import annotations

import shutil
import subprocess
from typing import Callable, Mapping

from .findings import Finding
from .terminal import KNOWN, terminal_name

TmuxOption = Callable[[str], "str | None"]
WITH_OSC52 = "kitty, WezTerm, iTerm2, foot, Alacritty, ghostty, Windows Terminal"


def tmux_option(name: str) -> str | None:
    """A global tmux option's value (None when tmux does not answer within two seconds)."""
    tmux = shutil.which("tmux")
    if tmux is None:
        return None
    try:
        done = subprocess.run([tmux, "show-options", "-gv", name], capture_output=True, text=True, timeout=2)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def clipboard(env: Mapping[str, str], option: TmuxOption = tmux_option) -> Finding:
    if "TMUX" in env:
        return _in_tmux(option("set-clipboard"))
    if "STY" in env:
        return Finding("clipboard", "warning", "Inside GNU screen, which does not pass OSC 52 on: copy stays in the app.",
                       next="Run the app outside screen (or in tmux with set-clipboard on).", facts={"via": "screen"})
    name = terminal_name(env)
    works = KNOWN.get(name or "", ("", None))[1]
    remote = " over SSH; the sequence reaches your local terminal" if "SSH_CONNECTION" in env else ""
    facts = {"via": "terminal", "terminal": name, "supported": works}
    if works is True:
        note = " (iTerm2: allow 'Applications in terminal may access clipboard')" if name == "iterm2" else ""
        return Finding("clipboard", "ok", f"{name} writes the clipboard on OSC 52{remote}{note}", facts=facts)
    if works is False:
        return Finding("clipboard", "warning", f"{name} ignores OSC 52: the app's copy does not reach the clipboard.",
                       next=f"Use the terminal's own selection (usually shift+drag while an app has the mouse), or a terminal with OSC 52: {WITH_OSC52}.",
                       facts=facts)
    return Finding("clipboard", "unknown", f"Unknown whether this terminal honours OSC 52{remote}.",
                   next=f"Copy something in the app and paste it elsewhere; terminals known to work: {WITH_OSC52}.",
                   facts=facts)


def _in_tmux(value: str | None) -> Finding:
    facts = {"via": "tmux", "set-clipboard": value}
    if value == "on":
        return Finding("clipboard", "ok", "tmux passes OSC 52 on (set-clipboard on); the outer terminal must honour it",
                       facts=facts)
    shown = value if value is not None else "unknown (tmux did not answer)"
    return Finding("clipboard", "warning", f"Inside tmux with set-clipboard {shown}: the app's copy may not reach the clipboard.",
                   next="tmux set -g set-clipboard on (and add `set -g set-clipboard on` to ~/.tmux.conf).", facts=facts)
