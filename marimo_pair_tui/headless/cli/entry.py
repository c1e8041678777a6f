"""`marimo-pair-tui --headless COMMAND`: the agent door.

Each command parses its arguments, makes one call on the core
`PairingService`, prints the JSON document core/documents.py builds for the
reply, and exits with a documented code. Code comes from `-c`, `--file`
or stdin (`-`) so that no shell quoting stands between an agent and Python.
"""

from __future__ import annotations

import functools
import sys
from typing import Any, Callable

import click

from ...core.api import EXIT_FAILED, EXIT_OK, UsageError, call_cwd, call_path
from ...core.api import Document
from ...core.api import HubOptions, PairingService, TargetSpec, close_notebook, hub_options, RUN_WAIT, state_dir
from ...core.api import documents
from ..output import emit, run, serve, tell_prompt, usage_failure


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
            with open(call_path(file), encoding="utf-8", newline="") as handle:
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


def save_document(path: str, document: Document) -> str:
    """Write a complete document to `path` (JSON, UTF-8); its absolute path. A usage error if it cannot."""
    from ..output import dumps_line

    target = call_path(path)
    try:
        target.write_text(dumps_line(document) + "\n", encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"Could not write {target}: {exc.strerror or exc}.",
                         next="Pass a writable file path (its directory must exist).") from None
    return str(target)


def read_cell_code(code: str | None, file: str | None, from_stdin: bool) -> str:
    """Like `read_code`, and refused (exit 2) when it holds no code at all."""
    source = read_code(code, file, from_stdin)
    if not source.strip():
        where = "stdin" if from_stdin else (file or "-c")
        usage_failure(f"The code from {where} is empty.",
                      "Pass some Python with -c CODE, --file PATH, or on stdin with - (e.g. a heredoc).")
    return source


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
@click.option("--allow-insecure-token", is_flag=True, help=INSECURE_TOKEN_HELP)
@click.option("--ssh", "ssh", multiple=True, metavar="DEST", help=SSH_HELP)
def servers(urls: tuple[str, ...], token_file: str | None, ssh: tuple[str, ...], allow_insecure_token: bool) -> None:
    """List marimo servers: the local registry plus named URLs (and --ssh hosts' registries)."""

    async def job(service: PairingService) -> tuple[Document, int]:
        return documents.servers_document(await service.servers()), EXIT_OK

    serve(hub_options(urls, token_file, ssh, allow_insecure_token=allow_insecure_token), job)


@headless.command()
@target_options
def notebooks(target: Targeting) -> None:
    """List notebooks and their sessions on every server."""

    async def job(service: PairingService) -> tuple[Document, int]:
        return documents.notebooks_document(await service.notebooks()), EXIT_OK

    serve(target.options(), job)


def output_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--parts, --raw and --save-images, shared by every command that prints outputs."""
    command = click.option("--save-images", "save_images", metavar="DIR", type=click.Path(file_okay=False),
                           help="Write the outputs' images (plots, charts drawn to PNG) as files in DIR; the JSON names them.")(command)
    command = click.option("--raw", is_flag=True,
                           help="Also give marimo's own output data (HTML, base64 images) beside text and handles.")(command)
    command = click.option("--parts", "parts", is_flag=True,
                           help="Also give each output's typed parts (tables' exact rows, widgets, charts' data); "
                                "by default an output is its text and handles.")(command)
    return command


def output_mode(raw: bool, no_outputs: bool = False) -> documents.OutputMode:
    return False if no_outputs else ("raw" if raw else True)


def image_files(save_images: str | None) -> documents.ImageFiles | None:
    """Where --save-images writes (a usage error when the directory cannot be made)."""
    return documents.ImageFiles(save_images) if save_images else None



@headless.command(name="exec")
@target_options
@click.option("-c", "code", metavar="CODE", help="The code to run.")
@click.option("--file", "file", metavar="PATH", help="Read the code from a file.")
@click.argument("stdin_marker", required=False, metavar="[-]")
@click.option("--stream", is_flag=True, help="Write output as JSON lines as it arrives, then a summary line.")
@click.option(
    "--output-file", "output_file", metavar="PATH", type=click.Path(dir_okay=False),
    help="Also write the complete document (stdout, stderr and output uncut) to PATH as JSON; "
         f"stdout's document keeps {documents.EXEC_FIELD_LIMIT // 1024} KB per field.",
)
@output_options
@click.option("--input", "answers", multiple=True, metavar="TEXT",
              help="Answer the snippet's input() prompts with these, in order (repeatable).")
def exec_(target: Targeting, code: str | None, file: str | None, stdin_marker: str | None, stream: bool,
          output_file: str | None = None, raw: bool = False, save_images: str | None = None,
          answers: tuple[str, ...] = (), parts: bool = False) -> None:
    """Run code in the session's kernel (scratchpad); stdout/stderr come back."""
    if stdin_marker not in (None, "-"):
        usage_failure(f"Unexpected argument {stdin_marker!r}.", "Pass code with -c CODE, --file PATH, or - for stdin.")
    source = read_cell_code(code, file, stdin_marker == "-")

    def on_output(channel: str, text: str) -> None:
        if stream:
            emit(documents.stream_chunk(channel, text))

    def on_prompt(cell: str, prompt: str) -> None:
        emit({"waiting_for_input": {"cell": cell, "prompt": prompt}})
        tell_prompt(cell, prompt)

    async def job(service: PairingService) -> tuple[Document, int]:
        reply = await service.execute(target.spec(), source, on_output=on_output, answers=answers,
                                      on_prompt=on_prompt if stream else None)
        images = image_files(save_images)
        saved = (save_document(output_file, documents.exec_document(reply, limit=None, images=images))
                 if output_file else None)
        document = documents.exec_document(reply, saved_to=saved, outputs=output_mode(raw), parts=parts,
                                              images=images)
        return document, EXIT_OK if reply.value.success else EXIT_FAILED

    serve(target.options(), job)


