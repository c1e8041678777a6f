"""A private tmux server (its own socket) running one command at a given size, read off the screen."""

from __future__ import annotations

import secrets
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Callable

from .waiting import wait_until


def app_command(notebook: Path, state_home: Path, config_home: Path) -> str:
    """The shell command that runs the real app on `notebook`, with private state and config."""
    return " ".join([
        "env",
        f"XDG_STATE_HOME={shlex.quote(str(state_home))}",
        f"XDG_CONFIG_HOME={shlex.quote(str(config_home))}",
        "TERM=xterm-256color",
        shlex.quote(sys.executable), "-m", "marimo_pair_tui", shlex.quote(str(notebook)),
    ])


class Tmux:
    """One session on a private tmux server; `kill()` ends the server and what runs in it."""

    def __init__(self, name: str, config: Path | None = None) -> None:
        self.name = name
        self.socket = f"mpt-{name}-{secrets.token_hex(4)}"
        self.config = config  # a tmux.conf the server reads when it starts (else none)

    def __call__(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        config = ["-f", str(self.config)] if self.config is not None else []
        return subprocess.run(["tmux", "-L", self.socket, *config, *args], capture_output=True, text=True, check=check, timeout=30)

    def start(self, command: str, status_file: Path, width: int = 80, height: int = 24) -> None:
        """Run `command` under sh at width x height; its exit status lands in `status_file`."""
        script = command + f"; echo $? > {shlex.quote(str(status_file))}"
        self("new-session", "-d", "-x", str(width), "-y", str(height), "-s", self.name, f"sh -c {shlex.quote(script)}")

    def send(self, *keys: str) -> None:
        self("send-keys", "-t", self.name, *keys)

    def screen(self) -> str:
        return self("capture-pane", "-p", "-t", self.name).stdout

    def styled(self) -> str:
        """The screen with its escape sequences (colours, bold): where the cursor is shows here."""
        return self("capture-pane", "-e", "-p", "-t", self.name, check=False).stdout

    def wait_for(self, predicate: Callable[[str, bool], bool], timeout: float = 60.0, what: str = "the screen") -> str:
        """Poll the screen until predicate(text, alive) holds; alive is False once the session ended."""
        seen = [""]

        def look() -> tuple[str] | None:
            # One call answers both: the server can exit between two calls (the app quitting),
            # and a capture that fails then means the session is gone, not an error.
            capture = self("capture-pane", "-p", "-t", self.name, check=False)
            alive = capture.returncode == 0
            seen[0] = capture.stdout if alive else ""
            return (seen[0],) if predicate(seen[0], alive) else None

        return wait_until(look, timeout, what, interval=0.1, ignoring=(), detail=lambda: f"screen was:\n{seen[0]}")[0]

    def kill(self) -> None:
        self("kill-server", check=False)
