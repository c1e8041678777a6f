"""One ssh destination: its ControlMaster, remote commands and forwards.

One ControlMaster per host and option set, with a private control socket and
a short ControlPersist, so repeated headless calls skip the handshake. ssh
runs with BatchMode (never a prompt) and ConnectTimeout, and every call has
an overall deadline: a headless call never hangs.
"""

from __future__ import annotations

import secrets
import shutil
import subprocess
import tempfile
import threading
import time

from ..errors import SshError, SshForwardError, SshMissingError, SshUnreachableError
from .control import control_path
from .failures import check_dest, classify_failure, last_lines
from ..wire.ports import free_port, port_listening
from ..state.private import child_environ
from .forward import Forward, bracket_host, end_process
from .registry import RemoteScan, discovery_command, parse_discovery
from .settings import SshSettings, load_settings

# ssh's own exit status for its failures (a remote command's status passes through).
SSH_FAILED = 255
# Beyond ConnectTimeout (TCP only), how long the handshake and a short remote
# command may take before we give up on the call.
CALL_MARGIN = 20.0


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
                errors="replace", timeout=timeout or self.deadline, env=child_environ(),
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
                f"{last_lines(result.stderr) or 'no message'}.",
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
                                    capture_output=True, text=True, timeout=10, env=child_environ())
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
                           capture_output=True, timeout=10, env=child_environ())
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
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, errors="replace",
                                    env=child_environ())
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

    def reestablish(self, forward: Forward) -> None:
        """Forward the same local port again after the connection dropped, the way it was made: with an
        ssh process of its own when it had one (its stderr file says so), else through the master."""
        self._establish(forward, dedicated=forward.stderr is not None)

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
                              doing=f"forwarding a port to {bracket_host(forward.remote_host)}:{forward.remote_port}")
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
                                       stderr=forward.stderr, start_new_session=True, env=child_environ())
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
                end_process(process)
                raise SshUnreachableError(f"ssh to {self.dest} did not set up the forward within {self.deadline:.0f} s.")
            time.sleep(0.02)

    def cancel(self, forward: Forward) -> None:
        """Remove a forward from the master (best effort: the master may be gone already)."""
        if self.control_path is None or not self.control_path.exists():
            return
        try:
            subprocess.run([*self.args(), "-O", "cancel", "-L", forward.spec, self.dest],
                           stdin=subprocess.DEVNULL, capture_output=True, timeout=10, env=child_environ())
        except (OSError, subprocess.TimeoutExpired):
            pass
