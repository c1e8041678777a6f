"""Find marimo servers: the local registry marimo writes, plus URLs the user names.

marimo writes one JSON file per `--no-token` server under
`$XDG_STATE_HOME/marimo/servers/` (`~/.marimo/servers/` on Windows). Files
outlive hard-killed servers, so each entry is checked (pid alive, `/health`
answers) and the dead ones become warnings, never failures.

Only what marimo itself writes is read: a regular file of at most
`REGISTRY_ENTRY_LIMIT` bytes, owned by this user. A symlink, a directory, a
FIFO, a huge file or another user's file (which could point us at their
server) is skipped with a warning, and never read past that limit.
"""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import json
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Literal, Mapping
from urllib.parse import urlsplit

import httpx

from .tls import tls_context
from ..state import caller
from ..errors import InvalidURLError

Source = Literal["registry", "url", "ssh"]

URLS_ENV = "MARIMO_PAIR_URLS"

# marimo's entries are a few hundred bytes; nothing larger is read.
REGISTRY_ENTRY_LIMIT = 64 * 1024
_HOSTNAME_RE = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62})(?:\.[A-Za-z0-9_-]{1,63})*\.?", re.ASCII)
_BASE_URL_RE = re.compile(r"(?:/[A-Za-z0-9._~!$&'()*+,;=:@%-]*)*", re.ASCII)
_VERSION_LIMIT = 100


@dataclass(frozen=True)
class ServerInfo:
    """A marimo server we can talk to."""

    url: str
    host: str
    port: int
    pid: int | None = None
    version: str | None = None
    source: Source = "url"
    ssh_host: str | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "url": self.url,
            "host": self.host,
            "port": self.port,
            "pid": self.pid,
            "version": self.version,
            "source": self.source,
        }
        if self.ssh_host is not None:
            data["ssh_host"] = self.ssh_host
        return data


@dataclass
class RegistryScan:
    """What the registry held: usable entries and why others were passed over."""

    servers: list[ServerInfo] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def registry_dir(environ: Mapping[str, str] | None = None) -> Path:
    """marimo's registry directory, computed as marimo does (see `_utils/xdg.py`)."""
    env = caller.environ() if environ is None else environ
    if os.name != "posix":
        return Path.home() / ".marimo" / "servers"
    state = env.get("XDG_STATE_HOME")
    base = Path(state) if state else Path.home() / ".local" / "state"
    return base / "marimo" / "servers"


def pid_alive(pid: int) -> bool:
    """True when a process with this pid exists (it may belong to someone else)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except (OSError, OverflowError, ValueError):
        return False  # OverflowError: a number no pid can be
    return True


def url_for(host: str, port: int, base_url: str = "") -> str:
    """The URL a client uses for a server bound to host:port."""
    if host in ("0.0.0.0", "::", ""):
        host = "127.0.0.1"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}{base_url.rstrip('/')}"


def _valid_host(host: str) -> bool:
    """A host a URL can carry as it is: an IP address or a plain DNS name (no user@, /, spaces)."""
    if len(host) > 253:
        return False
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return _HOSTNAME_RE.fullmatch(host) is not None
    return True


def _json_object(raw: str, name: str) -> dict[str, Any]:
    """The JSON object a registry file holds; ValueError saying why the text is not one."""
    try:
        entry = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{name}: not valid JSON ({exc.msg})") from None
    except ValueError:  # e.g. an integer past Python's digit limit
        raise ValueError(f"{name}: not valid JSON (a number too large)") from None
    except RecursionError:
        raise ValueError(f"{name}: not valid JSON (nested too deeply)") from None
    if not isinstance(entry, dict):
        raise ValueError(f"{name}: expected a JSON object")
    return entry


def _checked_address(entry: dict[str, Any], name: str) -> tuple[int, str, int, str]:
    """The entry's pid, host, port and base URL path, each of the type and shape marimo writes: the
    file is not trusted to hold only what marimo would put there."""
    pid, host, port = entry.get("pid"), entry.get("host"), entry.get("port")
    base_url = entry.get("base_url", "")
    if type(pid) is not int:
        raise ValueError(f"{name}: missing or non-integer pid")
    if not isinstance(host, str) or not host:
        raise ValueError(f"{name}: missing host")
    if not _valid_host(host):
        raise ValueError(f"{name}: host is not an IP address or host name")
    if type(port) is not int or not 1 <= port <= 65535:
        raise ValueError(f"{name}: missing or invalid port")
    if not isinstance(base_url, str):
        raise ValueError(f"{name}: base_url is not a string")
    if _BASE_URL_RE.fullmatch(base_url) is None:
        raise ValueError(f"{name}: base_url is not a URL path")
    return pid, host, port, base_url


def parse_registry_entry(raw: str, *, name: str = "entry") -> ServerInfo:
    """Turn one registry file's text into a ServerInfo, or raise ValueError saying why not."""
    entry = _json_object(raw, name)
    pid, host, port, base_url = _checked_address(entry, name)
    version = entry.get("version")
    url = url_for(host, port, base_url)
    try:
        httpx.URL(url)
    except (httpx.InvalidURL, ValueError):
        raise ValueError(f"{name}: host and port do not make a URL") from None
    return ServerInfo(
        url=url,
        host="127.0.0.1" if host in ("0.0.0.0", "::") else host,
        port=port,
        pid=pid,
        version=version if isinstance(version, str) and len(version) <= _VERSION_LIMIT else None,
        source="registry",
    )


