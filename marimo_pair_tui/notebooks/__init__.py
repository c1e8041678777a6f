"""Notebooks shipped with the package: a tour to try the console on."""

from __future__ import annotations

import shutil
from pathlib import Path

TOUR = Path(__file__).with_name("tour.py")


def tour_copy(directory: Path) -> Path:
    """The user's own copy of the tour (made once), so edits never touch the package."""
    from ..core.private import private_dir

    private_dir(directory)
    copy = directory / "tour.py"
    if not copy.exists():
        shutil.copyfile(TOUR, copy)
    return copy
