"""`install-skill`: the guide (SKILL.md) written where a coding agent loads skills from.

Each agent reads skills from a user-level and a project-level directory, one folder per skill
named as its front matter's `name` (marimo-pair-tui):

- Claude Code: ~/.claude/skills/, and .claude/skills/ in the project;
- Codex: ~/.agents/skills/, and .agents/skills/ in the project (the open agent-skills places);
- opencode: ~/.config/opencode/skills/ ($XDG_CONFIG_HOME when set), and .opencode/skills/.

Nothing else is written: the directories on that path, and SKILL.md itself (through a temporary
file beside it, so a reader never sees half a file and a symlink in its place is replaced, not
written through). A different SKILL.md already there is left alone unless `force`.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ...core.api import ConflictError, Document, UsageError

SKILL = "marimo-pair-tui"
AGENTS = ("claude", "codex", "opencode")
PROJECT_DIRS = {"claude": ".claude/skills", "codex": ".agents/skills", "opencode": ".opencode/skills"}


class SkillExistsError(ConflictError):
    kind = "skill_exists"
    default_next = ("Compare it with `marimo-pair-tui --headless guide`; pass --force to replace it with this "
                    "version's guide.")


class SkillWriteError(UsageError):
    kind = "storage"
    default_next = "Make the directory writable (or remove what is in the way), then run install-skill again."


def _config_home() -> Path:
    configured = os.environ.get("XDG_CONFIG_HOME", "")
    return Path(configured) if os.path.isabs(configured) else Path.home() / ".config"


def skills_dir(agent: str, project: Path | None) -> Path:
    """Where `agent` loads skills from: in `project` when given, else the user's own."""
    if project is not None:
        return project / PROJECT_DIRS[agent]
    return {"claude": Path.home() / ".claude" / "skills", "codex": Path.home() / ".agents" / "skills",
            "opencode": _config_home() / "opencode" / "skills"}[agent]


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".SKILL.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def install(agent: str, text: str, *, project: Path | None = None, force: bool = False) -> Document:
    """Write `text` as the skill's SKILL.md where `agent` reads it; the document says where and what happened."""
    path = skills_dir(agent, project) / SKILL / "SKILL.md"
    document: Document = {"success": True, "agent": agent, "scope": "project" if project else "user",
                          "path": str(path), "written": False, "replaced": False}
    try:
        existing = path.read_text(encoding="utf-8") if path.is_file() else None
    except (OSError, UnicodeDecodeError):
        existing = ""  # unreadable: certainly not this guide
    if existing == text:
        return document
    if path.exists() and not path.is_file():
        raise SkillWriteError(f"{path} is there and is not a file.", path=str(path))
    if existing is not None and not force:
        raise SkillExistsError(f"A different {path.name} is already at {path}; it was left as it is.", path=str(path))
    try:
        _write(path, text)
    except OSError as exc:
        raise SkillWriteError(f"Could not write {path}: {exc.strerror or exc}.", path=str(path)) from None
    return {**document, "written": True, "replaced": existing is not None}
