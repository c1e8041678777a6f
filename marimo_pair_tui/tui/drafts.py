"""The editor's text, kept per notebook across restarts.

One JSON file per notebook under `state_dir()/drafts/`, named by a hash of
the notebook's absolute path. Besides the text it keeps which cell the text
was loaded from and that cell's code at the time (the base of the conflict
check), so an apply after a restart is still checked against what was read.
Writes go to a temporary file first and are renamed into place; drafts hold
code, so they are 0600 files in a 0700 directory. A save that fails raises
OSError; `save_problem` says what stood in the way and what to do about it.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from ..core.api import state_dir, write_private

FULL = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})
NO_PERMISSION = frozenset({errno.EACCES, errno.EPERM})
IN_THE_WAY = frozenset({errno.ENOTDIR, errno.EEXIST, errno.ELOOP})


def drafts_dir() -> Path:
    return state_dir() / "drafts"


@dataclass
class Draft:
    notebook: str
    text: str
    cell_id: str | None = None
    base: str | None = None
    saved_at: float = 0.0


class DraftStore:
    """Load and save the draft of one notebook."""

    def __init__(self, notebook: str, directory: Path | None = None) -> None:
        self.notebook = os.path.realpath(notebook) if notebook else ""
        self.directory = directory or drafts_dir()

    @property
    def path(self) -> Path:
        digest = hashlib.sha256(self.notebook.encode("utf-8", "surrogatepass")).hexdigest()[:20]
        return self.directory / f"{digest}.json"

    def load(self) -> Draft | None:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(raw, dict) or not isinstance(raw.get("text"), str):
            return None
        cell_id, base = raw.get("cell_id"), raw.get("base")
        return Draft(
            notebook=str(raw.get("notebook", self.notebook)),
            text=raw["text"],
            cell_id=cell_id if isinstance(cell_id, str) else None,
            base=base if isinstance(base, str) else None,
            saved_at=float(raw.get("saved_at", 0.0) or 0.0),
        )

    def save(self, text: str, cell_id: str | None = None, base: str | None = None) -> None:
        """Write the draft (an empty editor with nothing loaded removes it)."""
        if not self.notebook:
            return
        if not text and cell_id is None:
            self.path.unlink(missing_ok=True)
            return
        draft = Draft(self.notebook, text, cell_id, base, time.time())
        write_private(self.path, json.dumps(asdict(draft)))


def _in_the_way(path: Path) -> Path | None:
    """The first of `path` and its parents that exists but is not a directory."""
    for candidate in (path, *path.parents):
        if candidate.is_symlink() or candidate.exists():
            return None if candidate.is_dir() else candidate
    return None


def save_problem(error: OSError, store: DraftStore) -> str:
    """Why a draft could not be saved, naming the path, and what to do about it."""
    directory = store.directory
    reason = error.strerror or error.__class__.__name__
    where = f"{error.filename}: {reason}" if error.filename else reason
    code = error.errno
    if code in FULL:
        advice = f"The disk holding {directory} is full: free some space there."
    elif code == errno.EROFS:
        advice = f"{directory} is on a read-only file system: make it writable."
    elif code in NO_PERMISSION:
        advice = f"You may not write in {directory}: fix its permissions (yours, mode 0700)."
    elif code == errno.EISDIR:
        advice = f"{store.path} is a directory where the draft file should be: move it aside."
    elif code in IN_THE_WAY:
        blocker = _in_the_way(directory)
        if blocker is not None:
            advice = f"{blocker} is a file where a directory should be: move it aside."
        else:
            advice = f"{error.filename or directory} is in the way: move it aside."
    else:
        advice = f"Check that {directory} can be written."
    if directory == drafts_dir() or state_dir() in directory.parents:
        advice += " Or set XDG_STATE_HOME to a writable directory."
    return f"Could not save the draft to {store.path} ({where}). {advice}"
