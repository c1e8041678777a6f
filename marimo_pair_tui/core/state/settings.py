"""The user's config file, read once for both front doors.

    # ~/.config/marimo-pair-tui/config.toml  (platformdirs' user_config_dir)
    [keys]                      # the terminal app's key map (tui/config.py)
    run-snippet = "f5"

    [ssh]                       # remote notebooks (core/ssh/)
    hosts = ["gpu-box", "me@cluster"]
    options = ["-F", "~/.ssh/work_config"]

This module only finds and parses the file; each section is interpreted by
its owner. A missing file is an empty config; an unreadable or invalid one is
reported as a problem, never raised, so that a typo does not stop the tool.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from platformdirs import user_config_dir

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

APP_NAME = "marimo-pair-tui"


def config_path() -> Path:
    """Where config.toml lives (honours XDG_CONFIG_HOME on Linux)."""
    return Path(user_config_dir(APP_NAME, appauthor=False)) / "config.toml"


@dataclass
class ConfigFile:
    """The parsed file: `data` is empty when the file is missing or broken (`problem` says why)."""

    path: Path
    data: dict[str, Any] = field(default_factory=dict)
    problem: str | None = None

    def section(self, name: str) -> tuple[dict[str, Any], str | None]:
        """One `[name]` table, or ({}, a warning) when it is not a table."""
        value = self.data.get(name, {})
        if isinstance(value, dict):
            return value, None
        return {}, f"{self.path}: [{name}] must be a table; ignored."


def read_config(path: Path | None = None) -> ConfigFile:
    """Read and parse config.toml; never raises for a missing or invalid file."""
    path = path or config_path()
    config = ConfigFile(path=path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return config
    except OSError as exc:
        config.problem = f"unreadable ({exc.strerror or exc})"
        return config
    try:
        config.data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        config.problem = f"not valid TOML ({exc})"
    return config
