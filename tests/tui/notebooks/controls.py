import marimo

__generated_with = "0.25.2"
app = marimo.App()


@app.cell
def loud():
    print("before\x1b[2Jafter")
    print("\x1b]52;c;UFdORUQ=\x1b\\")
    return


@app.cell
def raw():
    red = "[31mred"
    return (red,)


if __name__ == "__main__":
    app.run()
