"""Charts read as the kernel holds them, against a real server: the kernel is the oracle.

Altair charts reach a reader in every format marimo hands chart data over in
(inline datasets, a CSV data URL, virtual files of CSV, JSON and Arrow); plotly
figures with typed arrays (plotly >= 6). For each, the truth is computed in
the same kernel (the frame's length, columns, categories, ranges; the
figure's arrays) and compared with the parts `output` gives; the picture is
compared with the kernel's own vl-convert rendering of the same chart.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any, Iterator

import pytest
from hypothesis import given, settings, strategies as st
from PIL import Image

from marimo_pair_tui.core.parts import ChartPart
from marimo_pair_tui.core.parts.chart_data import ARROW_HINT, Unreadable, inline
from marimo_pair_tui.core.parts.charts import refresh_data, vega_chart
from tests.support import kernel_probe
from tests.support.cell_lab import CellLab
from tests.support.marimo_proc import BrowserSession

NOTEBOOK = '''
import marimo

app = marimo.App()


@app.cell
def imports():
    import altair as alt
    import marimo as mo
    import numpy as np
    import pandas as pd
    import plotly.express as px
    import plotly.graph_objects as go
    import polars as pl
    return alt, go, mo, np, pd, pl, px


@app.cell
def frames(pd, pl):
    rows = [{"x": i, "y": (i * 7) % 31, "cat": ["a", "b", "c"][i % 3]} for i in range(137)]
    pdf = pd.DataFrame(rows)
    pldf = pl.DataFrame(rows)
    return pdf, pldf


@app.cell
def bars_def(alt):
    def bars(data):
        return alt.Chart(data).mark_bar().encode(x="cat", y="count()")
    return (bars,)


@app.cell
def plain_inline(bars, pdf):
    bars(pdf)
    return


@app.cell
def ui_arrow(bars, mo, pldf):
    chart_arrow = mo.ui.altair_chart(bars(pldf))
    chart_arrow
    return (chart_arrow,)


@app.cell
def ui_csv(alt, bars, mo, pdf):
    with alt.data_transformers.enable("marimo_csv"):
        chart_csv = mo.ui.altair_chart(bars(pdf))
    chart_csv
    return (chart_csv,)


@app.cell
def ui_json(alt, bars, mo, pdf):
    with alt.data_transformers.enable("marimo_json"):
        chart_json = mo.ui.altair_chart(bars(pdf))
    chart_json
    return (chart_json,)


@app.cell
def ui_inline_csv(alt, bars, mo, pdf):
    with alt.data_transformers.enable("marimo_inline_csv"):
        chart_inline_csv = mo.ui.altair_chart(bars(pdf))
    chart_inline_csv
    return (chart_inline_csv,)


@app.cell
def px_scatter(np, px):
    fig_scatter = px.scatter(x=np.arange(83) * 0.25, y=(np.arange(83) ** 2) % 17)
    fig_scatter
    return (fig_scatter,)


@app.cell
def go_bar(go, np):
    fig_bar = go.Figure(go.Bar(x=["north", "south", "east", "west"], y=np.array([12.5, 3.25, 7.0, 9.75])))
    fig_bar
    return (fig_bar,)


@app.cell
def px_colored(pdf, px):
    fig_colored = px.scatter(pdf, x="x", y="y", color="cat")
    fig_colored
    return (fig_colored,)


@app.cell
def go_heatmap(go, np):
    fig_heat = go.Figure(go.Heatmap(z=np.arange(12).reshape(3, 4)))
    fig_heat
    return (fig_heat,)


@app.cell
def more_kinds(go, np, pdf, px):
    fig_hist = px.histogram(pdf, x="y")
    fig_pie = go.Figure(go.Pie(labels=["a", "b", "c"], values=np.array([45, 46, 46])))
    fig_box = go.Figure([go.Box(y=pdf["y"].to_numpy(), name="y"), go.Box(y=pdf["x"].to_numpy(), name="x")])
    return fig_box, fig_hist, fig_pie


@app.cell
def px_histogram(fig_hist):
    fig_hist
    return


@app.cell
def go_pie(fig_pie):
    fig_pie
    return


@app.cell
def go_box(fig_box):
    fig_box
    return


@app.cell
def ui_plotly(fig_scatter, mo):
    plotly_el = mo.ui.plotly(fig_scatter)
    plotly_el
    return


@app.cell
def go_3d(go, np):
    fig_3d = go.Figure(go.Scatter3d(x=np.arange(5), y=np.arange(5) * 2, z=np.arange(5) * 3, mode="markers"))
    fig_3d
    return (fig_3d,)
'''

CHARTS = {"plain_inline": None, "ui_arrow": "chart_arrow", "ui_csv": "chart_csv", "ui_json": "chart_json",
          "ui_inline_csv": "chart_inline_csv"}


@pytest.fixture(scope="module")
def notebook(lab: CellLab) -> Iterator[BrowserSession]:
    _path, browser = lab.fresh(text=NOTEBOOK)  # returns once the browser's run of every cell completed
    yield browser


def cli(lab: CellLab, browser: BrowserSession, *args: str) -> dict[str, Any]:
    result = kernel_probe.session_cli(lab.server, browser, *args)
    assert result.code == 0, result.stderr + result.stdout
    return result.json


def kernel(lab: CellLab, browser: BrowserSession, code: str) -> Any:
    """What a snippet run in the notebook's kernel prints, as JSON: the truth the parts are held to."""
    doc = cli(lab, browser, "exec", "-c", code)
    return json.loads(doc["stdout"])


