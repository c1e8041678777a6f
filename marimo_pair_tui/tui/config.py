"""The user's configuration: `[keys]` remaps bindings by their id.

    # ~/.config/marimo-pair-tui/config.toml
    [keys]
    run-snippet = "f5"
    interrupt = "ctrl+t,f8"

    [app]
    theme = "nord"          # written by the app when a theme is picked (tui/theme_setting.py)

Ids are the `id` of each Binding (listed in docs/app.md and on the F1 help
screen); values are Textual key strings, comma separated for several keys.
The keymap is applied with `App.set_keymap`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from ..core.api import APP_NAME, config_path, read_config

__all__ = ["APP_NAME", "Config", "config_path", "load_config"]


@dataclass
class Config:
    keymap: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    path: Path | None = None
    theme: str | None = None  # as written; the app checks it names a theme it has


def load_config(path: Path | None = None, known_ids: Iterable[str] = ()) -> Config:
    """Read config.toml; problems become warnings (the app still starts)."""
    path = path or config_path()
    config = Config(path=path)
    file = read_config(path)
    if file.problem is not None:
        config.warnings.append(f"{path}: {file.problem}; default keys and theme used.")
        return config
    config.theme = _theme(file.data.get("app", {}), path, config.warnings)
    keys = file.data.get("keys", {})
    if not isinstance(keys, dict):
        config.warnings.append(f"{path}: [keys] must be a table of id = \"key\"; ignored.")
        return config
    known = set(known_ids)
    for binding_id, key in keys.items():
        if not isinstance(key, str) or not key.strip():
            config.warnings.append(f"{path}: keys.{binding_id} must be a key string such as \"ctrl+r\"; ignored.")
            continue
        if known and binding_id not in known:
            config.warnings.append(f"{path}: no binding has the id {binding_id!r}; ignored (see F1 for the ids).")
            continue
        config.keymap[binding_id] = ",".join(k.strip() for k in key.split(",") if k.strip())
    return config


def _theme(app: object, path: Path, warnings: list[str]) -> str | None:
    """`[app] theme`, if it is a string (whether it names a theme is the app's to say)."""
    if not isinstance(app, dict):
        warnings.append(f"{path}: [app] must be a table such as theme = \"nord\"; ignored.")
        return None
    theme = app.get("theme")
    if theme is None:
        return None
    if isinstance(theme, str) and theme.strip():
        return theme.strip()
    warnings.append(f"{path}: app.theme must be a theme name such as \"nord\"; the default theme is used.")
    return None
