"""`guide`, `install-skill`, `version` and `mcp`: what agents load, where it goes, what they check, and the MCP door.

`mcp` needs the optional `mcp` package (`pip install 'marimo-pair-tui[mcp]'`);
it is imported only when the server runs, so the other headless commands
start as fast without it (and `mcp --print-config` needs none of it).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from ...core.api import PairError, UsageError
from ...core.api import hub_options
from .mcp_registration import registration, server_command, where
from .skill_install import AGENTS
from .options import INSECURE_TOKEN_HELP, SSH_HELP
from ..output import emit, failure, narrate


class MissingExtraError(UsageError):
    kind = "missing_extra"
    default_next = "pip install 'marimo-pair-tui[mcp]'"


def _write_text(text: str) -> None:
    """Text (not JSON) on stdout, in stdout's encoding."""
    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"  # (a latin-1 or ascii stdout gets \u2026)
    sys.stdout.write(text.encode(encoding, "backslashreplace").decode(encoding))
    sys.stdout.flush()


def _server_options(urls: tuple[str, ...], token_file: str | None, ssh: tuple[str, ...],
                    allow_insecure_token: bool) -> list[str]:
    """The options given beside --print-config, as the registered server takes them."""
    options = [item for url in urls for item in ("--url", url)]
    if token_file:
        options += ["--token-file", os.path.abspath(token_file)]  # the agent starts it from anywhere
    if allow_insecure_token:
        options.append("--allow-insecure-token")
    return options + [item for dest in ssh for item in ("--ssh", dest)]


def register(group: click.Group) -> None:
    """Add `guide`, `install-skill`, `version` and `mcp` to the headless group."""

    @group.command(name="version")
    def version_() -> None:
        """Print the versions of marimo-pair-tui, marimo, Textual and Python as one JSON document."""
        from ...about import version_document

        emit(version_document())

    @group.command()
    def guide() -> None:
        """Print the agent guide (SKILL.md, markdown, not JSON) on stdout."""
        from ...guide import text

        _write_text(text())

    @group.command(name="install-skill")
    @click.option("--agent", type=click.Choice(AGENTS), default="claude", show_default=True,
                  help="The agent whose skills directory gets the guide.")
    @click.option("--project", is_flag=True,
                  help="Into the project in the current directory (.claude/skills, .agents/skills or "
                       ".opencode/skills), not your user's skills.")
    @click.option("--force", is_flag=True, help="Replace a different SKILL.md that is already there.")
    def install_skill(agent: str, project: bool, force: bool) -> None:
        """Write the agent guide (SKILL.md) where AGENT loads skills; print where, as JSON.

        User level: ~/.claude/skills (Claude Code), ~/.agents/skills (Codex),
        ~/.config/opencode/skills (opencode), each in a marimo-pair-tui folder.
        A different SKILL.md already there exits 5 (`skill_exists`) unless --force."""
        from ...guide import text
        from .skill_install import install

        try:
            document = install(agent, text(), project=Path.cwd() if project else None, force=force)
        except PairError as error:
            emit(failure(error))
            sys.exit(error.exit_code)
        emit(dict(document))

    @group.command(name="mcp")
    @click.option("--url", "urls", multiple=True, metavar="URL", help="Only these servers (repeatable); default: the registry.")
    @click.option(
        "--token-file", metavar="PATH", type=click.Path(dir_okay=False),
        help="File holding the token of the --url servers (or set MARIMO_TOKEN).",
    )
    @click.option("--allow-insecure-token", is_flag=True, help=INSECURE_TOKEN_HELP)
    @click.option("--ssh", "ssh", multiple=True, metavar="DEST", help=SSH_HELP)
    @click.option("--print-config", "print_config", type=click.Choice(AGENTS), metavar="AGENT",
                  help="Serve nothing: print the registration AGENT (claude, codex, opencode) takes for this "
                       "server, with the options given (JSON, or TOML for codex).")
    def mcp_(urls: tuple[str, ...], token_file: str | None, ssh: tuple[str, ...], allow_insecure_token: bool,
             print_config: str | None) -> None:
        """Serve the headless commands as MCP tools over stdio (needs the mcp extra)."""
        if print_config is not None:
            command = server_command(_server_options(urls, token_file, ssh, allow_insecure_token))
            _write_text(registration(print_config, command))
            narrate(where(print_config, command))
            return
        try:
            import mcp  # noqa: F401
        except ImportError:
            emit(failure(MissingExtraError(
                "The MCP server needs the optional `mcp` package, which is not installed."
            )))
            sys.exit(MissingExtraError.exit_code)
        options = hub_options(urls, token_file, ssh, allow_insecure_token=allow_insecure_token)
        from ..mcp.server import main

        main(options)
