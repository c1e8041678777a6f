"""Write one setting into the user's config.toml, keeping the rest of the file as they wrote it.

The file is the user's: their comments, order and other sections stay (tomlkit
edits the document in place). It is replaced atomically, with the mode it had
(0600 when new), and a symlinked config.toml (dotfiles) is written through to
its target. A file that is not valid TOML is left alone: writing would drop
what the user meant to say there.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .private import replace_file
from .settings import config_path

NEW_FILE_MODE = 0o600


class ConfigEditError(Exception):
    """The setting could not be written; the message names the file and what stands in the way."""


def set_config_value(section: str, key: str, value: str, path: Path | None = None) -> Path:
    """Set `[section] key = value` in config.toml (created if missing); the file written."""
    import tomlkit  # only a setting saved needs it: not every headless call, which imports this module
    from tomlkit.exceptions import TOMLKitError

    path = Path(os.path.realpath(path or config_path()))
    try:
        text = path.read_text(encoding="utf-8") if path.exists() else ""
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigEditError(f"{path} could not be read ({exc}); {section}.{key} was not saved.") from exc
    try:
        document = tomlkit.parse(text)
    except TOMLKitError as exc:
        raise ConfigEditError(f"{path} is not valid TOML ({exc}); {section}.{key} was not saved: "
                              "fix the file and it will be next time.") from exc
    table = document.get(section)
    if table is None:
        table = tomlkit.table()
        document[section] = table
    elif not isinstance(table, dict):
        raise ConfigEditError(f"{path}: {section} is not a table; {section}.{key} was not saved.")
    table[key] = value
    try:
        _replace(path, tomlkit.dumps(document))
    except OSError as exc:
        raise ConfigEditError(f"Could not write {path} ({exc.strerror or exc}); {section}.{key} was not saved.") from exc
    return path


def _replace(path: Path, text: str) -> None:
    """Write `text` to `path` atomically, keeping its mode (0600 when new)."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mode = NEW_FILE_MODE
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    replace_file(path, text, mode)
