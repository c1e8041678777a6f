import marimo

__generated_with = "0.25.2"
app = marimo.App()


@app.cell
def _():
    import marimo as mo

    return (mo,)


@app.cell
def define_x():
    x = 41
    return (x,)


@app.cell
def _(x):
    y = x + 1
    print("y is", y)
    return


@app.cell
def _(mo):
    mo.md("# Demo")
    return


if __name__ == "__main__":
    app.run()
