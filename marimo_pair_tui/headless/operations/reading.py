"""Finding a notebook and reading it: servers, notebooks, open, cells, one output, and running a snippet (exec),
whose doors do something around the call."""

from __future__ import annotations

from typing import Any, Awaitable, Callable

from ...core.api import RUN_WAIT, Document, PairingService, Reply, TargetSpec, documents, state_dir
from ..declaration import DOOR, MCP, TARGET, Arg, Check, Flag, Operation, Values
from ..shared import image_files, output_mode, save_document
from .arguments import code_arg, timeout_arg

PARTS_HELP = "Also give each output's typed `parts` (a table's exact rows and dtypes, widgets' domains, charts' data)."
URL_HELP = ("The marimo server's URL, when several run (e.g. http://127.0.0.1:2718); for an --ssh host, the URL the "
            "server has on that host.")
RAW_FLAG_HELP = "Also give marimo's own output data (HTML, base64 images) beside text and handles."
SAVE_IMAGES_FLAG_HELP = "Write the outputs' images (plots, charts drawn to PNG) as files in DIR; the JSON names them."


def _output_args(raw_help: str | None = None, images_help: str | None = None) -> tuple[Arg, ...]:
    """--parts, --raw and --save-images: which outputs a read gives, as every command that prints outputs spells
    them. The tool words `raw` and `save_images` its own way; without those words it takes `parts` alone."""
    return (
        Arg("parts", bool, PARTS_HELP, default=False,
            cli=Flag(("--parts",), help="Also give each output's typed parts (tables' exact rows, widgets, charts' "
                                        "data); by default an output is its text and handles.")),
        Arg("raw", bool, raw_help or RAW_FLAG_HELP, default=False, mcp=raw_help is not None,
            cli=Flag(("--raw",), help=RAW_FLAG_HELP)),
        Arg("save_images", str | None, images_help or SAVE_IMAGES_FLAG_HELP, default=None, mcp=images_help is not None,
            cli=Flag(("--save-images",), metavar="DIR", path="dir", help=SAVE_IMAGES_FLAG_HELP)),
    )


def _image_files(values: Values) -> Values:
    """The directory the outputs' images go to, made before the read (a usage error when it cannot be)."""
    return {"images": image_files(values["save_images"])}


def _saved(values: Values, whole: Callable[[], Document]) -> str | None:
    """Where the complete document was written, when the call asked for it."""
    return save_document(values["save_to"], whole()) if values["save_to"] else None


def _cells_document(reply: Any, values: Values) -> Any:
    mode, images = output_mode(values["raw"], not values["outputs"]), values["images"]
    saved = _saved(values, lambda: documents.cells_document(reply, outputs=mode, parts=values["parts"], limit=None,
                                                            images=images))
    return documents.cells_document(reply, outputs=mode, parts=values["parts"], images=images, saved_to=saved)


def _output_document(reply: Any, values: Values) -> Any:
    return documents.output_document(reply, outputs=output_mode(values["raw"]), parts=values["parts"],
                                     images=values["images"])


def _output_tool_document(reply: Any, values: Values) -> Any:
    """The output as the tool gives it: its images follow as image content, and those left out are named."""
    document = _output_document(reply, values)
    values["pictures"], left_out = documents.output_images(reply)
    if left_out:
        document["warnings"].append(f"{left_out} image(s) not attached (too many, too large, or SVG "
                                    "that could not be rasterized): pass save_images to get them as files.")
    return document


def _exec_document(reply: Any, values: Values) -> Any:
    images = image_files(values["save_images"])
    saved = _saved(values, lambda: documents.exec_document(reply, limit=None, images=images))
    return documents.exec_document(reply, saved_to=saved, outputs=output_mode(values["raw"]), parts=values["parts"],
                                   images=images)


def _execute(service: PairingService, spec: TargetSpec, values: Values) -> Awaitable[Reply[Any]]:
    hearing = values[DOOR].hearing
    return service.execute(spec, values["code"], on_output=hearing.output, timeout=values["timeout"],
                           answers=values["input"] or (), on_prompt=hearing.prompt)


