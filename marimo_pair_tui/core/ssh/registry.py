"""Reading marimo's server registry on a remote host.

One POSIX-shell command (no Python assumed there) prints the registry files,
each framed by marker lines carrying a per-call nonce, and whether each
entry's pid is alive; the parser turns that into ServerInfos and warnings.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field, replace

from ..wire.discovery import REGISTRY_ENTRY_LIMIT, ServerInfo, parse_registry_entry, parse_server_url
from ..errors import NoRemoteRegistryError, SshDroppedError

# One line, no `!`: it goes through the remote login shell (whatever it is)
# as `sh -c '<this>'`. Pids are read with sed because no JSON tool is assumed.
_DISCOVERY_SCRIPT = (
    'M="{mark}"; '
    'd="${{XDG_STATE_HOME:-$HOME/.local/state}}/marimo/servers"; '
    'echo "$M dir $d"; '
    'if [ -d "$d" ]; then '
    'for f in "$d"/*.json; do '
    'n="${{f##*/}}"; '
    # the same rules as a local read (discovery.read_registry_file): no links, no special files,
    # only this user's files, never more than the limit
    'if [ -L "$f" ]; then echo "$M skip $n a symbolic link, not a file marimo wrote"; continue; fi; '
    'if [ ! -f "$f" ]; then [ -e "$f" ] && echo "$M skip $n not a regular file"; continue; fi; '
    'if [ ! -O "$f" ]; then echo "$M skip $n owned by another user; an entry another user wrote could point at their server"; continue; fi; '
    'z=$(wc -c < "$f" | tr -d " "); '
    'if [ "$z" -gt {limit} ]; then echo "$M skip $n too large ($z bytes; an entry is a few hundred)"; continue; fi; '
    'echo "$M file $n"; '
    'head -c {limit} "$f"; echo; '
    """p=$(sed -n 's/.*"pid"[[:space:]]*:[[:space:]]*\\([0-9][0-9]*\\).*/\\1/p' "$f" | head -n 1); """
    'if [ -z "$p" ]; then s=unknown; '
    'elif kill -0 "$p" 2>/dev/null || ps -p "$p" >/dev/null 2>&1; then s=alive; '
    'else s=dead; fi; '
    'echo "$M end $p $s"; '
    'done; '
    'else echo "$M noregistry"; fi; '
    'echo "$M done"'
)


def discovery_command(mark: str) -> str:
    """The remote command line (for the remote login shell) that lists the registry."""
    return "sh -c " + shlex.quote(_DISCOVERY_SCRIPT.format(mark=mark, limit=REGISTRY_ENTRY_LIMIT))


@dataclass
class RemoteScan:
    """What a remote registry held."""

    dest: str
    servers: list[ServerInfo] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    directory: str | None = None
    missing: bool = False

    def missing_error(self) -> NoRemoteRegistryError:
        where = f" ({self.directory})" if self.directory else ""
        return NoRemoteRegistryError(
            f"No marimo registry on {self.dest}{where}: no server started with --no-token has run there "
            "as this user (or marimo runs with another XDG_STATE_HOME).",
            next=NoRemoteRegistryError.default_next.replace("DEST", self.dest),
        )


def parse_discovery(dest: str, mark: str, stdout: str) -> RemoteScan:
    """Read the framed output of the discovery command into ServerInfos and warnings."""
    scan = RemoteScan(dest=dest)
    prefix = mark + " "
    current: str | None = None
    body: list[str] = []
    done = False
    for line in stdout.splitlines():
        if not line.startswith(prefix):
            if current is not None:
                body.append(line)
            continue
        word, _, rest = line[len(prefix):].partition(" ")
        if word == "file":
            current, body = rest, []
        elif word == "end" and current is not None:
            _add_entry(scan, current, "\n".join(body), rest.split())
            current = None
        elif word == "done":
            done = True
        else:
            _note_directory(scan, word, rest)
    if not done:
        raise SshDroppedError(f"The SSH connection to {dest} dropped while reading the marimo registry there.")
    return scan


def _note_directory(scan: RemoteScan, word: str, rest: str) -> None:
    """A line about the registry directory rather than one file: where it is, that there is none, or a
    file the remote side would not print (the reason it gave becomes a warning)."""
    if word == "dir":
        scan.directory = rest
    elif word == "noregistry":
        scan.missing = True
    elif word == "skip":
        name, _, why = rest.partition(" ")
        scan.warnings.append(f"{scan.dest}:{scan.directory or '?'}/{name}: {why}; skipped")


def _add_entry(scan: RemoteScan, name: str, text: str, status: list[str]) -> None:
    where = f"{scan.dest}:{scan.directory or '?'}/{name}"
    try:
        info = parse_registry_entry(text, name=where)
    except ValueError as exc:
        scan.warnings.append(f"{exc}; skipped")
        return
    pid = status[0] if len(status) == 2 else ""
    state = status[-1] if status else "unknown"
    info = replace(info, source="ssh", ssh_host=scan.dest)
    if state == "dead" and pid == str(info.pid):
        scan.warnings.append(
            f"{info.url} on {scan.dest}: registry entry {name} names pid {info.pid}, which is not "
            f"running there (the server was killed); skipped"
        )
        return
    scan.servers.append(info)


def remote_server(url: str, dest: str) -> ServerInfo:
    """A server the user named by its URL as seen on the remote host."""
    return replace(parse_server_url(url), source="ssh", ssh_host=dest)
