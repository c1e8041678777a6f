"""UI elements and table pages through the agent door, against a real server running the output gallery.

Values are checked against each element's domain before they reach the
kernel; a value set re-runs the cells that read the element, answers with
their new outputs, and reaches a connected browser. Tables page in the kernel.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest

from marimo_pair_tui.core.service.pairing_service import HubOptions, PairingService, TargetSpec

from tests.clihelp import CliResult, cli_env, run_cli
from tests.support.cell_lab import CellLab
from tests.support.reads import first_id
from tests.support.marimo_proc import BrowserSession
from tests.support.mcp_client import call, mcp_session


@pytest.fixture(scope="module")
def gallery(lab: CellLab) -> Iterator[tuple[Path, BrowserSession]]:
    yield lab.fresh("outputs_gallery.py")  # returns once the browser's run of every cell completed


def cli(lab: CellLab, browser: BrowserSession, *args: str) -> CliResult:
    return run_cli([*args, "--url", lab.server.url, "--session", browser.session_id or ""],
                   env=cli_env(lab.server.state_home))


def kernel_value(lab: CellLab, browser: BrowserSession, expression: str) -> str:
    result = cli(lab, browser, "exec", "-c", f"print(repr({expression}))")
    assert result.code == 0, result.stdout
    return str(result.json["stdout"]).strip()


def element(doc: dict[str, Any], name: str) -> dict[str, Any]:
    (found,) = [e for e in doc["elements"] if name in e["names"]]
    return found


def test_ui_lists_each_element_with_value_and_domain(lab: CellLab, gallery: tuple[Path, BrowserSession]) -> None:
    _path, browser = gallery
    result = cli(lab, browser, "ui")
    assert result.code == 0
    slider = element(result.json, "slider")
    assert slider["kind"] == "slider" and slider["label"] == "n" and slider["domain"] == {"start": 1, "stop": 10}
    assert slider["value"] == int(kernel_value(lab, browser, "slider.value"))
    assert slider["text"] == f'slider "n" = {slider["value"]} (1..10) [{slider["object_id"]}]'
    dropdown = element(result.json, "dropdown")
    assert dropdown["domain"]["options"] == ["a", "b", "c"] and dropdown["value"] == "a"


def test_set_ui_moves_the_slider_reruns_its_reader_and_tells_the_browser(
        lab: CellLab, gallery: tuple[Path, BrowserSession]) -> None:
    _path, browser = gallery
    seen = len(browser.messages)
    result = cli(lab, browser, "set-ui", "slider", "7")
    assert result.code == 0, result.stdout
    assert result.json["element"]["value"] == 7 and result.json["ran"]
    (reader,) = [c for c in result.json["cells"] if c["name"] == "md_reads_slider"]
    assert reader["output"]["text"] == "The slider is at **7**"  # the new output, not the one before the run
    message = browser.wait_for(lambda m: m.get("op") == "send-ui-element-message", since=seen)
    assert message["data"]["message"] == {"type": "marimo-ui-value-update", "value": 7}
    assert kernel_value(lab, browser, "slider.value") == "7"


def test_an_out_of_range_value_is_refused_before_the_kernel(lab: CellLab, gallery: tuple[Path, BrowserSession]) -> None:
    _path, browser = gallery
    before = kernel_value(lab, browser, "slider.value")
    result = cli(lab, browser, "set-ui", "slider", "70")
    assert result.code == 2 and result.json["error"]["kind"] == "invalid_value"
    assert "outside 1..10" in result.json["error"]["message"] and result.json["error"]["next"] == "Pass 1..10."
    assert kernel_value(lab, browser, "slider.value") == before
    refused = cli(lab, browser, "set-ui", "dropdown", "zzz")
    assert refused.code == 2 and "Pass one of ['a', 'b', 'c']." == refused.json["error"]["next"]


def test_set_ui_takes_python_values_for_each_kind(lab: CellLab, gallery: tuple[Path, BrowserSession]) -> None:
    _path, browser = gallery
    for name, value, expected in [("dropdown", "b", "'b'"), ("multiselect", '["green", "blue"]', "['green', 'blue']"),
                                  ("checkbox", "false", "False"), ("number", "35", "35"),
                                  ("range_slider", "[10, 90]", "[10, 90]"), ("date", "2025-02-03", "datetime.date(2025, 2, 3)"),
                                  ("text", "hello there", "'hello there'")]:
        result = cli(lab, browser, "set-ui", name, value)
        assert result.code == 0, (name, result.stdout)
        assert kernel_value(lab, browser, f"{name}.value") == expected, name
    assert cli(lab, browser, "set-ui", "number", "33").json["error"]["message"].endswith("not on a step of 5 from 0.")


def test_a_cell_name_picks_its_element(lab: CellLab, gallery: tuple[Path, BrowserSession]) -> None:
    _path, browser = gallery
    result = cli(lab, browser, "set-ui", "ui_number", "45")  # the cell's name, not the variable's
    assert result.code == 0, result.stdout
    assert result.json["element"]["names"] == ["number"] and kernel_value(lab, browser, "number.value") == "45"


def test_a_cell_with_several_elements_is_ambiguous(lab: CellLab, gallery: tuple[Path, BrowserSession]) -> None:
    _path, browser = gallery
    cells = cli(lab, browser, "cells", "--cell", "layout_tabs", "--no-outputs").json["cells"]
    result = cli(lab, browser, "set-ui", cells[0]["id"], "1")
    assert result.code == 2 and result.json["error"]["kind"] == "ambiguous_target"
    assert len(result.json["error"]["candidates"]) == 2


def test_table_reads_a_later_page_in_the_kernel(lab: CellLab, gallery: tuple[Path, BrowserSession]) -> None:
    _path, browser = gallery
    object_id = first_id(cli(lab, browser, "output", "pandas_large").json["output"])
    result = cli(lab, browser, "table", object_id, "--page", "499")
    assert result.code == 0 and result.json["total_rows"] == 5000 and result.json["first_row"] == 4990
    assert result.json["rows"][0] == {"i": 4990, "sq": 4990 ** 2} and len(result.json["rows"]) == 10
    assert "(rows 4,991-5,000 of 5,000 rows × 2 columns)" in result.json["text"]
    missing = cli(lab, browser, "table", "nope-0")
    assert missing.code == 2 and missing.json["error"]["kind"] == "ui_not_found"


async def test_mcp_sets_a_value_and_pages_a_table(lab: CellLab, gallery: tuple[Path, BrowserSession]) -> None:
    path, _browser = gallery
    async with mcp_session(lab.server.state_home) as session:
        error, doc = await call(session, "set_ui", target="slider", value=4, notebook=str(path))
        assert not error and doc["element"]["value"] == 4
        error, refused = await call(session, "set_ui", target="slider", value=0, notebook=str(path))
        assert error and refused["error"]["kind"] == "invalid_value"
        error, listed = await call(session, "ui", notebook=str(path))
        assert not error and element(listed, "slider")["value"] == 4
        error, page = await call(session, "table_page", object_id=element(listed, "table")["object_id"], page=2,
                                 notebook=str(path))
        assert not error and page["rows"][0]["i"] == 20


async def test_the_live_model_hears_values_set_by_others(lab: CellLab, gallery: tuple[Path, BrowserSession]) -> None:
    """A value code_mode sets reaches the mirror by object id; one a browser sets, as a variable's value."""
    path, browser = gallery
    async with PairingService(HubOptions(urls=[lab.server.url])) as service:
        spec = TargetSpec(notebook=str(path), url=lab.server.url)
        pairing = (await service.mirror(spec)).value
        oid = element(cli(lab, browser, "ui").json, "slider")["object_id"]
        assert cli(lab, browser, "set-ui", "slider", "9").code == 0  # another process
        assert await pairing.wait_until(lambda nb: nb.ui_values.get(oid) == 9, 30)
        headers = {"Marimo-Session-Id": browser.routing_id or "", "Marimo-Server-Token": lab.server.server_token(path),
                   **lab.server.auth_headers()}
        response = httpx.post(lab.server.url + "/api/kernel/set_ui_element_value",
                              json={"objectIds": [oid], "values": [2]}, headers=headers, timeout=30)
        assert response.status_code == 200, response.text
        assert await pairing.wait_until(lambda nb: nb.variable_values.get("slider", {}).get("value") == "2", 30)
