"""A plotly figure turned into a Vega-Lite spec from its own data, so vl-convert can draw it.

plotly's own exporter (kaleido) drives a Chrome, which a terminal machine
seldom has. Scatter (markers, lines), bar, histogram, box, pie and heatmap
traces on one pair of axes are redrawn from the figure's data: the same
points, bars, colours, names and titles, not plotly's styling. Anything else
(3-D, maps, subplots, …) raises NotDrawn with the reason.
"""

from __future__ import annotations

from typing import Any

from .plotly_figures import traces, undecoded

DRAWN = ("scatter", "scattergl", "bar", "histogram", "box", "pie", "heatmap")
ALONE = ("pie", "heatmap")  # drawn only as a figure's single trace
COLORWAY = ["#636efa", "#EF553B", "#00cc96", "#ab63fa", "#FFA15A", "#19d3f3", "#FF6692", "#B6E880", "#FF97FF",
            "#FECB52"]  # plotly's default template


class NotDrawn(Exception):
    """A figure that is not turned into Vega-Lite; the message says why."""


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _int(value: Any, default: int) -> int:
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < value < 10_000 else default


def _series() -> dict[str, Any]:
    """The colour channel: one colour per trace (its scale is set once every layer is made)."""
    return {"field": "trace", "type": "nominal", "title": None}


def _kind(trace: dict[str, Any]) -> str:
    return str(trace.get("type") or "scatter")


def _title(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("text")
    return str(value) if value not in (None, "") else None


def _type(values: list[Any]) -> str:
    """The Vega-Lite type plotly's axis would take: numbers, dates (ISO text) or categories."""
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present):
        return "quantitative"
    if present and all(isinstance(v, str) and len(v) >= 10 and v[4:5] == "-" and v[7:8] == "-" for v in present):
        return "temporal"
    return "nominal"


def _channel(field: str, values: list[Any]) -> dict[str, Any]:
    kind = _type(values)
    return {"field": field, "type": kind, "title": None, **({"sort": None} if kind == "nominal" else {})}


def _steps(trace: dict[str, Any], axis: str, n: int) -> list[Any]:
    """A trace's x or y: its list, else plotly's implicit x0 + i * dx."""
    values = trace.get(axis)
    if isinstance(values, list):
        return values
    start, step = trace.get(f"{axis}0", 0), trace.get(f"d{axis}", 1)
    if isinstance(start, (int, float)) and isinstance(step, (int, float)):
        return [start + i * step for i in range(n)]
    return list(range(n))


def _xy_layer(trace: dict[str, Any], name: str) -> dict[str, Any]:
    n = max(len(_list(trace.get("x"))), len(_list(trace.get("y"))))
    x, y = _steps(trace, "x", n), _steps(trace, "y", n)
    rows = [{"x": x[i], "y": y[i], "trace": name} for i in range(min(len(x), len(y)))]
    encoding = {"x": _channel("x", x), "y": _channel("y", y), "color": _series()}
    data = {"values": rows}
    if _kind(trace) == "bar":  # a horizontal bar has its values in x and its categories in y already
        return {"data": data, "mark": {"type": "bar"}, "encoding": encoding}
    mode = str(trace.get("mode") or ("lines+markers" if len(rows) < 20 else "lines"))
    marks: list[dict[str, Any]] = [{"type": "line"}] if "lines" in mode else []
    if "markers" in mode or not marks:
        marks.append({"type": "point", "filled": True})
    if len(marks) == 1:
        return {"data": data, "mark": marks[0], "encoding": encoding}
    return {"data": data, "layer": [{"mark": mark, "encoding": encoding} for mark in marks]}


def _histogram_layer(trace: dict[str, Any], name: str) -> dict[str, Any]:
    horizontal = trace.get("y") is not None and trace.get("x") is None
    values = _list(trace.get("y") if horizontal else trace.get("x"))
    value = _channel("v", values)
    if value["type"] == "quantitative":
        value["bin"] = {"maxbins": _int(trace.get("nbinsy" if horizontal else "nbinsx"), 20)}
    count = {"aggregate": "count", "type": "quantitative", "title": "count"}
    encoding = {"y": value, "x": count} if horizontal else {"x": value, "y": count}
    return {"data": {"values": [{"v": v, "trace": name} for v in values]}, "mark": {"type": "bar", "opacity": 0.8},
            "encoding": {**encoding, "color": _series()}}


def _box_layer(trace: dict[str, Any], name: str) -> dict[str, Any]:
    horizontal = trace.get("orientation") == "h" or (trace.get("x") is not None and trace.get("y") is None)
    values = _list(trace.get("x") if horizontal else trace.get("y"))
    value = {"field": "v", "type": "quantitative", "title": None}
    group = {"field": "trace", "type": "nominal", "title": None, "sort": None}
    encoding = {"x": value, "y": group} if horizontal else {"y": value, "x": group}
    return {"data": {"values": [{"v": v, "trace": name} for v in values]}, "mark": {"type": "boxplot"},
            "encoding": {**encoding, "color": _series()}}


