import marimo

__generated_with = "0.25.2"
app = marimo.App()


@app.cell
def imports():
    import datetime

    import altair as alt
    import marimo as mo
    import pandas as pd
    import plotly.express as px

    return alt, datetime, mo, pd, px


@app.cell
def basic(datetime, mo):
    slider = mo.ui.slider(1, 10, value=3, label="n")
    stepped = mo.ui.slider(steps=[1, 5, 25], value=5, label="stepped")
    range_slider = mo.ui.range_slider(0, 100, value=[20, 80], label="range")
    number = mo.ui.number(0, 100, step=5, value=10, label="num")
    text = mo.ui.text(value="hi", label="text")
    text_area = mo.ui.text_area(value="long", label="area")
    checkbox = mo.ui.checkbox(value=True, label="check")
    switch = mo.ui.switch(value=False, label="sw")
    dropdown = mo.ui.dropdown(["a", "b", "c"], value="a", label="drop")
    multiselect = mo.ui.multiselect(["red", "green", "blue"], value=["red"], label="multi")
    radio = mo.ui.radio(["x", "y"], value="x", label="radio")
    date = mo.ui.date(value="2024-01-02", label="date")
    dt = mo.ui.datetime(value="2024-01-02T03:04:05", label="dt")
    date_range = mo.ui.date_range(value=("2024-01-01", "2024-01-31"), label="dr")
    button = mo.ui.button(label="press", value=0, on_click=lambda v: v + 1)
    run_button = mo.ui.run_button(label="run")
    file = mo.ui.file(label="upload")
    code_editor = mo.ui.code_editor(value="x = 1", language="python")
    refresh = mo.ui.refresh(options=["1s", "5s"], default_interval="5s")
    microphone = mo.ui.microphone(label="mic")
    mo.vstack([slider, stepped, range_slider, number, text, text_area, checkbox, switch, dropdown, multiselect,
               radio, date, dt, date_range, button, run_button, file, code_editor, refresh, microphone])
    return (button, checkbox, code_editor, date, date_range, dropdown, dt, file, microphone, multiselect,
            number, radio, range_slider, refresh, run_button, slider, stepped, switch, text, text_area)


@app.cell
def composite(mo):
    tabs = mo.ui.tabs({"First": mo.md("one"), "Second": mo.md("two")})
    array = mo.ui.array([mo.ui.slider(0, 5, value=1), mo.ui.text(value="t")], label="arr")
    dictionary = mo.ui.dictionary({"a": mo.ui.slider(0, 5, value=2), "b": mo.ui.checkbox()}, label="dict")
    form = mo.ui.text(label="in form").form()
    chat = mo.ui.chat(lambda messages, config: "echo " + messages[-1].content)
    batch = mo.md("{x} and {y}").batch(x=mo.ui.slider(0, 3, value=1), y=mo.ui.text(value="b"))
    matrix = mo.ui.matrix([[1, 2], [3, 4]])
    file_browser = mo.ui.file_browser(label="browse")
    mo.vstack([tabs, array, dictionary, form, chat, batch, matrix, file_browser])
    return array, batch, chat, dictionary, file_browser, form, matrix, tabs


@app.cell
def data(mo, pd):
    df = pd.DataFrame({"name": ["ann", "bob", "cy", "dee"], "age": [30, 40, 50, 60]})
    table = mo.ui.table(df, selection="multi", label="people")
    single = mo.ui.table(df, selection="single")
    dataframe = mo.ui.dataframe(df)
    explorer = mo.ui.data_explorer(df)
    editor = mo.ui.data_editor(df)
    mo.vstack([table, single, dataframe, explorer, editor])
    return dataframe, df, editor, explorer, single, table


@app.cell
def charts(alt, df, mo, px):
    altair_chart = mo.ui.altair_chart(alt.Chart(df).mark_point().encode(x="age", y="age"))
    plotly_chart = mo.ui.plotly(px.scatter(df, x="age", y="age"))
    mo.vstack([altair_chart, plotly_chart])
    return altair_chart, plotly_chart


if __name__ == "__main__":
    app.run()
