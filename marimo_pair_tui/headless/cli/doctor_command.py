"""`doctor`: the setup as a bug report needs it, each problem with what to do (headless/doctor/).

JSON by default, like every headless command; `--human` (or `marimo-pair-tui
doctor`) prints it as lines. Exit 0 when no check found a problem, 1 when one did.
"""

from __future__ import annotations

import asyncio
import sys

import click

from ...core.api import PairError, call_environ, hub_options, parse_server_url
from ..output import emit, failure
from .options import INSECURE_TOKEN_HELP


@click.command(name="doctor")
@click.option("--human/--json", default=False, help="Readable lines instead of the JSON document (the last one given wins).")
@click.option("--url", "urls", multiple=True, metavar="URL", help="Also check this server (repeatable). Also MARIMO_PAIR_URLS.")
@click.option("--token-file", metavar="PATH", type=click.Path(dir_okay=False),
              help="File holding the --url servers' token (or set MARIMO_TOKEN); never printed.")
@click.option("--allow-insecure-token", is_flag=True, help=INSECURE_TOKEN_HELP)
def doctor_(human: bool, urls: tuple[str, ...], token_file: str | None, allow_insecure_token: bool) -> None:
    """Check this setup: versions, servers, terminal, clipboard, extras, ssh, private directories."""
    from ..doctor import collect
    from ..doctor.human import lines

    try:
        for url in urls:
            parse_server_url(url)
        options = hub_options(urls, token_file, (), allow_insecure_token=allow_insecure_token)
        document, code = asyncio.run(collect(options, dict(call_environ())))
    except PairError as error:
        if human:
            click.echo(f"marimo-pair-tui doctor: {error.message}\n{error.next}", err=True)
        else:
            emit(failure(error))
        sys.exit(error.exit_code)
    if human:
        click.echo("\n".join(lines(document)))
    else:
        emit(document)
    sys.exit(code)


def register(group: click.Group) -> None:
    group.add_command(doctor_)
