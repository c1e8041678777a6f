"""What the thin client and the pairing service agree on: where, which version, how framed.

Standard library only, and as little of it as will do (no pathlib, typing or
hashlib): the client imports this on every one-shot call.
A message is a 4-byte length and a JSON object. A call is a handshake
(request, "started", then "go" carrying the caller's stdin as a file
descriptor, SCM_RIGHTS) and then a relay: the service sends the command's
stdout and stderr as messages, a heartbeat while it works, and the exit
code; the client writes them to its own streams. The caller's stdout never
leaves the caller, so a service that hangs holds no one's pipe.
"""

from __future__ import annotations

import _socket  # (not `socket`, which imports enum and selectors: see trust.py)
import os
import stat
import struct
import zlib

from . import trust, wire_json

TYPE_CHECKING = False
if TYPE_CHECKING:  # the client imports no typing (start-up is the cost it exists to cut)
    from typing import Any, Mapping

NO_SERVICE_ENV = "MARIMO_PAIR_NO_SERVICE"
IDLE_ENV = "MARIMO_PAIR_SERVICE_IDLE"  # seconds without a request before the service exits
IDLE_DEFAULT = 900.0
MAX_MESSAGE = 16 * 1024 * 1024
MAX_TEXT = 1024 * 1024  # output is relayed in pieces of at most this many characters
BEAT_SECONDS = 1.0  # the service's heartbeat while a call runs
SILENCE_LIMIT = 15.0  # a service silent this long (no output, no heartbeat) is hung
# The caller's environment a call carries: what the core reads (paths, the token,
# ssh's agent and Kerberos ticket, locale), not the whole environment.
CALLER_ENV_PREFIXES = ("MARIMO_",)
CALLER_ENV_NAMES = frozenset({
    "HOME", "PATH", "USER", "LOGNAME", "SSH_AUTH_SOCK", "KRB5CCNAME", "TMPDIR", "LANG", "LC_ALL", "LC_CTYPE",
    "XDG_STATE_HOME", "XDG_CONFIG_HOME", "XDG_RUNTIME_DIR", "XDG_CACHE_HOME", "XDG_DATA_HOME",
})
SOCKET_PATH_MAX = 100
PACKAGE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# Commands that only read: when the service dies while answering one, the client
# asks again in-process. Any other command's outcome is then unknown (exit 4).
READ_ONLY = frozenset({
    "servers", "notebooks", "cells", "status", "output", "ui", "table", "variables", "graph",
    "activity", "watch", "guide", "screenshot",
})
# Commands the client always runs itself: they start or stop processes that must
# outlive the caller and not the service (open, close), hold the terminal
# (tunnel), are long-lived servers of their own (mcp), report on the caller's
# own terminal and environment (doctor), write files where the caller's
# directory says (install-skill --project), or say what this install is, which
# a service started by another install would answer wrongly (version).
IN_PROCESS = frozenset({"mcp", "open", "close", "tunnel", "doctor", "install-skill", "version"})


class WireError(Exception):
    """The other side broke the framing or went away."""


def fingerprint() -> str:
    """The running code: version and every module's size and mtime (an edit or an upgrade changes it).

    An installed wheel is known by its RECORD instead (every install and upgrade writes it anew):
    one stat on every call rather than one per module."""
    from ... import __version__

    record = os.path.join(os.path.dirname(PACKAGE), f"marimo_pair_tui-{__version__}.dist-info", "RECORD")
    try:
        info = os.stat(record)
    except OSError:  # a checkout, an editable install: its modules are edited in place
        pass
    else:
        return f"{__version__}+{zlib.crc32(f'{record}:{info.st_size}:{info.st_mtime_ns}:{info.st_ino}'.encode()):08x}"
    digest = 0
    for directory, dirs, files in os.walk(PACKAGE):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith(".py"):
                info = os.stat(os.path.join(directory, name))
                digest = zlib.crc32(f"{directory}/{name}:{info.st_size}:{info.st_mtime_ns}\n".encode(), digest)
    return f"{__version__}+{digest:08x}"


def caller_environ(environ: Mapping[str, str]) -> dict[str, str]:
    """The part of an environment that travels with a call (and keys the service's sessions)."""
    return {k: v for k, v in environ.items()
            if isinstance(k, str) and isinstance(v, str) and (k in CALLER_ENV_NAMES or k.startswith(CALLER_ENV_PREFIXES))}


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


def hung_marker(socket_path: str) -> str:
    """The file that says which service stopped answering (calls bypass it until it answers again)."""
    return os.path.splitext(socket_path)[0] + ".hung"


