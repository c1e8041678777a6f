"""What the thin client and the pairing service agree on: where, which version, how framed.

Standard library only, and as little of it as will do (no pathlib, typing or
hashlib): the client imports this on every one-shot call.
A message is a 4-byte length and a JSON object; the request carries the
caller's stdin, stdout and stderr as file descriptors (SCM_RIGHTS), so the
service writes the caller's output itself and the client only waits for the
exit code.
"""

from __future__ import annotations

import json
import os
import socket
import stat
import struct
import zlib

TYPE_CHECKING = False
if TYPE_CHECKING:  # the client imports no typing (start-up is the cost it exists to cut)
    from typing import Any, Mapping

NO_SERVICE_ENV = "MARIMO_PAIR_NO_SERVICE"
IDLE_ENV = "MARIMO_PAIR_SERVICE_IDLE"  # seconds without a request before the service exits
IDLE_DEFAULT = 900.0
MAX_MESSAGE = 16 * 1024 * 1024
SOCKET_PATH_MAX = 100
PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Commands that only read: when the service dies while answering one, the client
# asks again in-process. Any other command's outcome is then unknown (exit 4).
READ_ONLY = frozenset({
    "servers", "notebooks", "cells", "status", "output", "ui", "table", "variables", "graph",
    "activity", "watch", "guide",
})
# Commands the client always runs itself: they start or stop processes that must
# outlive the caller and not the service (open, close), hold the terminal
# (tunnel), or are long-lived servers of their own (mcp).
IN_PROCESS = frozenset({"mcp", "open", "close", "tunnel"})


class WireError(Exception):
    """The other side broke the framing or went away."""


def fingerprint() -> str:
    """The running code: version and every module's size and mtime (an edit or an upgrade changes it)."""
    from .. import __version__

    digest = 0
    for directory, dirs, files in os.walk(PACKAGE):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith(".py"):
                info = os.stat(os.path.join(directory, name))
                digest = zlib.crc32(f"{directory}/{name}:{info.st_size}:{info.st_mtime_ns}\n".encode(), digest)
    return f"{__version__}+{digest:08x}"


def _state_home(environ: Mapping[str, str]) -> str:
    state = environ.get("XDG_STATE_HOME") or ""
    return state if os.path.isabs(state) else os.path.join(environ.get("HOME") or os.path.expanduser("~"), ".local", "state")


def runtime_dir(environ: Mapping[str, str]) -> str:
    """The private directory of the user's service sockets: $XDG_RUNTIME_DIR or one under /tmp."""
    runtime = environ.get("XDG_RUNTIME_DIR") or ""
    if runtime and os.path.isabs(runtime) and os.path.isdir(runtime):
        return os.path.join(runtime, "marimo-pair-tui")
    temp = environ.get("TMPDIR") or ""
    base = temp if os.path.isabs(temp) and os.path.isdir(temp) else "/tmp"
    return os.path.join(base, f"marimo-pair-tui-{os.getuid()}")


def socket_path(environ: Mapping[str, str]) -> str:
    """One service per user and state directory (under /tmp when the runtime directory's path
    is too long for a socket: sun_path holds 104-108 bytes)."""
    name = f"service-{zlib.crc32(_state_home(environ).encode()):08x}.sock"
    path = os.path.join(runtime_dir(environ), name)
    if len(os.fsencode(path)) > SOCKET_PATH_MAX:
        path = os.path.join("/tmp", f"marimo-pair-tui-{os.getuid()}", name)
    return path


def private_runtime(directory: str) -> str:
    """`directory` as a 0700 directory of ours; refuses one that is a link or someone else's."""
    try:
        os.mkdir(directory, 0o700)
    except FileExistsError:
        pass
    info = os.lstat(directory)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
        raise PermissionError(f"{directory} is not a directory of this user's")
    if stat.S_IMODE(info.st_mode) != 0o700:
        os.chmod(directory, 0o700)
    return directory


def send(sock: socket.socket, message: dict[str, Any], fds: list[int] | None = None) -> None:
    data = json.dumps(message).encode("utf-8")
    frame = struct.pack(">I", len(data)) + data
    if fds:
        sent = socket.send_fds(sock, [frame], fds)
        frame = frame[sent:]
    if frame:
        sock.sendall(frame)


def _read_exact(sock: socket.socket, size: int, fds: list[int], want_fds: int) -> bytes:
    chunks: list[bytes] = []
    while size:
        if want_fds and not fds:
            data, received, _flags, _addr = socket.recv_fds(sock, size, want_fds)
            fds.extend(received)
        else:
            data = sock.recv(size)
        if not data:
            raise WireError("closed")
        chunks.append(data)
        size -= len(data)
    return b"".join(chunks)


def receive(sock: socket.socket, want_fds: int = 0) -> tuple[dict[str, Any], list[int]]:
    """One message (and up to `want_fds` descriptors that came with it)."""
    fds: list[int] = []
    (size,) = struct.unpack(">I", _read_exact(sock, 4, fds, want_fds))
    if size > MAX_MESSAGE:
        raise WireError(f"a message of {size} bytes")
    body = _read_exact(sock, size, fds, want_fds) if size else b""
    message = json.loads(body.decode("utf-8"))
    if not isinstance(message, dict):
        raise WireError("not an object")
    return message, fds


def peer_uid(sock: socket.socket) -> int:
    """The user on the other end of a Unix socket (Linux SO_PEERCRED; -1 where unknown)."""
    option = getattr(socket, "SO_PEERCRED", None)
    if option is None:
        return os.getuid()  # the 0700 directory is then the only guard
    creds = sock.getsockopt(socket.SOL_SOCKET, option, struct.calcsize("3i"))
    _pid, uid, _gid = struct.unpack("3i", creds)
    return uid
