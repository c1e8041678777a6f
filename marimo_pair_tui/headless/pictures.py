"""Where `screenshot` writes its PNG: the file asked for, or a private one named by what it shows.

Unasked, a picture goes under the state directory's `screenshots/` (0600 in a 0700 directory:
a picture can show data), named like the images `--save-images` writes: by notebook, cell and
content (`NOTEBOOK-CELL-1a2b3c4d.png`), so the same picture taken twice is one file.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import PurePath

from ..core.api import Reply, UsageError, call_path, state_dir, write_private

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def picture_name(notebook: str, cell: str | None, png: bytes) -> str:
    """`NOTEBOOK-CELL-DIGEST.png` (CELL is `notebook` for a picture of the whole notebook)."""
    stem = _UNSAFE.sub("_", PurePath(notebook).stem)[:60] or "notebook"
    part = _UNSAFE.sub("_", cell)[:60] if cell else "notebook"
    return f"{stem}-{part}-{hashlib.sha256(png).hexdigest()[:8]}.png"


def save_picture(reply: Reply[bytes], cell: str | None, out: str | None) -> str:
    """Write the picture to `out` (the caller's path), else to a private file; its absolute path."""
    png = reply.value
    if out is None:
        notebook = reply.target.notebook if reply.target is not None else "notebook"
        path = state_dir() / "screenshots" / picture_name(notebook, cell, png)
        write_private(path, png)  # a StorageError says what to free or fix
        return str(path)
    target = call_path(out)
    try:
        target.write_bytes(png)
    except OSError as exc:
        raise UsageError(f"Could not write {target}: {exc.strerror or exc}.",
                         next="Pass a writable file path with --out (its directory must exist).") from None
    return str(target.resolve())
