"""`marimo-pair-tui [NOTEBOOK.py] [--tour] [--session ID] [--notebook PATH] [--url URL] [--token-file PATH] [--allow-insecure-token]`.

Arguments are checked, and a named session resolved, before the app starts:
a bad URL, an unreadable token file or an unknown session prints the
message and the next step on stderr and exits with the headless exit code.
A token file others can read is warned about on stderr (and in the app).
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..core.api import AmbiguousTargetError, NoServerError, NoSessionError, PairError, UsageError
from ..core.api import HubOptions, PairingService, Target, TargetSpec, hub_options, parse_server_url

if TYPE_CHECKING:
    from .app import Start


def _fail(error: PairError) -> None:
    click.echo(f"marimo-pair-tui: {error.message}", err=True)
    if error.next:
        click.echo(error.next, err=True)
    sys.exit(error.exit_code)


async def _resolve(options: HubOptions, session: str | None, notebook: str | None) -> tuple[Target, list[str]]:
    """The session the arguments name, and the warnings found on the way (shown in the app)."""
    async with PairingService(options) as service:
        reply = await service.resolve(TargetSpec(notebook=notebook, session=session, cwd=os.getcwd()))
        return reply.value, reply.warnings


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        from ..about import version_text

        click.echo(version_text())
        ctx.exit()


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_print_version,
              help="Print the versions of marimo-pair-tui, marimo, Textual and Python, and exit.")
@click.argument("notebook_path", metavar="[NOTEBOOK.py]", required=False)
@click.option("--tour", is_flag=True, help="Open the tour notebook shipped with the package (starts marimo).")
@click.option("--session", metavar="ID", help="Pair with this session (stable sess-… or routing id).")
@click.option("--notebook", metavar="PATH", help="Pair with the session of this notebook (path or unique basename).")
@click.option("--url", "urls", multiple=True, metavar="URL", help="A server URL (repeatable); only these are used.")
@click.option("--token-file", metavar="PATH", type=click.Path(dir_okay=False),
              help="File holding the server's token (or set MARIMO_TOKEN). Never pass a token in argv.")
@click.option("--allow-insecure-token", is_flag=True,
              help="Send the token even over plain http to a server not on this machine's loopback "
                   "(clear text; also MARIMO_PAIR_ALLOW_INSECURE_TOKEN=1). Prefer https or --ssh.")
@click.option("--ascii", "ascii_glyphs", is_flag=True, help="Plain ASCII status glyphs (also MARIMO_PAIR_ASCII=1).")
@click.option("--ssh", "ssh", multiple=True, metavar="DEST",
              help="Pair with notebooks on this ssh host (repeatable); --url is then a URL on that host.")
def tui(notebook_path: str | None, tour: bool, session: str | None, notebook: str | None,
        urls: tuple[str, ...], token_file: str | None, ascii_glyphs: bool, ssh: tuple[str, ...] = (),
        allow_insecure_token: bool = False) -> None:
    """The terminal app: pick a running notebook session and pair with it.

    \b
    With no arguments: the picker (servers, notebooks, sessions).
    NOTEBOOK.py: open it (reuse a server's session, or start marimo for it).
    --tour: open the tour notebook.
    --session/--notebook/--url: pair with that session directly.
    Use --headless for the JSON door (see --headless --help);
    `marimo-pair-tui doctor` checks the setup (what a bug report should include).
    """
    from .app import PairApp
    from .config import load_config
    from .display import Display, ascii_from_env

    try:
        options = _options(notebook_path, tour, session, notebook, urls, token_file, ssh, allow_insecure_token)
        start = _start(options, notebook_path, tour, session, notebook)
    except PairError as error:
        _fail(error)
        return

    from .app import binding_ids

    config = load_config(known_ids=binding_ids())
    app = PairApp(options, start=start, fmt=Display(ascii=ascii_glyphs or ascii_from_env()), config=config)
    app.run()
    for result in app.started:
        click.echo(
            f"marimo is still serving {result.target.notebook} at {result.target.server.url}; "
            f"stop it with `marimo-pair-tui --headless close {result.target.notebook}`.",
            err=True,
        )


def _options(notebook_path: str | None, tour: bool, session: str | None, notebook: str | None,
             urls: tuple[str, ...], token_file: str | None, ssh: tuple[str, ...],
             allow_insecure_token: bool) -> HubOptions:
    """The arguments checked, and the servers they name; ssh hosts connected before the app takes the terminal."""
    chosen = [x for x in (notebook_path is not None, tour, session is not None or notebook is not None) if x]
    if len(chosen) > 1:
        raise UsageError("Name one thing to open: NOTEBOOK.py, --tour, or --session/--notebook.")
    if ssh and (notebook_path is not None or tour):
        raise UsageError("NOTEBOOK.py and --tour start marimo on this machine; with --ssh, use --notebook PATH.")
    for url in urls:
        parse_server_url(url)
    options = hub_options(urls, token_file, ssh, allow_insecure_token=allow_insecure_token)
    for notice in options.notices:
        click.echo(f"marimo-pair-tui: warning: {notice}", err=True)
    if ssh:
        from ..core.api import SshHost

        for dest in ssh:  # before the app takes the terminal, so ssh may prompt
            SshHost(dest).connect_interactive()
    else:
        from ..core.api import load_ssh_settings

        options.ssh_browse = load_ssh_settings().hosts  # config.toml's [ssh] hosts, for the picker
    return options


def _start(options: HubOptions, notebook_path: str | None, tour: bool, session: str | None,
           notebook: str | None) -> Start:
    """What the app opens first: a notebook file, the tour, a named session, the only session, or the picker."""
    from .app import Start

    if notebook_path is not None:
        path = Path(notebook_path).expanduser().resolve()
        if not path.is_file():
            raise UsageError(
                f"{path} does not exist or is not a file.",
                next="Check the path, or create the notebook first with `marimo new` / `marimo edit`.",
            )
        return Start("open", path=str(path))
    if tour:
        from ..core.api import state_dir
        from ..notebooks import tour_copy

        return Start("open", path=str(tour_copy(state_dir() / "tour")), run=True)
    if session is not None or notebook is not None:
        target, notes = asyncio.run(_resolve(options, session, notebook))
        return Start("target", target=target, notes=notes)
    if options.urls or options.ssh_hosts:
        try:
            target, notes = asyncio.run(_resolve(options, None, None))
            return Start("target", target=target, notes=notes)
        except (AmbiguousTargetError, NoSessionError, NoServerError):
            pass  # several (or no) sessions there: let the user pick
    return Start()


def main(args: list[str]) -> None:
    """Entry from `marimo_pair_tui.__main__` (argv without the program name)."""
    try:
        tui.main(args=args, prog_name="marimo-pair-tui", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.UsageError as exc:
        click.echo(f"marimo-pair-tui: {exc.format_message()}", err=True)
        click.echo("Run `marimo-pair-tui --help` for the accepted arguments.", err=True)
        sys.exit(2)
    except click.Abort:
        sys.exit(130)
