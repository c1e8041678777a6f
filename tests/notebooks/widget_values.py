import marimo

__generated_with = "0.25.2"
app = marimo.App()


@app.cell
def setup():
    import json

    import marimo as mo
    import pandas as pd

    return json, mo, pd


@app.cell
def controls(mo):
    slider = mo.ui.slider(1, 10, value=3, label="n")
    stepped = mo.ui.slider(steps=[1, 5, 25], value=5, label="stepped")
    dropdown = mo.ui.dropdown(["a", "b", "c"], value="a", label="letter")
    mo.vstack([slider, stepped, dropdown])
    return dropdown, slider, stepped


@app.cell
def reader(mo, slider):
    mo.md(f"The slider is at **{slider.value}**")
    return


@app.cell
def people(mo, pd):
    people_df = pd.DataFrame(
        {"name": ["ann", "bob", "cy", "dee"], "age": [30, 40, 50, 60]},
        index=pd.Index(["a1", "b2", "c3", "d4"], name="key"),
    )
    table = mo.ui.table(people_df, selection="multi", label="people")
    single = mo.ui.table(people_df, selection="single", label="one")
    grid = mo.ui.table(people_df, selection="multi-cell", label="grid")
    mo.vstack([table, single, grid])
    return grid, single, table


@app.cell
def chosen(mo, table):
    mo.md(f"{len(table.value)} chosen")
    return


if __name__ == "__main__":
    app.run()
