"""Which Chromium draws the pictures: the one the user has, never one downloaded for us.

The program is named with --browser PATH, else MARIMO_PAIR_BROWSER, else the first of
the usual Chromium and Chrome names on PATH. A wrong name is an error that says what to
install or set, not a traceback from the browser's launch.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from pathlib import Path

from ..errors import BrowserMissingError
from ..state import caller

BROWSER_ENV = "MARIMO_PAIR_BROWSER"
WARM_ENV = "MARIMO_PAIR_BROWSER_WARM"  # "0": a long-lived service starts no browser before the first picture
# Debian's package, older Ubuntu's, Google's; the first one on PATH is used.
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")


def _program(named: str, source: str) -> Path:
    """`named` as a path to an executable file, or a name on PATH."""
    if os.sep in named or (os.altsep and os.altsep in named):
        path = caller.path(named)
        if path.is_file() and os.access(path, os.X_OK):
            return path
        reason = "does not exist" if not path.exists() else "is not an executable file"
        raise BrowserMissingError(f"The browser {path} ({source}) {reason}.")
    found = shutil.which(named)
    if found is None:
        raise BrowserMissingError(f"The browser {named!r} ({source}) is not on PATH.")
    return Path(found)


def can_picture(environ: Mapping[str, str] | None = None) -> bool:
    """Whether pictures can be taken with the default browser: Playwright installed and a Chromium found."""
    import importlib.util

    if importlib.util.find_spec("playwright") is None:
        return False
    try:
        find_browser(None, environ)
    except BrowserMissingError:
        return False
    return True


def warm_wanted(environ: Mapping[str, str] | None = None) -> bool:
    """Whether a long-lived service may start the browser ahead of a picture ($MARIMO_PAIR_BROWSER_WARM)."""
    env = caller.environ() if environ is None else environ
    return env.get(WARM_ENV, "").strip().lower() not in ("0", "no", "off", "false")


def find_browser(explicit: str | os.PathLike[str] | None = None, environ: Mapping[str, str] | None = None) -> Path:
    """The Chromium program to launch: `explicit`, else $MARIMO_PAIR_BROWSER, else the first on PATH."""
    if explicit is not None and str(explicit).strip():
        return _program(str(explicit), "--browser")
    env = caller.environ() if environ is None else environ
    named = env.get(BROWSER_ENV, "").strip()
    if named:
        return _program(named, BROWSER_ENV)
    for name in BROWSER_NAMES:
        found = shutil.which(name, path=env.get("PATH"))
        if found is not None:
            return Path(found)
    raise BrowserMissingError(
        f"No Chromium found: none of {', '.join(BROWSER_NAMES)} is on PATH, and {BROWSER_ENV} is not set."
    )
