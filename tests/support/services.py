"""The pairing services the tests' one-shot calls start: where they live and how they end.

Every headless call goes through a per-user service (one per state
directory) unless told otherwise. The test session gives them a private
runtime directory; each test's services are stopped by pid when it ends.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from marimo_pair_tui.headless.service import wire as service_wire


def service_pids(directory: Path) -> dict[Path, int]:
    """The services whose lock files are in `directory`: lock file -> pid."""
    found: dict[Path, int] = {}
    if not directory.is_dir():
        return found
    for lock in directory.glob("service-*.lock"):
        try:
            text = lock.read_text().strip()
        except OSError:
            continue
        if text.isdigit():
            found[lock] = int(text)
    return found


def alive(pid: int) -> bool:
    """Running: not gone, and not a zombie waiting for its parent (or init) to reap it."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a child of ours that ended is a zombie until reaped
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            return False
    except ChildProcessError:
        pass
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def stop_pid(pid: int, timeout: float = 10.0) -> None:
    """SIGTERM, then SIGKILL if it lingers; returns once the process is gone."""
    if not alive(pid):
        return
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not alive(pid):
            return
        time.sleep(0.02)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    while alive(pid):
        time.sleep(0.02)


def processes_naming(*args: str) -> list[int]:
    """Pids of live processes whose command line holds every one of `args` (from /proc)."""
    wanted = [arg.encode() for arg in args]
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if all(arg in cmdline for arg in wanted):
                pids.append(int(entry.name))
    return [pid for pid in pids if alive(pid)]


def is_service(pid: int) -> bool:
    try:
        return b"headless.service.host" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def stop_services(directory: Path) -> list[int]:
    """Stop every service in `directory` (by the pid its lock file holds); their pids."""
    stopped = []
    for lock, pid in service_pids(directory).items():
        if alive(pid) and is_service(pid):
            stop_pid(pid)
            stopped.append(pid)
        lock.unlink(missing_ok=True)
    return stopped


def runtime_services_dir(runtime: Path) -> Path:
    return Path(service_wire.runtime_dir({"XDG_RUNTIME_DIR": str(runtime)}))
