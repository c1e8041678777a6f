import marimo

__generated_with = "0.25.2"
app = marimo.App()


@app.cell
def setup():
    import os
    import time

    import pandas as pd

    return os, pd, time


@app.cell
def prices(pd):
    prices = pd.DataFrame({"item": ["tea", "cake"], "price": [3, 5]})
    return (prices,)


@app.cell
def waits(os, time):
    # Blocks until the test creates the flag file next to the notebook:
    # a cell that is deterministically "running" for as long as needed.
    print("waiting for the flag", flush=True)
    while not os.path.exists(__file__ + ".flag"):
        time.sleep(0.05)
    waited = True
    return (waited,)


if __name__ == "__main__":
    app.run()
