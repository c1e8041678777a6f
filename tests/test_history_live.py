"""The code history against a real marimo server: who changed a cell's code is recorded with the code before and
after, a change is reverted (or refused when the cell changed since), an undo is all or nothing, and the
history outlives the pairing service. The truth is the kernel's code (code_mode, `cells --refresh`) and the file.
"""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path
from typing import Any

from tests.clihelp import CliResult, cli_env, run_cli
from tests.support.cell_lab import CellLab, file_cells
from tests.support.marimo_proc import BrowserSession, MarimoServer
from tests.support.mcp_client import call, mcp_session
from tests.support.services import runtime_services_dir, stop_services
from tests.support.waiting import wait_until

OTHER_CODE = 'y = x + 1\nprint("y is", y, "!")'


def cli(server: MarimoServer, browser: BrowserSession, *args: str) -> CliResult:
    return run_cli([args[0], "--url", server.url, "--session", browser.session_id or "", *args[1:]],
                   env=cli_env(server.state_home))


def kernel_codes(server: MarimoServer, browser: BrowserSession) -> dict[str, str]:
    """Each cell's code as code_mode reads it in the kernel (id -> code)."""
    result = cli(server, browser, "cells", "--refresh", "--no-outputs")
    assert result.code == 0, result
    return {c["id"]: c["code"] for c in result.json["cells"]}


def history(server: MarimoServer, browser: BrowserSession, *args: str) -> list[dict[str, Any]]:
    result = cli(server, browser, "history", *args)
    assert result.code == 0, result
    return list(result.json["changes"])


def browser_edit(browser: BrowserSession, cell: str, code: str) -> None:
    """What a browser sends when a person edits a cell: the document transaction (source "frontend")."""
    response = browser.server.post(
        "/api/document/transaction",
        headers={"Marimo-Session-Id": browser.routing_id, "Marimo-Server-Token": browser.server_token or ""},
        json={"changes": [{"type": "set-code", "cellId": cell, "code": code}]},
    )
    assert response.status_code == 200, response.text


def ids_by_code(codes: dict[str, str]) -> dict[str, str]:
    return {code.splitlines()[0]: cid for cid, code in codes.items()}


def test_each_writer_is_recorded_and_a_change_is_reverted_unless_the_cell_changed_since(lab: CellLab) -> None:
    _path, browser = lab.fresh()
    server = lab.server
    before = kernel_codes(server, browser)
    x_cell, y_cell = ids_by_code(before)["x = 41"], ids_by_code(before)["y = x + 1"]

    assert cli(server, browser, "edit", x_cell, "--force", "--run", "-c", "x = 100").code == 0
    browser_edit(browser, y_cell, OTHER_CODE)
    created = cli(server, browser, "create", "--after", y_cell, "-c", "z = 7").json["created"]
    assert cli(server, browser, "delete", created).code == 0

    changes = wait_until(lambda: (found := history(server, browser)) and len(found) == 4 and found,
                         what="four changes in the history")
    newest_first = [(c["cell"]["id"], c["kind"], c["origin"], c["by"], c["before"], c["after"]) for c in changes]
    assert newest_first == [
        (created, "delete", "self", "cli", "z = 7", ""),
        (created, "create", "self", "cli", "", "z = 7"),
        (y_cell, "edit", "other", "browser", before[y_cell], OTHER_CODE),
        (x_cell, "edit", "self", "cli", before[x_cell], "x = 100"),
    ]
    assert kernel_codes(server, browser)[x_cell] == "x = 100"  # the truth the history's `after` said
    assert [line for line in changes[3]["diff"].splitlines() if line[:1] in "+-"] == ["-x = 41", "+x = 100"]
    assert history(server, browser, x_cell) == [changes[3]]

    # A revert puts the old code back, read back from the kernel.
    reverted = cli(server, browser, "revert", changes[2]["id"])
    assert reverted.code == 0 and reverted.json["reverted"] == [changes[2]["id"]], reverted
    assert kernel_codes(server, browser)[y_cell] == before[y_cell]

    # Someone edits x after our change: reverting ours is a conflict and changes nothing, unless forced.
    browser_edit(browser, x_cell, "x = 5")
    wait_until(lambda: history(server, browser, x_cell)[0]["after"] == "x = 5", what="the browser's edit recorded")
    refused = cli(server, browser, "revert", changes[3]["id"])
    assert refused.code == 5 and refused.json["error"]["kind"] == "conflict", refused
    assert kernel_codes(server, browser)[x_cell] == "x = 5"
    forced = cli(server, browser, "revert", changes[3]["id"], "--force")
    assert forced.code == 0, forced
    assert kernel_codes(server, browser)[x_cell] == "x = 41"

    # The deleted cell comes back where it stood (after y), with its code.
    back = cli(server, browser, "revert", changes[0]["id"])
    assert back.code == 0, back
    codes = kernel_codes(server, browser)
    order = list(codes)
    assert codes[order[order.index(y_cell) + 1]] == "z = 7"


