import marimo

__generated_with = "0.25.2"
app = marimo.App()


@app.cell
def define_x():
    x = 41
    return (x,)


@app.cell
def shown(x):
    y = x + 1
    y
    return (y,)


@app.cell
def long_nap():
    import time
    time.sleep(30)
    return


if __name__ == "__main__":
    app.run()
