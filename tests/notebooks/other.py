import marimo

__generated_with = "0.25.2"
app = marimo.App()


@app.cell
def greet():
    greeting = "hello from other"
    return (greeting,)


@app.cell
def _(greeting):
    print(greeting)
    return


if __name__ == "__main__":
    app.run()
