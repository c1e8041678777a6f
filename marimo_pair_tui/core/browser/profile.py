"""The browser's own profile directory, kept between launches so marimo's front end loads from its cache.

marimo's front end is some 350 script and style files. A browser that starts with an empty cache
fetches every one from the marimo server and compiles it; one whose profile kept its HTTP cache
loads them from disk, which takes about a second less of the first picture after the service
started. The profile is private (state_dir()/browser/, 0700) and holds only what the browser
caches: the session cookie is added per launch and never written (it has no expiry).

Playwright's driver (a Node.js program) is kept warm the same way: Node compiles its scripts
afresh at every start unless NODE_COMPILE_CACHE names a directory to keep the compiled code in
(`keep_driver_code`), which takes about 80 ms off each launch.

Chromium lets one process use a profile at a time: the profile is held with a lock file, and a
second camera of the same program (another service, a test) gets a throwaway profile instead.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import tempfile
from pathlib import Path

from ..state.private import private_dir, state_dir

DRIVER_CACHE_ENV = "NODE_COMPILE_CACHE"
CACHE_BYTES = 100 * 1024 * 1024  # the most the kept HTTP cache may hold: marimo's front end, ~12 MB a server, for a few servers


class Profile:
    """A user-data directory for one browser launch: the kept one when free, else a temporary one."""

    def __init__(self, path: Path, lock: int | None, temporary: bool) -> None:
        self.path = path
        self._lock = lock
        self._temporary = temporary

    @property
    def kept(self) -> bool:
        """The profile outlives this launch (its cache serves the next one)."""
        return not self._temporary

    @classmethod
    def take(cls, program: Path, root: Path | None = None) -> Profile:
        """The kept profile of `program` if no other process holds it, else a fresh temporary one."""
        try:
            base = private_dir((root or state_dir() / "browser"))
            path = base / hashlib.sha256(str(program).encode()).hexdigest()[:16]
            lock = os.open(base / f"{path.name}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        except OSError:
            return cls._temporary_one()
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(lock)
            return cls._temporary_one()
        private_dir(path)
        return cls(path, lock, temporary=False)

    @classmethod
    def _temporary_one(cls) -> Profile:
        return cls(Path(tempfile.mkdtemp(prefix="marimo-pair-browser-")), None, temporary=True)

    def release(self) -> None:
        """Let another launch have the profile (after the browser closed); a temporary one is removed, and
        so is a kept one left empty (the browser never started in it)."""
        if self._temporary:
            shutil.rmtree(self.path, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                self.path.rmdir()  # only when empty
        if self._lock is not None:
            lock, self._lock = self._lock, None
            os.close(lock)  # closing the descriptor drops the lock


def keep_driver_code(root: Path | None = None) -> Path | None:
    """Have the Playwright driver started next keep its compiled code in state_dir()/driver-code/
    (0700), unless the user named a place already; the directory, or None when it can't be made."""
    if os.environ.get(DRIVER_CACHE_ENV):
        return Path(os.environ[DRIVER_CACHE_ENV])
    try:
        path = private_dir(root or state_dir() / "driver-code")
    except OSError:
        return None
    os.environ[DRIVER_CACHE_ENV] = str(path)  # the driver's environment is a copy of ours, taken as it starts
    return path
