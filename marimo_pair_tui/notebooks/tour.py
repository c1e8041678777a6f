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
        it run again, here and in any browser showing the notebook.
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


if __name__ == "__main__":
    app.run()
