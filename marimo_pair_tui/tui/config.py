"""The user's configuration: `[keys]` remaps bindings by their id.

    # ~/.config/marimo-pair-tui/config.toml
    [keys]
    run-snippet = "f5"
    interrupt = "ctrl+t,f8"

Ids are the `id` of each Binding (listed in the README and on the F1 help
screen); values are Textual key strings, comma separated for several keys.
The keymap is applied with `App.set_keymap`.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from platformdirs import user_config_dir

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

APP_NAME = "marimo-pair-tui"


def config_path() -> Path:
    return Path(user_config_dir(APP_NAME, appauthor=False)) / "config.toml"


@dataclass
class Config:
    keymap: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    path: Path | None = None


def load_config(path: Path | None = None, known_ids: Iterable[str] = ()) -> Config:
    """Read config.toml; problems become warnings (the app still starts)."""
    path = path or config_path()
    config = Config(path=path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return config
    except OSError as exc:
        config.warnings.append(f"{path}: unreadable ({exc.strerror or exc}); default keys used.")
        return config
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        config.warnings.append(f"{path}: not valid TOML ({exc}); default keys used.")
        return config
    keys = data.get("keys", {})
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
