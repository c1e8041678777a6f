"""How `apply` reads its batch on the command line: a JSON list of operations (or
`{"operations": [...], "run": false}`) from `--file PATH` or stdin (`-`), exactly one of them.
Malformed input is a usage failure (exit 2) naming what is wrong; nothing is applied.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from ...core.api import call_path
from ..output import usage_failure

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


def read_batch(file: str | None, stdin_marker: str | None) -> tuple[list[Any], bool | None]:
    """The operations and the run the input asks for (None: it does not say), from --file or stdin (`-`)."""
    if stdin_marker not in (None, "-"):
        usage_failure(f"Unexpected argument {stdin_marker!r}.", "Pass the operations with --file PATH or - for stdin.")
    return parse_batch(read_input(file, stdin_marker == "-"))
