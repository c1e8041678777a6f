"""The fidelity corpus: real outputs, each with the snippet that computes its truth in the same kernel.

Every `Output` is one cell of a notebook (`book`): its code ends with the value
marimo displays, and `truth` is a Python expression evaluated afterwards in
the same kernel (with the helpers of `TRUTH_HELPERS` in scope) whose JSON is
what every door must show. `snippet`, when set, is an expression the Results
pane runs to show the same output there. Nothing here is our own output: the
truths are the libraries' own answers (lengths, labels, values, sizes).
"""

from __future__ import annotations

from dataclasses import dataclass

from marimo._ast.codegen import generate_filecontents
from marimo._ast.cell import CellConfig


@dataclass(frozen=True)
class Output:
    name: str  # the cell's name, and the test id
    kind: str  # which checker reads it: table, chart, plot, image, widget, markdown, layout, stat, text, error
    code: str  # the cell's code; its last expression is the output
    truth: str  # an expression (helpers in scope) whose JSON is the truth
    book: str  # the notebook the cell is in
    snippet: str | None = None  # an expression the Results pane runs to show the same output


IMPORTS = """
import datetime
import altair as alt
import marimo as mo
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import polars as pl
from PIL import Image, ImageDraw
"""

# Functions the truth expressions call, run in the kernel beside them: they ask pandas, polars, altair,
# plotly, PIL and marimo's elements what they hold, in the shapes the checkers compare.
TRUTH_HELPERS = r'''
import json as _json, math as _math, datetime as _dt
import pandas as _pd, polars as _pl, numpy as _np


def _plain(v):
    if isinstance(v, _np.generic):
        v = v.item()
    if isinstance(v, float) and not _math.isfinite(v):
        return {"nonfinite": repr(v)}
    if isinstance(v, (_pd.Timestamp, _dt.datetime, _dt.date)):
        return {"time": v.isoformat()}
    if v is _pd.NaT:
        return None
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    return v


def table_truth(obj, page=10):
    import marimo as _mo
    if isinstance(obj, _mo.ui.table):  # its data, without the row ids marimo adds
        obj = obj.data
        obj = obj.drop(columns=[c for c in obj.columns if str(c).startswith("_marimo_")])
    if isinstance(obj, _pd.Series):  # marimo's formatter names an unnamed Series "value"
        obj = obj.to_frame(name="value" if obj.name is None else obj.name)
    if isinstance(obj, _pl.DataFrame):
        return {"columns": list(obj.columns), "index_names": [], "labels": [], "rows": obj.height,
                "dtypes": [str(t) for t in obj.dtypes],
                "head": [[_plain(v) for v in row] for row in obj.head(page).rows()]}
    named = not (isinstance(obj.index, _pd.RangeIndex) and obj.index.name is None)
    head = obj.head(page)
    return {"columns": [str(c) for c in obj.columns],
            "index_names": list(obj.index.names) if named else [],
            "labels": [[_plain(x) for x in (k if isinstance(k, tuple) else (k,))] for k in head.index] if named else [],
            "rows": len(obj), "dtypes": [str(t) for t in obj.dtypes],
            "head": [[_plain(v) for v in row] for row in head.itertuples(index=False, name=None)]}


def altair_truth(chart):
    import marimo as _mo
    if isinstance(chart, _mo.ui.altair_chart):
        chart = chart._chart
    data = chart.data
    mark = chart.mark if isinstance(chart.mark, str) else chart.mark.type
    return {"rows": len(data), "fields": [str(c) for c in data.columns], "mark": mark}


def plotly_truth(fig):
    import marimo as _mo
    if isinstance(fig, _mo.ui.plotly):
        fig = fig._figure
    traces = []
    for t in fig.data:
        xs = getattr(t, "x", None)
        ys = getattr(t, "y", None)
        values = getattr(t, "values", None)
        z = getattr(t, "z", None)
        n = len(xs) if xs is not None else len(ys) if ys is not None else len(values) if values is not None else (
            len(z) if z is not None else 0)
        traces.append({"type": t.type, "name": t.name, "points": n,
                       "x": _plain(list(xs)) if xs is not None else None,
                       "y": _plain(list(ys)) if ys is not None else None,
                       "labels": _plain(list(t.labels)) if getattr(t, "labels", None) is not None else None,
                       "values": _plain(list(values)) if values is not None else None})
    return {"traces": traces, "title": fig.layout.title.text}


def png_truth(obj):
    """The size of the PNG marimo's own formatter makes of `obj` (a matplotlib figure)."""
    import base64, io
    from PIL import Image as _Image
    from marimo._output.formatting import try_format
    bundle = _json.loads(try_format(obj).data)
    png = base64.b64decode(bundle["image/png"].split(",", 1)[1])
    with _Image.open(io.BytesIO(png)) as picture:
        return {"width": picture.size[0], "height": picture.size[1]}


def shown_text(obj):
    """The text marimo's formatter shows for a plain value (its `<pre>`, unescaped)."""
    import html, re
    from marimo._output.formatting import try_format
    return {"text": html.unescape(re.sub("<[^>]+>", "", try_format(obj).data))}


def image_truth(img):
    return {"width": img.size[0], "height": img.size[1]}


def widget_truth(el):
    args = el._args
    kind = type(el).__name__
    value = el.value
    domain = {}
    for key in ("start", "stop", "step"):
        if hasattr(el, key) and key in args.args:
            domain[key] = _plain(getattr(el, key))
    if hasattr(el, "options") and isinstance(getattr(el, "options"), dict):
        domain["options"] = list(el.options)
    elif "options" in args.args:
        domain["options"] = list(args.args["options"])
    if "steps" in args.args and args.args["steps"]:
        domain["steps"] = _plain(list(args.args["steps"]))
    if isinstance(value, (_dt.date, _dt.datetime)):
        value = value.isoformat()
    elif isinstance(value, tuple):
        value = [x.isoformat() if isinstance(x, (_dt.date, _dt.datetime)) else _plain(x) for x in value]
    elif isinstance(value, dict):
        value = {k: _plain(v) for k, v in value.items()}
    else:
        value = _plain(value)
    truth = {"kind": kind, "label": args.label, "value": value, "domain": domain}
    inner = getattr(el, "elements", None)
    if isinstance(inner, dict):
        inner = list(inner.values())
    if kind == "form":
        inner = [el.element]
    if inner is not None:
        truth["children"] = [widget_truth(e) for e in inner]
    return truth


def error_truth(fn):
    try:
        fn()
    except Exception as exc:
        return {"type": type(exc).__name__, "message": str(exc)}
    return None
'''


