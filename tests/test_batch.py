"""Batched edits end to end: `--headless apply` and the MCP `apply_changes` tool on a real marimo server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.clihelp import cli_env, run_cli
from tests.support.cell_lab import CellLab, file_cells
from tests.support.waiting import wait_until
from tests.support.marimo_proc import BrowserSession
from tests.support.mcp_client import call, mcp_session


def apply(lab: CellLab, browser: BrowserSession, operations: Any, *args: str,
          raw: str | None = None) -> tuple[int, dict[str, Any]]:
    """`apply -` with the operations as JSON on stdin (or `raw` text); (exit code, the JSON document)."""
    text = raw if raw is not None else json.dumps(operations)
    result = run_cli(["apply", "--url", lab.server.url, "--session", browser.session_id or "", *args, "-"],
                     stdin=text.encode("utf-8"), env=cli_env(lab.server.state_home))
    return result.code, result.json


def cells(lab: CellLab, browser: BrowserSession, *args: str) -> list[dict[str, Any]]:
    result = run_cli(["cells", "--url", lab.server.url, "--session", browser.session_id or "", "--no-outputs", *args],
                     env=cli_env(lab.server.state_home))
    assert result.code == 0, result
    return list(result.json["cells"])


def chain_notebook(log: Path) -> str:
    """Cells a -> b -> c -> d -> e -> f, each appending `<name><version>` to `log` when it runs."""
    cells_src = [
        "@app.cell\ndef setup_log():\n    import pathlib\n\n    log = pathlib.Path(%r)\n    return (log,)\n" % str(log),
        "@app.cell\ndef a(log):\n    a = 1\n    log.open('a').write('a1\\n')\n    return (a,)\n",
    ]
    for prev, name in zip("abcde", "bcdef"):
        cells_src.append(
            f"@app.cell\ndef {name}({prev}, log):\n    {name} = {prev} + 1\n"
            f"    log.open('a').write('{name}1\\n')\n" + ("    print('f', f)\n" if name == "f" else "")
            + f"    return ({name},)\n"
        )
    return "import marimo\n\napp = marimo.App()\n\n\n" + "\n\n".join(cells_src) + '\n\nif __name__ == "__main__":\n    app.run()\n'


def runs(log: Path) -> list[str]:
    return log.read_text(encoding="utf-8").split()


def test_five_edits_apply_together_and_each_affected_cell_runs_once(lab: CellLab, tmp_path: Path) -> None:
    log = tmp_path / "runs.log"
    path, browser = lab.fresh(text=chain_notebook(log))
    assert sorted(runs(log)) == ["a1", "b1", "c1", "d1", "e1", "f1"]  # the session ran each cell once at start
    before = {c["name"]: c for c in cells(lab, browser)}
    operations = [
        {"op": "edit", "cell": name, "expect": before[name]["hash"],
         "code": f"{name} = {'10' if name == 'a' else prev + ' * 2'}\nlog.open('a').write('{name}2\\n')"}
        for prev, name in zip(" abcd", "abcde")
    ]
    log.write_text("", encoding="utf-8")

    status, doc = apply(lab, browser, operations)

    assert status == 0 and doc["success"] is True, doc
    # One run after one apply: every edited cell ran exactly once, with its new code, and so did f,
    # which reads e and was not edited. Applying and running the edits one by one would have run
    # the cells below each edit again (b1, c1, ... and f1 five times).
    assert sorted(runs(log)) == ["a2", "b2", "c2", "d2", "e2", "f1"]
    ids = [before[n]["id"] for n in "abcdef"]
    assert doc["ran"] == ids
    assert [(e["number"], e["op"], e["cell"]) for e in doc["applied"]] == [(i + 1, "edit", ids[i]) for i in range(5)]
    assert {c["id"]: c for c in doc["cells"]}[ids[5]]["console"][0]["data"] == "f 161\n"  # 10 * 2**4 + 1: the new e
    assert [e["previous_hash"] for e in doc["applied"]] == [before[n]["hash"] for n in "abcde"]
    assert {c["id"]: c["status"] for c in doc["cells"]} == {cid: "idle" for cid in ids}
    wait_until(lambda: [code for _n, code in file_cells(path)][1:6] == [op["code"] for op in operations],
               what="the five edits in the saved notebook")

    # run: false applies and runs nothing.
    fresh = {c["name"]: c for c in cells(lab, browser)}
    status, quiet = apply(lab, browser, None, raw=json.dumps({"operations": [
        {"op": "edit", "cell": "a", "expect": fresh["a"]["hash"], "code": "a = 7\nlog.open('a').write('a3\\n')"}],
        "run": False}))
    assert status == 0 and quiet["ran"] == [], quiet
    assert sorted(runs(log)) == ["a2", "b2", "c2", "d2", "e2", "f1"]
    assert {c["name"]: c["code"] for c in cells(lab, browser)}["a"].startswith("a = 7")


def test_a_refused_third_operation_applies_nothing_and_is_named(lab: CellLab) -> None:
    path, browser = lab.fresh()
    listing = cells(lab, browser, "--refresh")
    saved = path.read_bytes()
    y_cell = listing[2]
    operations = [
        {"op": "edit", "cell": "define_x", "expect": listing[1]["hash"], "code": "x = 5"},
        {"op": "create", "code": "w = x * 3", "after": "define_x", "id": "w"},
        {"op": "create", "code": "y = 0", "after": "w"},
        {"op": "move", "cell": listing[3]["id"], "before": listing[0]["id"]},
    ]

    status, doc = apply(lab, browser, operations)

    assert status == 1 and doc["success"] is False, doc
    error = doc["error"]
    assert error["kind"] == "multiply_defined"
    assert error["operation"] == {"number": 3, "op": "create"}
    assert error["message"].startswith("Operation 3 (create):") and "'y'" in error["message"]
    assert error["names"] == {"y": [y_cell["id"]]}
    assert error["cells"] == [{"id": y_cell["id"], "name": y_cell["name"]}]
    after = cells(lab, browser, "--refresh")
    assert [(c["id"], c["code"]) for c in after] == [(c["id"], c["code"]) for c in listing]
    assert path.read_bytes() == saved


@pytest.mark.one_way
def test_the_resulting_notebook_is_validated_as_a_whole(lab: CellLab) -> None:
    _path, browser = lab.fresh()
    listing = cells(lab, browser)
    # Alone, the create would clash with define_x; with define_x's edit in the same batch it does not.
    operations = [
        {"op": "create", "code": "x = 5", "after": "define_x", "id": "new_x"},
        {"op": "edit", "cell": "define_x", "expect": listing[1]["hash"], "code": "old_x = 41"},
    ]
    status, doc = apply(lab, browser, operations)
    assert status == 0, doc
    new_x = doc["ids"]["new_x"]
    by_id = {c["id"]: c for c in doc["cells"]}
    assert by_id[listing[2]["id"]]["console"][0]["data"] == "y is 6\n"  # the reader of x ran once, on the new cell
    assert new_x in doc["ran"] and listing[1]["id"] in doc["ran"]

    # A cycle across two created cells is refused, naming the operation that closes it.
    status, cycle = apply(lab, browser, [{"op": "create", "code": "p = q + 1"}, {"op": "create", "code": "q = p + 1"}])
    assert status == 1 and cycle["error"]["kind"] == "cycle", cycle
    assert cycle["error"]["operation"] == {"number": 2, "op": "create"}
    assert len(cells(lab, browser)) == 5


def test_a_stale_expect_is_a_conflict_and_applies_nothing(lab: CellLab) -> None:
    path, browser = lab.fresh()
    listing = cells(lab, browser)
    lab.execute(
        browser,
        "import marimo._code_mode as cm\n"
        "async with cm.get_context(skip_staleness_check=True) as ctx:\n"
        f"    ctx.edit_cell({listing[1]['id']!r}, code='x = 99')\n",
    )
    wait_until(lambda: "x = 99" in [code for _n, code in file_cells(path)], what="the other client's edit on disk")
    saved = path.read_bytes()
    operations = [
        {"op": "create", "code": "fresh = 1", "id": "f"},
        {"op": "edit", "cell": listing[1]["id"], "expect": listing[1]["hash"], "code": "x = 1"},
    ]

    status, doc = apply(lab, browser, operations)

    assert status == 5 and doc["error"]["kind"] == "conflict", doc
    error = doc["error"]
    assert error["operation"] == {"number": 2, "op": "edit"}
    assert (error["theirs"], error["yours"], error["base_hash"]) == ("x = 99", "x = 1", listing[1]["hash"])
    after = cells(lab, browser, "--refresh")
    assert [c["id"] for c in after] == [c["id"] for c in listing]
    assert "fresh = 1" not in [c["code"] for c in after]
    assert path.read_bytes() == saved


def test_a_delete_that_expects_a_hash_is_refused_once_the_cell_changed_and_deletes_while_it_has_not(
        lab: CellLab) -> None:
    """A revert of a create deletes the cell it made only if nobody changed it in between: checked in the kernel,
    as the batch is applied."""
    path, browser = lab.fresh()
    listing = cells(lab, browser)
    target = listing[1]
    lab.execute(
        browser,
        "import marimo._code_mode as cm\n"
        "async with cm.get_context(skip_staleness_check=True) as ctx:\n"
        f"    ctx.edit_cell({target['id']!r}, code='x = 99')\n",
    )
    wait_until(lambda: "x = 99" in [code for _n, code in file_cells(path)], what="the other client's edit on disk")

    status, doc = apply(lab, browser, [{"op": "delete", "cell": target["id"], "expect": target["hash"]}])

    assert status == 5 and doc["error"]["kind"] == "conflict", doc
    assert doc["error"]["operation"] == {"number": 1, "op": "delete"}
    assert doc["error"]["theirs"] == "x = 99" and doc["error"]["base_hash"] == target["hash"]
    assert target["id"] in [c["id"] for c in cells(lab, browser, "--refresh")]

    now = next(c for c in cells(lab, browser, "--refresh") if c["id"] == target["id"])
    status, doc = apply(lab, browser, [{"op": "delete", "cell": target["id"], "expect": now["hash"]}])
    assert status == 0, doc
    assert target["id"] not in [c["id"] for c in cells(lab, browser, "--refresh")]
    assert "x = 99" not in [code for _n, code in file_cells(path)]


@pytest.mark.one_way
def test_temporary_ids_place_later_operations(lab: CellLab) -> None:
    path, browser = lab.fresh()
    ids = [c["id"] for c in cells(lab, browser)]
    operations = [
        {"op": "create", "code": "p = x * 2", "after": "define_x", "id": "first"},
        {"op": "create", "code": "q = p + 1\nprint('q is', q)", "after": "first", "id": "second", "name": "make_q"},
        {"op": "move", "cell": ids[3], "after": "second"},
    ]

    status, doc = apply(lab, browser, operations)

    assert status == 0, doc
    first, second = doc["ids"]["first"], doc["ids"]["second"]
    assert first not in ids and second not in ids and first != second
    assert doc["order"] == [ids[0], ids[1], first, second, ids[3], ids[2]]
    assert [(e["op"], e["cell"], e.get("id")) for e in doc["applied"]] == [
        ("create", first, "first"), ("create", second, "second"), ("move", ids[3], None)]
    by_id = {c["id"]: c for c in doc["cells"]}
    assert by_id[second]["name"] == "make_q" and by_id[second]["console"][0]["data"] == "q is 83\n"
    def saved_in_order() -> bool:
        codes = [code for _n, code in file_cells(path)]
        return codes[2:4] == ["p = x * 2", "q = p + 1\nprint('q is', q)"] and "# Demo" in codes[4] and "y is" in codes[5]

    wait_until(saved_in_order, what="the created and moved cells in the saved notebook")


def test_malformed_input_exits_2_naming_the_operation(lab: CellLab) -> None:
    path, browser = lab.fresh()
    saved = path.read_bytes()
    listing = cells(lab, browser)

    status, doc = apply(lab, browser, None, raw='[{"op": "create", "code": "a = 1"},')
    assert status == 2 and doc["error"]["kind"] == "usage" and "not valid JSON (line 1" in doc["error"]["message"]

    status, doc = apply(lab, browser, [{"op": "create", "code": "a = 1"}, {"op": "rename", "cell": "define_x"}])
    assert status == 2 and doc["error"]["operation"] == {"number": 2, "op": "rename"}, doc
    assert doc["error"]["message"].startswith("Operation 2 (rename): unknown op")

    status, doc = apply(lab, browser, [{"op": "edit", "cell": "define_x", "code": "x = 2"}])
    assert status == 2 and doc["error"]["operation"]["number"] == 1 and "expect" in doc["error"]["message"]

    status, doc = apply(lab, browser, [{"op": "create", "code": "a = 1"}, "delete everything"])
    assert status == 2 and doc["error"]["operation"] == {"number": 2, "op": None}

    status, doc = apply(lab, browser, [{"op": "create", "code": "a = 1"}, {"op": "delete", "cell": "no_such_cell"}])
    assert status == 2 and doc["error"]["kind"] == "cell_not_found", doc
    assert doc["error"]["operation"] == {"number": 2, "op": "delete"}

    status, doc = apply(lab, browser, [{"op": "edit", "cell": "define_x", "force": True, "code": "x = 2"},
                                       {"op": "delete", "cell": "define_x"}])
    assert status == 2 and doc["error"]["operation"] == {"number": 2, "op": "delete"}, doc
    assert "edited by operation 1" in doc["error"]["message"]

    assert [(c["id"], c["code"]) for c in cells(lab, browser, "--refresh")] == [(c["id"], c["code"]) for c in listing]
    assert path.read_bytes() == saved


@pytest.mark.one_way
async def test_mcp_apply_changes_applies_and_refuses(lab: CellLab) -> None:
    path, browser = lab.fresh()
    async with mcp_session(lab.server.state_home) as session:
        error, listing = await call(session, "cells", notebook=str(path), outputs=False)
        assert not error
        ids = [c["id"] for c in listing["cells"]]
        error, doc = await call(session, "apply_changes", notebook=str(path), operations=[
            {"op": "create", "code": "z = y * 2\nprint('z is', z)", "after": ids[2], "id": "z"},
            {"op": "delete", "cell": ids[3]},
        ])
        assert not error and doc["success"] is True, doc
        z = doc["ids"]["z"]
        assert doc["order"] == [ids[0], ids[1], ids[2], z]
        assert [d["id"] for d in doc["deleted"]] == [ids[3]]
        assert {c["id"]: c for c in doc["cells"]}[z]["console"][0]["data"] == "z is 84\n"
        error, after = await call(session, "cells", notebook=str(path), outputs=False)
        assert not error and [c["id"] for c in after["cells"]] == [ids[0], ids[1], ids[2], z]

        error, refused = await call(session, "apply_changes", notebook=str(path), operations=[
            {"op": "create", "code": "ok = 1"}, {"op": "create", "code": "z = 0"}])
        assert error and refused["error"]["kind"] == "multiply_defined"
        assert refused["error"]["operation"] == {"number": 2, "op": "create"}
        error, unchanged = await call(session, "cells", notebook=str(path), refresh=True, outputs=False)
        assert not error and [c["id"] for c in unchanged["cells"]] == [ids[0], ids[1], ids[2], z]
