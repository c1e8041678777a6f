"""Tables read as marimo shows them, checked against the kernel: row labels, pages, floats, Series previews.

A real server runs tests/notebooks/labelled_tables.py. Every expectation is
computed by a snippet in the same kernel (the index names and labels, the
values, the row count), then compared with what each headless door shows:
`output`'s text and parts, `table` pages, `variables`, and the MCP tool.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest

from marimo_pair_tui.core.parts.values import format_number, fraction_digits, js_string, shown_value

from tests.support import kernel_probe
from tests.support.reads import first_id
from tests.clihelp import CliResult, cli_env, start_cli
from tests.support.cell_lab import CellLab
from tests.support.waiting import wait_until
from tests.support.marimo_proc import BrowserSession
from tests.support.mcp_client import call, mcp_session

# The frames whose row labels each door must show: (cell, the expression for its frame in the kernel).
LABELLED = [("by_city", "by_city"), ("stats", "df.describe()"), ("grouped", "grouped"), ("counts", "counts")]


@pytest.fixture(scope="module")
def book(lab: CellLab) -> Iterator[tuple[Path, BrowserSession]]:
    yield lab.fresh("labelled_tables.py")  # returns once the browser's run of every cell completed


def cli(lab: CellLab, browser: BrowserSession, *args: str) -> CliResult:
    return kernel_probe.session_cli(lab.server, browser, *args)


def kernel(lab: CellLab, browser: BrowserSession, expression: str) -> Any:
    """`expression` evaluated in the notebook's kernel, as JSON."""
    return kernel_probe.kernel(lab.server, browser, expression)


def index_truth(lab: CellLab, browser: BrowserSession, frame: str) -> tuple[list[Any], list[list[Any]]]:
    """The frame's index level names and every row's labels (one list per row), from the kernel."""
    found = kernel(lab, browser, f"{{'names': list({frame}.index.names), "
                                 f"'labels': [list(k) if isinstance(k, tuple) else [k] for k in {frame}.index.tolist()]}}")
    return found["names"], found["labels"]


def text_rows(text: str) -> list[list[str]]:
    """The cells of a GFM table's body rows."""
    lines = [line for line in text.splitlines() if line.startswith("| ")][1:]
    return [[cell.strip() for cell in line.strip("|").split(" | ")] for line in lines]


def headers_match(headers: list[str], names: list[Any]) -> bool:
    """marimo names each level as the frame does, and an unnamed level `Index0`, `Index1`, …"""
    return len(headers) == len(names) and all(n is None or h == n for h, n in zip(headers, names))


@pytest.mark.parametrize("cell, frame", LABELLED)
def test_row_labels_reach_the_text_the_parts_and_the_pages(
        lab: CellLab, book: tuple[Path, BrowserSession], cell: str, frame: str) -> None:
    _path, browser = book
    names, labels = index_truth(lab, browser, frame)
    output = cli(lab, browser, "output", cell, "--parts").json["output"]
    (part,) = output["parts"]
    headers = part["row_headers"]
    assert headers_match(headers, names), (headers, names)
    assert [c["name"] for c in part["columns"][: len(headers)]] == headers  # row labels first
    assert all(c["index"] for c in part["columns"][: len(headers)])
    assert not any(c["index"] for c in part["columns"][len(headers):])
    assert [[row[h] for h in headers] for row in part["rows"]] == labels[: len(part["rows"])]
    shown = text_rows(output["text"])
    assert [row[: len(headers)] for row in shown] == [[str(v) for v in label] for label in labels[: len(shown)]]
    assert f"row labels: {', '.join(headers)}" in output["text"]

    page = cli(lab, browser, "table", cell, "--page-size", "2", "--page", "1")
    assert page.code == 0, page.stdout
    doc = page.json
    assert doc["row_headers"] == headers and doc["object_id"] == part["object_id"]
    assert [[row[h] for h in headers] for row in doc["rows"]] == labels[2:4]
    assert [row[: len(headers)] for row in text_rows(doc["text"])] == [[str(v) for v in label] for label in labels[2:4]]


