import marimo

__generated_with = "0.25.2"
app = marimo.App()


@app.cell
def _():
    import os
    import time

    return os, time


@app.cell
def nap(os, time):
    # Runs until a file "slow.go" exists next to the notebook: a test creates it when the cell
    # has been seen running, or before opening the notebook to let the first run through.
    print("before the gate", flush=True)
    while not os.path.exists(os.path.join(os.path.dirname(__file__), "slow.go")):
        time.sleep(0.05)
    print("after the gate", flush=True)
    slept = True
    return (slept,)


@app.cell
def _(slept):
    done = slept
    return


if __name__ == "__main__":
    app.run()