def _cell(name: str, code: str, truth: str, kind: str, book: str, snippet: str | None = None) -> Output:
    return Output(name, kind, code.strip("\n"), truth, book, snippet)


FRAMES = "frames"
CHARTS = "charts"
WIDGETS = "widgets"
PROSE = "prose"

_PEOPLE = ('{"name": ["ada", "bo", "cy", "di", "ed", "flo", "gus", "hal", "ivy", "jo", "kim", "lu"], '
           '"city": ["Oslo", "Rome", "Oslo", "Lima", "Rome", "Oslo", "Lima", "Rome", "Oslo", "Lima", "Rome", "Oslo"], '
           '"age": [31, 42, 27, 35, 51, 23, 38, 44, 29, 33, 47, 25], '
           '"score": [88.5, 92.25, 79.0, 85.125, 90.0, 70.5, 66.75, 99.0, 81.5, 77.25, 93.0, 84.0]}')

OUTPUTS: list[Output] = [
    # ------------------------------------------------------------------ tables
    _cell("pd_small", 'pd_small_df = pd.DataFrame({"name": ["a", "b", "c"], "qty": [1, 2, 3], "price": [0.5, 1.25, 3.0]})\npd_small_df',
          "table_truth(pd_small_df)", "table", FRAMES, "pd_small_df"),
    _cell("pd_people", f"people = pd.DataFrame({_PEOPLE})\npeople", "table_truth(people)", "table", FRAMES, "people"),
    _cell("pd_named_index", 'by_name = people.set_index("name")\nby_name', "table_truth(by_name)", "table", FRAMES,
          "by_name"),
    _cell("pd_multiindex", 'by_city_age = people.groupby(["city", "age"]).agg(score=("score", "mean"))\nby_city_age',
          "table_truth(by_city_age)", "table", FRAMES, "by_city_age"),
    _cell("pd_groupby_mean", 'city_means = people.groupby("city")[["age", "score"]].mean()\ncity_means',
          "table_truth(city_means)", "table", FRAMES, "city_means"),
    _cell("pd_describe", "people_stats = people.describe()\npeople_stats", "table_truth(people_stats)", "table", FRAMES,
          "people_stats"),
    _cell("pd_value_counts", 'city_counts = people["city"].value_counts()\ncity_counts', "table_truth(city_counts)",
          "table", FRAMES, "city_counts"),
    _cell("pd_series", 'ages = pd.Series([31, 42, 27, 35], name="age", index=["ada", "bo", "cy", "di"])\nages',
          "table_truth(ages)", "table", FRAMES, "ages"),
    _cell("pd_unnamed_series", "squares = pd.Series([i * i for i in range(7)])\nsquares", "table_truth(squares)",
          "table", FRAMES, "squares"),
    _cell("pd_floats", "floats = pd.DataFrame({'x': [0.1 + 0.2, 1234567.891, 52.4, -0.5, 1e-7],"
          " 'n': [3000, 1, 22, 333, 4444]})\nfloats", "table_truth(floats)", "table", FRAMES, "floats"),
    _cell("pd_nulls", "holes = pd.DataFrame({'a': [1.5, None, 3.0], 'b': ['x', None, ''], 'c': [True, False, None]})\nholes",
          "table_truth(holes)", "table", FRAMES, "holes"),
    _cell("pd_large", "big_pd = pd.DataFrame({'i': range(5000), 'sq': [i * i for i in range(5000)]})\nbig_pd",
          "table_truth(big_pd)", "table", FRAMES, "big_pd"),
    _cell("pd_wide", "wide = pd.DataFrame({f'c{j}': [i * j for i in range(4)] for j in range(14)})\nwide",
          "table_truth(wide)", "table", FRAMES, "wide"),
    _cell("pd_crosstab", 'cross = pd.crosstab(people["city"], people["age"] > 30)\ncross', "table_truth(cross)",
          "table", FRAMES, "cross"),
    _cell("pl_small", 'pl_small_df = pl.DataFrame({"name": ["a", "b", "c"], "qty": [1, 2, 3], "price": [0.5, 1.25, 3.0]})\n'
          "pl_small_df", "table_truth(pl_small_df)", "table", FRAMES, "pl_small_df"),
    _cell("pl_large", "big_pl = pl.DataFrame({'i': range(3000), 'half': [i / 2 for i in range(3000)]})\nbig_pl",
          "table_truth(big_pl)", "table", FRAMES, "big_pl"),
    _cell("pl_grouped", 'pl_groups = pl.DataFrame(people.to_dict("list")).group_by("city").agg(pl.col("age").max()).sort("city")\n'
          "pl_groups", "table_truth(pl_groups)", "table", FRAMES, "pl_groups"),
    _cell("ui_table", 'people_table = mo.ui.table(people, selection="multi", label="people")\npeople_table',
          "table_truth(people_table)", "table", FRAMES),
    # ------------------------------------------------------------------ charts
    _cell("alt_line", 'line_df = pd.DataFrame({"x": list(range(20)), "y": [(i * 7) % 11 for i in range(20)]})\n'
          'alt_line_chart = alt.Chart(line_df).mark_line().encode(x="x", y="y")\nalt_line_chart',
          "altair_truth(alt_line_chart)", "chart", CHARTS, "alt_line_chart"),
    _cell("alt_bar", f'bar_df = pd.DataFrame({_PEOPLE})\n'
          'alt_bar_chart = alt.Chart(bar_df).mark_bar().encode(x="city", y="count()")\nalt_bar_chart',
          "altair_truth(alt_bar_chart)", "chart", CHARTS, "alt_bar_chart"),
    _cell("alt_point", 'pts_df = pd.DataFrame({"a": [i * 0.5 for i in range(37)], "b": [i % 5 for i in range(37)],'
          ' "g": ["p", "q"] * 18 + ["p"]})\n'
          'alt_point_chart = alt.Chart(pts_df).mark_point().encode(x="a", y="b", color="g")\nalt_point_chart',
          "altair_truth(alt_point_chart)", "chart", CHARTS, "alt_point_chart"),
    _cell("alt_ui", 'alt_ui_chart = mo.ui.altair_chart(alt.Chart(pts_df).mark_circle().encode(x="a", y="b"))\n'
          "alt_ui_chart", "altair_truth(alt_ui_chart)", "chart", CHARTS),
    _cell("alt_polars", 'pl_pts = pl.DataFrame({"k": list(range(41)), "v": [(k * 3) % 7 for k in range(41)]})\n'
          'alt_pl_chart = mo.ui.altair_chart(alt.Chart(pl_pts).mark_bar().encode(x="k", y="v"))\nalt_pl_chart',
          "altair_truth(alt_pl_chart)", "chart", CHARTS),
    _cell("px_scatter", "fig_scatter = px.scatter(x=np.arange(23) * 0.25, y=(np.arange(23) ** 2) % 17)\nfig_scatter",
          "plotly_truth(fig_scatter)", "chart", CHARTS, "fig_scatter"),
    _cell("go_bar", 'fig_bar = go.Figure(go.Bar(x=["north", "south", "east", "west"], y=[12.5, 3.25, 7.0, 9.75]))\n'
          'fig_bar.update_layout(title="Sales")\nfig_bar', "plotly_truth(fig_bar)", "chart", CHARTS, "fig_bar"),
    _cell("go_pie", 'fig_pie = go.Figure(go.Pie(labels=["a", "b", "c"], values=[45, 46, 46]))\nfig_pie',
          "plotly_truth(fig_pie)", "chart", CHARTS, "fig_pie"),
    _cell("go_lines", 'fig_lines = go.Figure([go.Scatter(x=[1, 2, 3], y=[4, 1, 2], name="up", mode="lines"),'
          ' go.Scatter(x=[1, 2, 3], y=[2, 2, 5], name="down", mode="lines")])\nfig_lines',
          "plotly_truth(fig_lines)", "chart", CHARTS, "fig_lines"),
    _cell("px_histogram", 'fig_hist = px.histogram(bar_df, x="age")\nfig_hist', "plotly_truth(fig_hist)", "chart",
          CHARTS),
    _cell("ui_plotly", "plotly_el = mo.ui.plotly(px.scatter(x=[1, 2, 3, 4], y=[10, 11, 12, 13]))\nplotly_el",
          "plotly_truth(plotly_el)", "chart", CHARTS),
    _cell("mpl_line", "mpl_fig, mpl_ax = plt.subplots(figsize=(3, 2), dpi=60)\nmpl_ax.plot([0, 1, 2, 3], [0, 1, 4, 9])\n"
          'mpl_ax.set_title("squares")\nmpl_fig', "png_truth(mpl_fig)", "plot", CHARTS, "mpl_fig"),
    _cell("mpl_bars", "bars_fig, bars_ax = plt.subplots(figsize=(4, 3), dpi=50)\nbars_ax.bar(['a', 'b'], [3, 5])\n"
          "bars_fig", "png_truth(bars_fig)", "plot", CHARTS, "bars_fig"),
    # ------------------------------------------------------------------ images
    _cell("pil_mo_image", "pil_img = Image.new('RGB', (24, 16), (200, 60, 60))\n"
          "ImageDraw.Draw(pil_img).rectangle([4, 4, 12, 10], fill=(20, 120, 220))\nmo.image(pil_img)",
          "image_truth(pil_img)", "image", CHARTS, "mo.image(pil_img)"),
    _cell("pil_bare", "pil_tall = Image.new('RGB', (10, 30), (0, 200, 0))\npil_tall", "image_truth(pil_tall)", "image",
          CHARTS, "pil_tall"),
    _cell("np_image", "np_pixels = (np.arange(12 * 20 * 3) % 255).astype('uint8').reshape(12, 20, 3)\n"
          "mo.image(np_pixels)", "{'width': np_pixels.shape[1], 'height': np_pixels.shape[0]}", "image", CHARTS,
          "mo.image(np_pixels)"),
    # ------------------------------------------------------------------ widgets
    _cell("w_slider", 'w_slider_el = mo.ui.slider(1, 10, value=3, label="count")\nw_slider_el',
          "widget_truth(w_slider_el)", "widget", WIDGETS, 'mo.ui.slider(1, 10, value=3, label="count")'),
    _cell("w_stepped", 'w_stepped_el = mo.ui.slider(steps=[1, 5, 25], value=5, label="stepped")\nw_stepped_el',
          "widget_truth(w_stepped_el)", "widget", WIDGETS),
    _cell("w_float_slider", 'w_float_el = mo.ui.slider(0.0, 1.0, step=0.05, value=0.35, label="ratio")\nw_float_el',
          "widget_truth(w_float_el)", "widget", WIDGETS),
    _cell("w_range", 'w_range_el = mo.ui.range_slider(0, 100, value=[20, 80], label="range")\nw_range_el',
          "widget_truth(w_range_el)", "widget", WIDGETS),
    _cell("w_number", 'w_number_el = mo.ui.number(0, 100, step=5, value=10, label="num")\nw_number_el',
          "widget_truth(w_number_el)", "widget", WIDGETS, 'mo.ui.number(0, 100, step=5, value=10, label="num")'),
    _cell("w_text", 'w_text_el = mo.ui.text(value="hi there", label="greeting")\nw_text_el',
          "widget_truth(w_text_el)", "widget", WIDGETS, 'mo.ui.text(value="hi there", label="greeting")'),
    _cell("w_text_area", 'w_area_el = mo.ui.text_area(value="long\\ntext", label="area")\nw_area_el',
          "widget_truth(w_area_el)", "widget", WIDGETS),
    _cell("w_checkbox", 'w_check_el = mo.ui.checkbox(value=True, label="check")\nw_check_el',
          "widget_truth(w_check_el)", "widget", WIDGETS, 'mo.ui.checkbox(value=True, label="check")'),
    _cell("w_switch", 'w_switch_el = mo.ui.switch(value=False, label="sw")\nw_switch_el', "widget_truth(w_switch_el)",
          "widget", WIDGETS),
    _cell("w_dropdown", 'w_drop_el = mo.ui.dropdown(["a", "b", "c"], value="b", label="drop")\nw_drop_el',
          "widget_truth(w_drop_el)", "widget", WIDGETS, 'mo.ui.dropdown(["a", "b", "c"], value="b", label="drop")'),
    _cell("w_dropdown_dict", 'w_drop_map = mo.ui.dropdown({"one": 1, "two": 2}, value="two", label="mapped")\nw_drop_map',
          "widget_truth(w_drop_map)", "widget", WIDGETS),
    _cell("w_multiselect", 'w_multi_el = mo.ui.multiselect(["red", "green", "blue"], value=["red", "blue"], label="multi")\n'
          "w_multi_el", "widget_truth(w_multi_el)", "widget", WIDGETS),
    _cell("w_radio", 'w_radio_el = mo.ui.radio(["x", "y", "z"], value="y", label="radio")\nw_radio_el',
          "widget_truth(w_radio_el)", "widget", WIDGETS),
    _cell("w_date", 'w_date_el = mo.ui.date(value="2024-01-02", label="day")\nw_date_el', "widget_truth(w_date_el)",
          "widget", WIDGETS),
    _cell("w_datetime", 'w_dt_el = mo.ui.datetime(value="2024-01-02T03:04:05", label="when")\nw_dt_el',
          "widget_truth(w_dt_el)", "widget", WIDGETS),
    _cell("w_date_range", 'w_dr_el = mo.ui.date_range(value=("2024-01-01", "2024-01-31"), label="span")\nw_dr_el',
          "widget_truth(w_dr_el)", "widget", WIDGETS),
    _cell("w_button", 'w_button_el = mo.ui.button(label="press", value=0, on_click=lambda v: v + 1)\nw_button_el',
          "widget_truth(w_button_el)", "widget", WIDGETS),
    _cell("w_run_button", 'w_run_el = mo.ui.run_button(label="go")\nw_run_el', "widget_truth(w_run_el)", "widget",
          WIDGETS),
    _cell("w_code_editor", 'w_code_el = mo.ui.code_editor(value="x = 1", language="python")\nw_code_el',
          "widget_truth(w_code_el)", "widget", WIDGETS),
    _cell("w_file", 'w_file_el = mo.ui.file(label="upload")\nw_file_el', "widget_truth(w_file_el)", "widget", WIDGETS),
    _cell("w_array", 'w_array_el = mo.ui.array([mo.ui.slider(0, 5, value=1), mo.ui.text(value="t")], label="arr")\n'
          "w_array_el", "widget_truth(w_array_el)", "widget", WIDGETS),
    _cell("w_dictionary", 'w_dict_el = mo.ui.dictionary({"a": mo.ui.slider(0, 5, value=2), "b": mo.ui.checkbox()},'
          ' label="dict")\nw_dict_el', "widget_truth(w_dict_el)", "widget", WIDGETS),
    _cell("w_form", 'w_form_el = mo.ui.text(label="in form", value="draft").form()\nw_form_el',
          "widget_truth(w_form_el)", "widget", WIDGETS),
    _cell("w_widgets_stack", 'w_left = mo.ui.slider(0, 9, value=4, label="left")\n'
          'w_right = mo.ui.checkbox(value=True, label="right")\nmo.hstack([w_left, w_right])',
          "{'children': [widget_truth(w_left), widget_truth(w_right)]}", "widgets", WIDGETS),
    # ------------------------------------------------------------------ prose, layouts, text, errors
    _cell("md_headings", 'md_src = """\n# Heading one\n\n## Heading two\n\nSome *emphasis* and **strong** text.\n\n'
          '- first item\n- second item\n"""\nmo.md(md_src)',
          "{'headings': [l.lstrip('#').strip() for l in md_src.splitlines() if l.startswith('#')], "
          "'levels': [len(l) - len(l.lstrip('#')) for l in md_src.splitlines() if l.startswith('#')], "
          "'items': [l[2:] for l in md_src.splitlines() if l.startswith('- ')]}", "markdown", PROSE, "mo.md(md_src)"),
    _cell("md_table", 'md_table_src = "| name | qty |\\n|------|----:|\\n| a | 1 |\\n| b | 22 |"\nmo.md(md_table_src)',
          "{'rows': [[c.strip() for c in l.strip('|').split('|')] for l in md_table_src.splitlines() if '---' not in l]}",
          "md_table", PROSE),
    _cell("md_fstring", 'md_total = sum(range(101))\nmo.md(f"The total is **{md_total}**.")',
          "{'text': f'The total is {md_total}.'}", "markdown_text", PROSE),
    _cell("stat", 'stat_value = 1234\nmo.stat(value=stat_value, label="Users", caption="+12%", direction="increase")',
          "{'value': stat_value, 'label': 'Users', 'caption': '+12%'}", "stat", PROSE),
    _cell("callout", 'callout_text = "Careful: the data is old"\nmo.callout(mo.md(callout_text), kind="warn")',
          "{'kind': 'warn', 'text': callout_text}", "callout", PROSE),
    _cell("hstack_md", 'stack_words = ["alpha", "beta", "gamma"]\nmo.hstack([mo.md(w) for w in stack_words])',
          "{'kind': 'hstack', 'texts': stack_words}", "stack", PROSE),
    _cell("vstack_md", 'vstack_words = ["top", "middle", "bottom"]\nmo.vstack([mo.md(w) for w in vstack_words])',
          "{'kind': 'vstack', 'texts': vstack_words}", "stack", PROSE),
    _cell("tabs", 'tab_titles = ["First", "Second"]\nmo.ui.tabs({t: mo.md(t.lower() + " body") for t in tab_titles})',
          "{'labels': tab_titles, 'texts': [t.lower() + ' body' for t in tab_titles]}", "tabs", PROSE),
    _cell("accordion", 'acc_titles = ["Details", "More"]\nmo.accordion({t: mo.md(t + " inside") for t in acc_titles})',
          "{'labels': acc_titles, 'texts': [t + ' inside' for t in acc_titles]}", "tabs", PROSE),
    _cell("plain_int", "plain_number = 6 * 7\nplain_number", "shown_text(plain_number)", "text", PROSE,
          "plain_number"),
    _cell("plain_str", "plain_words = 'hello ' + 'world'\nplain_words", "shown_text(plain_words)", "text", PROSE),
    _cell("print_lines", "print_n = 3\nfor print_i in range(print_n):\n    print('line', print_i)",
          "{'console': ''.join(f'line {i}\\n' for i in range(print_n))}", "console", PROSE),
    _cell("html_text", 'html_word = "bold words"\nmo.Html(f"<p>Some <b>{html_word}</b> here</p>")',
          "{'text': f'Some {html_word} here'}", "markdown_text", PROSE),
    _cell("err_zero", "def err_divide(x):\n    return 1 / x\nerr_divide(0)",
          "error_truth(lambda: err_divide(0))", "error", PROSE),
    _cell("err_value", "def err_parse(s):\n    return int(s)\nerr_parse('seven')",
          "error_truth(lambda: err_parse('seven'))", "error", PROSE),
    _cell("err_key", "err_table = {'a': 1}\nerr_table['missing']", "error_truth(lambda: err_table['missing'])",
          "error", PROSE),
    _cell("err_raise", 'class BudgetError(Exception):\n    pass\nraise BudgetError("over budget by 12 units")',
          "{'type': 'BudgetError', 'message': 'over budget by 12 units'}", "error", PROSE),
]

