"""The marimo server versions this tool speaks to, in one place: connecting, `doctor` and the docs read it.

A server older than MINIMUM lacks something the tool needs and is refused;
one newer than NEWEST_TESTED is used with a warning. Why MINIMUM is what it
is (what each older release lacks) is written down in docs/versions.md.
"""

from __future__ import annotations

import re
from typing import Literal

from ..errors import UnsupportedServerError

# 0.25.2 is the first release whose sessions have stable ids (/api/sessions' `session_id`, the
# Marimo-Stable-Session-Id header, kernel-ready's `stable_session_id`) and whose stream says
# `execution` (who ran what, with the code): targeting and the activity log stand on both.
MINIMUM = "0.25.2"
# The newest release the suite runs against (the version pyproject.toml installs).
NEWEST_TESTED = "0.25.2"

Standing = Literal["supported", "too_old", "newer", "unknown"]

_NUMBERS = re.compile(r"(\d+)\.(\d+)\.(\d+)")


def version_tuple(version: str) -> tuple[int, int, int] | None:
    """The release numbers of a version string (`0.25.2`, `0.25.2.dev3`), or None when it has none."""
    found = _NUMBERS.match(version.strip())
    if found is None:
        return None
    major, minor, micro = (int(part) for part in found.groups())
    return major, minor, micro


def standing(version: str | None) -> Standing:
    """Where a server's version falls against the supported range."""
    numbers = version_tuple(version) if version else None
    if numbers is None:
        return "unknown"
    if numbers < (version_tuple(MINIMUM) or (0, 0, 0)):
        return "too_old"
    if numbers > (version_tuple(NEWEST_TESTED) or (0, 0, 0)):
        return "newer"
    return "supported"


def refusal(where: str, version: str) -> UnsupportedServerError:
    """The error for a server too old to use, naming its version and the minimum."""
    return UnsupportedServerError(
        f"{where} runs marimo {version}; marimo-pair-tui needs marimo {MINIMUM} or newer.",
        next=f"Upgrade marimo where that server runs (`pip install -U 'marimo>={MINIMUM}'`), then restart the server.",
        version=version,
        minimum=MINIMUM,
    )


def newer_warning(where: str, version: str) -> str:
    """The warning for a server newer than any this tool was tested with: it is used all the same."""
    return (
        f"{where} runs marimo {version}, newer than the newest version marimo-pair-tui was tested with "
        f"({NEWEST_TESTED}); everything is tried as usual, but marimo's internal endpoints may have moved."
    )


def verdict(where: str, version: str | None) -> str | None:
    """Raise `refusal` for a server too old; a warning for one newer than tested; None otherwise."""
    found = standing(version)
    if found == "too_old" and version:
        raise refusal(where, version)
    if found == "newer" and version:
        return newer_warning(where, version)
    return None


def listing_note(where: str, version: str | None) -> str | None:
    """What a list of servers says beside one outside the supported range (None inside it)."""
    try:
        return verdict(where, version)
    except UnsupportedServerError as refused:
        return f"{refused.message} {refused.next}"
