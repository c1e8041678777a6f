"""Build the sdist and wheel as a release would, and install the wheel as users do (uv tool, pipx).

Each install is a regular one (the wheel's files copied into a fresh environment, not a link to
the checkout) in a directory of the caller's, and the installers find packages where this
machine's pip does: pip's configuration (its indexes, find-links and certificate) is handed to
uv as UV_* variables, and pipx runs pip itself.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

from uv import find_uv_bin

ROOT = Path(__file__).resolve().parents[2]
TOOL = "marimo-pair-tui"
# What an installer needs from the caller's environment: the registries' settings, certificates,
# proxies, the locale. Nothing of the checkout (PYTHONPATH, VIRTUAL_ENV) passes.
_PASSED = ("HOME", "LANG", "LC_ALL", "TMPDIR", "SSL_CERT_FILE", "SSL_CERT_DIR",
           "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy")
_PASSED_PREFIXES = ("PIP_", "UV_")
_PIP_SETTING = re.compile(r"^[^=]*\.(index-url|extra-index-url|find-links|cert)='(.*)'$")


def run(argv: list[str], *, env: dict[str, str], cwd: Path, timeout: float = 600) -> str:
    """Run a build or install step; its stdout, or an AssertionError that shows what it said."""
    proc = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"{' '.join(argv)} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def pip_settings() -> dict[str, list[str]]:
    """This machine's pip configuration that says where packages come from (`pip config list`)."""
    out = subprocess.run([sys.executable, "-m", "pip", "config", "list"], capture_output=True, text=True,
                         check=True, timeout=60).stdout
    found: dict[str, list[str]] = {}
    for line in out.splitlines():
        match = _PIP_SETTING.match(line.strip())
        if match:
            values = found.setdefault(match.group(1), [])
            values.extend(v for v in match.group(2).split() if v not in values)
    return found


def installer_env(**extra: str) -> dict[str, str]:
    """A clean environment for uv and pip that finds packages where this machine's pip does."""
    env = {k: v for k, v in os.environ.items() if k in _PASSED or k.startswith(_PASSED_PREFIXES)}
    env["PATH"] = "/usr/local/bin:/usr/bin:/bin"
    pip = pip_settings()
    as_uv = {
        "UV_DEFAULT_INDEX": " ".join(pip.get("index-url", [])[:1]),
        "UV_INDEX": " ".join(pip.get("extra-index-url", [])),
        "UV_FIND_LINKS": ",".join(pip.get("find-links", [])),
        "SSL_CERT_FILE": " ".join(pip.get("cert", [])[:1]),
    }
    for name, value in as_uv.items():
        if value and name not in env:
            env[name] = value
    # pip takes the best version across all its indexes; uv, by default, the first index that has the package.
    env.setdefault("UV_INDEX_STRATEGY", "unsafe-best-match")
    env.setdefault("UV_PYTHON_DOWNLOADS", "never")
    env.update(extra)
    return env


@dataclass(frozen=True)
class Dist:
    sdist: Path
    wheel: Path

    def metadata(self) -> str:
        """The wheel's METADATA, as a registry reads it."""
        with zipfile.ZipFile(self.wheel) as archive:
            name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
            return archive.read(name).decode("utf-8")

    def version(self) -> str:
        match = re.search(r"^Version: (\S+)$", self.metadata(), re.MULTILINE)
        assert match, "the wheel's METADATA has no Version"
        return match.group(1)


def build(out_dir: Path) -> Dist:
    """The sdist of the checkout and the wheel built from that sdist (`uv build`), in `out_dir`."""
    run([find_uv_bin(), "build", "--python", sys.executable, "--out-dir", str(out_dir), str(ROOT)],
        env=installer_env(), cwd=out_dir)
    (sdist,) = out_dir.glob("*.tar.gz")
    (wheel,) = out_dir.glob("*.whl")
    return Dist(sdist, wheel)


def build_wheel(out_dir: Path) -> Path:
    """The checkout's wheel alone (`uv build --wheel`), in `out_dir`."""
    run([find_uv_bin(), "build", "--wheel", "--python", sys.executable, "--out-dir", str(out_dir), str(ROOT)],
        env=installer_env(), cwd=out_dir)
    (wheel,) = out_dir.glob("*.whl")
    return wheel


@dataclass(frozen=True)
class Installed:
    """A regular install: its command, and the environment the installer made for it."""

    how: str
    command: Path
    venv: Path

    def site_packages(self) -> Path:
        (found,) = self.venv.glob("lib/python3*/site-packages")
        return found


def uv_tool_install(wheel: Path, home: Path) -> Installed:
    """`uv tool install WHEEL`, with its tools and their commands under `home`."""
    env = installer_env(UV_TOOL_DIR=str(home / "tools"), UV_TOOL_BIN_DIR=str(home / "bin"))
    run([find_uv_bin(), "tool", "install", "--python", sys.executable, str(wheel)], env=env, cwd=home)
    return Installed("uv tool", home / "bin" / TOOL, home / "tools" / TOOL)


def pipx_install(wheel: Path, home: Path) -> Installed:
    """`pipx install WHEEL` with pip as its installer, its environments and commands under `home`."""
    env = installer_env(PIPX_HOME=str(home / "pipx"), PIPX_BIN_DIR=str(home / "bin"), PIPX_MAN_DIR=str(home / "man"))
    run([sys.executable, "-m", "pipx", "install", "--backend", "pip", "--python", sys.executable, str(wheel)],
        env=env, cwd=home)
    return Installed("pipx", home / "bin" / TOOL, home / "pipx" / "venvs" / TOOL)