def private_runtime(directory: str) -> str:
    """`directory` as a 0700 directory of ours; refuses (trust.Untrusted) a link or someone else's.

    A directory of ours that is open to others is closed again (chmod 0700): only we could
    have made it so."""
    try:
        os.mkdir(directory, 0o700)
    except FileExistsError:
        pass
    info = os.lstat(directory)
    if stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid() and stat.S_IMODE(info.st_mode) != 0o700:
        os.chmod(directory, 0o700)
    trust.check_directory(directory)
    return directory


def send(sock: _socket.socket, message: dict[str, Any], fds: list[int] | None = None) -> None:
    frame = encode(message)
    if fds:
        sent = sock.sendmsg([frame], [(_socket.SOL_SOCKET, _socket.SCM_RIGHTS, struct.pack(f"{len(fds)}i", *fds))])
        frame = frame[sent:]
    if frame:
        sock.sendall(frame)


def _read_exact(sock: _socket.socket, size: int, fds: list[int], want_fds: int) -> bytes:
    chunks: list[bytes] = []
    while size:
        if want_fds:  # ask for descriptors on every read: any that come are ours to close
            data, received = _recv_fds(sock, size, want_fds)
            fds.extend(received)
        else:
            data = sock.recv(size)
        if not data:
            raise WireError("closed")
        chunks.append(data)
        size -= len(data)
    return b"".join(chunks)


def can_pass_descriptors() -> bool:
    """Unix sockets that carry file descriptors (SCM_RIGHTS) are what a call needs."""
    return hasattr(_socket, "AF_UNIX") and hasattr(_socket, "SCM_RIGHTS") and hasattr(_socket.socket, "sendmsg")


def _recv_fds(sock: _socket.socket, size: int, most: int) -> tuple[bytes, list[int]]:
    """Up to `size` bytes and up to `most` descriptors that came with them (as `socket.recv_fds`)."""
    data, ancillary, _flags, _addr = sock.recvmsg(size, _socket.CMSG_LEN(most * 4))
    fds: list[int] = []
    for level, kind, payload in ancillary:
        if level == _socket.SOL_SOCKET and kind == _socket.SCM_RIGHTS:
            fds.extend(struct.unpack(f"{len(payload) // 4}i", payload[:len(payload) - len(payload) % 4]))
    return data, fds


def _size(header: bytes) -> int:
    (size,) = struct.unpack(">I", header)
    if size > MAX_MESSAGE:
        raise WireError(f"a message of {size} bytes")
    return size


def _decode(body: bytes) -> dict[str, Any]:
    try:
        message = wire_json.loads(body.decode("utf-8"))
    except ValueError as exc:  # (UnicodeDecodeError and JSONDecodeError are ValueErrors)
        raise WireError(f"not JSON: {exc}") from None
    if not isinstance(message, dict):
        raise WireError("not an object")
    return message


def close_all(fds: list[int]) -> None:
    for fd in fds:
        try:
            os.close(fd)
        except OSError:
            pass
    del fds[:]


def receive(sock: _socket.socket, want_fds: int = 0) -> tuple[dict[str, Any], list[int]]:
    """One message (and up to `want_fds` descriptors that came with it; none leak on failure)."""
    fds: list[int] = []
    try:
        size = _size(_read_exact(sock, 4, fds, want_fds))
        message = _decode(_read_exact(sock, size, fds, want_fds) if size else b"")
    except BaseException:
        close_all(fds)
        raise
    return message, fds


async def receive_async(sock: _socket.socket, want_fds: int = 0) -> tuple[dict[str, Any], list[int]]:
    """`receive` on the event loop, for a non-blocking socket (no thread waits on a silent peer)."""
    fds: list[int] = []
    try:
        size = _size(await _read_exact_async(sock, 4, fds, want_fds))
        message = _decode(await _read_exact_async(sock, size, fds, want_fds) if size else b"")
    except BaseException:
        close_all(fds)
        raise
    return message, fds


async def _read_exact_async(sock: _socket.socket, size: int, fds: list[int], want_fds: int) -> bytes:
    import asyncio

    loop = asyncio.get_running_loop()
    chunks: list[bytes] = []
    while size:
        try:
            if want_fds:  # ask for descriptors on every read: any that come are ours to close
                data, received = _recv_fds(sock, size, want_fds)
                fds.extend(received)
            else:
                data = sock.recv(size)
        except (BlockingIOError, InterruptedError):
            ready = loop.create_future()

            def wake(ready: asyncio.Future[None] = ready) -> None:
                if not ready.done():
                    ready.set_result(None)

            loop.add_reader(sock.fileno(), wake)
            try:
                await ready
            finally:
                loop.remove_reader(sock.fileno())
            continue
        if not data:
            raise WireError("closed")
        chunks.append(data)
        size -= len(data)
    return b"".join(chunks)


def encode(message: dict[str, Any]) -> bytes:
    data = wire_json.dumps(message).encode("ascii")
    return struct.pack(">I", len(data)) + data
