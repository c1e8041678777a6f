"""What stays ours: state files only we can read, secrets only we hold.

Drafts hold code, logs hold what a notebook printed, the started-server
records name notebooks: everything under `state_dir()` is written 0600 in
0700 directories, whatever the umask (os.open's and mkdir's modes are masked
by it, so modes are set explicitly afterwards), and directories an older
version left looser are tightened when next used.

Processes we start (marimo servers, ssh) get our environment minus the
secrets this tool reads (the server token): notebook code runs in a server
we start, and must not find the token there.
"""

from __future__ import annotations

import errno
import os
import stat
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Iterator, Mapping

from platformdirs import user_state_dir

from . import caller
from ..errors import StorageError

TOKEN_ENV = "MARIMO_TOKEN"
# Environment variables that carry secrets this tool reads: never passed on.
SECRET_ENV = frozenset({TOKEN_ENV})

FILE_MODE = 0o600
DIR_MODE = 0o700


def state_dir() -> Path:
    """Our own state: drafts, logs, records of the servers we started, caches."""
    return Path(user_state_dir("marimo-pair-tui", appauthor=False))


def _tighten(path: Path, mode: int) -> None:
    """chmod `path` to `mode` when it allows more than that (owner's own files only)."""
    try:
        info = path.lstat()
    except OSError:
        return
    if stat.S_ISLNK(info.st_mode) or info.st_uid != os.getuid():
        return  # never follow a link or touch someone else's file
    if stat.S_IMODE(info.st_mode) != mode:
        os.chmod(path, mode)


def private_dir(path: Path) -> Path:
    """`path` as a 0700 directory (made if missing; tightened if an older version left it looser).

    Directories between `state_dir()` and `path` are ours too and get the same
    treatment; those above `state_dir()` (~/.local/state) are the user's.
    """
    path = Path(path)
    root = state_dir()
    chain = [path]
    if path != root and path.is_relative_to(root):
        chain = [root] + [root.joinpath(*path.relative_to(root).parts[:i + 1])
                          for i in range(len(path.relative_to(root).parts))]
    for directory in chain:
        directory.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
        _tighten(directory, DIR_MODE)
    return path


def write_private(path: Path, data: str | bytes) -> None:
    """Write `path` atomically as a 0600 file in a 0700 directory."""
    path = Path(path)
    private_dir(path.parent)
    replace_file(path, data, FILE_MODE)


def replace_file(path: Path, data: str | bytes, mode: int) -> None:
    """Write `path` through a temporary file beside it renamed into place, so a reader never sees half of it."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, mode)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as out:
            fd = -1
            out.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.replace(tmp, path)
    except BaseException:
        if fd >= 0:
            os.close(fd)
        tmp.unlink(missing_ok=True)
        raise


def append_private(path: Path) -> BinaryIO:
    """`path` opened for appending as a 0600 file in a 0700 directory (a log)."""
    path = Path(path)
    private_dir(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW, FILE_MODE)
    os.fchmod(fd, FILE_MODE)  # a log an older version made 0644
    return os.fdopen(fd, "ab")


FULL = frozenset({errno.ENOSPC, errno.EDQUOT})
NO_PERMISSION = frozenset({errno.EACCES, errno.EPERM})
IN_THE_WAY = frozenset({errno.ENOTDIR, errno.EEXIST, errno.ELOOP, errno.EISDIR})


@contextmanager
def writing(what: str, path: Path) -> Iterator[None]:
    """Turn a failed write of `what` (e.g. "the server's log") at `path` into a StorageError that says
    what to do."""
    try:
        yield
    except OSError as error:
        raise storage_error(error, what, path) from None


def storage_error(error: OSError, what: str, path: Path) -> StorageError:
    """Why `what` could not be written at `path` (or the file the error names), and what to free or fix."""
    path = Path(os.fsdecode(error.filename)) if error.filename else Path(path)
    directory = path.parent
    code = error.errno
    if code in FULL:
        full = "your disk quota there is used up" if code == errno.EDQUOT else "it is full"
        advice = f"No room on the disk holding {directory} ({full}): free some space there"
        if path.is_relative_to(state_dir()):
            advice += f" (old logs of servers this tool started are in {state_dir() / 'logs'})"
    elif code == errno.EFBIG:
        advice = "The file outgrew the size this process may write (ulimit -f) or its file system allows"
    elif code == errno.EROFS:
        advice = f"{directory} is on a read-only file system: make it writable"
    elif code in NO_PERMISSION:
        advice = f"You may not write in {directory}: fix its owner and permissions (yours, mode 0700)"
    elif code in IN_THE_WAY:
        advice = f"{_in_the_way(path) or path} is in the way: move it aside"
    else:
        advice = f"Check that {directory} can be written"
    if path.is_relative_to(state_dir()):
        advice += "; or set XDG_STATE_HOME to a writable directory elsewhere"
    return StorageError(
        f"Could not write {what} at {path}: {error.strerror or error}.",
        next=advice + ".",
        path=str(path),
        errno=errno.errorcode.get(code or 0, str(code)),
    )


def _in_the_way(path: Path) -> Path | None:
    """`path` if something is there, else its first existing parent when that is not a directory."""
    for candidate in (path, *path.parents):
        try:
            info = candidate.lstat()
        except OSError:
            continue
        return candidate if candidate == path or not stat.S_ISDIR(info.st_mode) else None
    return None


def child_environ(environ: Mapping[str, str] | None = None, **extra: str) -> dict[str, str]:
    """The environment for a process we start: ours without the secrets (ssh's agent socket and
    everything else stay), plus `extra`."""
    source = caller.environ() if environ is None else environ
    env = {k: v for k, v in source.items() if k not in SECRET_ENV}
    env.update(extra)
    return env