@headless.command(name="interrupt")
@target_options
def interrupt_(target: Targeting) -> None:
    """Interrupt the session's kernel."""

    async def job(service: PairingService) -> tuple[Document, int]:
        return documents.done_document(await service.interrupt(target.spec())), EXIT_OK

    serve(target.options(), job)


@headless.command()
@target_options
def status(target: Targeting) -> None:
    """Whether the session's kernel is idle or running, from its live stream (answers while cells run)."""

    async def job(service: PairingService) -> tuple[Document, int]:
        return documents.status_document(await service.status(target.spec())), EXIT_OK

    serve(target.options(), job)


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
@click.option("--run-wait", "run_wait", type=click.FloatRange(min=0), default=RUN_WAIT, show_default=True,
              metavar="SECONDS", help="Follow the run this long at most; past it the session is returned with the "
                                      "cells still running (`still_running`), the run goes on.")
def open_(target: Targeting, notebook_path: str | None, tour: bool, run_cells: bool | None, run_wait: float) -> None:
    """A session for NOTEBOOK.py: reuse a server's, create one on a server that serves the
    file, or start a server. With --url (and --token-file for a token server) only that
    server is used."""
    if tour == (notebook_path is not None):
        usage_failure("Name one notebook to open.", "Pass NOTEBOOK.py, or --tour for the shipped tour notebook.")
    if target.ssh:
        usage_failure("open starts marimo on this machine only.",
                      "Start it on the remote host (`ssh DEST marimo edit --headless NOTEBOOK.py`), then use --ssh DEST.")

    async def job(service: PairingService) -> tuple[Document, int]:
        from ...notebooks import tour_copy

        # The tour's copy is written here, where a disk that refuses it is a JSON error like any other.
        path = str(tour_copy(state_dir() / "tour")) if tour else notebook_path
        assert path is not None  # one of the two, checked above
        return documents.open_document(await service.open(path, run=run_cells, run_wait=run_wait)), EXIT_OK

    serve(target.options(), job)


@headless.command(name="close")
@click.argument("notebook_path", metavar="NOTEBOOK.py", required=False)
@click.option("--url", metavar="URL", help="Close the server at this URL instead.")
@click.option("--tour", is_flag=True, help="Close the server `open --tour` started.")
def close_(notebook_path: str | None, url: str | None, tour: bool) -> None:
    """Stop a server that `open` started (never one started elsewhere)."""
    if tour and notebook_path is not None:
        usage_failure("Name one notebook to close.", "Pass NOTEBOOK.py, or --tour for the tour notebook.")
    if tour:
        notebook_path = str(state_dir() / "tour" / "tour.py")

    async def job() -> tuple[Document, int]:
        return documents.closed_document(close_notebook(notebook_path, url)), EXIT_OK

    run(job)


@headless.command(name="service")
@click.argument("action", type=click.Choice(["status", "start", "stop"]))
def service_(action: str) -> None:
    """The background pairing service that serves one-shot calls: its status, start it, or stop it."""
    from ..service.control import service_command

    sys.exit(service_command([action]))


def main(argv: list[str] | None = None) -> None:
    """Entry for the headless door (argv without the --headless flag)."""
    try:
        headless.main(args=argv, prog_name="marimo-pair-tui --headless", standalone_mode=False)
    except click.exceptions.NoArgsIsHelpError as exc:
        click.echo(exc.ctx.get_help() if exc.ctx else "", err=True)
        commands = ", ".join(sorted(headless.commands))
        usage_failure("No command given.", f"Run `marimo-pair-tui --headless COMMAND`; the commands: {commands}.")
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

from .ui_commands import register as _register_ui_commands  # noqa: E402

_register_ui_commands(headless)

from .workspace_commands import register as _register_workspace_commands  # noqa: E402

_register_workspace_commands(headless)

from .kernel_commands import register as _register_kernel_commands  # noqa: E402

_register_kernel_commands(headless)

from .batch_commands import register as _register_batch_commands  # noqa: E402

_register_batch_commands(headless)
