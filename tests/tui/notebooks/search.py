import marimo

__generated_with = "0.25.2"
app = marimo.App()


@app.cell
def prices():
    prices = [3, 5, 8]
    print(f"sum is {sum(prices)}")
    return (prices,)


@app.cell
def doubled(prices):
    doubled = [p * 2 for p in prices]
    print(f"doubled sum is {sum(doubled)}")
    return (doubled,)


@app.cell
def label():
    label = "nothing to find"
    return (label,)


if __name__ == "__main__":
    app.run()
