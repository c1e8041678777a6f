"""Headless `apply`: several cell changes from a JSON list, applied together and run once.

The input is a JSON list of operations (or `{"operations": [...], "run": false}`)
from `--file PATH` or stdin (`-`). Exit codes: 0 applied (and the cells ran
without failing); 1 a cell failed, or the notebook refused an operation
(syntax error, multiply-defined name, cycle); 2 malformed input or an
unknown cell; 5 a conflict. On any refusal nothing is applied.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from ...core.api import documents, call_path
from ...core.api import Document
from ...core.api import EXIT_FAILED, EXIT_OK
from ...core.api import PairingService
from .options import Targeting, target_options
from ..output import serve, usage_failure

SHAPE_HINT = (
    'Send a JSON list such as [{"op": "edit", "cell": "define_x", "code": "x = 7", "expect": "3f1c9a2b"}, '
    '{"op": "create", "code": "z = x * 2", "after": "define_x"}] (or {"operations": [...], "run": false}).'
)


def read_input(file: str | None, from_stdin: bool) -> str:
    """The batch's text, from exactly one of --file PATH and stdin."""
    if (file is not None) == from_stdin:
        usage_failure("Give the operations exactly one way.", "Use --file PATH, or - to read them from stdin.")
    if file is not None:
        try:
            with open(call_path(file), encoding="utf-8") as handle:
                return handle.read()
        except OSError as exc:
            usage_failure(f"Could not read {file}: {exc.strerror or exc}.", "Check the path passed to --file.")
        except UnicodeDecodeError:
            usage_failure(f"{file} is not UTF-8 text.", "Save the file as UTF-8.")
    try:
        return sys.stdin.buffer.read().decode("utf-8")
    except UnicodeDecodeError:
        usage_failure("stdin is not UTF-8 text.", "Send the operations as UTF-8 JSON.")
    raise AssertionError("unreachable")


def parse_batch(text: str) -> tuple[list[Any], bool | None]:
    """(operations, run as the input says or None) from the JSON text; a usage failure when malformed."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        where = f" (line {exc.lineno}, column {exc.colno})" if isinstance(exc, json.JSONDecodeError) else ""
        usage_failure(f"The operations are not valid JSON{where}: {getattr(exc, 'msg', exc)}.", SHAPE_HINT)
    if isinstance(data, list):
        return data, None
    if isinstance(data, dict) and isinstance(data.get("operations"), list):
        unknown = sorted(set(data) - {"operations", "run"})
        if unknown:
            usage_failure(f"Unknown top-level field(s): {', '.join(map(repr, unknown))}.", SHAPE_HINT)
        run = data.get("run", True)
        if not isinstance(run, bool):
            usage_failure("The top-level 'run' must be true or false.", SHAPE_HINT)
        return data["operations"], run
    usage_failure("The input must be a JSON list of operations (or an object with 'operations').", SHAPE_HINT)
    raise AssertionError("unreachable")


def register(group: click.Group) -> None:
    """Add `apply` to the headless group."""

    @group.command(name="apply")
    @target_options
    @click.option("--file", "file", metavar="PATH", help="Read the operations (JSON) from a file.")
    @click.argument("stdin_marker", required=False, metavar="[-]")
    @click.option("--run/--no-run", "run_", default=None,
                  help="Run the created and edited cells (and what depends on them) once, after applying "
                       "(default: yes, or the input's top-level 'run').")
    @click.option("--timeout", type=float, default=None, metavar="SECONDS",
                  help="Give up waiting after this long (the request is closed, which interrupts the kernel).")
    def apply_(target: Targeting, file: str | None, stdin_marker: str | None, run_: bool | None,
               timeout: float | None) -> None:
        """Apply several cell changes at once (JSON list: create, edit, move, delete), then run once.

        All are checked together (syntax, multiply-defined names and cycles across the notebook
        they leave, conflicts by hash); a refusal names the operation (numbered from 1) and applies
        nothing. A create's "id" is a temporary label later operations may place cells by."""
        if stdin_marker not in (None, "-"):
            usage_failure(f"Unexpected argument {stdin_marker!r}.", "Pass the operations with --file PATH or - for stdin.")
        operations, run_in_input = parse_batch(read_input(file, stdin_marker == "-"))
        run = run_ if run_ is not None else (run_in_input if run_in_input is not None else True)

        async def job(service: PairingService) -> tuple[Document, int]:
            reply = await service.apply_changes(target.spec(), operations, run=run, timeout=timeout)
            return documents.operation_document(reply), EXIT_OK if reply.value.success else EXIT_FAILED

        serve(target.options(), job)
