import marimo

__generated_with = "0.25.2"
app = marimo.App()


@app.cell
def _():
    import time

    return (time,)


@app.cell
def nap(time):
    print("before sleep", flush=True)
    time.sleep(3)
    print("after sleep", flush=True)
    slept = True
    return (slept,)


@app.cell
def _(slept):
    done = slept
    return


if __name__ == "__main__":
    app.run()
