"""Agents set up in one command: `install-skill` writes the guide where each agent loads skills, and
`mcp --print-config AGENT` prints the registration that agent takes for our MCP server."""

from __future__ import annotations

import json
import subprocess
import tomllib
from pathlib import Path

import pytest

from marimo_pair_tui.guide import text as guide_text
from marimo_pair_tui.headless.cli.mcp_registration import registration
from tests.clihelp import cli_env, run_cli

# Where each agent reads a user's skills (under HOME) and a project's (under its directory).
USER_DIRS = {"claude": ".claude/skills", "codex": ".agents/skills", "opencode": ".config/opencode/skills"}
PROJECT_DIRS = {"claude": ".claude/skills", "codex": ".agents/skills", "opencode": ".opencode/skills"}
SKILL = "marimo-pair-tui/SKILL.md"


def _env(home: Path, state: Path, **extra: str) -> dict[str, str]:
    env = cli_env(state, HOME=str(home), **extra)
    env.pop("XDG_CONFIG_HOME", None)
    env.update(extra)
    return env


def _files(root: Path) -> set[Path]:
    return {path.relative_to(root) for path in root.rglob("*") if path.is_file() or path.is_symlink()}


@pytest.mark.parametrize("agent", sorted(USER_DIRS))
def test_installs_the_guide_where_each_agent_reads_skills(agent: str, tmp_path: Path) -> None:
    home, project, state = tmp_path / "home", tmp_path / "project", tmp_path / "state"
    home.mkdir(), project.mkdir()
    env = _env(home, state)

    user = run_cli(["install-skill", "--agent", agent], env=env, cwd=project)
    assert user.code == 0, user.stderr
    written = home / USER_DIRS[agent] / SKILL
    assert user.json == {"success": True, "agent": agent, "scope": "user", "path": str(written),
                         "written": True, "replaced": False}
    assert written.read_text(encoding="utf-8") == guide_text()
    assert _files(home) == {written.relative_to(home)} and _files(project) == set()

    local = run_cli(["install-skill", "--agent", agent, "--project"], env=env, cwd=project)
    assert local.code == 0, local.stderr
    assert local.json["scope"] == "project" and local.json["path"] == str(project / PROJECT_DIRS[agent] / SKILL)
    assert (project / PROJECT_DIRS[agent] / SKILL).read_text(encoding="utf-8") == guide_text()
    assert _files(project) == {Path(PROJECT_DIRS[agent]) / SKILL} and len(_files(home)) == 1

    if agent == "claude":  # the same guide again: nothing to write (the path is the same for every agent)
        again = run_cli(["install-skill", "--agent", agent], env=env, cwd=project)
        assert again.code == 0 and again.json["written"] is False and again.json["replaced"] is False


def test_opencode_follows_xdg_config_home(tmp_path: Path) -> None:
    config = tmp_path / "config"
    result = run_cli(["install-skill", "--agent", "opencode"], cwd=tmp_path,
                     env=_env(tmp_path / "home", tmp_path / "state", XDG_CONFIG_HOME=str(config)))
    assert result.code == 0, result.stderr
    assert Path(result.json["path"]) == config / "opencode/skills" / SKILL
    assert (config / "opencode/skills" / SKILL).read_text(encoding="utf-8") == guide_text()


def test_a_different_skill_file_is_kept_unless_forced(tmp_path: Path) -> None:
    home = tmp_path / "home"
    mine = home / USER_DIRS["claude"] / SKILL
    mine.parent.mkdir(parents=True)
    mine.write_text("---\nname: marimo-pair-tui\n---\nmy own notes\n", encoding="utf-8")
    env = _env(home, tmp_path / "state")

    refused = run_cli(["install-skill"], env=env, cwd=tmp_path)
    assert refused.code == 5
    error = refused.json["error"]
    assert error["kind"] == "skill_exists" and error["path"] == str(mine) and "--force" in error["next"]
    assert mine.read_text(encoding="utf-8").endswith("my own notes\n")

    forced = run_cli(["install-skill", "--force"], env=env, cwd=tmp_path)
    assert forced.code == 0 and forced.json["replaced"] is True
    assert mine.read_text(encoding="utf-8") == guide_text()
    assert _files(home) == {mine.relative_to(home)}  # no temporary file left beside it


def _registered(agent: str, text: str) -> list[str]:
    """The command line a printed registration starts."""
    if agent == "codex":
        entry = tomllib.loads(text)["mcp_servers"]["marimo-pair"]
        return [entry["command"], *entry["args"]]
    if agent == "opencode":
        return json.loads(text)["mcp"]["servers"]["marimo-pair"]["command"]
    entry = json.loads(text)["mcpServers"]["marimo-pair"]
    return [entry["command"], *entry["args"]]


def test_print_config_gives_each_agent_our_server_command(tmp_path: Path) -> None:
    env = _env(tmp_path, tmp_path / "state")
    commands = {}
    for agent in ("claude", "codex", "opencode"):
        printed = run_cli(["mcp", "--print-config", agent, "--ssh", "gpu-box", "--token-file", "tok"],
                          env=env, cwd=tmp_path)
        assert printed.code == 0, printed.stderr
        commands[agent] = _registered(agent, printed.stdout)
    command = commands["claude"]
    assert commands["codex"] == commands["opencode"] == command
    assert command[-6:] == ["--headless", "mcp", "--token-file", str(tmp_path / "tok"), "--ssh", "gpu-box"]
    # The program it names is this marimo-pair-tui: asked for the guide, it prints ours.
    guide = subprocess.run([*command[:-5], "guide"], capture_output=True, env=env, timeout=60, text=True)
    assert guide.returncode == 0 and guide.stdout == guide_text()


def test_an_unknown_agent_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli(["mcp", "--print-config", "vim"], env=_env(tmp_path, tmp_path / "state"))
    assert result.code == 2 and result.json["error"]["kind"] == "usage" and "vim" in result.json["error"]["message"]


@pytest.mark.unit
def test_codex_registration_is_toml_whatever_the_path_holds() -> None:
    command = ['/opt/my "tools"\\bin/marimo-pair-tui', "--headless", "mcp", "--ssh", "hôte"]
    assert _registered("codex", registration("codex", command)) == command
    assert _registered("claude", registration("claude", command)) == command
    assert _registered("opencode", registration("opencode", command)) == command