# ------------------------------------------------------------------ the newest kinds: structures, diagrams,
# files, lazy content, Styler tables, arrays, frame editors, progress, appended outputs, anywidgets, toasts
KINDS = "kinds"

TRUTH_HELPERS += r'''

def as_json(value):
    """A value as JSON reads it (tuples are lists, keys are text): what a structure part must hold."""
    return _json.loads(_json.dumps(value))


def bytes_truth(data, **named):
    import hashlib
    return {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest(), **named}


def styler_truth(styler):
    """A Styler's rows as it writes them itself (`to_string`): index names, row labels, formatted values."""
    frame = styler.data
    depth = frame.index.nlevels
    lines = styler.to_string(delimiter="\t", sparse_index=False).rstrip("\n").split("\n")
    rows = [line.split("\t") for line in lines[len(lines) - len(frame):]]
    return {"index_names": [None if n is None else str(n) for n in frame.index.names],
            "columns": [str(c) for c in frame.columns],
            "labels": [[str(x) for x in (k if isinstance(k, tuple) else (k,))] for k in frame.index],
            "values": [row[depth:] for row in rows], "rows": len(frame)}


def html_words(markup):
    """The words an HTML snippet says (its tags dropped, as a browser writes it out)."""
    import html, re
    return " ".join(html.unescape(re.sub("<[^>]+>", "", markup)).split())


def anywidget_truth(el):
    return {k: ({"bytes": len(v)} if isinstance(v, bytes) else v) for k, v in el.value.items()}
'''

