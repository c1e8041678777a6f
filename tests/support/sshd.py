"""A real OpenSSH server on a loopback port, with throwaway keys, for the SSH tests.

Plain helpers, no pytest (tests/test_ssh.py wraps them in fixtures).

* :func:`start_sshd` writes a host key, an authorised user key and a second,
  unauthorised key (ssh-keygen) into a private directory, and runs
  ``/usr/sbin/sshd -D -e -f CONFIG`` on a free 127.0.0.1 port. The config
  sets the login's ``XDG_STATE_HOME`` (``SetEnv``), so marimo's registry as
  the ssh login sees it is ``<remote_state>/marimo/servers`` while the
  test's own (local) discovery looks elsewhere.
* :meth:`Sshd.ssh_opts` is what ``MARIMO_PAIR_SSH_OPTS`` gets: ``-F
  /dev/null`` (no user or system config), the port, the key, a private
  known_hosts file.
* sshd is stopped by pid; the ControlMasters the tests made die with it.
* :func:`ssh_processes` lists live ``ssh`` client processes (from /proc) so
  tests can check that nothing is left behind.
"""

from __future__ import annotations

import getpass
import os
import shlex
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from .marimo_proc import free_port

SSHD_CANDIDATES = ("/usr/sbin/sshd", "/usr/local/sbin/sshd", "/usr/bin/sshd")
LOOPBACK = "127.0.0.1"


def sshd_binary() -> str | None:
    """The sshd binary (it is usually not on a normal user's PATH)."""
    found = shutil.which("sshd")
    if found:
        return found
    for candidate in SSHD_CANDIDATES:
        if os.access(candidate, os.X_OK):
            return candidate
    return None


def _keygen(path: Path) -> Path:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "marimo-pair-test", "-f", str(path)],
                   check=True, capture_output=True, timeout=30)
    return path


@dataclass
class Sshd:
    port: int
    directory: Path
    remote_state: Path
    user_key: Path
    wrong_key: Path
    known_hosts: Path
    log_path: Path
    process: subprocess.Popen[bytes] = field(repr=False)
    user: str = field(default_factory=getpass.getuser)

    @property
    def dest(self) -> str:
        return f"{self.user}@{LOOPBACK}"

    def ssh_args(self, key: Path | None = None) -> list[str]:
        """Client options that reach this sshd with `key` (default: the authorised one)."""
        return [
            "-F", "/dev/null",
            "-p", str(self.port),
            "-i", str(key or self.user_key),
            "-o", "IdentitiesOnly=yes",
            "-o", f"UserKnownHostsFile={self.known_hosts}",
            "-o", "StrictHostKeyChecking=no",
            "-o", "LogLevel=ERROR",
        ]

    def ssh_opts(self, key: Path | None = None, *extra: str) -> str:
        """The value for MARIMO_PAIR_SSH_OPTS."""
        return shlex.join([*self.ssh_args(key), *extra])

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        # Session processes of killed connections end on their own; do not wait for them.


def _config(directory: Path, port: int, env: Mapping[str, str]) -> str:
    set_env = " ".join(f"{k}={v}" for k, v in env.items())
    lines = [
        f"Port {port}",
        f"ListenAddress {LOOPBACK}",
        f"HostKey {directory / 'host_key'}",
        f"AuthorizedKeysFile {directory / 'user_key.pub'}",
        "PermitRootLogin prohibit-password",
        "PubkeyAuthentication yes",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "StrictModes no",
        "UsePAM no",
        "AllowTcpForwarding yes",
        "PrintMotd no",
        "PrintLastLog no",
        f"PidFile {directory / 'sshd.pid'}",
        "LogLevel VERBOSE",
    ]
    if set_env:
        lines.append(f"SetEnv {set_env}")
    return "\n".join(lines) + "\n"


def start_sshd(directory: Path, remote_state: Path, *, env: Mapping[str, str] | None = None,
               timeout: float = 30.0, port_attempts: int = 3) -> Sshd:
    """Start sshd in `directory`; logins see XDG_STATE_HOME=`remote_state` (plus `env`)."""
    binary = sshd_binary()
    if binary is None:
        raise RuntimeError("sshd is not installed (apt-get install openssh-server)")
    directory.mkdir(parents=True, exist_ok=True)
    remote_state.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        # sshd's privilege separation directory (a fresh container has none).
        Path("/run/sshd").mkdir(mode=0o755, parents=True, exist_ok=True)
    _keygen(directory / "host_key")
    user_key = _keygen(directory / "user_key")
    wrong_key = _keygen(directory / "wrong_key")
    login_env = {"XDG_STATE_HOME": str(remote_state), **(env or {})}
    last_log = ""
    for _attempt in range(port_attempts):
        port = free_port()
        config = directory / "sshd_config"
        config.write_text(_config(directory, port, login_env))
        log_path = directory / "sshd.log"
        with open(log_path, "wb") as log:
            process = subprocess.Popen([binary, "-D", "-e", "-f", str(config)], stdin=subprocess.DEVNULL,
                                       stdout=log, stderr=subprocess.STDOUT)
        sshd = Sshd(port=port, directory=directory, remote_state=remote_state, user_key=user_key,
                    wrong_key=wrong_key, known_hosts=directory / "known_hosts", log_path=log_path, process=process)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                break
            if f"Server listening on {LOOPBACK} port {port}" in sshd.log_text():
                return sshd
            time.sleep(0.02)
        last_log = sshd.log_text()
        sshd.stop()
        if "Address already in use" not in last_log:
            break
    raise RuntimeError(f"sshd did not start:\n{last_log}")


# -- process inspection (Linux /proc) ------------------------------------------


@dataclass(frozen=True)
class Proc:
    pid: int
    cmdline: str


def ssh_processes() -> list[Proc]:
    """Live (non-zombie) `ssh` client processes."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            comm = (entry / "comm").read_text().strip()
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:
            continue
        state = stat[stat.rfind(")") + 2:].split()[0]
        if comm == "ssh" and state != "Z":
            found.append(Proc(int(entry.name), cmdline))
    return found


def listening_ports(pid: int) -> set[int]:
    """TCP ports the process listens on (its socket inodes matched in /proc/net/tcp*)."""
    inodes = set()
    try:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    except OSError:
        return set()
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            cols = row.split()
            if len(cols) > 9 and cols[3] == "0A" and cols[9] in inodes:  # 0A: LISTEN
                ports.add(int(cols[1].rsplit(":", 1)[1], 16))
    return ports
