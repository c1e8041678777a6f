"""The agent guide shipped with the package: SKILL.md, a skill file agents load."""

from __future__ import annotations

from importlib.resources import files


def text() -> str:
    """The guide as markdown (front matter `name` and `description`, then the workflow)."""
    return files(__name__).joinpath("SKILL.md").read_text(encoding="utf-8")
