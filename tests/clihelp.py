"""Run the real `marimo-pair-tui --headless` command in a subprocess and read its JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence


@dataclass
class CliResult:
    code: int
    stdout: str
    stderr: str

    @property
    def lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.stdout.splitlines() if line.strip()]

    @property
    def json(self) -> dict[str, Any]:
        lines = self.lines
        assert len(lines) == 1, f"expected one JSON document, got {self.stdout!r} (stderr {self.stderr!r})"
        return lines[0]


def cli_env(state_home: Path | None = None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("MARIMO_TOKEN", "MARIMO_PAIR_URLS")}
    if state_home is not None:
        env["XDG_STATE_HOME"] = str(state_home)
    env.update(extra)
    return env


def run_cli(
    args: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    stdin: bytes | None = None,
    cwd: Path | None = None,
    timeout: float = 120,
) -> CliResult:
    proc = subprocess.run(
        [sys.executable, "-m", "marimo_pair_tui", "--headless", *args],
        input=stdin if stdin is not None else b"",
        capture_output=True,
        env=dict(env) if env is not None else cli_env(),
        cwd=str(cwd) if cwd else None,
        timeout=timeout,
    )
    return CliResult(proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8"))


def start_cli(args: Sequence[str], *, env: Mapping[str, str] | None = None) -> subprocess.Popen[bytes]:
    """A headless command left running (for streams the test reads as they come)."""
    return subprocess.Popen(
        [sys.executable, "-m", "marimo_pair_tui", "--headless", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=dict(env) if env is not None else cli_env(),
    )
