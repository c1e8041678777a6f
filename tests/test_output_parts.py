"""Outputs recorded from a real marimo server (tests/record_outputs.py) read into typed parts.

Each fixture is one cell of tests/notebooks/outputs_gallery.py as marimo sent
it on the live stream; the assertions name what a reader must get from it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings, strategies as st

from marimo_pair_tui.core.parts import (ChartPart, ErrorPart, ImagePart, LayoutPart, MarkdownPart, TablePart,
                                        WidgetPart, parse_output, parts_text, walk)
from marimo_pair_tui.core.parts.files import ImageFiles

FIXTURES = Path(__file__).parent / "fixtures" / "outputs"


def fixture(kind: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{kind}.json").read_text())


def parts_of(kind: str) -> list[Any]:
    output = fixture(kind)["output"]
    return parse_output(output["mimetype"], output["data"])


def test_a_plain_value_is_its_text_not_marimos_pre_wrapper() -> None:
    assert [p.to_json() for p in parts_of("plain_value")] == [{"type": "text", "text": "82"}]


def test_markdown_comes_back_as_markdown_with_a_gfm_table() -> None:
    (part,) = parts_of("markdown")
    assert isinstance(part, MarkdownPart)
    md = part.markdown
    assert md.startswith("# Heading one\n\n## Heading two")
    assert "*emphasis*" in md and "**strong**" in md and "`inline code`" in md
    assert "[link](https://marimo.io)" in md
    assert "- first item" in md and "1. one" in md
    assert "```python\ndef f(x):\n    return x + 1\n```" in md
    assert "| name | qty |\n| --- | --- |\n| a | 1 |\n| b | 22 |" in md
    assert "<" not in md  # no HTML left


@pytest.mark.parametrize("kind, dtype", [("pandas_small", "int64"), ("polars_small", "i64")])
def test_a_small_frame_is_a_table_with_dtypes_and_every_row(kind: str, dtype: str) -> None:
    (table,) = parts_of(kind)
    assert isinstance(table, TablePart)
    assert [c.name for c in table.columns] == ["name", "qty", "price"]
    assert table.columns[1].dtype == dtype and table.columns[1].kind == "integer"
    assert table.rows == [{"name": "a", "qty": 1, "price": 0.5}, {"name": "b", "qty": 2, "price": 1.25},
                          {"name": "c", "qty": 3, "price": 3.0}]
    assert table.total_rows == 3 and table.more_rows == 0
    assert "| a | 1 | 0.50 |" in parts_text([table]) and "more rows" not in parts_text([table])  # padded as the browser pads


@pytest.mark.parametrize("kind", ["pandas_large", "polars_large", "ui_table"])
def test_a_large_frame_carries_its_first_page_and_its_totals(kind: str) -> None:
    (table,) = parts_of(kind)
    assert isinstance(table, TablePart)
    assert table.total_rows == 5000 and table.total_columns == 2
    assert len(table.rows) == table.page_size == 10 and table.rows[9] == {"i": 9, "sq": 81}
    assert table.object_id  # pages come from the kernel by this id
    text = parts_text([table])
    assert "| 9 | 81 |" in text and "… 4,990 more rows" in text and "(5,000 rows × 2 columns" in text


def test_a_matplotlib_figure_is_a_png_with_its_size() -> None:
    (image,) = parts_of("matplotlib_figure")
    assert isinstance(image, ImagePart) and image.mimetype == "image/png"
    assert image.data.startswith(b"\x89PNG") and (image.width, image.height) == (206, 159)
    assert "base64" not in json.dumps(image.to_json())


def test_a_bare_pil_image_and_an_svg_are_images() -> None:
    (png,) = parts_of("pil_bare")
    assert isinstance(png, ImagePart) and (png.width, png.height) == (24, 16)
    (svg,) = parts_of("svg_html")
    assert isinstance(svg, ImagePart) and svg.mimetype == "image/svg+xml" and svg.data.startswith(b"<svg")


def test_an_image_in_a_virtual_file_names_it_until_fetched() -> None:
    (image,) = parts_of("pil_mo_image")
    assert isinstance(image, ImagePart) and image.src and image.src.startswith("./@file/") and image.data == b""
    assert "on the server at ./@file/" in parts_text([image])


def test_charts_are_described_in_words() -> None:
    (chart,) = parts_of("altair_chart")
    assert isinstance(chart, ChartPart) and chart.library == "vega-lite"
    assert chart.description == ("Vega-Lite chart: mark line; x = x (quantitative), y = y (quantitative); "
                                 "20 rows; fields x (number 0–19), y (number 0–10)")
    (ui_chart,) = parts_of("altair_ui")
    assert isinstance(ui_chart, ChartPart) and ui_chart.object_id and "./@file/" in ui_chart.description
    (plotly,) = parts_of("plotly_figure")
    assert isinstance(plotly, ChartPart) and plotly.library == "plotly" and "1 trace(s) (scatter), 4 points" in plotly.description


WIDGETS = {
    "ui_slider": ('slider "n" = 3 (1..10)', "slider", 3),
    "ui_number": ('number "count" = 20 (0..100, step 5)', "number", 20),
    "ui_dropdown": ('dropdown "letter" = "a" (options: "a", "b", "c")', "dropdown", "a"),
    "ui_multiselect": ('multiselect "colours" = ["red"] (options: "red", "green", "blue")', "multiselect", ["red"]),
    "ui_checkbox": ('checkbox "enabled" = true', "checkbox", True),
    "ui_switch": ('switch "dark" = false', "switch", False),
    "ui_radio": ('radio "pick" = "two" (options: "one", "two", "three")', "radio", "two"),
    "ui_text": ('text "name" = "hi"', "text", "hi"),
    "ui_button": ('button "Click me" = 0', "button", 0),
    "ui_date": ('date "day" = "2024-01-15" ("0001-01-01".."9999-12-31")', "date", "2024-01-15"),
    "ui_range_slider": ('range-slider "range" = [20, 60] (0..100, step 10)', "range-slider", [20, 60]),
}


@pytest.mark.parametrize("kind", sorted(WIDGETS))
def test_each_widget_reads_as_one_line_with_its_domain(kind: str) -> None:
    line, widget_kind, value = WIDGETS[kind]
    (widget,) = parts_of(kind)
    assert isinstance(widget, WidgetPart) and widget.kind == widget_kind and widget.value == value
    assert widget.object_id and parts_text([widget]) == f"{line} [{widget.object_id}]"


def test_a_form_holds_its_inner_element() -> None:
    (form,) = parts_of("ui_form")
    assert isinstance(form, WidgetPart) and form.kind == "form"
    (inner,) = form.children
    assert isinstance(inner, WidgetPart) and inner.kind == "text" and inner.label == "message"


def test_layouts_keep_their_children_in_order() -> None:
    (hstack,) = parts_of("layout_hstack")
    assert isinstance(hstack, LayoutPart) and hstack.kind == "hstack"
    assert [type(c) for c in hstack.children] == [WidgetPart, MarkdownPart]
    (vstack,) = parts_of("layout_vstack")
    assert isinstance(vstack, LayoutPart) and vstack.kind == "vstack" and len(vstack.children) == 2
    (tabs,) = parts_of("layout_tabs")
    assert isinstance(tabs, LayoutPart) and tabs.labels == ["First", "Second"]
    assert isinstance(walk(tabs.children[1].children)[0], WidgetPart)  # a slider inside the second tab
    (accordion,) = parts_of("layout_accordion")
    assert isinstance(accordion, LayoutPart) and accordion.labels == ["Section A", "Section B"]
    (callout,) = parts_of("layout_callout")
    assert isinstance(callout, LayoutPart) and callout.detail == {"kind": "warn"}
    assert parts_text([callout]) == "> [warn]\n> Careful **now**"
    (stat,) = parts_of("layout_stat")
    assert isinstance(stat, LayoutPart) and parts_text([stat]) == "Users: 1,234 (+12%)"


def test_an_error_output_is_structured() -> None:
    (error,) = parts_of("error")
    assert isinstance(error, ErrorPart) and error.errors == [("runtime", "ValueError: boom from the gallery")]


def test_saved_images_are_files_named_in_the_parts(tmp_path: Path) -> None:
    parts = parts_of("matplotlib_figure")
    files = ImageFiles(tmp_path / "imgs")
    saved = files.save(parts, "Hbol")
    (image,) = saved
    assert isinstance(image, ImagePart) and image.file is not None
    assert Path(image.file).read_bytes() == image.data and Path(image.file).name.startswith("Hbol-0-")
    assert parts[0].file is None  # the model's own parts are not changed by a save
    assert f"saved to {image.file}" in parts_text(saved)


def test_a_chart_with_inline_data_is_drawn_to_png_when_saved(tmp_path: Path) -> None:
    saved = ImageFiles(tmp_path).save(parts_of("altair_chart"), "chart")
    (chart,) = saved
    assert isinstance(chart, ChartPart) and chart.image is not None and chart.image.file is not None
    assert Path(chart.image.file).read_bytes().startswith(b"\x89PNG") and chart.image.width


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("<>/=\"' abcdiv-marimo-ui-elementtablesvgimgpre&;#x{}[]:,")), max_size=300),
       st.sampled_from(["text/html", "text/markdown", "application/vnd.marimo+mimebundle", "image/png",
                        "application/vnd.marimo+error", "text/plain", "application/vnd.vegalite.v5+json"]))
def test_arbitrary_markup_never_crashes_the_reader(markup: str, mimetype: str) -> None:
    parts = parse_output(mimetype, markup)
    assert isinstance(parts_text(parts), str)
    json.dumps([p.to_json() for p in parts])


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(["marimo-slider", "marimo-table", "marimo-vega", "marimo-tabs", "marimo-stat", "marimo-form"]),
       st.dictionaries(st.sampled_from(["data-initial-value", "data-label", "data-start", "data-stop", "data-options",
                                        "data-data", "data-field-types", "data-spec", "data-tabs", "data-total-rows"]),
                       st.text(max_size=30), max_size=5))
def test_custom_elements_with_any_attributes_never_crash(tag: str, attrs: dict[str, str]) -> None:
    import html

    rendered = " ".join(f"{k}='{html.escape(v, quote=True)}'" for k, v in attrs.items())
    markup = f"<marimo-ui-element object-id='X-0'><{tag} {rendered}></{tag}></marimo-ui-element>"
    parts = parse_output("text/html", markup)
    assert len(parts) == 1 and parts_text(parts) is not None
