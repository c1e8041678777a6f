"""What this install is: our version, and the marimo, Textual and Python it runs on (`--version`).

Standard library only, and marimo's and Textual's versions come from their installed
metadata, not from importing them: `--version` answers in the time Python takes to start.
Our own version is the package's `__version__`, the one source the build reads too.
"""

from __future__ import annotations

import sys

from . import __version__

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def _installed(distribution: str) -> str | None:
    """The installed version of `distribution`, None when it is not installed."""
    from importlib import metadata

    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def versions() -> dict[str, str | None]:
    """Ours, marimo's, Textual's and Python's version (None: not installed)."""
    return {
        "marimo_pair_tui": __version__,
        "marimo": _installed("marimo"),
        "textual": _installed("textual"),
        "python": sys.version.split()[0],
    }


def version_text() -> str:
    """One line for people: `marimo-pair-tui 0.1.0 (marimo 0.25.2, textual 8.0.0, Python 3.11.7)`."""
    found = versions()
    others = ", ".join(f"{name} {found[name] or 'not installed'}" for name in ("marimo", "textual"))
    return f"marimo-pair-tui {found['marimo_pair_tui']} ({others}, Python {found['python']})"


def version_document() -> dict[str, Any]:
    """The same as one JSON document for the headless door."""
    return {"success": True, **versions()}