def _pie_layer(trace: dict[str, Any]) -> dict[str, Any]:
    values = _list(trace.get("values"))
    labels = _list(trace.get("labels")) or [str(i) for i in range(len(values))]
    rows = [{"label": label, "value": values[i] if i < len(values) else 1} for i, label in enumerate(labels)]
    return {"data": {"values": rows}, "mark": {"type": "arc"},
            "encoding": {"theta": {"field": "value", "type": "quantitative", "stack": True},
                         "color": {"field": "label", "type": "nominal", "sort": None, "title": None}}}


def _heatmap_layer(trace: dict[str, Any]) -> dict[str, Any]:
    z, xs, ys = _list(trace.get("z")), trace.get("x"), trace.get("y")
    rows = [{"x": xs[j] if isinstance(xs, list) and j < len(xs) else j,
             "y": ys[i] if isinstance(ys, list) and i < len(ys) else i, "z": value}
            for i, row in enumerate(z) if isinstance(row, list) for j, value in enumerate(row)]
    return {"data": {"values": rows}, "mark": {"type": "rect"},
            "encoding": {"x": {"field": "x", "type": "ordinal", "title": None},
                         "y": {"field": "y", "type": "ordinal", "sort": "descending", "title": None},
                         "color": {"field": "z", "type": "quantitative", "title": None}}}


def _layer(trace: dict[str, Any], name: str) -> dict[str, Any]:
    kind = _kind(trace)
    if kind == "pie":
        return _pie_layer(trace)
    if kind == "heatmap":
        return _heatmap_layer(trace)
    if kind == "histogram":
        return _histogram_layer(trace, name)
    if kind == "box":
        return _box_layer(trace, name)
    return _xy_layer(trace, name)


def _check(shown: list[dict[str, Any]]) -> None:
    if not shown:
        raise NotDrawn("the figure has no traces")
    odd = sorted({_kind(t) for t in shown} - set(DRAWN))
    if odd:
        raise NotDrawn(f"{', '.join(odd)} traces are not drawn here (only {', '.join(DRAWN)})")
    if any((t.get("xaxis") or "x") != "x" or (t.get("yaxis") or "y") != "y" for t in shown):
        raise NotDrawn("figures with subplots or a second axis are not drawn here")
    odd_arrays = sorted({key for t in shown for key in undecoded(t)})
    if odd_arrays:
        raise NotDrawn(f"typed arrays of a dtype not read here ({', '.join(odd_arrays)})")
    if len(shown) > 1 and any(_kind(t) in ALONE for t in shown):
        raise NotDrawn("a pie or heatmap beside other traces is not drawn here")


def _color(trace: dict[str, Any], index: int, colorway: list[Any]) -> str:
    for holder in (trace.get("marker"), trace.get("line")):
        if isinstance(holder, dict) and isinstance(holder.get("color"), str):
            return str(holder["color"])
    return str(colorway[index % len(colorway)])


def _encodings(spec: dict[str, Any]) -> list[dict[str, Any]]:
    found = [spec["encoding"]] if isinstance(spec.get("encoding"), dict) else []
    for sub in spec.get("layer") or ():
        found.extend(_encodings(sub))
    return found


def vega_lite_spec(figure: dict[str, Any]) -> dict[str, Any]:
    """A Vega-Lite spec drawing the figure (typed arrays already decoded); raises NotDrawn."""
    shown = traces(figure)
    _check(shown)
    layout = _dict(figure.get("layout"))
    colorway = _list(layout.get("colorway")) or _list(_dict(_dict(layout.get("template")).get("layout")).get("colorway"))
    colorway = colorway or COLORWAY
    names = [str(t.get("name") or f"trace {i}") for i, t in enumerate(shown)]
    names = [name if names.count(name) == 1 else f"{name} ({i})" for i, name in enumerate(names)]
    layers = [_layer(t, names[i]) for i, t in enumerate(shown)]
    spec: dict[str, Any] = {"$schema": "https://vega.github.io/schema/vega-lite/v5.json",
                            "width": max(100, _int(layout.get("width"), 480) - 80),
                            "height": max(80, _int(layout.get("height"), 360) - 80)}
    spec.update(layers[0] if len(layers) == 1 else {"layer": layers})
    scale = {"domain": names, "range": [_color(t, i, colorway) for i, t in enumerate(shown)]}
    legend = len(shown) > 1 and layout.get("showlegend") is not False
    for encoding in _encodings(spec):
        color = encoding.get("color")
        if isinstance(color, dict) and color.get("field") == "trace":
            color["scale"] = scale
            if not legend:
                color["legend"] = None
        for axis in ("x", "y"):
            title = _title(_dict(layout.get(f"{axis}axis")).get("title"))
            channel = encoding.get(axis)
            if title and isinstance(channel, dict) and channel.get("aggregate") != "count":
                channel["title"] = title
    title = _title(layout.get("title"))
    if title:
        spec["title"] = title
    return spec
