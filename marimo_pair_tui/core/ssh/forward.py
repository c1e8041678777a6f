"""Port forwards: a loopback port here that reaches a port on the ssh host.

With multiplexing a forward lives in the ControlMaster (`ssh -O forward` /
`-O cancel`). Without it, and for `tunnel`, a forward is its own `ssh -L`
process running `cat >/dev/null` on the remote side: it ends when its stdin
closes, so it cannot outlive us even after a SIGKILL.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

from ..wire.discovery import ServerInfo
from ..wire.ports import LOOPBACK, port_listening

if TYPE_CHECKING:
    from .host import SshHost

def bracket_host(host: str) -> str:
    """An IPv6 address in brackets, as ssh's forward specs need it."""
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


@dataclass
class Forward:
    """127.0.0.1:local_port here -> remote_host:remote_port as seen from the ssh host."""

    host: SshHost
    remote_host: str
    remote_port: int
    local_port: int
    process: subprocess.Popen[bytes] | None = None  # a dedicated `ssh -L`; None: in the master
    stderr: IO[bytes] | None = None
    closed: bool = False

    @property
    def spec(self) -> str:
        return f"{LOOPBACK}:{self.local_port}:{bracket_host(self.remote_host)}:{self.remote_port}"

    def local_url(self, server: ServerInfo) -> str:
        """The server's URL through this forward (same scheme and base path)."""
        scheme, _, rest = server.url.partition("://")
        path = rest[rest.find("/"):] if "/" in rest else ""
        return f"{scheme}://{LOOPBACK}:{self.local_port}{path}"

    def alive(self) -> bool:
        """The forward still listens (and its dedicated ssh, if any, still runs)."""
        if self.closed:
            return False
        if self.process is not None and self.process.poll() is not None:
            return False
        return port_listening(self.local_port)

    def close(self) -> None:
        """Stop forwarding; idempotent."""
        if self.closed:
            return
        self.closed = True
        if self.process is not None:
            end_process(self.process)
            self.process = None
        else:
            self.host.cancel(self)
        if self.stderr is not None:
            self.stderr.close()
            self.stderr = None

    def revive(self) -> None:
        """Forward the same local port again after the connection dropped."""
        if self.closed:
            return
        if self.process is not None:
            end_process(self.process)
            self.process = None
        self.host.reestablish(self)


def end_process(process: subprocess.Popen[bytes], grace: float = 3.0) -> None:
    """End a dedicated ssh: close its stdin (remote `cat` ends), then terminate, then kill."""
    if process.stdin is not None:
        try:
            process.stdin.close()
        except OSError:
            pass
    for action in (None, process.terminate, process.kill):
        if action is not None:
            try:
                action()
            except OSError:
                pass
        try:
            process.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            continue
