import marimo

__generated_with = "0.25.2"
app = marimo.App()


@app.cell
def imports():
    import datetime
    import io

    import altair as alt
    import marimo as mo
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pandas as pd
    import plotly.graph_objects as go
    import polars as pl
    from PIL import Image, ImageDraw

    return Image, ImageDraw, alt, datetime, go, io, mo, pd, pl, plt


@app.cell
def plain_value():
    82
    return


@app.cell
def print_text():
    print("hello from print")
    print("second line", 2)
    return


@app.cell
def markdown(mo):
    mo.md(
        """
        # Heading one

        ## Heading two

        Some *emphasis*, **strong** text, `inline code` and a
        [link](https://marimo.io).

        - first item
        - second item
          - nested item

        1. one
        2. two

        ```python
        def f(x):
            return x + 1
        ```

        | name | qty |
        |------|----:|
        | a    |   1 |
        | b    |  22 |
        """
    )
    return


@app.cell
def pandas_small(pd):
    pd.DataFrame({"name": ["a", "b", "c"], "qty": [1, 2, 3], "price": [0.5, 1.25, 3.0]})
    return


@app.cell
def pandas_large(pd):
    big_pd = pd.DataFrame({"i": range(5000), "sq": [i * i for i in range(5000)]})
    big_pd
    return


@app.cell
def polars_small(pl):
    pl.DataFrame({"name": ["a", "b", "c"], "qty": [1, 2, 3], "price": [0.5, 1.25, 3.0]})
    return


@app.cell
def polars_large(pl):
    big_pl = pl.DataFrame({"i": range(5000), "sq": [i * i for i in range(5000)]})
    big_pl
    return


@app.cell
def matplotlib_figure(plt):
    mpl_fig, mpl_ax = plt.subplots(figsize=(2, 1.5), dpi=50)
    mpl_ax.plot([0, 1, 2, 3], [0, 1, 4, 9])
    mpl_fig
    return


@app.cell
def pil_mo_image(Image, ImageDraw, mo):
    pil_img = Image.new("RGB", (24, 16), (200, 60, 60))
    ImageDraw.Draw(pil_img).rectangle([4, 4, 12, 10], fill=(20, 120, 220))
    mo.image(pil_img)
    return (pil_img,)


@app.cell
def pil_bare(pil_img):
    pil_img
    return


@app.cell
def svg_html(mo):
    mo.Html(
        '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20">'
        '<rect width="40" height="20" fill="#3b82f6"/>'
        '<circle cx="20" cy="10" r="6" fill="#fbbf24"/></svg>'
    )
    return


@app.cell
def svg_image(mo):
    mo.image(
        b'<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20">'
        b'<rect width="40" height="20" fill="#10b981"/></svg>'
    )
    return


@app.cell
def chart_data(pd):
    chart_df = pd.DataFrame({"x": list(range(20)), "y": [(i * 7) % 11 for i in range(20)]})
    return (chart_df,)


@app.cell
def altair_chart(alt, chart_df):
    alt.Chart(chart_df).mark_line().encode(x="x", y="y")
    return


@app.cell
def altair_ui(alt, chart_df, mo):
    alt_ui = mo.ui.altair_chart(alt.Chart(chart_df).mark_point().encode(x="x", y="y"))
    alt_ui
    return


@app.cell
def plotly_figure(go):
    go.Figure(go.Scatter(x=[0, 1, 2, 3], y=[0, 1, 4, 9]))
    return


@app.cell
def plotly_ui(go, mo):
    plotly_el = mo.ui.plotly(go.Figure(go.Scatter(x=[0, 1, 2], y=[2, 0, 1], mode="markers")))
    plotly_el
    return


@app.cell
def ui_slider(mo):
    slider = mo.ui.slider(1, 10, value=3, label="n")
    slider
    return (slider,)


@app.cell
def ui_number(mo):
    number = mo.ui.number(start=0, stop=100, step=5, value=20, label="count")
    number
    return


@app.cell
def ui_dropdown(mo):
    dropdown = mo.ui.dropdown(["a", "b", "c"], value="a", label="letter")
    dropdown
    return


@app.cell
def ui_multiselect(mo):
    multiselect = mo.ui.multiselect(["red", "green", "blue"], value=["red"], label="colours")
    multiselect
    return


@app.cell
def ui_checkbox(mo):
    checkbox = mo.ui.checkbox(value=True, label="enabled")
    checkbox
    return


@app.cell
def ui_switch(mo):
    switch = mo.ui.switch(value=False, label="dark")
    switch
    return


@app.cell
def ui_radio(mo):
    radio = mo.ui.radio(["one", "two", "three"], value="two", label="pick")
    radio
    return


@app.cell
def ui_text(mo):
    text = mo.ui.text(value="hi", placeholder="type here", label="name")
    text
    return


@app.cell
def ui_text_area(mo):
    text_area = mo.ui.text_area(value="line 1\nline 2", label="notes")
    text_area
    return


@app.cell
def ui_button(mo):
    button = mo.ui.button(label="Click me", value=0, on_click=lambda v: v + 1)
    button
    return


@app.cell
def ui_date(datetime, mo):
    date = mo.ui.date(value=datetime.date(2024, 1, 15), label="day")
    date
    return


@app.cell
def ui_range_slider(mo):
    range_slider = mo.ui.range_slider(0, 100, step=10, value=[20, 60], label="range")
    range_slider
    return


@app.cell
def ui_table(mo, pd):
    table = mo.ui.table(
        pd.DataFrame({"i": range(5000), "sq": [i * i for i in range(5000)]}),
        selection="multi",
        label="rows",
    )
    table
    return


@app.cell
def ui_form(mo):
    form = mo.ui.text(label="message").form()
    form
    return


@app.cell
def layout_hstack(mo):
    mo.hstack([mo.ui.slider(0, 5, label="h"), mo.md("**beside**")], justify="start")
    return


@app.cell
def layout_vstack(mo):
    mo.vstack([mo.md("top"), mo.ui.checkbox(label="below")])
    return


@app.cell
def layout_tabs(mo):
    mo.ui.tabs({"First": mo.md("first tab"), "Second": mo.ui.slider(0, 3)})
    return


@app.cell
def layout_accordion(mo):
    mo.accordion({"Section A": mo.md("inside A"), "Section B": "plain B"})
    return


@app.cell
def layout_callout(mo):
    mo.callout(mo.md("Careful **now**"), kind="warn")
    return


@app.cell
def layout_stat(mo):
    mo.stat(value="1,234", label="Users", caption="+12%", direction="increase")
    return


@app.cell
def error():
    raise ValueError("boom from the gallery")
    return


@app.cell
def md_reads_slider(mo, slider):
    mo.md(f"The slider is at **{slider.value}**")
    return


if __name__ == "__main__":
    app.run()