def test_undo_reverts_only_this_doors_changes_and_all_or_nothing(lab: CellLab, _service_runtime: Path) -> None:
    _path, browser = lab.fresh()
    server = lab.server
    before = kernel_codes(server, browser)
    x_cell, y_cell = ids_by_code(before)["x = 41"], ids_by_code(before)["y = x + 1"]
    md_cell = ids_by_code(before)["mo.md(\"# Demo\")"]
    since = str(time.time())

    assert cli(server, browser, "edit", x_cell, "--force", "-c", "x = 1").code == 0
    assert cli(server, browser, "edit", md_cell, "--force", "-c", 'mo.md("# Changed")').code == 0
    browser_edit(browser, y_cell, OTHER_CODE)
    wait_until(lambda: len(history(server, browser)) == 3, what="three changes recorded")

    undone = cli(server, browser, "undo", "--since", since)
    assert undone.code == 0, undone
    assert len(undone.json["reverted"]) == 2
    codes = kernel_codes(server, browser)
    assert (codes[x_cell], codes[md_cell], codes[y_cell]) == (before[x_cell], before[md_cell], OTHER_CODE)

    # Again, but the browser edits one of our cells after us: the whole undo is refused, nothing changes.
    since = str(time.time())
    assert cli(server, browser, "edit", x_cell, "--force", "-c", "x = 2").code == 0
    assert cli(server, browser, "edit", md_cell, "--force", "-c", 'mo.md("# Again")').code == 0
    browser_edit(browser, md_cell, 'mo.md("# Theirs")')
    wait_until(lambda: history(server, browser, md_cell)[0]["by"] == "browser", what="the browser's edit recorded")
    refused = cli(server, browser, "undo", "--since", since)
    assert refused.code == 5 and refused.json["error"]["kind"] == "conflict", refused
    codes = kernel_codes(server, browser)
    assert (codes[x_cell], codes[md_cell]) == ("x = 2", 'mo.md("# Theirs")')

    # The history outlives the pairing service, in a file only its user can read.
    kept = cli(server, browser, "history")
    stop_services(runtime_services_dir(_service_runtime))
    again = cli(server, browser, "history")
    assert [c["id"] for c in again.json["changes"]] == [c["id"] for c in kept.json["changes"]]
    assert len(again.json["changes"]) == 8  # 3, the undo's 2, then 3 more: nothing lost
    assert stat.S_IMODE(os.stat(again.json["file"]).st_mode) == 0o600


def test_an_edit_of_the_file_on_disk_is_recorded_as_the_files(marimo_factory: Any, browser_factory: Any,
                                                               notebooks_dir: Path) -> None:
    notebook = notebooks_dir / "demo.py"
    server = marimo_factory(notebook, extra_args=("--watch",))
    browser = browser_factory(server)
    cli(server, browser, "cells")  # the service follows the notebook from now on
    notebook.write_text(notebook.read_text(encoding="utf-8").replace("x = 41", "x = 43"), encoding="utf-8")

    change = wait_until(lambda: next(iter(history(server, browser)), None), what="the file's change recorded")
    assert (change["by"], change["origin"], change["kind"]) == ("file", "file", "edit")
    assert (change["before"], change["after"]) == ("x = 41", "x = 43")
    assert dict(file_cells(notebook))["define_x"] == change["after"]
    assert kernel_codes(server, browser)[change["cell"]["id"]] == "x = 43"


async def test_an_mcp_edit_is_the_mcp_servers_own_and_anothers_for_the_command_line(lab: CellLab) -> None:
    path, browser = lab.fresh()
    server = lab.server
    x_cell = ids_by_code(kernel_codes(server, browser))["x = 41"]
    assert cli(server, browser, "edit", x_cell, "--force", "--run", "-c", "x = 2").code == 0
    async with mcp_session(server.state_home) as session:
        error, edited = await call(session, "edit_cell", notebook=str(path), cell=x_cell, code="x = 3", force=True)
        assert not error, edited
        error, doc = await call(session, "history", notebook=str(path), cell=x_cell)
        assert not error, doc
    # The MCP server read the command line's change from the file they share, and recorded its own as its own.
    assert [(c["by"], c["origin"], c["after"]) for c in doc["changes"]] == [("mcp", "self", "x = 3"),
                                                                            ("cli", "other", "x = 2")]
    # The command line's service saw the MCP server's program run and learns from the file whose it was.
    mine = wait_until(lambda: (found := history(server, browser, x_cell)) and found[0]["by"] == "mcp" and found,
                      what="the MCP server's change, as the command line sees it")
    assert (mine[0]["id"], mine[0]["origin"]) == (doc["changes"][0]["id"], "other")
    assert kernel_codes(server, browser)[x_cell] == "x = 3"
