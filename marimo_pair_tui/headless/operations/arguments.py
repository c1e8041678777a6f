"""Arguments and documents several operations share: a timeout, a cell, code, a change's reply."""

from __future__ import annotations

import json
from typing import Any

from ...core.api import documents
from ..declaration import Arg, Flag, Values

TIMEOUT_HELP = "Seconds to wait at most, then interrupt the kernel. Omitted: no limit."
CELL_HELP = "A cell id (from `cells`) or a unique cell name."
PLACE_HELP = "A cell id or name to place it next to."


def parse_value(text: str) -> Any:
    """A value from the command line: JSON when it parses (7, true, ["a"], "x"), else the text itself."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def timeout_arg(cli: Flag | None = None) -> Arg:
    return Arg("timeout", float | None, TIMEOUT_HELP, default=None, cli=cli, mcp_help=None)


def cell_arg(metavar: str = "ID") -> Arg:
    return Arg("cell", str, CELL_HELP, cli=Flag(metavar=metavar))


CODE_HELP = "Python code, exactly as it should arrive (no escaping needed)."


def code_arg(cli_help: str = "The code.") -> Arg:
    return Arg("code", str, CODE_HELP, cli=Flag(("-c",), metavar="CODE", help=cli_help, code=True))


def operation_document(reply: Any, values: Values) -> Any:
    return documents.operation_document(reply)


RUN_ARG = Arg("run", bool, "Run the cells whose code comes back (and what depends on them).", default=True,
               cli=Flag(("--run/--no-run",), help="Run the cells whose code comes back (default: run)."))
