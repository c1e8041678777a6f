import marimo

__generated_with = "0.25.2"
app = marimo.App()


@app.cell
def imports():
    import anywidget
    import marimo as mo
    import traitlets

    return anywidget, mo, traitlets


@app.cell
def widget(anywidget, mo, traitlets):
    class Counter(anywidget.AnyWidget):
        _esm = "export default { render({ model, el }) { el.textContent = String(model.get('count')); } }"
        count = traitlets.Int(3).tag(sync=True)
        label = traitlets.Unicode("clicks").tag(sync=True)
        blob = traitlets.Bytes(b"abcd").tag(sync=True)

    counter = mo.ui.anywidget(Counter())
    counter
    return (counter,)


@app.cell
def reader(counter, mo):
    shown = counter.value["count"]
    mo.md(f"count is {shown}")
    return (shown,)


if __name__ == "__main__":
    app.run()
