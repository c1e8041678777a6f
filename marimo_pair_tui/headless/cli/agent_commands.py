"""`guide`, `version` and `mcp`: what agents load and check, and the MCP door.

`mcp` needs the optional `mcp` package (`pip install 'marimo-pair-tui[mcp]'`);
it is imported only when the command runs, so the other headless commands
start as fast without it.
"""

from __future__ import annotations

import sys

import click

from ...core.api import UsageError
from ...core.api import hub_options
from .options import INSECURE_TOKEN_HELP, SSH_HELP
from ..output import emit, failure


class MissingExtraError(UsageError):
    kind = "missing_extra"
    default_next = "pip install 'marimo-pair-tui[mcp]'"


def register(group: click.Group) -> None:
    """Add `guide`, `version` and `mcp` to the headless group."""

    @group.command(name="version")
    def version_() -> None:
        """Print the versions of marimo-pair-tui, marimo, Textual and Python as one JSON document."""
        from ...about import version_document

        emit(version_document())

    @group.command()
    def guide() -> None:
        """Print the agent guide (SKILL.md, markdown, not JSON) on stdout."""
        from ...guide import text

        encoding = getattr(sys.stdout, "encoding", None) or "utf-8"  # (a latin-1 or ascii stdout gets \u2026)
        sys.stdout.write(text().encode(encoding, "backslashreplace").decode(encoding))
        sys.stdout.flush()

    @group.command(name="mcp")
    @click.option("--url", "urls", multiple=True, metavar="URL", help="Only these servers (repeatable); default: the registry.")
    @click.option(
        "--token-file", metavar="PATH", type=click.Path(dir_okay=False),
        help="File holding the token of the --url servers (or set MARIMO_TOKEN).",
    )
    @click.option("--allow-insecure-token", is_flag=True, help=INSECURE_TOKEN_HELP)
    @click.option("--ssh", "ssh", multiple=True, metavar="DEST", help=SSH_HELP)
    def mcp_(urls: tuple[str, ...], token_file: str | None, ssh: tuple[str, ...], allow_insecure_token: bool) -> None:
        """Serve the headless commands as MCP tools over stdio (needs the mcp extra)."""
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
