"""Charts: a Vega-Lite or plotly spec, described in words, and rendered to PNG when vl-convert is installed."""

from __future__ import annotations

from typing import Any

from .model import ChartPart


def _encodings(spec: dict[str, Any]) -> list[str]:
    encoding = spec.get("encoding")
    out = []
    if isinstance(encoding, dict):
        for channel, enc in encoding.items():
            if isinstance(enc, dict):
                name = enc.get("field") or enc.get("aggregate") or enc.get("value")
                kind = enc.get("type")
                out.append(f"{channel} = {name}" + (f" ({kind})" if kind else ""))
    return out


def _rows(spec: dict[str, Any]) -> str:
    data = spec.get("data")
    if isinstance(data, dict):
        values = data.get("values")
        if isinstance(values, list):
            return f"{len(values)} rows"
        if isinstance(values, str):  # inline CSV text (a fetched virtual file)
            return f"{max(0, len(values.strip().splitlines()) - 1)} rows"
        url = data.get("url")
        if isinstance(url, str) and url.startswith("data:text/csv"):
            return f"{max(0, len(_data_url_text(url).strip().splitlines()) - 1)} rows"
        if url:
            return f"data from {str(url)[:120]}"
        if data.get("name") and isinstance(spec.get("datasets"), dict):
            rows = spec["datasets"].get(data["name"])
            if isinstance(rows, list):
                return f"{len(rows)} rows"
    return ""


def _data_url_text(url: str) -> str:
    from .images import decode_base64

    head, _, body = url.partition(",")
    if ";base64" in head:
        return (decode_base64(body) or b"").decode("utf-8", "replace")
    from urllib.parse import unquote

    return unquote(body)


def describe_vega(spec: Any) -> str:
    if not isinstance(spec, dict):
        return "Vega-Lite chart"
    for many in ("layer", "hconcat", "vconcat", "concat"):
        if isinstance(spec.get(many), list):
            inner = "; ".join(describe_vega({**sub, "datasets": spec.get("datasets"),
                                             "data": sub.get("data", spec.get("data"))})
                              for sub in spec[many][:5] if isinstance(sub, dict))
            return f"Vega-Lite {many} of {len(spec[many])} charts: {inner}"
    mark = spec.get("mark")
    mark_name = mark.get("type") if isinstance(mark, dict) else mark
    bits = [f"mark {mark_name}" if mark_name else "", ", ".join(_encodings(spec)), _rows(spec)]
    title = spec.get("title")
    head = f'Vega-Lite chart "{title}"' if isinstance(title, str) else "Vega-Lite chart"
    return head + ": " + "; ".join(b for b in bits if b)


def vega_chart(spec: Any, object_id: str | None) -> ChartPart:
    spec = spec if isinstance(spec, dict) else {}
    return ChartPart("vega-lite", spec, describe_vega(spec), object_id)


def describe_plotly(figure: Any) -> str:
    if not isinstance(figure, dict):
        return "plotly figure"
    traces = [t for t in figure.get("data") or [] if isinstance(t, dict)]
    kinds = sorted({str(t.get("type", "scatter")) for t in traces})
    layout: dict[str, Any] = figure["layout"] if isinstance(figure.get("layout"), dict) else {}
    title = layout.get("title")
    title = title.get("text") if isinstance(title, dict) else title
    points = sum(len(t.get("x") or t.get("values") or []) for t in traces if isinstance(t.get("x") or t.get("values") or [], list))
    head = f'plotly figure "{title}"' if title else "plotly figure"
    return f"{head}: {len(traces)} trace(s) ({', '.join(kinds) or 'none'}), {points} points"


def plotly_chart(figure: Any, object_id: str | None) -> ChartPart:
    figure = figure if isinstance(figure, dict) else {}
    return ChartPart("plotly", figure, describe_plotly(figure), object_id)


def render_vega_png(spec: dict[str, Any], scale: float = 1.0) -> bytes | None:
    """PNG bytes of a Vega-Lite spec whose data is inline, or None (vl-convert missing or it failed)."""
    try:
        import vl_convert
    except ImportError:
        return None
    try:
        return bytes(vl_convert.vegalite_to_png(spec, scale=scale))
    except Exception:  # noqa: BLE001 - a spec vl-convert cannot draw: the description stands
        return None