def test_paging_past_the_end_is_a_usage_error_naming_the_last_page(
        lab: CellLab, book: tuple[Path, BrowserSession]) -> None:
    _path, browser = book
    rows = kernel(lab, browser, "len(big)")
    last = (rows - 1) // 10
    object_id = first_id(cli(lab, browser, "output", "big").json["output"])
    for target in ("big", object_id):  # the cell's name and the table's object id reach the same table
        at_end = cli(lab, browser, "table", target, "--page", str(last))
        assert at_end.code == 0 and at_end.json["object_id"] == object_id and at_end.json["last_page"] == last
        assert at_end.json["rows"] == kernel(lab, browser, f"big.iloc[{last * 10}:].to_dict('records')")
        past = cli(lab, browser, "table", target, "--page", str(last + 1))
        assert past.code == 2, past.stdout
        error = past.json["error"]
        assert error["kind"] == "page_out_of_range" and error["last_page"] == last and error["total_rows"] == rows
        assert f"page {last}" in error["next"]
        assert "rows" not in past.json  # no page of nothing
    unknown = cli(lab, browser, "table", "bigg")
    assert unknown.code == 2 and unknown.json["error"]["kind"] == "cell_not_found"
    assert "big" in unknown.json["error"]["nearest"]
    no_table = cli(lab, browser, "table", "prices")
    assert no_table.code == 2 and no_table.json["error"]["kind"] == "ui_not_found"


async def test_mcp_pages_by_cell_name_and_refuses_past_the_end(lab: CellLab, book: tuple[Path, BrowserSession]) -> None:
    path, browser = book
    names, labels = index_truth(lab, browser, "grouped")
    async with mcp_session(lab.server.state_home) as session:
        error, doc = await call(session, "table_page", object_id="grouped", notebook=str(path))
        assert not error and headers_match(doc["row_headers"], names)
        assert [[row[h] for h in doc["row_headers"]] for row in doc["rows"]] == labels
        error, doc = await call(session, "table_page", object_id="grouped", page=1, notebook=str(path))
        assert error and doc["error"]["kind"] == "page_out_of_range" and doc["error"]["last_page"] == 0


def test_floats_are_written_as_the_browser_writes_them_and_exactly_on_request(
        lab: CellLab, book: tuple[Path, BrowserSession]) -> None:
    _path, browser = book
    values = kernel(lab, browser, "by_city['price'].tolist()")
    reprs = kernel(lab, browser, "[repr(v) for v in by_city['price'].tolist()]")
    counts = kernel(lab, browser, "by_city['n'].tolist()")
    output = cli(lab, browser, "output", "by_city", "--parts").json["output"]
    (part,) = output["parts"]
    assert [row["price"] for row in part["rows"]] == values  # the parts keep the exact values
    names = [c["name"] for c in part["columns"]]
    shown = [dict(zip(names, row)) for row in text_rows(output["text"])]
    # The browser pads every float of a column to the most fraction digits one of them has on the page,
    # groups thousands, and keeps the shortest digits that read back as the value.
    digits = max(len(r.split(".")[1]) for r in reprs)
    for row, value in zip(shown, values):
        assert float(row["price"].replace(",", "")) == value
        assert len(row["price"].split(".")[1]) == digits
    assert [row["n"] for row in shown] == [f"{n:,}" for n in counts]  # 3000 is 3,000
    assert "1,234,567.891" in shown[2]["price"]
    exact = cli(lab, browser, "table", "by_city", "--exact")
    assert exact.code == 0
    exact_rows = [dict(zip(names, row)) for row in text_rows(exact.json["text"])]
    assert [row["price"] for row in exact_rows] == reprs  # 343.96999999999997 exactly as Python writes it
    assert [row["n"] for row in exact_rows] == [str(n) for n in counts]


