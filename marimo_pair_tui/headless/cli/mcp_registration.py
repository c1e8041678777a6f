"""`mcp --print-config AGENT`: the registration each coding agent takes for our MCP server.

Claude Code reads a project's .mcp.json (`mcpServers`), Codex its config.toml (`[mcp_servers.NAME]`),
opencode its opencode.json (`mcp.servers`); each entry is the command that starts
`marimo-pair-tui --headless mcp` with the options given beside --print-config. The command is the
program that printed it: `marimo-pair-tui` when that name on PATH is this installation, else its
absolute path (an agent started elsewhere finds it all the same).
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import sys
from pathlib import Path

NAME = "marimo-pair"
PROGRAM = "marimo-pair-tui"


def program() -> list[str]:
    """How to start this installation of marimo-pair-tui."""
    script = Path(sys.executable).parent / PROGRAM
    found = shutil.which(PROGRAM)
    if found is not None and script.is_file() and os.path.samefile(found, script):
        return [PROGRAM]
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-m", "marimo_pair_tui"]


def server_command(options: list[str]) -> list[str]:
    """The MCP server's command line, with the options it is registered with."""
    return [*program(), "--headless", "mcp", *options]


def _toml_string(text: str) -> str:
    return json.dumps(text)  # a JSON string (\" \\ \n \uXXXX escapes) is a TOML basic string


def registration(agent: str, command: list[str]) -> str:
    """The text `agent`'s configuration takes: JSON for Claude Code and opencode, TOML for Codex."""
    if agent == "codex":
        args = ", ".join(_toml_string(arg) for arg in command[1:])
        return f"[mcp_servers.{NAME}]\ncommand = {_toml_string(command[0])}\nargs = [{args}]\n"
    if agent == "opencode":
        entry = {"type": "local", "command": command}
        return json.dumps({"$schema": "https://opencode.ai/config.json", "mcp": {"servers": {NAME: entry}}},
                          indent=2) + "\n"
    entry = {"type": "stdio", "command": command[0], "args": command[1:]}
    return json.dumps({"mcpServers": {NAME: entry}}, indent=2) + "\n"


def where(agent: str, command: list[str]) -> str:
    """Where the registration goes, or the agent's own command that adds it (narration for stderr)."""
    added = f"{NAME} -- {shlex.join(command)}"
    return {
        "claude": f"Save as .mcp.json in the project (merge into its mcpServers), or run: claude mcp add {added}",
        "codex": f"Add to ~/.codex/config.toml (or a project's .codex/config.toml), or run: codex mcp add {added}",
        "opencode": "Merge into opencode.json in the project, or ~/.config/opencode/opencode.json "
                    "(OpenCode 1 takes the entry directly under \"mcp\", without \"servers\").",
    }[agent]
