import marimo

__generated_with = "0.25.2"
app = marimo.App()


@app.cell
def setup():
    import marimo as mo
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pandas as pd

    return mo, pd, plt


@app.cell
def heading(mo):
    mo.md("# Fruit\n\nThree kinds, counted **by hand**.")
    return


@app.cell
def table(pd):
    pd.DataFrame({"fruit": ["apple", "pear", "fig"], "count": [3, 5, 8]})
    return


@app.cell
def plot(plt):
    fig, ax = plt.subplots(figsize=(3, 1.2), dpi=40)
    ax.bar([0, 1, 2], [3, 5, 8], color="#3b82f6")
    ax.set_axis_off()
    fig
    return


@app.cell
def controls(mo):
    n = mo.ui.slider(1, 10, value=3, label="n")
    fruit = mo.ui.dropdown(["apple", "pear", "fig"], value="pear", label="fruit")
    ripe = mo.ui.checkbox(value=True, label="ripe")
    mo.vstack([n, fruit, ripe])
    return fruit, n, ripe


@app.cell
def echo(fruit, mo, n, ripe):
    mo.md(f"{n.value} x {fruit.value}, {'ripe' if ripe.value else 'green'}")
    return


@app.cell
def big(pd):
    pd.DataFrame({"i": range(5000), "sq": [i * i for i in range(5000)]})
    return


@app.cell
def hostile(mo, pd):
    mo.vstack([
        mo.md("bell \x1b[2J **bold** [b]not markup[/b]"),
        pd.DataFrame({"raw": ["\x1b]52;c;UFdORUQ=\x07", "[red]x[/red]"]}),
    ])
    return


if __name__ == "__main__":
    app.run()
