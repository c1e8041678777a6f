"""Operations that change cells: create, edit, move, delete, run, and a batch of them (apply)."""

from __future__ import annotations

from typing import Any

from ..declaration import TARGET, Arg, Check, Flag, Operation
from .arguments import PLACE_HELP, cell_arg, code_arg, operation_document, timeout_arg

RUN_CELLS = Operation(
    tool="run_cells", command="run", title="Run cells",
    help="Run cells; report them and the descendants the run reached.",
    description="Run cells (and what depends on them); returns their state after the run.",
    args=(Arg("cells", list[str], "Cell ids or names to run.", cli=Flag(metavar="ID [ID ...]")), TARGET,
          timeout_arg()),
    call=lambda service, spec, values: service.run_cells(spec, values["cells"], timeout=values["timeout"]),
    shape=operation_document, changes_cells=True,
)


MOVE_CELL = Operation(
    tool="move_cell", command="move", title="Move a cell",
    help="Move a cell before or after another; `order` is the new order.",
    description="Move a cell before or after another (exactly one of them); `order` is the new order.",
    args=(
        cell_arg(), TARGET,
        Arg("after", str | None, PLACE_HELP, default=None, cli=Flag(("--after",), metavar="ID", help="Place after this cell.")),
        Arg("before", str | None, PLACE_HELP, default=None, cli=Flag(("--before",), metavar="ID", help="Place before this cell.")),
    ),
    checks=(Check(lambda v: (v["after"] is None) == (v["before"] is None),
                  "Give exactly one of --after ID or --before ID.", "Say where the cell goes."),),
    call=lambda service, spec, values: service.move_cell(spec, values["cell"], before=values["before"],
                                                         after=values["after"]),
    shape=operation_document, changes_cells=True,
)


DELETE_CELL = Operation(
    tool="delete_cell", command="delete", title="Delete a cell",
    help="Delete a cell; `stale` lists the cells that read what it defined.",
    description="Delete a cell; `stale` lists the cells that read what it defined.",
    args=(cell_arg(), TARGET),
    call=lambda service, spec, values: service.delete_cell(spec, values["cell"]),
    shape=operation_document, changes_cells=True,
)


CREATE_CELL = Operation(
    tool="create_cell", command="create", title="Create a cell",
    help="Add a cell (at the end unless placed); refuses syntax errors and names another cell defines.",
    description="""Add a cell (at the end unless placed) and save it to the notebook file. Refuses syntax errors,
names another cell defines (naming that cell) and cycles; then nothing is applied.""",
    args=(
        code_arg(), TARGET,
        Arg("after", str | None, PLACE_HELP, default=None,
            cli=Flag(("--after",), metavar="ID", help="Insert after this cell (id or name).")),
        Arg("before", str | None, PLACE_HELP, default=None,
            cli=Flag(("--before",), metavar="ID", help="Insert before this cell (id or name).")),
        Arg("name", str | None, "A name for the cell (a Python identifier).", default=None,
            cli=Flag(("--name",), metavar="NAME", help="Name the new cell (a Python identifier).")),
        Arg("run", bool, "Run the cell once created.", default=False, cli=Flag(("--run",))),
        timeout_arg(),
    ),
    cli_order=("after", "before", "name", "run", "code"),
    checks=(Check(lambda v: v["after"] is not None and v["before"] is not None,
                  "Give either --after or --before, not both.", "Place the cell with one of them."),),
    call=lambda service, spec, values: service.create_cell(
        spec, values["code"], before=values["before"], after=values["after"], name=values["name"], run=values["run"],
        timeout=values["timeout"]),
    shape=operation_document, changes_cells=True,
)


EDIT_CELL = Operation(
    tool="edit_cell", command="edit", title="Edit a cell",
    help="Replace a cell's code only if it is still what you read; else exit 5 with both versions.",
    description="""Replace a cell's code only if it is still what you read (pass `expect`, the hash from `cells`).
A conflict returns both versions (`theirs`, `yours`) and applies nothing.""",
    args=(
        cell_arg(), code_arg(), TARGET,
        Arg("expect", str | None, "The cell's `hash` as you read it: the edit is refused (conflict) if it changed "
                                  "since.", default=None,
            cli=Flag(("--expect",), metavar="HASH", help="The hash of the code you read (from `cells`).")),
        Arg("base", str | None, "Or the cell's code as you read it.", default=None,
            cli=Flag(("--base-file",), metavar="PATH", help="A file holding the code you read.", file=True)),
        Arg("force", bool, "Overwrite whatever the cell holds now.", default=False, cli=Flag(("--force",))),
        Arg("run", bool, "Run the cell once edited.", default=False, cli=Flag(("--run",))),
        timeout_arg(),
    ),
    cli_order=("cell", "expect", "base", "force", "run", "code"),
    checks=(Check(lambda v: sum((v["expect"] is not None, v["base"] is not None, v["force"])) != 1,
                  "Give exactly one of --expect HASH, --base-file PATH or --force.",
                  "Pass the hash `cells` printed for the cell (--expect), or the code you read (--base-file)."),),
    call=lambda service, spec, values: service.edit_cell(
        spec, values["cell"], values["code"], expect=values["expect"], base=values["base"], force=values["force"],
        run=values["run"], timeout=values["timeout"]),
    shape=operation_document, changes_cells=True,
)


APPLY_CHANGES = Operation(
    tool="apply_changes", command="apply", title="Apply several cell changes",
    help="""Apply several cell changes at once (JSON list: create, edit, move, delete), then run once.

All are checked together (syntax, multiply-defined names and cycles across the notebook
they leave, conflicts by hash); a refusal names the operation (numbered from 1) and applies
nothing. A create's "id" is a temporary label later operations may place cells by.""",
    description="""Apply several creates, edits, moves and deletes as one change, then run the affected cells once.
Checked together first (syntax, multiply-defined names and cycles across the resulting notebook,
conflicts by hash): a refusal names the operation (`error.operation.number`, from 1) and applies
nothing. The answer lists each operation (`applied`), temporary ids -> cell ids (`ids`), the cells
that ran (`ran`) and the affected cells' new state.""",
    args=(
        Arg("operations", list[Any],
            'The operations, in order: {"op": "create", "code": ..., "name"?, "after"?|"before"?, "id"?} '
            '("id": a temporary label later operations may name the new cell by), '
            '{"op": "edit", "cell": ..., "code": ..., "expect": HASH} (or "force": true), '
            '{"op": "move", "cell": ..., "after"|"before": ...}, {"op": "delete", "cell": ..., "expect"?: HASH} '
            '(with expect: refused as a conflict if the cell changed).',
            cli=Flag(batch=True)),
        TARGET,
        Arg("run", bool, "Run the created and edited cells (and what depends on them) once, after applying.",
            default=True,
            cli=Flag(("--run/--no-run",), default=None,
                     help="Run the created and edited cells (and what depends on them) once, after applying "
                          "(default: yes, or the input's top-level 'run').")),
        timeout_arg(cli=Flag(("--timeout",), metavar="SECONDS",
                          help="Give up waiting after this long (the request is closed, which interrupts the kernel).")),
    ),
    call=lambda service, spec, values: service.apply_changes(spec, values["operations"], run=values["run"],
                                                             timeout=values["timeout"]),
    shape=operation_document,
    can_fail=True,
)
