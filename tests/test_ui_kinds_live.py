"""Every kind of `mo.ui` element through `ui`, `set-ui` and `cells`, against a real server.

For each element the kernel says what its value is (a snippet in the same
kernel); `ui` must say the same, and so must the widget `cells` shows. Each
settable kind takes a value and the kernel holds it afterwards; each kind that
cannot be set is refused with the reason `ui` gives, the one the widget table in
docs/outputs.md gives.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest

from marimo_pair_tui.core.codemode.ui_values import NOT_SETTABLE

from tests.clihelp import CliResult
from tests.support import kernel_probe as probe
from tests.support.kernel_probe import session_cli
from tests.support.cell_lab import CellLab
from tests.support.marimo_proc import BrowserSession

OUTPUTS_PAGE = Path(__file__).resolve().parent.parent / "docs" / "outputs.md"


@pytest.fixture(scope="module")
def gallery(lab: CellLab) -> Iterator[tuple[Path, BrowserSession]]:
    yield lab.fresh("ui_gallery.py")


def cli(lab: CellLab, browser: BrowserSession, *args: str) -> CliResult:
    return session_cli(lab.server, browser, *args)


def kernel(lab: CellLab, browser: BrowserSession, expression: str) -> Any:
    return probe.kernel(lab.server, browser, expression)


def elements(lab: CellLab, browser: BrowserSession) -> dict[str, dict[str, Any]]:
    return probe.elements(lab.server, browser)


def shown_values(lab: CellLab, browser: BrowserSession) -> dict[str, Any]:
    """object id -> value of every widget part `cells` shows."""
    found: dict[str, Any] = {}

    def walk(parts: list[dict[str, Any]]) -> None:
        for part in parts:
            if part["type"] == "widget" and part["object_id"]:
                found[part["object_id"]] = part["value"]
            walk(part.get("children") or [])

    for cell in cli(lab, browser, "cells", "--parts").json["cells"]:
        walk((cell["output"] or {}).get("parts") or [])
    return found


RECORDS = "_j.loads({}.reset_index(drop={}).to_json(orient='records'))"

# variable, the value set-ui is given, what the kernel says its value is (as JSON)
SETTABLE = [
    ("slider", "7", "slider.value"),
    ("stepped", "25", "stepped.value"),
    ("range_slider", "[10, 90]", "list(range_slider.value)"),
    ("number", "35", "number.value"),
    ("text", "hello there", "text.value"),
    ("text_area", "two\nlines", "text_area.value"),
    ("checkbox", "false", "checkbox.value"),
    ("switch", "true", "switch.value"),
    ("dropdown", "b", "dropdown.value"),
    ("multiselect", '["green", "blue"]', "multiselect.value"),
    ("radio", "y", "radio.value"),
    ("date", "2025-02-03", "date.value.isoformat()"),
    ("dt", "2025-02-03T04:05:06", "dt.value.isoformat()"),
    ("date_range", '["2025-01-01", "2025-01-09"]', "[d.isoformat() for d in date_range.value]"),
    ("button", "1", "button.value"),
    ("run_button", "true", "run_button.value"),
    ("code_editor", "y = 2", "code_editor.value"),
    ("tabs", "Second", "tabs.value"),
    ("array", '[4, "u"]', "array.value"),
    ("dictionary", '{"b": true}', "dictionary.value"),
    ("batch", '{"x": 3}', "batch.value"),
    ("form", "sent", "form.value"),
    ("table", "[1, 3]", RECORDS.format("table.value", True)),  # an unnamed index is no label (as marimo shows it)
    ("single", "0", RECORDS.format("single.value", True)),
]

# variable, what the kernel says its value is (as JSON)
NOT_SET = [
    ("file", "list(file.value)"),
    ("file_browser", "list(file_browser.value)"),
    ("refresh", "refresh.value"),
    ("microphone", "{'bytes': microphone.value.getbuffer().nbytes}"),
    ("chat", "chat.value"),
    ("dataframe", RECORDS.format("dataframe.value", True)),
    ("explorer", "explorer.value"),
    ("editor", RECORDS.format("editor.value", True)),
    ("altair_chart", RECORDS.format("altair_chart.value", True)),
    ("plotly_chart", "plotly_chart.value"),
    ("matrix", "matrix.value"),
]


@pytest.mark.parametrize(("name", "value", "truth"), SETTABLE, ids=[case[0] for case in SETTABLE])
def test_each_settable_kind_takes_a_value_and_every_door_reads_the_kernels(
        lab: CellLab, gallery: tuple[Path, BrowserSession], name: str, value: str, truth: str) -> None:
    _path, browser = gallery
    result = cli(lab, browser, "set-ui", name, value)
    assert result.code == 0, result.stdout
    expected = kernel(lab, browser, truth)
    assert result.json["element"]["value"] == expected
    element = elements(lab, browser)[name]
    assert element["value"] == expected and element["settable"]
    shown = shown_values(lab, browser)
    if element["kind"] not in ("table", "tabs"):  # a table is a table part (its rows); tabs are a layout
        assert shown[element["object_id"]] == expected


@pytest.mark.parametrize(("name", "truth"), NOT_SET, ids=[case[0] for case in NOT_SET])
def test_each_kind_that_cannot_be_set_says_why_and_reads_the_kernels_value(
        lab: CellLab, gallery: tuple[Path, BrowserSession], name: str, truth: str) -> None:
    _path, browser = gallery
    element = elements(lab, browser)[name]
    expected = kernel(lab, browser, truth)
    assert element["value"] == expected and not element["settable"]
    why = element["why_not_settable"]
    assert why == NOT_SETTABLE[element["kind"]]
    refused = cli(lab, browser, "set-ui", name, "1")
    assert refused.code == 2 and refused.json["error"]["kind"] == "not_settable"
    assert why in refused.json["error"]["message"]
    assert kernel(lab, browser, truth) == expected
    if element["kind"] not in ("vega", "plotly"):  # a chart is a chart part
        assert shown_values(lab, browser)[element["object_id"]] == expected


def test_the_outputs_page_gives_the_same_reasons() -> None:
    text = OUTPUTS_PAGE.read_text(encoding="utf-8")
    missing = [kind for kind, why in NOT_SETTABLE.items() if why not in text]
    assert not missing, f"the widget table in docs/outputs.md lacks the reason for {missing}"