def _open_unfollowed(path: Path) -> int:
    """A descriptor for the file itself, never a link's target, opened without blocking (a FIFO must
    not hang discovery); ValueError when that cannot be."""
    if path.is_symlink():
        raise ValueError(f"{path}: a symbolic link, not a file marimo wrote")
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        return os.open(path, flags)  # O_NOFOLLOW: a link swapped in after the check fails here
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise ValueError(f"{path}: a symbolic link, not a file marimo wrote") from None
        raise ValueError(f"{path}: unreadable ({exc.strerror or exc.__class__.__name__})") from None


def _refuse_unlike_marimo(path: Path, info: os.stat_result, limit: int) -> None:
    """ValueError unless the open file is one marimo could have written: regular, this user's, small."""
    if not stat.S_ISREG(info.st_mode):
        raise ValueError(f"{path}: not a regular file")
    geteuid = getattr(os, "geteuid", None)
    if geteuid is not None and info.st_uid != geteuid():
        raise ValueError(
            f"{path}: owned by uid {info.st_uid}, not by this user (uid {geteuid()}); "
            "an entry another user wrote could point at their server"
        )
    if info.st_size > limit:
        raise ValueError(f"{path}: too large ({info.st_size} bytes; an entry is a few hundred)")


def read_registry_file(path: Path, *, limit: int = REGISTRY_ENTRY_LIMIT) -> str:
    """The text of one registry file, or ValueError saying why it is skipped.

    The file is opened without following a symlink and without blocking (a
    FIFO must not hang discovery); only a regular file owned by this user and
    no larger than `limit` bytes is read, and never more than that.
    """
    fd = _open_unfollowed(path)
    try:
        _refuse_unlike_marimo(path, os.fstat(fd), limit)
        with os.fdopen(fd, "rb", closefd=True) as handle:
            fd = -1
            data = handle.read(limit + 1)
    except OSError as exc:
        raise ValueError(f"{path}: unreadable ({exc.strerror or exc.__class__.__name__})") from None
    finally:
        if fd >= 0:
            os.close(fd)
    if len(data) > limit:
        raise ValueError(f"{path}: too large (more than {limit} bytes; an entry is a few hundred)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError(f"{path}: not UTF-8 text") from None


def read_registry(directory: Path | None = None) -> RegistryScan:
    """Parse every registry file; dead pids, malformed and suspicious files become warnings."""
    directory = directory or registry_dir()
    scan = RegistryScan()
    try:
        if not directory.is_dir():
            return scan
        paths = sorted(directory.glob("*.json"))
    except OSError as exc:
        scan.warnings.append(f"{directory}: the registry cannot be listed ({exc.strerror or exc.__class__.__name__})")
        return scan
    for path in paths:
        try:
            info = parse_registry_entry(read_registry_file(path), name=str(path))
        except ValueError as exc:
            scan.warnings.append(f"{exc}; skipped")
            continue
        if not pid_alive(info.pid or 0):
            scan.warnings.append(
                f"{info.url}: registry entry {path.name} names pid {info.pid}, which is not "
                "running (the server was killed); skipped"
            )
            continue
        scan.servers.append(info)
    return scan


def parse_server_url(url: str) -> ServerInfo:
    """Validate a user-given server URL (no credentials, http or https)."""
    text = url.strip()
    bare = "://" not in text
    if bare:
        text = f"http://{text}"
    try:
        parts = urlsplit(text)
    except ValueError:
        raise InvalidURLError("The server URL is not a valid URL.") from None
    # Refuse secrets before echoing anything of the URL back.
    if "@" in parts.netloc:
        raise InvalidURLError(
            "Server URLs must not carry credentials.",
            next="Drop the user:password part; pass a token with MARIMO_TOKEN or --token-file.",
        )
    if "access_token" in parts.query:
        raise InvalidURLError(
            "Server URLs must not carry the access token.",
            next="Drop ?access_token=...; pass the token with MARIMO_TOKEN or --token-file.",
        )
    try:
        port = parts.port
    except ValueError:
        raise InvalidURLError(f"{url!r} has an invalid port.") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidURLError(f"{url!r} is not an http(s) URL with a host.")
    if bare and port is None:
        # "not-a-url" would otherwise become http://not-a-url:80 and fail as unreachable.
        raise InvalidURLError(
            f"{url!r} is not a server URL.",
            next="Give the URL marimo printed, e.g. http://127.0.0.1:2718 (or HOST:PORT).",
        )
    if port is None:
        port = 443 if parts.scheme == "https" else 80
    path = parts.path.rstrip("/")
    host = parts.hostname
    netloc = f"[{host}]" if ":" in host else host
    return ServerInfo(
        url=f"{parts.scheme}://{netloc}:{port}{path}",
        host=host,
        port=port,
        source="url",
    )


def urls_from_env(environ: Mapping[str, str] | None = None) -> list[str]:
    """Server URLs listed in MARIMO_PAIR_URLS (comma or whitespace separated)."""
    env = caller.environ() if environ is None else environ
    raw = env.get(URLS_ENV, "")
    return [u for u in raw.replace(",", " ").split() if u]


async def check_health(client: httpx.AsyncClient, url: str, timeout: float = 2.0) -> bool:
    """True when GET /health answers like marimo does (no auth needed)."""
    try:
        response = await client.get(f"{url}/health", timeout=timeout)
    except (httpx.HTTPError, httpx.InvalidURL):
        return False
    if response.status_code != 200:
        return False
    try:
        payload = response.json()
    except (ValueError, RecursionError):
        return False
    return isinstance(payload, dict) and payload.get("status") == "healthy"


async def discover(
    urls: Iterable[str] = (),
    *,
    use_registry: bool = True,
    environ: Mapping[str, str] | None = None,
) -> tuple[list[ServerInfo], list[str]]:
    """Every reachable server: registry entries that answer /health, plus named URLs.

    Named URLs are kept even when they do not answer: the user asked for them,
    and the operation that uses them reports the real failure.
    """
    named = [parse_server_url(u) for u in [*urls, *urls_from_env(environ)]]
    warnings: list[str] = []
    registry: list[ServerInfo] = []
    if use_registry:
        scan = read_registry(registry_dir(environ))
        warnings.extend(scan.warnings)
        registry = scan.servers
    if registry:
        async with httpx.AsyncClient(verify=tls_context()) as client:
            healthy = await asyncio.gather(*(check_health(client, s.url) for s in registry))
        for server, ok in zip(registry, healthy):
            if not ok:
                warnings.append(
                    f"{server.url}: registry entry for pid {server.pid} does not answer /health; skipped"
                )
        registry = [s for s, ok in zip(registry, healthy) if ok]
    seen: set[str] = set()
    servers: list[ServerInfo] = []
    for server in [*named, *registry]:
        if server.url in seen:
            continue
        seen.add(server.url)
        servers.append(server)
    return servers, warnings
