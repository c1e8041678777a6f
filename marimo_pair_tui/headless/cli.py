"""`marimo-pair-tui --headless COMMAND`: the agent door.

Each command resolves its target through the core `Hub`, prints one JSON
document, and exits with a documented code. Code comes from `-c`, `--file`
or stdin (`-`) so that no shell quoting stands between an agent and Python.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import Any, Callable

import click

from ..core.connection import load_token
from ..core.errors import EXIT_FAILED, EXIT_OK, PairError, UsageError
from ..core.execute import execute
from ..core.hub import Hub, HubOptions
from ..core.kernel import interrupt, kernel_state
from ..core.launch import close_notebook, open_notebook
from .output import emit, run, usage_failure


class Targeting:
    """The options every command takes to find its server and session."""

    def __init__(self, urls: tuple[str, ...], session: str | None, notebook: str | None, token_file: str | None,
                 ssh: tuple[str, ...] = ()):
        self.urls = urls
        self.session = session
        self.notebook = notebook
        self.token_file = token_file
        self.ssh = ssh

    def hub(self) -> Hub:
        return Hub(HubOptions(urls=self.urls, token=load_token(self.token_file), ssh_hosts=self.ssh))


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
    @click.option("--ssh", "ssh", multiple=True, metavar="DEST", help=SSH_HELP)
    @functools.wraps(command)
    def wrapper(urls: tuple[str, ...], session: str | None, notebook: str | None, token_file: str | None,
                ssh: tuple[str, ...] = (), **kwargs: Any) -> Any:
        return command(Targeting(urls, session, notebook, token_file, ssh), **kwargs)

    return wrapper


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
        try:
            with open(file, encoding="utf-8", newline="") as handle:
                return handle.read()
        except OSError as exc:
            usage_failure(f"Could not read {file}: {exc.strerror or exc}.", "Check the path passed to --file.")
        except UnicodeDecodeError:
            usage_failure(f"{file} is not UTF-8 text.", "Save the file as UTF-8.")
    data = sys.stdin.buffer.read()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        usage_failure("stdin is not UTF-8 text.", "Send the code as UTF-8.")
    raise AssertionError("unreachable")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def headless() -> None:
    """Agent mode: every command prints JSON on stdout and exits with a documented code.

    \b
    Exit codes: 0 success; 1 the code raised or a cell failed; 2 usage or target
    error; 3 connection or authentication failure; 4 outcome unknown; 5 conflict.
    """


@headless.command()
@click.option("--url", "urls", multiple=True, metavar="URL", help="Also check this server URL (repeatable).")
@click.option("--token-file", metavar="PATH", type=click.Path(dir_okay=False), help="Token for the named URLs.")
@click.option("--ssh", "ssh", multiple=True, metavar="DEST", help=SSH_HELP)
def servers(urls: tuple[str, ...], token_file: str | None, ssh: tuple[str, ...]) -> None:
    """List marimo servers: the local registry plus named URLs (and --ssh hosts' registries)."""

    async def job() -> tuple[dict[str, Any], int]:
        async with Hub(HubOptions(urls=urls, token=load_token(token_file), ssh_hosts=ssh)) as hub:
            found = await hub.inventory()
            return {"servers": [s.to_json() for s in found], "warnings": hub.warnings}, EXIT_OK

    run(job)


@headless.command()
@target_options
def notebooks(target: Targeting) -> None:
    """List notebooks and their sessions on every server."""

    async def job() -> tuple[dict[str, Any], int]:
        async with target.hub() as hub:
            entries = await hub.notebooks()
            return {"notebooks": [e.to_json() for e in entries], "warnings": hub.warnings}, EXIT_OK

    run(job)


@headless.command(name="exec")
@target_options
@click.option("-c", "code", metavar="CODE", help="The code to run.")
@click.option("--file", "file", metavar="PATH", help="Read the code from a file.")
@click.argument("stdin_marker", required=False, metavar="[-]")
@click.option("--stream", is_flag=True, help="Write output as JSON lines as it arrives, then a summary line.")
def exec_(target: Targeting, code: str | None, file: str | None, stdin_marker: str | None, stream: bool) -> None:
    """Run code in the session's kernel (scratchpad); stdout/stderr come back."""
    if stdin_marker not in (None, "-"):
        usage_failure(f"Unexpected argument {stdin_marker!r}.", "Pass code with -c CODE, --file PATH, or - for stdin.")
    source = read_code(code, file, stdin_marker == "-")

    async def job() -> tuple[dict[str, Any], int]:
        async with target.hub() as hub:
            resolved = await hub.resolve(session=target.session, notebook=target.notebook)

            def on_output(channel: str, text: str) -> None:
                if stream:
                    emit({"stream": channel, "data": text})

            try:
                result = await execute(hub.connection(resolved.server), resolved.session, source, on_output)
            except PairError as error:
                error.details.setdefault("session", resolved.to_json())
                raise
            document = {**result.to_json(), "session": resolved.to_json(), "warnings": hub.warnings}
            return document, EXIT_OK if result.success else EXIT_FAILED

    run(job)


@headless.command(name="interrupt")
@target_options
def interrupt_(target: Targeting) -> None:
    """Interrupt the session's kernel."""

    async def job() -> tuple[dict[str, Any], int]:
        async with target.hub() as hub:
            resolved = await hub.resolve(session=target.session, notebook=target.notebook)
            await interrupt(hub.connection(resolved.server), resolved.session)
            return {"success": True, "session": resolved.to_json(), "warnings": hub.warnings}, EXIT_OK

    run(job)


@headless.command()
@target_options
def status(target: Targeting) -> None:
    """Report whether the session's kernel is idle, running, or stopped."""

    async def job() -> tuple[dict[str, Any], int]:
        async with target.hub() as hub:
            resolved = await hub.resolve(session=target.session, notebook=target.notebook)
            connection = hub.connection(resolved.server)
            state = await kernel_state(connection, resolved.session)
            return {
                "success": True,
                "state": state,
                "session": resolved.to_json(),
                "warnings": hub.warnings,
            }, EXIT_OK

    run(job)


@headless.command(name="open")
@target_options
@click.argument("notebook_path", metavar="NOTEBOOK.py", required=False)
@click.option("--tour", is_flag=True, help="Open the tour notebook shipped with the package.")
@click.option(
    "--run/--no-run",
    "run_cells",
    default=None,
    help="Run all cells in a new session (default: as runtime.auto_instantiate in the marimo config says).",
)
def open_(target: Targeting, notebook_path: str | None, tour: bool, run_cells: bool | None) -> None:
    """A session for NOTEBOOK.py: reuse a server's, or start a server and create one."""
    if tour == (notebook_path is not None):
        usage_failure("Name one notebook to open.", "Pass NOTEBOOK.py, or --tour for the shipped tour notebook.")
    if target.ssh:
        usage_failure("open starts marimo on this machine only.",
                      "Start it on the remote host (`ssh DEST marimo edit --headless NOTEBOOK.py`), then use --ssh DEST.")
    if tour:
        from ..core.launch import state_dir
        from ..notebooks import tour_copy

        notebook_path = str(tour_copy(state_dir() / "tour"))

    async def job() -> tuple[dict[str, Any], int]:
        async with target.hub() as hub:
            result = await open_notebook(hub, notebook_path, run=run_cells)
            return {**result.to_json(), "warnings": hub.warnings}, EXIT_OK

    run(job)


@headless.command(name="close")
@click.argument("notebook_path", metavar="NOTEBOOK.py", required=False)
@click.option("--url", metavar="URL", help="Close the server at this URL instead.")
def close_(notebook_path: str | None, url: str | None) -> None:
    """Stop a server that `open` started (never one started elsewhere)."""

    async def job() -> tuple[dict[str, Any], int]:
        closed = close_notebook(notebook_path, url)
        return {
            "success": True,
            "closed": [{"url": r["url"], "pid": r["pid"], "notebook": r["notebook"]} for r in closed],
        }, EXIT_OK

    run(job)


def main(argv: list[str] | None = None) -> None:
    """Entry for the headless door (argv without the --headless flag)."""
    try:
        headless.main(args=argv, prog_name="marimo-pair-tui --headless", standalone_mode=False)
    except click.exceptions.NoArgsIsHelpError as exc:
        click.echo(exc.ctx.get_help() if exc.ctx else "", err=True)
        sys.exit(2)
    except click.UsageError as exc:
        usage_failure(exc.format_message(), "Run `marimo-pair-tui --headless COMMAND --help` for the accepted arguments.")
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.Abort:
        sys.exit(130)
    except UsageError as exc:
        emit({"success": False, "error": exc.to_json()})
        sys.exit(exc.exit_code)


from .cell_commands import register as _register_cell_commands  # noqa: E402  (needs `headless` above)

_register_cell_commands(headless)

from .live_commands import register as _register_live_commands  # noqa: E402

_register_live_commands(headless)

from .ssh_commands import register as _register_ssh_commands  # noqa: E402

_register_ssh_commands(headless)

from .agent_commands import register as _register_agent_commands  # noqa: E402

_register_agent_commands(headless)
