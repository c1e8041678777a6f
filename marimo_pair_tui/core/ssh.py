"""OpenSSH for remote notebooks: the remote registry, port forwards, their lifetime.

Everything goes through the user's own `ssh` binary, so ~/.ssh/config, keys,
agents and jump hosts work as they do in a shell. Extra arguments come from
`MARIMO_PAIR_SSH_OPTS` (shell-split) and `[ssh] options` in config.toml.

* Discovery runs one POSIX-shell command on the remote host (no Python
  assumed there) that prints marimo's registry files, each framed by marker
  lines carrying a per-call nonce, and whether each entry's pid is alive.
* One ControlMaster per host and option set, with a private control socket
  and a short ControlPersist, so repeated headless calls skip the handshake.
  Forwards go through it (`ssh -O forward` / `-O cancel`).
* Without multiplexing (`[ssh] control_persist = 0`, or `-o ControlMaster=no`
  / `-o ControlPath=none` in the options) and for `tunnel`, a forward is its
  own `ssh -L` process running `cat >/dev/null` on the remote side: it ends
  when its stdin closes, so it cannot outlive us even after a SIGKILL.
* ssh runs with BatchMode (never a prompt) and ConnectTimeout, and every call
  has an overall deadline: a headless call never hangs. ssh's own failures
  (exit 255) are classified from its stderr into the SshError family.

Written by hand because no maintained library drives the OpenSSH binary this
way (asyncssh and paramiko are SSH implementations of their own and would
ignore the user's ssh setup).
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shlex
import shutil
import socket
import stat
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Mapping, Sequence

import httpx

from .connection import Connection
from .discovery import ServerInfo, parse_registry_entry, parse_server_url
from .errors import (
    NoRemoteRegistryError,
    PairError,
    SshAuthError,
    SshDroppedError,
    SshError,
    SshForwardError,
    SshHostKeyError,
    SshMissingError,
    SshUnknownHostError,
    SshUnreachableError,
    UsageError,
)
from .settings import ConfigFile, read_config

SSH_OPTS_ENV = "MARIMO_PAIR_SSH_OPTS"
DEFAULT_CONTROL_PERSIST = 60
DEFAULT_CONNECT_TIMEOUT = 10
# ssh's own exit status for its failures (a remote command's status passes through).
SSH_FAILED = 255
# Beyond ConnectTimeout (TCP only), how long the handshake and a short remote
# command may take before we give up on the call.
CALL_MARGIN = 20.0
LOOPBACK = "127.0.0.1"


# -- settings ---------------------------------------------------------------------


@dataclass(frozen=True)
class SshSettings:
    """How to run ssh: extra options, hosts to list, multiplexing and timeouts."""

    options: tuple[str, ...] = ()
    hosts: tuple[str, ...] = ()
    control_persist: int = DEFAULT_CONTROL_PERSIST
    connect_timeout: int = DEFAULT_CONNECT_TIMEOUT
    warnings: tuple[str, ...] = ()

    @property
    def multiplex(self) -> bool:
        """True when calls share one ControlMaster per host."""
        return os.name == "posix" and self.control_persist > 0 and not _disables_multiplexing(self.options)


def _ssh_option_values(options: Sequence[str]) -> dict[str, str]:
    """`-o Key=Value` / `-oKey Value` settings in an ssh argument list (first one wins, as in ssh)."""
    found: dict[str, str] = {}
    items = list(options)
    for index, arg in enumerate(items):
        text = None
        if arg == "-o" and index + 1 < len(items):
            text = items[index + 1]
        elif arg.startswith("-o") and len(arg) > 2:
            text = arg[2:]
        if not text:
            continue
        key, _, value = text.replace("=", " ", 1).partition(" ")
        found.setdefault(key.strip().lower(), value.strip().lower())
    return found


def _disables_multiplexing(options: Sequence[str]) -> bool:
    values = _ssh_option_values(options)
    return values.get("controlmaster") == "no" or values.get("controlpath") == "none"


def _int_setting(section: dict, key: str, default: int, path: Path, warnings: list[str]) -> int:
    value = section.get(key, default)
    if type(value) is int and value >= 0:
        return value
    warnings.append(f"{path}: ssh.{key} must be a whole number of seconds; {default} used.")
    return default


def load_settings(environ: Mapping[str, str] | None = None, config: ConfigFile | None = None) -> SshSettings:
    """SshSettings from MARIMO_PAIR_SSH_OPTS and config.toml's [ssh]; problems become warnings."""
    env = os.environ if environ is None else environ
    config = config or read_config()
    warnings: list[str] = []
    if config.problem is not None:
        warnings.append(f"{config.path}: {config.problem}; [ssh] settings ignored.")
    section, problem = config.section("ssh")
    if problem:
        warnings.append(problem)
    env_options: list[str] = []
    raw_env = env.get(SSH_OPTS_ENV, "")
    if raw_env.strip():
        try:
            env_options = shlex.split(raw_env)
        except ValueError as exc:
            warnings.append(f"{SSH_OPTS_ENV} is not valid shell syntax ({exc}); ignored.")
    config_options = section.get("options", [])
    if isinstance(config_options, str):
        config_options = shlex.split(config_options)
    if not isinstance(config_options, list) or not all(isinstance(o, str) for o in config_options):
        warnings.append(f"{config.path}: ssh.options must be a list of strings; ignored.")
        config_options = []
    hosts = section.get("hosts", [])
    if not isinstance(hosts, list) or not all(isinstance(h, str) and h for h in hosts):
        warnings.append(f"{config.path}: ssh.hosts must be a list of ssh destinations; ignored.")
        hosts = []
    return SshSettings(
        # ssh keeps the first value of each option: the environment beats the file.
        options=tuple([*env_options, *config_options]),
        hosts=tuple(hosts),
        control_persist=_int_setting(section, "control_persist", DEFAULT_CONTROL_PERSIST, config.path, warnings),
        connect_timeout=_int_setting(section, "connect_timeout", DEFAULT_CONNECT_TIMEOUT, config.path, warnings)
        or DEFAULT_CONNECT_TIMEOUT,
        warnings=tuple(warnings),
    )


