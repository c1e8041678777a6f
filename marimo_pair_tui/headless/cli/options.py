"""The options the commands share: how a command finds its session (or, listing servers, which
servers it checks), and how code arrives (`-c`, `--file` or stdin, so that no shell quoting stands
between an agent and Python; the declared commands read it so)."""

from __future__ import annotations

import functools
import sys
from typing import Any, Callable

import click

from ...core.api import HubOptions, TargetSpec, call_cwd, call_path, hub_options
from ..output import usage_failure


class Targeting:
    """The options every command takes to find its server and session."""

    def __init__(self, urls: tuple[str, ...], session: str | None, notebook: str | None, token_file: str | None,
                 ssh: tuple[str, ...] = (), allow_insecure_token: bool = False):
        self.urls = urls
        self.session = session
        self.notebook = notebook
        self.token_file = token_file
        self.ssh = ssh
        self.allow_insecure_token = allow_insecure_token

    def options(self) -> HubOptions:
        return hub_options(self.urls, self.token_file, self.ssh, allow_insecure_token=self.allow_insecure_token)

    def spec(self) -> TargetSpec:
        """The session the flags mean, as the service takes it (relative paths from here)."""
        return TargetSpec(notebook=self.notebook, session=self.session, cwd=str(call_cwd()))


INSECURE_TOKEN_HELP = (
    "Send the token even over plain http to a server that is not on this machine's loopback "
    "(it travels in clear text; also MARIMO_PAIR_ALLOW_INSECURE_TOKEN=1). Prefer https or --ssh."
)
SSH_HELP = "Search this ssh host's marimo registry (repeatable; an ~/.ssh/config alias or user@host); --url is then on that host."


def target_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add --url/--session/--notebook/--token-file and pass a Targeting."""

    @click.option("--url", "urls", multiple=True, metavar="URL", help="A server URL (repeatable). Also MARIMO_PAIR_URLS.")
    @click.option("--session", metavar="ID", help="Stable (sess-…) or routing session id.")
    @click.option("--notebook", metavar="PATH", help="Notebook path: absolute, relative, or a unique basename.")
    @click.option(
        "--token-file",
        metavar="PATH",
        type=click.Path(dir_okay=False),
        help="File holding the server's auth token (or set MARIMO_TOKEN). Never pass a token in argv.",
    )
    @click.option("--allow-insecure-token", is_flag=True, help=INSECURE_TOKEN_HELP)
    @click.option("--ssh", "ssh", multiple=True, metavar="DEST", help=SSH_HELP)
    @functools.wraps(command)
    def wrapper(urls: tuple[str, ...], session: str | None, notebook: str | None, token_file: str | None,
                ssh: tuple[str, ...] = (), allow_insecure_token: bool = False, **kwargs: Any) -> Any:
        return command(Targeting(urls, session, notebook, token_file, ssh, allow_insecure_token), **kwargs)

    return wrapper


def servers_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add --url/--token-file/--ssh for a listing of servers (no session) and pass a Targeting."""

    @click.option("--url", "urls", multiple=True, metavar="URL", help="Also check this server URL (repeatable).")
    @click.option("--token-file", metavar="PATH", type=click.Path(dir_okay=False), help="Token for the named URLs.")
    @click.option("--allow-insecure-token", is_flag=True, help=INSECURE_TOKEN_HELP)
    @click.option("--ssh", "ssh", multiple=True, metavar="DEST", help=SSH_HELP)
    @functools.wraps(command)
    def wrapper(urls: tuple[str, ...], token_file: str | None, ssh: tuple[str, ...], allow_insecure_token: bool,
                **kwargs: Any) -> Any:
        return command(Targeting(urls, None, None, token_file, ssh, allow_insecure_token), **kwargs)

    return wrapper


def from_stdin(marker: str | None) -> bool:
    """Whether the code comes from stdin (`-`); any other positional word is refused."""
    if marker not in (None, "-"):
        usage_failure(f"Unexpected argument {marker!r}.", "Pass code with -c CODE, --file PATH, or - for stdin.")
    return marker == "-"


def read_code(code: str | None, file: str | None, from_stdin: bool) -> str:
    """The code to send, exactly as given: no newline or encoding translation."""
    given = [x for x in (code is not None, file is not None, from_stdin) if x]
    if len(given) != 1:
        usage_failure(
            "Give the code exactly one way.",
            "Use -c CODE, --file PATH, or - to read it from stdin (best for agents: no quoting).",
        )
    if code is not None:
        return code
    if file is not None:
        return _read_file(file)
    data = sys.stdin.buffer.read()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        usage_failure("stdin is not UTF-8 text.", "Send the code as UTF-8.")
    raise AssertionError("unreachable")


def _read_file(file: str) -> str:
    try:
        with open(call_path(file), encoding="utf-8", newline="") as handle:
            return handle.read()
    except OSError as exc:
        usage_failure(f"Could not read {file}: {exc.strerror or exc}.", "Check the path passed to --file.")
    except UnicodeDecodeError:
        usage_failure(f"{file} is not UTF-8 text.", "Save the file as UTF-8.")
    raise AssertionError("unreachable")


def read_cell_code(code: str | None, file: str | None, from_stdin: bool) -> str:
    """Like `read_code`, and refused (exit 2) when it holds no code at all."""
    source = read_code(code, file, from_stdin)
    if not source.strip():
        where = "stdin" if from_stdin else (file or "-c")
        usage_failure(f"The code from {where} is empty.",
                      "Pass some Python with -c CODE, --file PATH, or on stdin with - (e.g. a heredoc).")
    return source
