import marimo

__generated_with = "0.25.2"
app = marimo.App()


@app.cell
def _():
    a = 1
    return (a,)


@app.cell
def divide(a):
    b = a / 0
    return (b,)


@app.cell
def _(b):
    c = b + 1
    print("c is", c)
    return


if __name__ == "__main__":
    app.run()