def chart_of(lab: CellLab, browser: BrowserSession, cell: str, images: Path) -> dict[str, Any]:
    doc = cli(lab, browser, "output", cell, "--parts", "--save-images", str(images))
    (chart,) = doc["output"]["parts"]
    assert chart["type"] == "chart" and chart["description"] in doc["output"]["text"]
    return chart


def pixels(png: bytes) -> tuple[tuple[int, int], bytes]:
    with Image.open(io.BytesIO(png)) as picture:
        rgba = picture.convert("RGBA")
        return rgba.size, rgba.tobytes()


FRAME_TRUTH = """
import json
print(json.dumps({"rows": len(pdf), "columns": list(pdf.columns), "cats": sorted(pdf["cat"].unique().tolist()),
                  "x": [int(pdf["x"].min()), int(pdf["x"].max())], "y": [int(pdf["y"].min()), int(pdf["y"].max())],
                  "formats": {cell: (globals()[name]._spec["data"]["format"]["type"] if name else "inline")
                              for cell, name in %r.items()}}))
""" % CHARTS

PICTURE_TRUTH = """
import base64, json, vl_convert
with alt.data_transformers.enable("default"):
    spec = bars(pdf).to_dict()
print(json.dumps(base64.b64encode(bytes(vl_convert.vegalite_to_png(spec))).decode()))
"""


@pytest.mark.parametrize("cell", list(CHARTS))
def test_altair_data_in_every_format_reads_as_the_kernels_frame(lab: CellLab, notebook: BrowserSession,
                                                                tmp_path: Path, cell: str) -> None:
    truth = kernel(lab, notebook, FRAME_TRUTH)
    chart = chart_of(lab, notebook, cell, tmp_path)
    (dataset,) = chart["data"]
    assert dataset["format"] == {"plain_inline": "json"}.get(cell, truth["formats"][cell])
    assert dataset["rows"] == truth["rows"] == 137
    fields = {f["name"]: f for f in dataset["fields"]}
    assert set(fields) == set(truth["columns"])
    assert sorted(fields["cat"]["values"]) == truth["cats"] and fields["cat"]["distinct"] == len(truth["cats"])
    assert [fields["x"]["min"], fields["x"]["max"]] == truth["x"] and [fields["y"]["min"], fields["y"]["max"]] == truth["y"]
    assert f"{truth['rows']} rows" in chart["description"]
    assert "cat (string, 3 values: a, b, c)" in chart["description"]


def test_the_arrow_case_is_the_format_marimo_picks_for_polars(lab: CellLab, notebook: BrowserSession) -> None:
    truth = kernel(lab, notebook, FRAME_TRUTH)
    assert truth["formats"] == {"plain_inline": "inline", "ui_arrow": "arrow", "ui_csv": "csv", "ui_json": "json",
                                "ui_inline_csv": "csv"}


@pytest.mark.parametrize("cell", list(CHARTS))
def test_each_altair_chart_is_drawn_as_the_kernel_draws_it(lab: CellLab, notebook: BrowserSession,
                                                          tmp_path: Path, cell: str) -> None:
    import base64

    expected = pixels(base64.b64decode(kernel(lab, notebook, PICTURE_TRUTH)))
    chart = chart_of(lab, notebook, cell, tmp_path)
    assert chart["image"] and chart["not_drawn"] is None
    drawn = pixels(Path(chart["image"]["file"]).read_bytes())
    assert drawn[0] == expected[0] == (chart["image"]["width"], chart["image"]["height"])
    assert drawn[1] == expected[1]  # the same bars: three categories, each its count


FIGURE_TRUTH = """
import json
def arrays(fig):
    return [{"type": t.type, "name": t.name or "",
             **{k: (getattr(t, k).tolist() if hasattr(getattr(t, k), "tolist") else list(getattr(t, k)))
                for k in ("x", "y", "z", "values", "labels") if getattr(t, k, None) is not None}} for t in fig.data]
print(json.dumps({"scatter": arrays(fig_scatter), "bar": arrays(fig_bar), "colored": arrays(fig_colored),
                  "heat": arrays(fig_heat), "three_d": arrays(fig_3d), "hist": arrays(fig_hist),
                  "pie": arrays(fig_pie), "box": arrays(fig_box)}))
"""