def check_dest(dest: str) -> str:
    """A destination ssh will take as a host (never as an option)."""
    text = dest.strip()
    if not text or text.startswith("-") or any(c.isspace() for c in text):
        raise UsageError(
            f"{dest!r} is not an ssh destination.",
            next="Pass a Host alias from ~/.ssh/config, user@host, or ssh://user@host:port.",
        )
    return text


# -- classifying ssh's failures --------------------------------------------------


def _last_lines(text: str, count: int = 3) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip() and not line.startswith("Warning: Permanently added")]
    return " ".join(lines[-count:])


def classify_failure(dest: str, stderr: str, *, doing: str = "connecting") -> SshError:
    """Turn ssh's exit-255 stderr into the matching SshError."""
    said = _last_lines(stderr)
    low = stderr.lower()
    quoted = f" (ssh said: {said.rstrip('.')})" if said else ""
    if any(s in low for s in ("could not resolve hostname", "name or service not known",
                              "nodename nor servname", "temporary failure in name resolution",
                              "no address associated with hostname")):
        return SshUnknownHostError(f"ssh does not know the host {dest!r}{quoted}.")
    if "host key verification failed" in low or "remote host identification has changed" in low:
        return SshHostKeyError(f"ssh refused {dest}'s host key{quoted}.")
    if any(s in low for s in ("permission denied", "too many authentication failures",
                              "no more authentication methods", "authentication failed")):
        return SshAuthError(f"{dest} refused the authentication{quoted}.")
    if any(s in low for s in ("port forwarding failed", "forwarding request failed",
                              "cannot listen to port", "could not request local forwarding",
                              "bind: address already in use")):
        return SshForwardError(f"ssh could not set up the port forward to {dest}{quoted}.")
    if "connection refused" in low:
        return SshUnreachableError(f"{dest} refused the SSH connection{quoted}.")
    if "timed out" in low or "timeout" in low:
        return SshUnreachableError(f"Connecting to {dest} over SSH timed out{quoted}.")
    if "no route to host" in low or "network is unreachable" in low:
        return SshUnreachableError(f"{dest} is unreachable{quoted}.")
    if any(s in low for s in ("closed by remote host", "connection closed", "broken pipe",
                              "connection reset", "packet_write_wait", "client_loop: send disconnect")):
        return SshDroppedError(f"The SSH connection to {dest} dropped while {doing}{quoted}.")
    return SshError(f"ssh to {dest} failed while {doing}{quoted or ' (no message)'}.")


