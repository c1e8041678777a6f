import marimo

__generated_with = "0.25.2"
app = marimo.App()


@app.cell
def imports():
    import pandas as pd

    return (pd,)


@app.cell
def frame(pd):
    df = pd.DataFrame({
        "city": ["Oslo", "Lima", "Pune", "Oslo"],
        "kind": ["a", "b", "a", "b"],
        "price": [343.96999999999997, 52.4, 1234567.891, 0.1 + 0.2],
        "n": [1, 2, 3000, 4],
    })
    return (df,)


@app.cell
def by_city(df):
    by_city = df.set_index("city")
    by_city
    return (by_city,)


@app.cell
def stats(df):
    df.describe()
    return


@app.cell
def grouped(df):
    grouped = df.groupby(["city", "kind"]).sum()
    grouped
    return (grouped,)


@app.cell
def counts(df):
    counts = df["city"].value_counts()
    counts
    return (counts,)


@app.cell
def prices(df):
    prices = df["price"]
    return (prices,)


@app.cell
def big(pd):
    big = pd.DataFrame({"i": range(20_000), "x": [i / 7 for i in range(20_000)]})
    big
    return (big,)


@app.cell
def wide(pd):
    wide = pd.DataFrame({f"col_{i}": [52.4 + i, 1234.5 * (i + 1), 7.25] for i in range(12)})
    wide
    return (wide,)


if __name__ == "__main__":
    app.run()
