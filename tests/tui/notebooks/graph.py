import marimo

__generated_with = "0.25.2"
app = marimo.App()


@app.cell
def base():
    prices = [3, 5, 8]
    rate = 2
    return prices, rate


@app.cell
def total(prices):
    total = sum(prices)
    return (total,)


@app.cell
def scaled(prices, rate):
    scaled = [p * rate for p in prices]
    return (scaled,)


@app.cell
def report(scaled, total):
    summary = f"total {total}, scaled {sum(scaled)}"
    return (summary,)


@app.cell
def alone():
    note = "reads nothing"
    return (note,)


if __name__ == "__main__":
    app.run()
