"""Whom a one-shot call and the pairing service trust: this user's own directory, socket and process.

Without XDG_RUNTIME_DIR the socket lives in the shared temporary directory,
at a path any local user can predict and try to take first. So nothing is
sent before every step checks out: the directory (lstat: ours, not a link,
0700), the socket file (ours, a socket), and after connecting the peer's
credentials (SO_PEERCRED: our uid, and the pid that holds the service's
lock). The service checks each client's uid the same way.

Standard library only: the thin client imports this on every call.
"""

from __future__ import annotations

import _socket  # (not `socket`: it imports enum and selectors, which every one-shot call would pay for)
import fcntl
import os
import stat
import struct

SERVICE_MODULE = b"marimo_pair_tui.headless.service.host"


class Untrusted(Exception):
    """A path or a peer that is not this user's own: nothing may be sent to it."""


def _owner(uid: int) -> str:
    try:
        import pwd

        return f"user {pwd.getpwuid(uid).pw_name} (uid {uid})"
    except (ImportError, KeyError):
        return f"uid {uid}"


def check_directory(directory: str) -> None:
    """`directory` is ours, a real directory and closed to others (FileNotFoundError when absent)."""
    info = os.lstat(directory)
    if stat.S_ISLNK(info.st_mode):
        raise Untrusted(f"{directory} is a symbolic link")
    if not stat.S_ISDIR(info.st_mode):
        raise Untrusted(f"{directory} is not a directory")
    if info.st_uid != os.getuid():
        raise Untrusted(f"{directory} belongs to {_owner(info.st_uid)}, not to you")
    if stat.S_IMODE(info.st_mode) & 0o077:
        raise Untrusted(f"{directory} is open to other users (mode {stat.S_IMODE(info.st_mode):04o})")


def check_socket(path: str) -> None:
    """`path` is a socket of ours (FileNotFoundError when absent)."""
    info = os.lstat(path)
    if not stat.S_ISSOCK(info.st_mode):
        raise Untrusted(f"{path} is not a socket")
    if info.st_uid != os.getuid():
        raise Untrusted(f"{path} belongs to {_owner(info.st_uid)}, not to you")


def peer(sock: _socket.socket) -> tuple[int, int]:
    """(pid, uid) of the process at the other end of a Unix socket (Linux SO_PEERCRED)."""
    option = getattr(_socket, "SO_PEERCRED", None)
    if option is None:  # elsewhere the directory and socket checks are the guard
        return -1, os.getuid()
    creds = sock.getsockopt(_socket.SOL_SOCKET, option, struct.calcsize("3i"))
    pid, uid, _gid = struct.unpack("3i", creds)
    return pid, uid


def lock_path(socket_path: str) -> str:
    return os.path.splitext(socket_path)[0] + ".lock"


def lock_holder(socket_path: str) -> int | None:
    """The pid of the service that holds this socket's lock, or None when none does.

    The lock is the truth about which service runs: its socket file can be
    deleted from under it, its pid is written in the lock file."""
    try:
        fd = os.open(lock_path(socket_path), os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise Untrusted(f"{lock_path(socket_path)} cannot be opened safely ({exc.strerror or exc})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid():
            raise Untrusted(f"{lock_path(socket_path)} is not a file of yours")
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            text = os.read(fd, 32).decode("ascii", "replace").strip()
            return int(text) if text.isdigit() else -1
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def is_service_process(pid: int, socket_path: str) -> bool:
    """`pid` is this user's pairing service for `socket_path` (so it may be signalled)."""
    try:
        with open(f"/proc/{pid}/status", "rb") as status:
            uid_line = next(line for line in status if line.startswith(b"Uid:"))
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            argv = cmdline.read().split(b"\0")
    except (OSError, StopIteration):
        return False
    return (int(uid_line.split()[1]) == os.getuid() and SERVICE_MODULE in argv
            and os.fsencode(socket_path) in argv)


def check_peer(sock: _socket.socket, socket_path: str) -> int:
    """The service's pid, once the peer proves to be this user's service (Untrusted otherwise)."""
    pid, uid = peer(sock)
    if uid != os.getuid():
        raise Untrusted(f"the process listening at {socket_path} runs as {_owner(uid)}")
    if pid < 0:
        return pid
    holder = lock_holder(socket_path)
    if holder != pid:
        raise Untrusted(f"the process listening at {socket_path} (pid {pid}) does not hold the service's lock")
    return pid