async def _open(service: PairingService, spec: TargetSpec, values: Values) -> Reply[Any]:
    path = values["path"]
    if values["tour"]:
        from ...notebooks import tour_copy

        # The tour's copy is written here, where a disk that refuses it is a JSON error like any other.
        path = str(tour_copy(state_dir() / "tour"))
    return await service.open(path, run=values["run"], run_wait=values["run_wait"])


def _on_ssh(values: Values) -> bool:
    return bool(values[DOOR].ssh_hosts)


SERVERS = Operation(
    tool="servers", command="servers", title="List marimo servers", cli_targeting="servers",
    help="List marimo servers: the local registry plus named URLs (and --ssh hosts' registries).",
    description="Running marimo servers: the local registry, the URLs the MCP server was started with, and its --ssh "
                "hosts' registries.",
    args=(),
    call=lambda service, spec, values: service.servers(),
    shape=lambda reply, values: documents.servers_document(reply),
)


NOTEBOOKS = Operation(
    tool="notebooks", command="notebooks", title="List notebooks and sessions",
    help="List notebooks and their sessions on every server.",
    description="Notebooks with open sessions on every server (or on `url`): path, name, session ids.",
    args=(Arg("url", str | None, URL_HELP, default=None, cli=None),),
    call=lambda service, spec, values: service.notebooks(values["url"]),
    shape=lambda reply, values: documents.notebooks_document(reply),
)


OPEN = Operation(
    tool="open_notebook", command="open", function="open_notebook_", title="Open a notebook",
    help="""A session for NOTEBOOK.py: reuse a server's, create one on a server that serves the
file, or start a server. With --url (and --token-file for a token server) only that
server is used.""",
    description="A session for a notebook file: an existing one if a server has it, else start `marimo edit` for it.",
    args=(
        Arg("path", str, "The notebook file (absolute, or relative to the server's cwd).",
            cli=Flag(metavar="NOTEBOOK.py", required=False)),
        Arg("tour", bool, "Open the tour notebook shipped with the package.", default=False, cli=Flag(("--tour",)),
            mcp=False),
        Arg("run", bool | None, "Run all cells of a new session (default: as marimo's runtime.auto_instantiate says).",
            default=None, cli=Flag(("--run/--no-run",), help="Run all cells in a new session (default: as "
                                                             "runtime.auto_instantiate in the marimo config says).")),
        Arg("run_wait", float, "Seconds to follow the run at most; past them the session is returned with "
                               "`still_running` cells, the run goes on.", default=RUN_WAIT, minimum=0,
            cli=Flag(("--run-wait",), metavar="SECONDS", show_default=True,
                     help="Follow the run this long at most; past it the session is returned with the cells still "
                          "running (`still_running`), the run goes on.")),
    ),
    checks=(
        Check(lambda v: v["tour"] == (v["path"] is not None), "Name one notebook to open.",
              "Pass NOTEBOOK.py, or --tour for the shipped tour notebook."),
        Check(_on_ssh, "open starts marimo on this machine only.",
              "Start it on the remote host (`ssh DEST marimo edit --headless NOTEBOOK.py`), then use --ssh DEST."),
        Check(_on_ssh, "open_notebook starts marimo on this machine only, and this server targets --ssh hosts.",
              "Start it on the remote host (`ssh DEST marimo edit --headless NOTEBOOK.py`), then call `notebooks`.",
              door=MCP),
    ),
    call=_open,
    shape=lambda reply, values: documents.open_document(reply),
)