# -- the remote registry ---------------------------------------------------------

# One line, no `!`: it goes through the remote login shell (whatever it is)
# as `sh -c '<this>'`. Pids are read with sed because no JSON tool is assumed.
_DISCOVERY_SCRIPT = (
    'M="{mark}"; '
    'd="${{XDG_STATE_HOME:-$HOME/.local/state}}/marimo/servers"; '
    'echo "$M dir $d"; '
    'if [ -d "$d" ]; then '
    'for f in "$d"/*.json; do '
    '[ -f "$f" ] || continue; '
    'echo "$M file ${{f##*/}}"; '
    'cat "$f"; echo; '
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
    return "sh -c " + shlex.quote(_DISCOVERY_SCRIPT.format(mark=mark))


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
        if word == "dir":
            scan.directory = rest
        elif word == "noregistry":
            scan.missing = True
        elif word == "file":
            current, body = rest, []
        elif word == "end" and current is not None:
            _add_entry(scan, current, "\n".join(body), rest.split())
            current = None
        elif word == "done":
            done = True
    if not done:
        raise SshDroppedError(f"The SSH connection to {dest} dropped while reading the marimo registry there.")
    return scan


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


# -- ports -------------------------------------------------------------------------


def free_port() -> int:
    """A currently free loopback port (bind to 0, release)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def port_listening(port: int) -> bool:
    """True when something holds 127.0.0.1:port (a bind test: opens no connection)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((LOOPBACK, port))
        except OSError:
            return True
    return False


# -- the control socket directory ---------------------------------------------------


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
    runtime = os.environ.get("XDG_RUNTIME_DIR")
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


# -- forwards ----------------------------------------------------------------------


def _bracket(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


@dataclass
class Forward:
    """127.0.0.1:local_port here -> remote_host:remote_port as seen from the ssh host."""

    host: "SshHost"
    remote_host: str
    remote_port: int
    local_port: int
    process: subprocess.Popen[bytes] | None = None  # a dedicated `ssh -L`; None: in the master
    stderr: IO[bytes] | None = None
    closed: bool = False

    @property
    def spec(self) -> str:
        return f"{LOOPBACK}:{self.local_port}:{_bracket(self.remote_host)}:{self.remote_port}"

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
            _end_process(self.process)
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
            _end_process(self.process)
            self.process = None
        self.host._establish(self, dedicated=self.stderr is not None)


def _end_process(process: subprocess.Popen[bytes], grace: float = 3.0) -> None:
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


# -- one host --------------------------------------------------------------------


class SshHost:
    """One ssh destination with our options; thread-safe (the Hub calls it from threads)."""

    def __init__(self, dest: str, settings: SshSettings | None = None, *, batch: bool = True) -> None:
        self.dest = check_dest(dest)
        self.settings = settings or load_settings()
        self.batch = batch
        self.control_path = control_path(self.dest, self.settings.options) if self.settings.multiplex else None
        self._lock = threading.Lock()

    @property
    def multiplexed(self) -> bool:
        return self.control_path is not None

    def binary(self) -> str:
        found = shutil.which("ssh")
        if found is None:
            raise SshMissingError("The `ssh` command was not found on PATH.")
        return found

    def args(self, *, batch: bool | None = None, control: bool = True) -> list[str]:
        """ssh plus options; the user's come first because ssh keeps the first value of each."""
        batch = self.batch if batch is None else batch
        args = [self.binary(), *self.settings.options,
                "-o", f"BatchMode={'yes' if batch else 'no'}",
                "-o", f"ConnectTimeout={self.settings.connect_timeout}",
                "-o", "ServerAliveInterval=15",
                "-o", "ServerAliveCountMax=3"]
        if control and self.control_path is not None:
            args += ["-o", "ControlMaster=auto", "-o", f"ControlPath={self.control_path}",
                     "-o", f"ControlPersist={self.settings.control_persist}"]
        else:
            args += ["-o", "ControlMaster=no", "-o", "ControlPath=none"]
        return args

    @property
    def deadline(self) -> float:
        return self.settings.connect_timeout + CALL_MARGIN

    def _run(self, args: list[str], *, doing: str, timeout: float | None = None) -> subprocess.CompletedProcess[str]:
        try:
            result = subprocess.run(
                args, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                errors="replace", timeout=timeout or self.deadline,
            )
        except FileNotFoundError:
            raise SshMissingError(f"The ssh command {args[0]!r} could not be run.") from None
        except subprocess.TimeoutExpired:
            raise SshUnreachableError(
                f"ssh to {self.dest} did not finish {doing} within {timeout or self.deadline:.0f} s."
            ) from None
        if result.returncode == SSH_FAILED:
            raise classify_failure(self.dest, result.stderr, doing=doing)
        return result

    def run(self, command: str, *, doing: str = "running a command") -> subprocess.CompletedProcess[str]:
        """Run one remote command line (through the master when there is one)."""
        return self._run([*self.args(), self.dest, command], doing=doing)

    # -- discovery ------------------------------------------------------------------

    def discover(self) -> RemoteScan:
        """The remote registry's live entries; dead pids and bad files become warnings."""
        mark = f"@@marimo-pair-{secrets.token_hex(6)}"
        result = self.run(discovery_command(mark), doing="reading the marimo registry")
        if result.returncode != 0:
            raise SshError(
                f"The discovery command failed on {self.dest} (exit {result.returncode}): "
                f"{_last_lines(result.stderr) or 'no message'}.",
                next="A POSIX sh is needed on the remote host; check `ssh DEST sh -c true`.",
            )
        return parse_discovery(self.dest, mark, result.stdout)

    # -- the master -----------------------------------------------------------------

    def master_pid(self) -> int | None:
        """The running ControlMaster's pid, or None."""
        if self.control_path is None or not self.control_path.exists():
            return None
        try:
            result = subprocess.run([*self.args(), "-O", "check", self.dest], stdin=subprocess.DEVNULL,
                                    capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            return None
        if result.returncode != 0:
            return None
        text = result.stderr + result.stdout
        start = text.find("pid=")
        digits = "".join(c for c in text[start + 4:start + 16] if c.isdigit()) if start >= 0 else ""
        return int(digits) if digits else 0

    def ensure_master(self) -> None:
        """A running ControlMaster (made by a trivial command: ControlMaster=auto never leaves strays)."""
        with self._lock:
            if self.master_pid() is None:
                self._run([*self.args(), self.dest, "exit 0"], doing="connecting")

    def exit_master(self) -> None:
        """Stop the ControlMaster now instead of after ControlPersist (its forwards go with it)."""
        if self.control_path is None or not self.control_path.exists():
            return
        try:
            subprocess.run([*self.args(), "-O", "exit", self.dest], stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            pass

    def connect_interactive(self) -> None:
        """Open the master in the user's terminal, so ssh may ask for a passphrase or a host key.

        Later calls (BatchMode) reuse it. Without multiplexing there is nothing to keep.
        """
        if self.control_path is None or self.master_pid() is not None:
            return
        try:
            result = subprocess.run([*self.args(batch=False), self.dest, "exit 0"],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, errors="replace")
        except FileNotFoundError:
            raise SshMissingError("The `ssh` command was not found on PATH.") from None
        if result.returncode == SSH_FAILED:
            raise classify_failure(self.dest, result.stderr)

    # -- forwards -------------------------------------------------------------------

    def forward(self, remote_host: str, remote_port: int, *, dedicated: bool = False) -> Forward:
        """Forward a free local port to remote_host:remote_port on the ssh host.

        Through the master when multiplexing (fast); otherwise, or when
        `dedicated`, with an ssh process of its own that ends with us.
        """
        forward = Forward(self, remote_host, remote_port, local_port=0)
        self._establish(forward, dedicated=dedicated or not self.multiplexed, pick_port=True)
        return forward

    def _establish(self, forward: Forward, *, dedicated: bool, pick_port: bool = False) -> None:
        attempts = 3 if pick_port else 1
        for attempt in range(attempts):
            if pick_port:
                forward.local_port = free_port()
            try:
                if dedicated:
                    self._start_dedicated(forward)
                else:
                    self.ensure_master()
                    self._run([*self.args(), "-O", "forward", "-L", forward.spec, self.dest],
                              doing=f"forwarding a port to {_bracket(forward.remote_host)}:{forward.remote_port}")
                return
            except SshForwardError:
                # Someone took the port between our check and ssh's bind: try another.
                if attempt == attempts - 1:
                    raise

    def _start_dedicated(self, forward: Forward) -> None:
        if forward.stderr is None:
            forward.stderr = tempfile.TemporaryFile()  # read only on failure; a pipe could fill up
        forward.stderr.seek(0)
        forward.stderr.truncate()
        args = [*self.args(control=False), "-T", "-o", "ExitOnForwardFailure=yes",
                "-L", forward.spec, self.dest, "cat >/dev/null"]
        try:
            process = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                       stderr=forward.stderr, start_new_session=True)
        except FileNotFoundError:
            raise SshMissingError(f"The ssh command {args[0]!r} could not be run.") from None
        deadline = time.monotonic() + self.deadline
        while True:
            code = process.poll()
            if code is not None:
                forward.stderr.seek(0)
                text = forward.stderr.read().decode("utf-8", "replace")
                raise classify_failure(self.dest, text, doing="forwarding a port")
            if port_listening(forward.local_port):
                forward.process = process
                return
            if time.monotonic() > deadline:
                _end_process(process)
                raise SshUnreachableError(f"ssh to {self.dest} did not set up the forward within {self.deadline:.0f} s.")
            time.sleep(0.02)

    def cancel(self, forward: Forward) -> None:
        """Remove a forward from the master (best effort: the master may be gone already)."""
        if self.control_path is None or not self.control_path.exists():
            return
        try:
            subprocess.run([*self.args(), "-O", "cancel", "-L", forward.spec, self.dest],
                           stdin=subprocess.DEVNULL, capture_output=True, timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            pass


# -- connections through a forward --------------------------------------------------


class SshConnection(Connection):
    """A Connection to a remote server through a local forward; ssh trouble gets its own errors."""

    def __init__(self, server: ServerInfo, forward: Forward, token: str | None = None) -> None:
        super().__init__(server, token=token, endpoint=forward.local_url(server))
        self.forward = forward

    def _translate_transport(self, exc: httpx.HTTPError) -> PairError:
        if isinstance(exc, httpx.TimeoutException) and not isinstance(exc, httpx.ConnectTimeout):
            return super()._translate_transport(exc)
        dest = self.forward.host.dest
        if not self.forward.alive():
            return SshDroppedError(f"The SSH connection to {dest} dropped (talking to {self.server.url} there).")
        return SshForwardError(
            f"{dest} could not reach {self.server.url} through the forward: nothing listens there "
            "(the server stopped?) or its sshd forbids TCP forwarding.",
            next=SshForwardError.default_next.replace("DEST", dest),
        )