def test_a_series_preview_has_its_name_dtype_length_and_labelled_values(
        lab: CellLab, book: tuple[Path, BrowserSession]) -> None:
    _path, browser = book
    result = cli(lab, browser, "variables", "counts", "prices", "grouped", "by_city")
    assert result.code == 0, result.stdout
    found = {v["name"]: v for v in result.json["variables"]}
    for name in ("counts", "prices"):
        truth = kernel(lab, browser, f"{{'name': {name}.name, 'dtype': str({name}.dtype), 'length': len({name}), "
                                     f"'index': [] if isinstance({name}.index, pd.RangeIndex) and {name}.index.name is None "
                                     f"else list({name}.index.names), "
                                     f"'head': [[k, v] for k, v in {name}.head(5).items()]}}")
        variable = found[name]
        assert "object at 0x" not in variable["preview"]
        series = variable["series"]
        assert series["name"] == truth["name"] and series["dtype"] == truth["dtype"]
        assert series["length"] == truth["length"] and variable["index"] == truth["index"]
        assert [[h["label"], h["value"]] for h in series["head"]] == truth["head"]
        preview = variable["preview"]
        assert f'"{truth["name"]}"' in preview and truth["dtype"] in preview and f"{truth['length']:,} values" in preview
        for label, value in truth["head"][:3]:
            assert f"{label}: {value!r}" in preview
    for name in ("grouped", "by_city"):
        names, labels = index_truth(lab, browser, name)
        assert found[name]["index"] == names
        assert f"row labels {', '.join(names)}" in found[name]["preview"]
        flat = [label if len(label) > 1 else label[0] for label in labels]
        assert found[name]["labels"] == flat[:5]


def test_while_the_kernel_is_busy_variables_answers_with_marimos_preview_and_says_why(
        lab: CellLab, book: tuple[Path, BrowserSession], tmp_path: Path) -> None:
    _path, browser = book
    flag = tmp_path / "go"
    waiting = start_cli(["exec", "--url", lab.server.url, "--session", browser.session_id or "", "-c",
                         f"import os, time\nwhile not os.path.exists({str(flag)!r}):\n    time.sleep(0.05)"],
                        env=cli_env(lab.server.state_home))
    try:
        wait_until(lambda: cli(lab, browser, "status").json.get("state") == "running", timeout=30,
                   what="the kernel busy with the waiting snippet")
        busy = cli(lab, browser, "variables", "counts")
        assert busy.code == 0, busy.stdout
        (counts,) = busy.json["variables"]
        assert "series" not in counts and counts["type"] == "Series"
        assert any("busy" in w for w in busy.json["warnings"])
    finally:
        flag.touch()
        assert waiting.wait(timeout=60) == 0
        waiting.stdout.close()  # type: ignore[union-attr]
        waiting.stderr.close()  # type: ignore[union-attr]
    idle = cli(lab, browser, "variables", "counts")
    assert idle.json["variables"][0]["series"]["length"] == kernel(lab, browser, "len(counts)")


# Unit: the browser's number rules, against values measured with Node 20's Intl.NumberFormat (V8 and ICU,
# the engine of Chrome) as marimo's frontend calls it: minimumFractionDigits = the page's longest,
# maximumFractionDigits = the most the engine allows (20 in Node 20; 100 in current Chrome: same digits here).
MEASURED = [
    ((343.96999999999997, 14), "343.96999999999997"),
    ((343.96999999999997, 17), "343.96999999999997000"),
    ((0.1 + 0.2, 17), "0.30000000000000004"),
    ((52.4, 3), "52.400"),
    ((1234567.891, 3), "1,234,567.891"),
    ((1e-7, 0), "0.0000001"),
    ((1e21, 0), "1,000,000,000,000,000,000,000"),
    ((123456789012345680000.0, 0), "123,456,789,012,345,680,000"),
    ((-0.5, 1), "-0.5"),
    ((3.0, 0), "3"),
    ((2.5, 3), "2.500"),
    ((1 / 3, 16), "0.3333333333333333"),
]


@pytest.mark.parametrize("args, expected", MEASURED)
def test_numbers_match_what_intl_writes(args: tuple[float, int], expected: str) -> None:
    assert format_number(*args) == expected


def test_the_page_padding_counts_digits_as_javascript_writes_the_number() -> None:
    assert js_string(1.5e-7) == "1.5e-7" and fraction_digits(1.5e-7) == 4  # JavaScript's quirk, kept
    assert js_string(1e21) == "1e+21" and js_string(123456789012345680000.0) == "123456789012345680000"
    assert js_string(1e-7) == "1e-7" and js_string(0.000001) == "0.000001" and js_string(-2.0) == "-2"
    assert fraction_digits(343.96999999999997) == 14 and fraction_digits(3.0) == 0
    assert shown_value(None) == "None" and shown_value("") == "<empty>" and shown_value(True) == "True"
    assert shown_value(float("nan"), "number") == "NaN" and shown_value("-Infinity", "number") == "-inf"
    assert shown_value("  x ") == "␣␣x␣" and shown_value({"a": [1, 2]}) == '{"a":[1,2]}'