CELLS = Operation(
    tool="cells", command="cells", title="Read cells",
    help="""Every cell in order: id, name, code, hash, status, errors, console, output, defs, refs.

Each output is `text` (markdown, tables, widgets and charts in words) and `handles` (the object ids
and image files to act on); --parts adds the typed parts.
Read from the session's live stream: it answers at once, also while cells run.""",
    description="""Every cell in order: id, name, code, hash (pass it to edit_cell), status, errors, console, output, defs, refs.
Each output has `text` (markdown, tables, widgets and charts in words) and `handles` (object ids to page a
table or set a widget, saved image files). Served from a live mirror: no kernel round trip, answers while
cells run; `kernel` says whether anything is queued or running. To look at a plot, call `output`.""",
    args=(
        TARGET,
        Arg("ids", list[str] | None, "Only these cells (ids or names), in this order.", default=None,
            cli=Flag(("--cell",), metavar="ID", help="Only this cell (id or name; repeatable), in the order given.",
                     parse=lambda ids: ids or None)),
        Arg("refresh", bool, "Read through code_mode in the kernel instead of the live mirror (waits while the kernel "
                             "is busy).", default=False,
            cli=Flag(("--refresh",), help="Read through code_mode in the kernel instead of the live stream (waits "
                                          "while the kernel is busy).")),
        Arg("outputs", bool, "Include outputs (text and handles); false leaves them out (mimetype and size stay).",
            default=True, cli=Flag(("--no-outputs",), negates=True,
                                   help="Leave outputs out (their mimetype and size stay).")),
        *_output_args("Also give marimo's own output data (HTML, base64 images).",
                      "A directory: write the outputs' images (plots, charts as PNG) there; the handles name the files."),
        Arg("save_to", str | None, "Also write the complete document (consoles and outputs uncut) to PATH as JSON.",
            default=None, mcp=False, cli=Flag(("--output-file",), metavar="PATH", path="file")),
    ),
    cli_order=("ids", "outputs", "refresh", "parts", "raw", "save_images", "save_to"),
    prepare=_image_files,
    call=lambda service, spec, values: service.cells(spec, ids=values["ids"], refresh=values["refresh"],
                                                     files=values["images"] is not None),
    shape=_cells_document,
)


OUTPUT = Operation(
    tool="output", command="output", function="output_", title="Look at one cell's output",
    help="""One cell's output: text a model reads, handles (object ids, image files), console; --parts: typed parts.

With --save-images DIR, plots and charts are written as PNG files and named in the JSON.""",
    description="""One cell's output: `text` to read, `handles` (object ids, saved image files), its console,
and its images (plots, charts drawn to PNG) as image content you can look at.""",
    args=(
        Arg("cell", str, "The cell (id or name).", cli=Flag(metavar="CELL")),
        TARGET,
        *_output_args("Also give marimo's own output data.", "A directory to also write the images to, as files."),
    ),
    prepare=_image_files,
    call=lambda service, spec, values: service.cells(spec, ids=[values["cell"]], files=True),
    shape=_output_document,
    tool_shape=_output_tool_document,
    images=lambda reply, values: values["pictures"],
)


EXECUTE = Operation(
    tool="execute", command="exec", function="execute_", title="Run code in the kernel",
    help="Run code in the session's kernel (scratchpad); stdout/stderr come back.",
    description="""Run code in the session's kernel scratchpad: it sees the notebook's variables and is not saved (to
change the notebook, create or edit cells). stdout/stderr stream as progress notifications. An input()
without an answer in `input` waits, reported as progress, until `answer` or `interrupt`. stdout, stderr
and output are each cut to 256 KB (`truncated`, full sizes in `chars`); `save_to` keeps everything.""",
    args=(
        code_arg("The code to run."),
        TARGET,
        timeout_arg(),
        Arg("save_to", str | None, "A file path: also write the complete result there (JSON, stdout/stderr/output "
                                   "uncut). The answer keeps 256 KB per field (`truncated`, `chars` say when it was "
                                   "cut).", default=None,
            cli=Flag(("--output-file",), metavar="PATH", path="file",
                     help="Also write the complete document (stdout, stderr and output uncut) to PATH as JSON; "
                          f"stdout's document keeps {documents.EXEC_FIELD_LIMIT // 1024} KB per field.")),
        Arg("input", list[str] | None, "Answers to the code's input() prompts, in order.", default=None,
            cli=Flag(("--input",), metavar="TEXT",
                     help="Answer the snippet's input() prompts with these, in order (repeatable).")),
        *_output_args(),
        Arg("stream", bool, "Write output as JSON lines as it arrives, then a summary line.", default=False,
            cli=Flag(("--stream",), streams=True), mcp=False),
    ),
    cli_order=("code", "stream", "save_to", "parts", "raw", "save_images", "input"),
    call=_execute,
    shape=_exec_document,
    can_fail=True,
)
