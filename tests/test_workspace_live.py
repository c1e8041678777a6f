"""Variables and the dataflow graph, from the live stream, checked against the kernel's own answers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

import pytest

from tests.clihelp import CliResult, cli_env, run_cli
from tests.support.cell_lab import CellLab
from tests.support.marimo_proc import BrowserSession

NOTEBOOK = '''import marimo

app = marimo.App()


@app.cell
def setup():
    import pandas as pd
    return (pd,)


@app.cell
def frame(pd):
    df = pd.DataFrame({"a": [1, 2, 3], "b": ["x", "y", "z"], "c": [0.5, 1.5, 2.5]})
    count = 41
    return count, df


@app.cell
def helpers(count):
    def double(v):
        return v * 2
    total = double(count)
    return double, total


@app.cell
def report(df, total):
    summary = f"{len(df)} rows, total {total}"
    return (summary,)


@app.cell
def lonely():
    other = 1
    return (other,)


if __name__ == "__main__":
    app.run()
'''


@pytest.fixture(scope="module")
def notebook(lab: CellLab) -> Iterator[tuple[Path, BrowserSession]]:
    yield lab.fresh(text=NOTEBOOK)


def cli(lab: CellLab, browser: BrowserSession, *args: str) -> CliResult:
    result = run_cli([*args, "--url", lab.server.url, "--session", browser.session_id or ""],
                     env=cli_env(lab.server.state_home))
    assert result.code == 0, result.stdout + result.stderr
    return result


def kernel(lab: CellLab, browser: BrowserSession, code: str) -> Any:
    """What the kernel itself says, printed as JSON by a snippet."""
    return json.loads(cli(lab, browser, "exec", "-c", code).json["stdout"])


def test_variables_match_the_kernel(lab: CellLab, notebook: tuple[Path, BrowserSession]) -> None:
    _path, browser = notebook
    ids = {c["name"]: c["id"] for c in cli(lab, browser, "cells", "--no-outputs").json["cells"]}
    doc = cli(lab, browser, "variables").json
    by_name = {v["name"]: v for v in doc["variables"]}
    assert {"pd", "df", "count", "double", "total", "summary", "other"} <= set(by_name)
    assert by_name["count"]["declared_by"] == [ids["frame"]] and by_name["count"]["used_by"] == [ids["helpers"]]
    assert sorted(by_name["df"]["used_by"]) == [ids["report"]]
    types = kernel(lab, browser, "import json; print(json.dumps({n: type(globals()[n]).__name__ for n in "
                                 "['count', 'total', 'double', 'summary', 'df']}))")
    for name, kind in types.items():
        assert by_name[name]["type"] == kind, (name, by_name[name])
    assert by_name["total"]["preview"] == "82" and by_name["summary"]["preview"] == "3 rows, total 82"
    frame = by_name["df"]
    assert frame["rows"] == 3 and [c["name"] for c in frame["columns"]] == ["a", "b", "c"]
    assert frame["columns"] == [{"name": "a", "type": "integer", "dtype": "int64"},
                                {"name": "b", "type": "string", "dtype": "str"},
                                {"name": "c", "type": "number", "dtype": "float64"}]
    picked = cli(lab, browser, "variables", "total").json["variables"]
    assert [v["name"] for v in picked] == ["total"]


def test_the_graph_matches_marimos_own(lab: CellLab, notebook: tuple[Path, BrowserSession]) -> None:
    _path, browser = notebook
    ids = {c["name"]: c["id"] for c in cli(lab, browser, "cells", "--no-outputs").json["cells"]}
    theirs = kernel(lab, browser, "import json\nfrom marimo._runtime.context import get_context\n"
                                  "g = get_context().graph\n"
                                  "print(json.dumps({c: [sorted(g.ancestors(c)), sorted(g.descendants(c))] "
                                  "for c in g.cells}))")
    for name, cid in ids.items():
        mine = cli(lab, browser, "graph", name).json
        assert sorted(c["id"] for c in mine["ancestors"]) == theirs[cid][0], name
        assert sorted(c["id"] for c in mine["descendants"]) == theirs[cid][1], name
    by_name = cli(lab, browser, "graph", "--name", "count").json
    assert [c["name"] for c in by_name["defined_by"]] == ["frame"] and [c["name"] for c in by_name["read_by"]] == ["helpers"]
    whole = cli(lab, browser, "graph").json["cells"]
    assert {c["name"]: c["children"] for c in whole}["setup"] == [ids["frame"]]


def test_an_unknown_cell_in_graph_names_the_nearest(lab: CellLab, notebook: tuple[Path, BrowserSession]) -> None:
    _path, browser = notebook
    result = run_cli(["graph", "reprot", "--url", lab.server.url, "--session", browser.session_id or ""],
                     env=cli_env(lab.server.state_home))
    assert result.code == 2 and result.json["error"]["kind"] == "cell_not_found" and "report" in json.dumps(result.json)
