"""The command as users get it: the checkout's wheel installed with `uv tool install` (not editable).

Its calls run with the benchmark's state directory but a runtime directory of their own, so the
install starts and keeps its own pairing service beside the checkout's (one service per socket).
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tests.support.packaging import build_wheel, uv_tool_install

from .common import Env


@dataclass(frozen=True)
class RegularInstall:
    command: Path
    env: dict[str, str]

    def service(self, verb: str) -> int:
        """`--headless service VERB` of this install; its exit code."""
        return subprocess.run([str(self.command), "--headless", "service", verb], capture_output=True,
                              env=self.env, timeout=60).returncode


_INSTALLS: dict[Path, RegularInstall] = {}


def shared(env: Env) -> RegularInstall:
    """The run's one regular install (built on first use): every section that measures it shares it."""
    if env.base not in _INSTALLS:
        _INSTALLS[env.base] = install(env)
    return _INSTALLS[env.base]


def install(env: Env) -> RegularInstall:
    """Build the wheel and install it under the run's directory; the command and its environment."""
    home = Path(tempfile.mkdtemp(prefix="install-", dir=env.base))
    (home / "dist").mkdir()
    installed = uv_tool_install(build_wheel(home / "dist"), home)
    runtime = Path(tempfile.mkdtemp(prefix="rt-", dir=env.base))
    os.chmod(runtime, 0o700)
    calls = env.vars(XDG_RUNTIME_DIR=str(runtime))
    for name in ("PYTHONPATH", "VIRTUAL_ENV"):  # nothing of the checkout's environment
        calls.pop(name, None)
    return RegularInstall(installed.command, calls)