def flat(values: list[Any]) -> list[Any]:
    return [v for row in values for v in row] if values and isinstance(values[0], list) else values


def assert_trace_matches(summary: dict[str, Any], truth: dict[str, Any]) -> None:
    assert summary["type"] == truth["type"] and summary["name"] == truth["name"]
    fields = {f["name"]: f for f in summary["fields"]}
    arrays = {k: flat(v) for k, v in truth.items() if k in ("x", "y", "z", "values", "labels")}
    assert set(fields) == set(arrays)
    assert summary["points"] == max(len(v) for v in arrays.values())
    for name, values in arrays.items():
        field = fields[name]
        assert field["distinct"] == len(set(values)), name
        if field["kind"] == "number":
            assert (field["min"], field["max"]) == (min(values), max(values)), name
        if "values" in field:
            assert field["values"] == list(dict.fromkeys(values)), name


@pytest.mark.parametrize("cell, key", [("px_scatter", "scatter"), ("go_bar", "bar"), ("px_colored", "colored"),
                                       ("go_heatmap", "heat"), ("ui_plotly", "scatter"), ("px_histogram", "hist"),
                                       ("go_pie", "pie"), ("go_box", "box")])
def test_plotly_typed_arrays_read_as_the_kernels_figure_and_are_drawn(lab: CellLab, notebook: BrowserSession,
                                                                     tmp_path: Path, cell: str, key: str) -> None:
    truth = kernel(lab, notebook, FIGURE_TRUTH)[key]
    chart = chart_of(lab, notebook, cell, tmp_path)
    assert chart["library"] == "plotly" and len(chart["data"]) == len(truth)
    for summary, trace in zip(chart["data"], truth):
        assert_trace_matches(summary, trace)
    points = sum(s["points"] for s in chart["data"])
    assert points > 0 and f"{points:,} points" in chart["description"]
    assert chart["image"] and chart["not_drawn"] is None
    size, _ = pixels(Path(chart["image"]["file"]).read_bytes())
    assert size == (chart["image"]["width"], chart["image"]["height"]) and min(size) > 50


def test_a_plotly_figure_that_cannot_be_drawn_says_so_and_what_it_holds(lab: CellLab, notebook: BrowserSession,
                                                                       tmp_path: Path) -> None:
    truth = kernel(lab, notebook, FIGURE_TRUTH)["three_d"]
    doc = cli(lab, notebook, "output", "go_3d", "--parts", "--save-images", str(tmp_path))
    (chart,) = doc["output"]["parts"]
    assert_trace_matches(chart["data"][0], truth[0])
    assert chart["image"] is None and "scatter3d" in chart["not_drawn"]
    assert f"not drawn: {chart['not_drawn']}" in doc["output"]["text"] and doc["images"] == []


def test_arrow_data_without_a_reader_is_said_to_be_unread_never_counted(monkeypatch: pytest.MonkeyPatch) -> None:
    import polars as pl

    buffer = io.BytesIO()
    pl.DataFrame({"x": list(range(137)), "cat": ["a", "b", "c"] * 45 + ["a", "b"]}).write_ipc(buffer)
    url = "./@file/1-2-abc.arrow"
    part: ChartPart = vega_chart({"data": {"url": url, "format": {"type": "arrow"}}, "mark": "bar"}, "x-0")
    assert part.data[0]["rows"] is None and "not fetched" in part.description  # before the fetch: no count either
    node = part.spec["data"]
    monkeypatch.setitem(__import__("sys").modules, "arro3.io", None)  # the reader missing
    with pytest.raises(Unreadable) as raised:
        inline(node, buffer.getvalue(), url)
    refresh_data(part, url, node, "arrow", str(raised.value))
    assert part.data == [{"source": url, "format": "arrow", "rows": None, "unread": ARROW_HINT}]
    assert " rows" not in part.description and ARROW_HINT in part.description
    monkeypatch.undo()
    inline(node, buffer.getvalue(), url)
    refresh_data(part, url, node, "arrow")
    assert part.data[0]["rows"] == 137 and "137 rows" in part.description


# -- pure units: typed arrays as numpy writes them, and input that must never raise ------------------------------

