"""A read carries each output's text, which names what an agent acts on, plus handles for anything it
does not name; the typed parts only on request (`--parts`, MCP `parts`).

A real server runs a notebook with a frame (row labels, more rows than a
page), a slider, a cell that reads it and a PIL image. The kernel says what
is true (the frame's rows, the slider's value and bounds, the image's size);
each id the text names is then used as an agent would (`table` pages by the
table's object id, `set-ui` moves the slider by its object id, the saved file
opens as the kernel's image), and the parts asked for are compared with the kernel.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import pytest
from PIL import Image

from marimo_pair_tui.core.parts import ChartPart, ImagePart, LayoutPart, TablePart, TextPart, WidgetPart, parts_text
from marimo_pair_tui.core.parts.handles import handles, unnamed_handles

from tests.clihelp import CliResult
from tests.support import kernel_probe
from tests.support.cell_lab import CellLab
from tests.support.waiting import wait_until
from tests.support.marimo_proc import BrowserSession
from tests.support.mcp_client import call, mcp_session

NOTEBOOK = '''\
import marimo

__generated_with = "0.25.2"
app = marimo.App()


@app.cell
def setup():
    import marimo as mo
    import pandas as pd
    from PIL import Image
    return Image, mo, pd


@app.cell
def frame(pd):
    df = pd.DataFrame({"city": [f"c{i:02d}" for i in range(23)], "n": [i * i for i in range(23)]}).set_index("city")
    df
    return (df,)


@app.cell
def control(mo):
    slider = mo.ui.slider(1, 10, value=3, label="n")
    slider
    return (slider,)


@app.cell
def reader(slider):
    doubled = slider.value * 2
    doubled
    return (doubled,)


@app.cell
def picture(Image, mo):
    pic = Image.new("RGB", (37, 21), (200, 60, 60))
    mo.image(pic)
    return (pic,)


if __name__ == "__main__":
    app.run()
'''


@pytest.fixture(scope="module")
def book(lab: CellLab) -> Iterator[tuple[Path, BrowserSession]]:
    yield lab.fresh(text=NOTEBOOK)


def cli(lab: CellLab, browser: BrowserSession, *args: str) -> CliResult:
    result = kernel_probe.session_cli(lab.server, browser, *args)
    assert result.code == 0, result.stdout + result.stderr
    return result


def kernel(lab: CellLab, browser: BrowserSession, expression: str) -> Any:
    return kernel_probe.kernel(lab.server, browser, expression)


def outputs(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["name"]: c.get("output") for c in document["cells"]}


def bracketed(text: str) -> list[str]:
    """The ids a text names in brackets (`[Hbol-0]`), in order."""
    return re.findall(r"\[([A-Za-z]{4}-\d+)\]", text)


def test_a_default_read_is_text_that_names_what_it_acts_on(lab: CellLab, book: tuple[Path, BrowserSession],
                                                            tmp_path: Path) -> None:
    _path, browser = book
    doc = cli(lab, browser, "cells", "--save-images", str(tmp_path)).json
    read = outputs(doc)
    assert all(set(o) == {"text"} for o in read.values() if o is not None)  # the text names it all here

    (table_id,) = bracketed(read["frame"]["text"])
    rows = kernel(lab, browser, "len(df)")
    assert f"({rows} rows × 1 columns; row labels: city) [{table_id}]" in read["frame"]["text"]
    page = cli(lab, browser, "table", table_id, "--page-size", "5", "--page", "1").json
    assert [r["n"] for r in page["rows"]] == kernel(lab, browser, "df['n'].iloc[5:10].tolist()")

    (widget_id,) = bracketed(read["control"]["text"])
    start, stop, value = kernel(lab, browser, "[slider.start, slider.stop, slider.value]")
    assert read["control"]["text"].startswith(f'slider "n" = {value} ({start}..{stop}')

    (image_file,) = doc["images"]
    assert f"saved to {image_file}" in read["picture"]["text"]
    with Image.open(image_file) as saved:
        assert list(saved.size) == kernel(lab, browser, "list(pic.size)")
    assert read["reader"] is None or "handles" not in read["reader"]


def test_a_widget_named_in_the_text_sets_the_kernel_value(lab: CellLab, tmp_path: Path) -> None:
    _path, browser = lab.fresh(text=NOTEBOOK)
    (widget_id,) = bracketed(outputs(cli(lab, browser, "cells").json)["control"]["text"])
    moved = cli(lab, browser, "set-ui", widget_id, "7").json
    assert moved["success"] is True
    assert kernel(lab, browser, "[slider.value, doubled]") == [7, 14]
    wait_until(lambda: "= 7 " in outputs(cli(lab, browser, "cells", "--cell", "control").json)["control"]["text"],
               30, "the slider's text to show the kernel's value")


def test_a_handle_is_given_for_what_the_text_does_not_name() -> None:
    table = TablePart([], [], 120, 2, 10, object_id="T-1", selection="multi")
    gauge = _GaugePart("G-1")
    text = parts_text([table])
    assert text.endswith("(120 rows × 2 columns; rows selectable (multi)) [T-1]")
    assert unnamed_handles([table], text) == []
    assert unnamed_handles([table, gauge], text) == [{"type": "gauge", "object_id": "G-1", "kind": "gauge"}]
    image = ImagePart("image/png", b"x", file="/tmp/c.png")
    assert unnamed_handles([image], parts_text([image])) == []
    assert unnamed_handles([image], "[image]") == [{"type": "image", "file": "/tmp/c.png"}]


async def test_parts_come_on_request_from_the_cli_and_mcp(lab: CellLab, book: tuple[Path, BrowserSession]) -> None:
    path, browser = book
    read = outputs(cli(lab, browser, "cells", "--parts").json)
    (table,) = read["frame"]["parts"]
    head = kernel(lab, browser, "[[k, v] for k, v in df['n'].items()]")
    assert [[r["city"], r["n"]] for r in table["rows"]] == head[: len(table["rows"])] and table["rows"]
    assert table["row_headers"] == kernel(lab, browser, "list(df.index.names)")
    assert read["frame"]["handles"] == [{"type": "table", "object_id": table["object_id"],
                                         "total_rows": table["total_rows"]}]
    (slider,) = read["control"]["parts"]
    value, start, stop = kernel(lab, browser, "[slider.value, slider.start, slider.stop]")
    assert slider["value"] == value and (slider["domain"]["start"], slider["domain"]["stop"]) == (start, stop)

    one = cli(lab, browser, "output", "frame", "--parts").json["output"]
    assert one["parts"] == read["frame"]["parts"]
    assert "parts" not in cli(lab, browser, "output", "frame").json["output"]

    async with mcp_session(lab.server.state_home) as session:
        error, plain = await call(session, "cells", notebook=str(path))
        assert not error
        error, typed = await call(session, "cells", notebook=str(path), parts=True)
        assert not error
        error, single = await call(session, "output", cell="frame", notebook=str(path), parts=True)
        assert not error
    plain_out, typed_out = outputs(plain), outputs(typed)
    assert all("parts" not in o for o in plain_out.values() if o is not None)
    assert plain_out["frame"]["text"] == typed_out["frame"]["text"]  # one text, with or without parts
    assert plain_out["control"]["text"] == typed_out["control"]["text"]
    assert typed_out["frame"]["parts"] == read["frame"]["parts"] == single["output"]["parts"]
    assert typed_out["control"]["parts"][0]["value"] == value


@dataclass
class _GaugePart:
    """A part kind the handles were not written for: it gets one by its fields."""

    object_id: str
    kind: str = "gauge"

    def to_json(self) -> dict[str, Any]:
        return {"type": "gauge", "object_id": self.object_id, "kind": self.kind}


def test_every_part_with_an_object_id_a_file_or_a_reason_not_drawn_gets_a_handle() -> None:
    table = TablePart([], [], 120, 2, 10, object_id="T-1", selection="multi")
    widget = WidgetPart("slider", "W-1", "n", 3, {"start": 1, "stop": 10})
    chart = ChartPart("vega-lite", {}, "a line", image=ImagePart("image/png", b"x", file="/tmp/c.png"))
    bare = ChartPart("plotly", {}, "a 3-D scatter", not_drawn="3-D traces")
    parts: list[Any] = [TextPart("hi"), table, LayoutPart("vstack", [widget, chart]), bare, _GaugePart("G-1")]
    assert handles(parts) == [
        {"type": "table", "object_id": "T-1", "total_rows": 120, "selection": "multi"},
        {"type": "widget", "object_id": "W-1", "kind": "slider"},
        {"type": "image", "file": "/tmp/c.png"},
        {"type": "chart", "not_drawn": "3-D traces"},
        {"type": "gauge", "object_id": "G-1", "kind": "gauge"},
    ]
