"""Real disks that refuse writes, for the tests of what a full or read-only disk does."""

from __future__ import annotations

import errno
import os
from pathlib import Path


def fill(directory: Path) -> Path:
    """Write a file in `directory` until its file system is full (ENOSPC); returns the file."""
    filler = directory / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError as error:
        assert error.errno == errno.ENOSPC, error
    finally:
        os.close(fd)
    return filler