@pytest.mark.parametrize("dtype", ["int8", "uint8", "int16", "uint16", "int32", "uint32", "float32", "float64"])
def test_typed_arrays_decode_as_numpy_wrote_them(dtype: str) -> None:
    import numpy as np
    from _plotly_utils.utils import to_typed_array_spec

    from marimo_pair_tui.core.parts.plotly_figures import decode_typed_array

    array = (np.arange(24) * 3 - 7).astype(dtype).reshape(2, 3, 4)
    spec = to_typed_array_spec(array)  # what plotly.py sends: {"dtype", "bdata", "shape"}
    assert spec["shape"] == "2, 3, 4"
    assert decode_typed_array(spec) == array.tolist()
    assert decode_typed_array({**spec, "shape": None}) == array.ravel().tolist()


@settings(max_examples=150, deadline=None)
@given(data=st.binary(max_size=300), kind=st.sampled_from(["csv", "tsv", "json", "arrow", "topojson"]))
def test_any_bytes_in_a_virtual_file_are_read_or_said_to_be_unread(data: bytes, kind: str) -> None:
    url = f"./@file/1-2-x.{kind}"
    part = vega_chart({"data": {"url": url, "format": {"type": kind}}, "mark": "point"}, None)
    node = part.spec["data"]
    try:
        inline(node, data, url)
        refresh_data(part, url, node, kind)
    except Unreadable as exc:
        refresh_data(part, url, node, kind, str(exc))
    (entry,) = part.data
    assert (entry["rows"] is None) == ("unread" in entry) and part.description


VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8)
    | st.fixed_dictionaries({"dtype": st.sampled_from(["f8", "i1", "u4", "i8", 3]), "bdata": st.text(max_size=12)},
                            optional={"shape": st.text(max_size=6)}),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.sampled_from(["text", "color", "dtype"]), inner,
                                                                max_size=2),
    max_leaves=12)
TRACES = st.dictionaries(
    st.sampled_from(["x", "y", "z", "values", "labels", "mode", "name", "orientation", "text", "xaxis", "marker",
                     "x0", "dx", "nbinsx"]), VALUES, max_size=6,
).flatmap(lambda trace: st.sampled_from(["scatter", "bar", "histogram", "box", "pie", "heatmap", "surface", 7])
          .map(lambda kind: {**trace, "type": kind}))
FIGURES = st.fixed_dictionaries({"data": st.lists(TRACES, max_size=3) | VALUES},
                                optional={"layout": st.dictionaries(st.sampled_from(["title", "width", "colorway",
                                                                                     "xaxis", "template"]), VALUES)})


@settings(max_examples=200, deadline=None)
@given(figure=FIGURES | VALUES)
def test_any_plotly_figure_is_described_and_drawn_or_said_not_to_be(figure: Any) -> None:
    from marimo_pair_tui.core.parts.charts import chart_png, plotly_chart

    part = plotly_chart(figure, None)
    assert part.description.startswith("plotly figure")
    png, why = chart_png(part)
    assert (png is None) != (why is None)


def test_a_label_vl_convert_would_abort_on_is_drawn_with_a_replacement() -> None:
    from marimo_pair_tui.core.parts.charts import chart_png

    labels = ["a\x01b", "\x1b[2J", "\uffff", "ok"]
    part = vega_chart({"data": {"values": [{"cat": c, "n": i} for i, c in enumerate(labels)]}, "mark": "bar",
                       "title": "t\x00", "encoding": {"x": {"field": "cat", "type": "nominal"},
                                                      "y": {"field": "n", "type": "quantitative"}}}, None)
    png, why = chart_png(part)  # without the replacement this aborts the test process itself
    assert why is None and png is not None and pixels(png)[0][0] > 50
    assert part.data[0]["fields"][0]["values"] == labels  # the summary keeps the text as sent


@pytest.mark.parametrize("how", ["file", "stream", "file-zstd", "file-lz4"])
def test_arrow_ipc_reads_as_a_file_or_a_stream_compressed_or_not(how: str) -> None:
    import datetime as dt

    import polars as pl

    from marimo_pair_tui.core.parts.chart_data import arrow_rows

    frame = pl.DataFrame({"x": [1, None, 3], "f": [0.5, float("nan"), 2.0], "cat": ["a", "b", None],
                          "t": [dt.datetime(2024, 1, 1, 12), None, dt.datetime(2024, 1, 3)]})
    frame = frame.with_columns(pl.col("cat").cast(pl.Categorical))
    buffer = io.BytesIO()
    if how == "stream":
        frame.write_ipc_stream(buffer)
    else:
        frame.write_ipc(buffer, compression=how.partition("-")[2] or "uncompressed")  # type: ignore[arg-type]
    assert arrow_rows(buffer.getvalue()) == [
        {"x": 1, "f": 0.5, "cat": "a", "t": "2024-01-01T12:00:00"},
        {"x": None, "f": None, "cat": "b", "t": None},
        {"x": 3, "f": 2.0, "cat": None, "t": "2024-01-03T00:00:00"}]