_COUNTER = '''import anywidget as _anywidget
import traitlets as _traitlets

class _Counter(_anywidget.AnyWidget):
    _esm = "export default { render({ model, el }) { el.textContent = String(model.get('count')); } }"
    count = _traitlets.Int(sum(range(5))).tag(sync=True)
    label = _traitlets.Unicode("clicks").tag(sync=True)
    blob = _traitlets.Bytes(b"abcdef").tag(sync=True)

k_counter = mo.ui.anywidget(_Counter())
k_counter'''

OUTPUTS += [
    _cell("k_mermaid", 'diagram_src = "graph TD\\n  A[Start] --> B{Ready?}\\n  B -->|yes| C[Go]"\nmo.mermaid(diagram_src)',
          "{'language': 'mermaid', 'source': diagram_src}", "diagram", KINDS),
    _cell("k_tree", 'tree_data = {"a": [1, 2.5, ("t", 3)], "b": {"c": None, "d": True}, 3: "an int key"}\n'
          'mo.tree(tree_data, label="settings")',
          "{'value': as_json(tree_data), 'label': 'settings', 'value_types': 'python'}", "structure", KINDS),
    _cell("k_json", 'json_data = {"x": [1, 2, {"y": "z"}], "n": 1.25, "ok": False}\nmo.json(json_data)',
          "{'value': as_json(json_data), 'label': '', 'value_types': 'json'}", "structure", KINDS),
    _cell("k_dict", 'plain_dict = {"k": [1.5, 2], "s": "text", "none": None, (1, 2): "tuple key"}\nplain_dict',
          "{'value': as_json({str(k) if isinstance(k, tuple) else k: v for k, v in plain_dict.items()}), "
          "'label': '', 'value_types': 'python'}", "structure", KINDS),
    _cell("k_list", 'plain_list = [1, 2.75, "x", None, True, (4, 5), {"deep": [0.5]}]\nplain_list',
          "{'value': as_json(plain_list), 'label': '', 'value_types': 'python'}", "structure", KINDS),
    _cell("k_repr_json", "class _Reading:\n    def _repr_json_(self):\n"
          "        return {'sensor': 'north', 'values': [3.5, 4.25], 'count': 2}\n"
          "repr_json_obj = _Reading()\nrepr_json_obj",
          "{'value': as_json(repr_json_obj._repr_json_()), 'label': '', 'value_types': 'python'}", "structure", KINDS),
    _cell("k_download", 'dl_bytes = "\\n".join(f"{i},{i * i}" for i in range(40)).encode()\n'
          'dl_label = f"Get {dl_bytes.count(10) + 1} squares"\n'
          'mo.download(data=dl_bytes, filename="squares.csv", label=dl_label)',
          "bytes_truth(dl_bytes, kind='download', filename='squares.csv', label=dl_label)", "media", KINDS),
    _cell("k_pdf", 'import io as _io\npdf_bytes = b"%PDF-1.4\\n1 0 obj << >> endobj\\ntrailer << >>\\n%%EOF\\n"\n'
          "mo.pdf(_io.BytesIO(pdf_bytes))", "bytes_truth(pdf_bytes, kind='pdf')", "media", KINDS),
    _cell("k_audio", 'wav_bytes = b"RIFF" + (36).to_bytes(4, "little") + b"WAVEfmt " + bytes(range(40))\n'
          "mo.audio(src=wav_bytes)", "bytes_truth(wav_bytes, kind='audio')", "media", KINDS),
    _cell("k_video", 'mp4_bytes = b"\\x00\\x00\\x00\\x18ftypmp42" + bytes(range(90))\nmo.video(src=mp4_bytes, controls=True)',
          "bytes_truth(mp4_bytes, kind='video')", "media", KINDS),
    _cell("k_remote_image", 'image_url = "https://example.invalid/cat.png"\nmo.image(src=image_url, alt="a cat")',
          "{'kind': 'image', 'src': image_url, 'label': 'a cat'}", "remote", KINDS),
    _cell("k_lazy", 'lazy_words = "loaded only " + "when shown"\nmo.lazy(mo.md(lazy_words))',
          "{'hidden': lazy_words}", "lazy", KINDS),
    _cell("k_styled", 'scores = pd.DataFrame({"score": [1.25, 2.5, 3.875], "team": ["red", "blue", "green"]},\n'
          '                      index=pd.Index(["ann", "bob", "cy"], name="player"))\n'
          'scores_style = scores.style.format({"score": "{:.1f}"})\nscores_style',
          "styler_truth(scores_style)", "styled", KINDS),
    _cell("k_styled_multi", 'sales = pd.DataFrame({"units": [3, 5, 7, 11], "share": [0.125, 0.25, 0.375, 0.25]},\n'
          '                     index=pd.MultiIndex.from_product([["east", "west"], [2023, 2024]], names=["region", "year"]))\n'
          'sales_style = sales.style.format({"share": "{:.0%}"})\nsales_style',
          "styler_truth(sales_style)", "styled", KINDS),
    _cell("k_ndarray", "arr_int = np.arange(12, dtype=np.int32).reshape(3, 4)\narr_int", "{'text': repr(arr_int)}",
          "text", KINDS),
    _cell("k_ndarray_float", "arr_float = np.linspace(0, 1, 7)\narr_float", "{'text': repr(arr_float)}", "text", KINDS),
    _cell("k_ui_dataframe", 'edit_frame = pd.DataFrame({"a": [1, 2, 3, 4], "b": ["w", "x", "y", "z"]})\n'
          "frame_editor = mo.ui.dataframe(edit_frame)\nframe_editor",
          "{'kind': 'dataframe', 'columns': [str(c) for c in edit_frame.columns], 'rows': len(edit_frame), "
          "'value': frame_editor.value.to_dict('records')}", "frame_widget", KINDS),
    _cell("k_data_explorer", 'explorer_el = mo.ui.data_explorer(edit_frame, x="a", color="b")\nexplorer_el',
          "{'kind': 'data-explorer', 'value': explorer_el.value}", "frame_widget", KINDS),
    _cell("k_progress", 'with mo.status.progress_bar(total=len(range(0, 50, 2)), title="Loading", subtitle="files") as prog_bar:\n'
          "    for _i in range(0, 50, 2):\n        prog_bar.update()",
          "{'current': prog_bar.current, 'total': prog_bar.total, 'title': prog_bar.title, "
          "'subtitle': prog_bar.subtitle}", "progress", KINDS),
    _cell("k_appended", 'appended_items = [f"item {i}" for i in range(3)]\nfor _t in appended_items:\n'
          "    mo.output.append(mo.md(_t))\n"
          'replaced_with = f"replaced after {len(appended_items)} items"\nmo.output.replace(mo.md(replaced_with))\n'
          'appended_last = "then one more"\nmo.output.append(mo.md(appended_last))\nappended_done = True',
          "{'texts': [replaced_with, appended_last]}", "appended", KINDS),
    _cell("k_anywidget", _COUNTER, "anywidget_truth(k_counter)", "anywidget", KINDS),
    _cell("k_toast", 'toast_title = f"Saved {len(edit_frame)} rows"\ntoast_html = f"<b>{edit_frame.a.sum()}</b> units written"\n'
          'mo.status.toast(toast_title, toast_html, kind="danger")',
          "{'title': toast_title, 'words': html_words(toast_html), 'variant': 'danger'}", "notice", KINDS),
]

BOOKS = [FRAMES, CHARTS, WIDGETS, PROSE, KINDS]


def outputs(book: str) -> list[Output]:
    return [o for o in OUTPUTS if o.book == book]


def notebook_text(book: str) -> str:
    """The notebook file of one book: an imports cell, then one named cell per output."""
    cells = outputs(book)
    codes = [IMPORTS.strip("\n"), *[o.code for o in cells]]
    names = ["imports", *[o.name for o in cells]]
    return generate_filecontents(codes, names, [CellConfig() for _ in codes])


def truth_program(book: str) -> str:
    """One snippet that prints every output's truth of a book as a JSON object keyed by output name."""
    lines = [TRUTH_HELPERS, "_truths = {}"]
    for o in outputs(book):
        lines.append(f"try:\n    _truths[{o.name!r}] = {o.truth}\n"
                     f"except Exception as _exc:\n    _truths[{o.name!r}] = {{'truth_failed': repr(_exc)}}")
    lines.append("print(_json.dumps(_truths, default=str))")
    return "\n".join(lines)
