"""Which terminal this is, as far as the environment tells: the name, how it draws pictures, its colours.

The environment is all a piped `doctor` has; with a terminal on both stdin and
stdout, textual-image asks it what it draws (its own 0.1 s queries, the ones
the app makes before it starts), so the report says what the app would use.
"""

from __future__ import annotations

import sys
from typing import Any, Mapping

from .findings import Finding

IMAGES_ENV = "MARIMO_PAIR_IMAGES"  # the app's picture setting (tui/widgets/parts/images.py reads it)
SETTINGS = ("auto", "halfcell", "unicode", "sixel", "kitty")
OFF = ("off", "none", "0", "no")
# name -> (what textual-image's auto choice is likely to find, whether it writes the clipboard on OSC 52)
KNOWN: dict[str, tuple[str, bool | None]] = {
    "kitty": ("kitty", True), "ghostty": ("kitty", True), "wezterm": ("sixel", True), "iterm2": ("sixel", True),
    "foot": ("sixel", True), "windows-terminal": ("sixel", True), "alacritty": ("halfcell", True),
    "konsole": ("sixel", None), "vte": ("halfcell", False), "apple-terminal": ("halfcell", False),
    "vscode": ("halfcell", None),
}
_PROGRAMS = {"wezterm": "wezterm", "iterm.app": "iterm2", "ghostty": "ghostty", "apple_terminal": "apple-terminal",
             "vscode": "vscode"}
FACT_NAMES = ("TERM", "COLORTERM", "TERM_PROGRAM", "TERM_PROGRAM_VERSION", "LC_TERMINAL", "TMUX", "STY",
              "SSH_CONNECTION", "NO_COLOR", "TEXTUAL_COLOR_SYSTEM", IMAGES_ENV)


def terminal_name(env: Mapping[str, str]) -> str | None:
    """The terminal program, when a variable it sets names it (inside tmux, TERM_PROGRAM is tmux's)."""
    term = env.get("TERM", "")
    if term == "xterm-kitty" or env.get("KITTY_WINDOW_ID"):
        return "kitty"
    program = _PROGRAMS.get(env.get("TERM_PROGRAM", "").lower())
    if program is not None:
        return program
    if env.get("LC_TERMINAL") == "iTerm2":
        return "iterm2"
    for variable, name in (("WT_SESSION", "windows-terminal"), ("ALACRITTY_WINDOW_ID", "alacritty"),
                           ("KONSOLE_VERSION", "konsole"), ("VTE_VERSION", "vte")):
        if env.get(variable):
            return name
    if term.startswith(("foot", "alacritty")):
        return term.split("-")[0]
    return None


def facts(env: Mapping[str, str], *, tty: bool) -> Finding:
    """The variables every terminal finding is read from, and whether a terminal is attached."""
    seen: dict[str, Any] = {name: env.get(name) for name in FACT_NAMES if env.get(name) is not None}
    if "SSH_CONNECTION" in seen:
        seen["SSH_CONNECTION"] = "set"  # (addresses stay out of a report)
    name = terminal_name(env)
    where = [w for w, on in (("inside tmux", "TMUX" in env), ("inside GNU screen", "STY" in env),
                             ("over SSH", "SSH_CONNECTION" in env or "SSH_TTY" in env)) if on]
    detail = f"{name or 'an unidentified terminal'}{', ' + ', '.join(where) if where else ''}"
    detail += "" if tty else " (stdin or stdout is not a terminal: nothing was asked of it)"
    return Finding("terminal", "ok", detail, facts={"program": name, "tty": tty, "environment": seen})


def is_tty() -> bool:
    streams = (sys.__stdin__, sys.__stdout__)
    return all(stream is not None and stream.isatty() for stream in streams)


def asked_renderer() -> str | None:
    """What textual-image finds the attached terminal draws (it asks at import); None with no terminal."""
    if not is_tty():
        return None
    try:
        import textual_image.renderable as chosen
    except Exception:  # (a terminal that refuses cbreak mode, a closed stream: the environment still tells)
        return None
    kind = chosen.Image.__module__.rsplit(".", 1)[-1]
    return {"tgp": "kitty"}.get(kind, kind)


def graphics(env: Mapping[str, str], asked: str | None) -> Finding:
    """The renderer the app would draw pictures with, and why."""
    setting = env.get(IMAGES_ENV, "auto").strip().lower() or "auto"
    facts = {"setting": setting}
    if setting in OFF:
        return Finding("graphics", "ok", f"off: pictures are shown as a line of text ({IMAGES_ENV}={setting})",
                       facts={**facts, "renderer": None, "source": "setting"})
    if setting not in SETTINGS:
        return Finding("graphics", "warning", f"{IMAGES_ENV}={setting} is not a renderer; auto is used.",
                       next=f"Set {IMAGES_ENV} to one of {', '.join(SETTINGS)} or off.",
                       facts={**facts, "renderer": asked, "source": "query" if asked else "environment"})
    if setting != "auto":
        return Finding("graphics", "ok", f"{setting} ({IMAGES_ENV}={setting})",
                       facts={**facts, "renderer": setting, "source": "setting"})
    if asked is not None:
        why = "no sixel or kitty graphics in the terminal's answers" if asked == "halfcell" else "the terminal's answer"
        return Finding("graphics", "ok", f"{asked} ({why} to textual-image's query)",
                       facts={**facts, "renderer": asked, "source": "query"})
    guess, why = _guess(env)
    return Finding("graphics", "ok", f"likely {guess}: {why}; run `marimo-pair-tui doctor` in the terminal to ask it",
                   facts={**facts, "renderer": guess, "source": "environment"})


def _guess(env: Mapping[str, str]) -> tuple[str, str]:
    if "TMUX" in env:
        return "halfcell", "inside tmux, which answers the query itself (sixel only where tmux is built with it)"
    name = terminal_name(env)
    if name in KNOWN:
        return KNOWN[name][0], f"{name} usually answers so"
    return "halfcell", "half-blocks work in any terminal with colours"


def colours(env: Mapping[str, str]) -> Finding:
    """The colours Textual would draw with (Rich's reading of COLORTERM and TERM, or the overrides)."""
    term, colorterm = env.get("TERM", ""), env.get("COLORTERM", "").strip().lower()
    forced = env.get("TEXTUAL_COLOR_SYSTEM", "").strip().lower()
    if "NO_COLOR" in env:
        return Finding("colours", "ok", "none: NO_COLOR is set, the app draws without colour", facts={"system": None})
    if forced and forced != "auto":
        return Finding("colours", "ok", f"{forced} (TEXTUAL_COLOR_SYSTEM)", facts={"system": forced})
    if not term or term == "dumb":
        return Finding("colours", "warning", f"TERM is {'dumb' if term else 'not set'}: no colours, and the app may not draw.",
                       next="Run the app in a terminal with TERM set, e.g. TERM=xterm-256color.", facts={"system": None})
    if colorterm in ("truecolor", "24bit"):
        return Finding("colours", "ok", f"truecolor (COLORTERM={colorterm})", facts={"system": "truecolor"})
    if term.endswith(("256color", "kitty")):
        return Finding("colours", "ok", f"256 colours (TERM={term}); set COLORTERM=truecolor if the terminal has more",
                       facts={"system": "256"})
    inside = "; in tmux: set -g default-terminal tmux-256color" if "TMUX" in env else ""
    return Finding("colours", "warning", f"16 colours (TERM={term}): the app's themes are drawn approximately.",
                   next=f"Use a TERM with 256 colours (e.g. xterm-256color), or COLORTERM=truecolor where the terminal has it{inside}.",
                   facts={"system": "standard"})
