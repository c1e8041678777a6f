import marimo

__generated_with = "0.25.2"
app = marimo.App()


@app.cell
def intro():
    import marimo as mo

    mo.md(
        """
        # A tour of marimo-pair-tui

        This notebook runs in a real marimo kernel. Select a cell, load its
        code into the editor, change it and apply: the cells that depend on
        it run again, here and in any browser showing the notebook. Press f7
        for the notebook view: every cell's output drawn, tables, charts and
        sliders included.
        """
    )
    return (mo,)


@app.cell
def numbers():
    numbers = list(range(1, 11))
    return (numbers,)


@app.cell
def total(numbers):
    total = sum(numbers)
    print("the total of", len(numbers), "numbers is", total)
    return (total,)


@app.cell
def squares(numbers):
    squares = [n * n for n in numbers]
    squares
    return (squares,)


@app.cell
def summary(mo, squares, total):
    mo.md(f"**total** = {total}, **largest square** = {max(squares)}")
    return


@app.cell
def optional():
    # pandas and altair make the next cells richer; the tour runs with marimo alone.
    try:
        import pandas as pd
    except ImportError:
        pd = None
    try:
        import altair as alt
    except ImportError:
        alt = None
    return alt, pd


@app.cell
def table(mo, numbers, pd):
    rows = [{"n": n, "square": n * n, "even": n % 2 == 0} for n in numbers]
    pd.DataFrame(rows) if pd else mo.ui.table(rows, selection=None)
    return (rows,)


@app.cell
def chart(alt, mo, rows):
    (
        alt.Chart(alt.Data(values=rows)).mark_bar().encode(x="n:O", y="square:Q").properties(height=90)
        if alt
        else mo.md("*With `altair` installed in the kernel, a chart of the squares shows here.*")
    )
    return


@app.cell
def slider(mo):
    size = mo.ui.slider(1, 10, value=3, label="how many")
    size
    return (size,)


@app.cell
def picked(mo, size, squares):
    mo.md(f"The first **{size.value}** squares add up to **{sum(squares[: size.value])}**.")
    return


if __name__ == "__main__":
    app.run()
