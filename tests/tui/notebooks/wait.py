import marimo

__generated_with = "0.25.2"
app = marimo.App()


@app.cell
def setup():
    import os
    import time

    return os, time


@app.cell
def waits(os, time):
    # Blocks until the test creates the flag file next to the notebook:
    # a cell that is deterministically "running" for as long as needed.
    print("waiting for the flag", flush=True)
    while not os.path.exists(__file__ + ".flag"):
        time.sleep(0.05)
    waited = True
    return (waited,)


@app.cell
def after(waited):
    done = waited
    return


if __name__ == "__main__":
    app.run()
