"""The marimo server versions this tool speaks to, in one place: connecting, `doctor` and the docs read it.

A server older than MINIMUM lacks something the tool needs and is refused;
one newer than NEWEST_TESTED is used with a warning.
"""

from __future__ import annotations

import re
from typing import Literal

MINIMUM = "0.25.2"
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
