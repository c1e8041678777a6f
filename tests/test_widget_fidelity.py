"""Every door shows the kernel's current UI value, against a real server; the kernel is the oracle.

A value set in a browser reaches other clients only as the bound variable's
new value, and the output a widget was drawn from keeps the value the element
had when its cell ran. `cells` (live and `--refresh`), `output`, `ui` and MCP
must all say what `print(slider.value)` in the same kernel says. Tables take
their selection by row number and read it back as records.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest

from tests.clihelp import CliResult, cli_env, start_cli
from tests.support import kernel_probe as probe
from tests.support.kernel_probe import session_cli
from tests.support.cell_lab import CellLab
from tests.support.waiting import wait_until, wait_until_async
from tests.support.marimo_proc import BrowserSession
from tests.support.mcp_client import call, mcp_session


@pytest.fixture()
def notebook(lab: CellLab) -> Iterator[tuple[Path, BrowserSession]]:
    yield lab.fresh("widget_values.py")  # every cell has run when this returns


def cli(lab: CellLab, browser: BrowserSession, *args: str, service: bool = True) -> CliResult:
    return session_cli(lab.server, browser, *args, service=service)


def kernel(lab: CellLab, browser: BrowserSession, expression: str) -> Any:
    return probe.kernel(lab.server, browser, expression)


def elements(lab: CellLab, browser: BrowserSession) -> dict[str, dict[str, Any]]:
    return probe.elements(lab.server, browser)


def widgets(output: dict[str, Any]) -> dict[str, Any]:
    """label -> value of every widget part of an output (layouts walked)."""
    found: dict[str, Any] = {}

    def walk(parts: list[dict[str, Any]]) -> None:
        for part in parts:
            if part["type"] == "widget":
                found[part["label"]] = part["value"]
            walk(part.get("children") or [])

    walk(output["parts"])
    return found


def cell_widgets(document: dict[str, Any], name: str) -> dict[str, Any]:
    (cell,) = [c for c in document["cells"] if c["name"] == name]
    return widgets(cell["output"])


def browser_sets(lab: CellLab, path: Path, browser: BrowserSession, values: dict[str, Any]) -> None:
    probe.browser_sets(lab.server, path, browser, values)


TRUTH = '{"n": slider.value, "stepped": stepped.value, "letter": dropdown.value}'


def test_every_door_shows_the_value_a_browser_set(lab: CellLab, notebook: tuple[Path, BrowserSession]) -> None:
    path, browser = notebook
    before = cell_widgets(cli(lab, browser, "cells", "--parts").json, "controls")  # the service now follows the session
    assert before == kernel(lab, browser, TRUTH) == {"n": 3, "stepped": 5, "letter": "a"}
    ids = {name: e["object_id"] for name, e in elements(lab, browser).items()}
    browser_sets(lab, path, browser, {ids["slider"]: 8, ids["stepped"]: 2, ids["dropdown"]: ["c"]})
    truth = kernel(lab, browser, TRUTH)
    assert truth == {"n": 8, "stepped": 25, "letter": "c"}
    # The service's mirror heard the move only as `slider`'s new value; its next read asks the kernel.
    wait_until(lambda: cell_widgets(cli(lab, browser, "cells", "--parts").json, "controls") == truth, 30,
               "cells to show the browser's values")
    live = cli(lab, browser, "cells", "--cell", "controls").json
    assert live["cells"][0]["output"]["text"].startswith('slider "n" = 8 (1..10)')
    assert cell_widgets(cli(lab, browser, "cells", "--refresh", "--parts").json, "controls") == truth
    assert widgets(cli(lab, browser, "output", "controls", "--parts").json["output"]) == truth
    assert cell_widgets(cli(lab, browser, "cells", "--parts", service=False).json, "controls") == truth  # attached afresh
    assert {e["label"]: e["value"] for e in elements(lab, browser).values() if e["label"] in truth} == truth
    reader = cli(lab, browser, "output", "reader").json["output"]["text"]
    assert reader == f"The slider is at **{truth['n']}**"


def test_set_ui_then_cells_show_the_new_value(lab: CellLab, notebook: tuple[Path, BrowserSession]) -> None:
    _path, browser = notebook
    assert cell_widgets(cli(lab, browser, "cells", "--parts").json, "controls")["n"] == 3
    assert cli(lab, browser, "set-ui", "slider", "6").code == 0
    assert cli(lab, browser, "set-ui", "stepped", "1").code == 0
    truth = kernel(lab, browser, TRUTH)
    assert truth["n"] == 6 and truth["stepped"] == 1
    assert cell_widgets(cli(lab, browser, "cells", "--refresh", "--parts").json, "controls") == truth
    wait_until(lambda: cell_widgets(cli(lab, browser, "cells", "--parts").json, "controls") == truth, 30,
               "cells to show the values set")


def test_while_the_kernel_is_busy_cells_answer_at_once_and_say_the_values_may_be_old(
        lab: CellLab, notebook: tuple[Path, BrowserSession], tmp_path: Path) -> None:
    path, browser = notebook
    assert cell_widgets(cli(lab, browser, "cells", "--parts").json, "controls")["n"] == 3  # values read: sure
    browser_sets(lab, path, browser, {elements(lab, browser)["slider"]["object_id"]: 8})
    assert kernel(lab, browser, "slider.value") == 8
    flag = tmp_path / "release"
    busy = start_cli(["exec", "-c", f"import pathlib, time\nwhile not pathlib.Path({str(flag)!r}).exists():\n"
                                    "    time.sleep(0.05)", "--url", lab.server.url, "--session", browser.session_id or ""],
                     env=cli_env(lab.server.state_home))
    try:
        wait_until(lambda: not cli(lab, browser, "status").json["kernel"]["idle"], 30, "the kernel to be busy")
        answer = cli(lab, browser, "cells", "--parts")  # would wait for the release if it asked the kernel
        assert answer.code == 0 and not flag.exists()
        assert any("as last read from the kernel" in w for w in answer.json["warnings"]), answer.json["warnings"]
    finally:
        flag.touch()
        assert busy.wait(60) == 0
    assert kernel(lab, browser, "slider.value") == 8
    after = cli(lab, browser, "cells", "--parts")
    assert cell_widgets(after.json, "controls")["n"] == 8 and not after.json["warnings"]


async def test_mcp_shows_the_value_a_browser_set(lab: CellLab, notebook: tuple[Path, BrowserSession]) -> None:
    path, browser = notebook
    oid = elements(lab, browser)["slider"]["object_id"]
    async with mcp_session(lab.server.state_home) as session:
        error, first = await call(session, "output", cell="controls", notebook=str(path), parts=True)
        assert not error and widgets(first["output"])["n"] == 3
        browser_sets(lab, path, browser, {oid: 9})
        assert kernel(lab, browser, "slider.value") == 9

        async def moved() -> bool:  # the stream's news of the move may still be on its way
            error, doc = await call(session, "output", cell="controls", notebook=str(path), parts=True)
            assert not error, doc
            return widgets(doc["output"])["n"] == 9

        await wait_until_async(moved, 30, "the output to show the slider at 9")
        error, listed = await call(session, "ui", notebook=str(path))
        assert not error and [e["value"] for e in listed["elements"] if e["names"] == ["slider"]] == [9]


# -- tables: selection by row number, read back as records ----------------------------------------------

RECORDS = "_j.loads({}.value.reset_index().to_json(orient='records'))"


def test_a_table_selection_is_set_by_rows_and_read_back_as_records(
        lab: CellLab, notebook: tuple[Path, BrowserSession]) -> None:
    _path, browser = notebook
    result = cli(lab, browser, "set-ui", "table", "[0, 2]")
    assert result.code == 0, result.stdout
    truth = kernel(lab, browser, RECORDS.format("table"))
    assert [r["name"] for r in truth] == ["ann", "cy"]
    element = result.json["element"]
    assert element["rows"] == [0, 2] and element["value"] == truth and element["value_rows"] == 2
    assert element["value"][0]["key"] == "a1"  # the row labels come with the records
    (chosen,) = [c for c in result.json["cells"] if c["name"] == "chosen"]
    assert chosen["output"]["text"] == "2 chosen"  # its reader re-ran
    listed = elements(lab, browser)["table"]
    assert listed["value"] == truth and listed["rows"] == [0, 2]
    assert listed["text"] == f'table "people" = rows [0, 2] of 4 [{listed["object_id"]}]'

    assert cli(lab, browser, "set-ui", "single", "3").code == 0
    assert kernel(lab, browser, RECORDS.format("single")) == elements(lab, browser)["single"]["value"]
    assert [r["name"] for r in elements(lab, browser)["single"]["value"]] == ["dee"]
    assert cli(lab, browser, "set-ui", "table", "[]").code == 0
    assert kernel(lab, browser, "len(table.value)") == 0 and elements(lab, browser)["table"]["rows"] == []


def test_a_cell_selection_is_set_by_row_and_column(lab: CellLab, notebook: tuple[Path, BrowserSession]) -> None:
    _path, browser = notebook
    result = cli(lab, browser, "set-ui", "grid", '[{"row": 1, "column": "age"}, [3, "name"]]')
    assert result.code == 0, result.stdout
    truth = kernel(lab, browser, "[{'row': c.row, 'column': c.column, 'value': getattr(c.value, 'item', lambda: c.value)()}"
                                 " for c in grid.value]")
    assert [(int(c["row"]), c["column"], c["value"]) for c in truth] == [(1, "age", 40), (3, "name", "dee")]
    element = elements(lab, browser)["grid"]
    assert element["selected_cells"] == [{"row": 1, "column": "age"}, {"row": 3, "column": "name"}]
    assert element["value"] == truth


def test_bad_selections_are_refused_before_the_kernel(lab: CellLab, notebook: tuple[Path, BrowserSession]) -> None:
    _path, browser = notebook
    for name, value, why in [("table", "[9]", "the table has 4 rows (0..3)"), ("single", "[1, 2]", "it selects one at most"),
                             ("table", '"0,3"', "a row is a number from 0"), ("grid", "[1]", "each cell is")]:
        result = cli(lab, browser, "set-ui", name, value)
        assert result.code == 2 and result.json["error"]["kind"] == "invalid_value", (name, result.stdout)
        assert why in result.json["error"]["message"], result.json["error"]
    assert cli(lab, browser, "set-ui", "table", "[9]").json["error"]["next"] == "Pass a list of row numbers (0..3)."
    assert kernel(lab, browser, "[len(table.value), len(single.value), len(grid.value)]") == [0, 0, 0]


def test_a_selection_made_in_a_browser_reads_back_as_rows(lab: CellLab, notebook: tuple[Path, BrowserSession]) -> None:
    path, browser = notebook
    oid = elements(lab, browser)["table"]["object_id"]
    browser_sets(lab, path, browser, {oid: ["1", "3"]})  # marimo's row ids, as the browser sends them
    truth = kernel(lab, browser, RECORDS.format("table"))
    element = elements(lab, browser)["table"]
    assert element["rows"] == [1, 3] and element["value"] == truth
    assert [r["name"] for r in truth] == ["bob", "dee"]
