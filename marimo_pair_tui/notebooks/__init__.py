"""Notebooks shipped with the package: a tour to try the console on."""

from __future__ import annotations

from pathlib import Path

TOUR = Path(__file__).with_name("tour.py")


def tour_copy(directory: Path) -> Path:
    """The user's own copy of the tour (made once, whole or not at all), so edits never touch the package.

    A copy that cannot be written is a StorageError saying what to free or fix.
    """
    from ..core.state.private import write_private, writing

    copy = directory / "tour.py"
    if not copy.exists():
        with writing("the tour notebook", copy):
            write_private(copy, TOUR.read_bytes())
    return copy
