"""Where ControlMaster sockets live: one per destination and option set, in a
private directory with a path short enough for a Unix socket."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import tempfile
from pathlib import Path
from typing import Sequence

from ..state import caller


def _private_dir(path: Path) -> bool:
    try:
        path.mkdir(mode=0o700, parents=False, exist_ok=True)
        info = os.lstat(path)
    except OSError:
        return False
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
        return False
    if info.st_mode & 0o077:
        try:
            os.chmod(path, 0o700)
        except OSError:
            return False
    return True


_control_dir: Path | None = None


def control_dir() -> Path:
    """A private (0700, ours) directory with a short path for control sockets.

    Unix socket paths are limited to about 100 bytes and ssh appends a
    17-character suffix while creating one, so the state directory (which can
    be long) is not used: $XDG_RUNTIME_DIR when short, else /tmp/marimo-pair-UID.
    """
    global _control_dir
    if _control_dir is not None and _control_dir.is_dir():
        return _control_dir
    candidates = []
    runtime = caller.environ().get("XDG_RUNTIME_DIR")
    if runtime:
        candidates.append(Path(runtime) / "marimo-pair")
    candidates.append(Path("/tmp") / f"marimo-pair-{os.getuid()}")
    for candidate in candidates:
        if len(str(candidate)) <= 50 and _private_dir(candidate):
            _control_dir = candidate
            return candidate
    _control_dir = Path(tempfile.mkdtemp(prefix="mpt-", dir="/tmp"))
    return _control_dir


def control_path(dest: str, options: Sequence[str]) -> Path:
    """The control socket for one destination and option set (other keys, other masters)."""
    digest = hashlib.sha256(json.dumps([dest, list(options)]).encode()).hexdigest()[:20]
    return control_dir() / digest
