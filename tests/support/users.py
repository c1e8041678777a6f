"""Real Unix users for the tests of whom the pairing service trusts.

The tests run as root (CI does); they create two unprivileged users with
`useradd` and run commands as them with `runuser`. Each user runs this very
checkout with this interpreter, so the directories on the way to both are
made traversable (o+x, no listing) for the test and restored afterwards.
"""

from __future__ import annotations

import os
import pwd
import shutil
import stat
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Sequence

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class User:
    name: str
    uid: int
    gid: int
    home: Path

    def env(self, **extra: str) -> dict[str, str]:
        """A clean environment for this user (no runtime dir: the shared temp dir is where attacks land)."""
        env = {
            "HOME": str(self.home), "USER": self.name, "LOGNAME": self.name,
            "PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8",
            "XDG_STATE_HOME": str(self.home / "state"), "PYTHONPATH": str(ROOT),
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        env.update(extra)
        return env

    def argv(self, args: Sequence[str], env: dict[str, str]) -> list[str]:
        return ["runuser", "-u", self.name, "--", "env", "-i", *(f"{k}={v}" for k, v in env.items()), *args]

    def run(self, args: Sequence[str], env: dict[str, str], *, stdin: bytes = b"",
            timeout: float = 120) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(self.argv(args, env), input=stdin, capture_output=True, timeout=timeout)

    def popen(self, args: Sequence[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        return subprocess.Popen(self.argv(args, env), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)

    def cli(self, args: Sequence[str], env: dict[str, str], **kwargs: object) -> subprocess.CompletedProcess[bytes]:
        return self.run([sys.executable, "-m", "marimo_pair_tui", "--headless", *args], env, **kwargs)  # type: ignore[arg-type]


@dataclass
class Users:
    """Two users and a shared, sticky temporary directory standing in for /tmp."""

    victim: User
    mallory: User
    shared_tmp: Path
    _restore: list[tuple[Path, int]] = field(default_factory=list)


def _ensure_user(name: str, base: Path) -> User:
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        subprocess.run(["useradd", "--no-create-home", "--user-group", "--shell", "/usr/sbin/nologin", name],
                       check=True, capture_output=True)
        entry = pwd.getpwnam(name)
    home = base / name
    home.mkdir(mode=0o700)
    (home / "state").mkdir(mode=0o700)
    for path in (home, home / "state"):
        os.chown(path, entry.pw_uid, entry.pw_gid)
    return User(name, entry.pw_uid, entry.pw_gid, home)


def _open_the_way(paths: Sequence[Path], restore: list[tuple[Path, int]]) -> None:
    """o+x on every directory above `paths` that lacks it (traverse, not list), remembered for later."""
    for path in paths:
        for parent in [path, *path.parents]:
            try:
                mode = parent.stat().st_mode
            except OSError:
                continue
            if stat.S_ISDIR(mode) and not mode & stat.S_IXOTH:
                restore.append((parent, stat.S_IMODE(mode)))
                parent.chmod(stat.S_IMODE(mode) | stat.S_IXOTH)


def make_users() -> Iterator[Users]:
    """The fixture's body: users, a shared sticky temp dir, the way to the code opened; undone after."""
    base = Path(tempfile.mkdtemp(prefix="mpt-users-", dir="/tmp"))
    base.chmod(0o755)
    shared = base / "tmp"
    shared.mkdir()
    shared.chmod(0o1777)
    restore: list[tuple[Path, int]] = []
    try:
        _open_the_way([ROOT, Path(sys.executable).resolve().parent, Path(sys.prefix)], restore)
        users = Users(_ensure_user("mpt-victim", base), _ensure_user("mpt-mallory", base), shared, restore)
        yield users
    finally:
        for path, mode in reversed(restore):
            try:
                path.chmod(mode)
            except OSError:
                pass
        _kill_user_processes(("mpt-victim", "mpt-mallory"))
        shutil.rmtree(base, ignore_errors=True)


def _kill_user_processes(names: Sequence[str]) -> None:
    """End what the test users still run (their services, a fake listener), by pid."""
    uids = set()
    for name in names:
        try:
            uids.add(pwd.getpwnam(name).pw_uid)
        except KeyError:
            pass
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if entry.stat().st_uid in uids:
                os.kill(int(entry.name), 9)
        except (OSError, ProcessLookupError):
            pass
