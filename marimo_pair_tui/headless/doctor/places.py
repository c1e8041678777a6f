"""The ssh client, the config file, and the private directories: state under 0700/0600, the service's
sockets in a 0700 directory.

A file others can reach is a problem (it may hold code, outputs, or name the
notebooks); one inside a directory only we can enter is not, whatever its own
mode (marimo's own cache in the tour's directory is so).
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

from ...core.api import DIR_MODE, FILE_MODE, read_config
from .findings import Finding

WALK_LIMIT = 5000  # entries looked at under the state directory, at most
SHOWN = 10  # exposed paths listed in a finding, at most
OPEN_TO_OTHERS = 0o077


def ssh_client() -> Finding:
    """The OpenSSH client `--ssh` runs, and its version (ssh -V writes it on stderr)."""
    ssh = shutil.which("ssh")
    if ssh is None:
        return Finding("ssh", "warning", "No `ssh` on PATH: --ssh and `tunnel` cannot reach other machines.",
                       next="Install the OpenSSH client (Debian/Ubuntu: apt install openssh-client).")
    try:
        done = subprocess.run([ssh, "-V"], capture_output=True, text=True, timeout=5, stdin=subprocess.DEVNULL)
        version = (done.stderr or done.stdout).strip().splitlines()[0] if (done.stderr or done.stdout).strip() else ""
    except (OSError, subprocess.TimeoutExpired) as exc:
        return Finding("ssh", "warning", f"{ssh} did not say its version ({exc.__class__.__name__}).",
                       next="Check that `ssh -V` runs.", facts={"path": ssh})
    return Finding("ssh", "ok", f"{ssh}: {version or 'version unknown'}", facts={"path": ssh, "version": version})


def config_file(path: Path | None = None) -> Finding:
    """The user's config.toml: absent (defaults), read, or why it is ignored."""
    config = read_config(path)
    facts = {"path": str(config.path), "exists": config.path.exists(), "sections": sorted(config.data)}
    if config.problem is not None:
        return Finding("config", "warning", f"{config.path} is ignored: {config.problem}.",
                       next=f"Fix {config.path} (TOML; see docs/configuration.md), or remove it for the defaults.",
                       facts=facts)
    if not facts["exists"]:
        return Finding("config", "ok", f"{config.path} does not exist: the defaults are used.", facts=facts)
    return Finding("config", "ok", f"{config.path}: read", facts=facts)


def exposed(root: Path) -> list[tuple[Path, os.stat_result]]:
    """Entries under `root` (itself included) that another user can reach and that are open to them or not ours."""
    found: list[tuple[Path, os.stat_result]] = []
    seen = 0
    pending = [root]
    while pending and seen < WALK_LIMIT:
        path = pending.pop()
        seen += 1
        try:
            info = path.lstat()
        except OSError:
            continue
        if stat.S_ISLNK(info.st_mode):
            continue
        if stat.S_IMODE(info.st_mode) & OPEN_TO_OTHERS or info.st_uid != os.getuid():
            found.append((path, info))
        if stat.S_ISDIR(info.st_mode) and stat.S_IMODE(info.st_mode) & 0o011:  # others may enter: look inside
            try:
                pending.extend(sorted(path.iterdir()))
            except OSError:
                continue
    return found


def fix_for(path: Path, info: os.stat_result) -> str:
    if info.st_uid != os.getuid():
        return f"{path} belongs to uid {info.st_uid}: remove it (it is recreated as yours)"
    mode = DIR_MODE if stat.S_ISDIR(info.st_mode) else FILE_MODE
    return f"chmod {mode:o} {path}"


def private_directory(check: str, root: Path, what: str) -> Finding:
    """One private directory: missing (fine), private, or what to chmod."""
    facts: dict[str, object] = {"path": str(root)}
    try:
        info = root.lstat()
    except FileNotFoundError:
        return Finding(check, "ok", f"{root} ({what}) does not exist yet; it is made private when first used.",
                       facts={**facts, "exists": False})
    except OSError as exc:
        return Finding(check, "problem", f"{root} cannot be read: {exc.strerror or exc}",
                       next=f"Check {root}'s owner and mode (expected: yours, {DIR_MODE:o}).", facts=facts)
    facts.update({"exists": True, "mode": f"{stat.S_IMODE(info.st_mode):o}"})
    bad = exposed(root)
    if not bad:
        return Finding(check, "ok", f"{root} ({what}): private ({stat.S_IMODE(info.st_mode):o})", facts=facts)
    shown = [{"path": str(p), "mode": f"{stat.S_IMODE(i.st_mode):o}", "uid": i.st_uid} for p, i in bad[:SHOWN]]
    fixes = "; ".join(fix_for(p, i) for p, i in bad[:SHOWN])
    more = f" (and {len(bad) - SHOWN} more)" if len(bad) > SHOWN else ""
    return Finding(check, "problem", f"{len(bad)} entr{'y' if len(bad) == 1 else 'ies'} under {root} ({what}) "
                   f"other users can reach{more}.", next=fixes, facts={**facts, "exposed": shown})
