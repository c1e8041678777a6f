import marimo

__generated_with = "0.25.2"
app = marimo.App()


@app.cell
def fails():
    x = 41
    y = x + 1
    1/0
    return


@app.cell
def fine():
    ok = 1
    return (ok,)


if __name__ == "__main__":
    app.run()
