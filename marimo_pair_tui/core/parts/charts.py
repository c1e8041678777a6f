"""Charts: a Vega-Lite or plotly spec, its data summed up in words and numbers, drawn to PNG by vl-convert.

A part's `data` lists what the chart draws: for Vega-Lite each dataset (its
rows and fields, or why it was not read), for plotly each trace (its points
and data arrays). The description says the same in a line, so a reader that
cannot see the chart still knows what it holds, and never a count of the wrong
thing: data not read yet or unreadable is said to be so.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from .chart_data import Unreadable, data_nodes, field_text, format_of, inline_data_url, rows_of, summarize_rows
from .model import ChartPart
from .plotly_figures import decoded, is_typed_array, trace_summary, traces
from .plotly_vega import NotDrawn, vega_lite_spec

MAX_FIELDS_TEXT = 8  # fields named in a description, at most
MAX_TRACES_TEXT = 5  # plotly traces described one by one, at most
CHARTS_EXTRA = "drawing needs vl-convert: pip install 'marimo-pair-tui[charts]'"


# -- Vega-Lite ------------------------------------------------------------------


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


def _view(spec: dict[str, Any]) -> str:
    """The marks and encodings of one view (composites listed view by view)."""
    for many in ("layer", "hconcat", "vconcat", "concat"):
        if isinstance(spec.get(many), list):
            inner = " + ".join(f"({_view(sub)})" for sub in spec[many][:5] if isinstance(sub, dict))
            return f"{many} of {len(spec[many])} charts: {inner}"
    if isinstance(spec.get("spec"), dict):
        return "facet of " + _view(spec["spec"])
    mark = spec.get("mark")
    mark_name = mark.get("type") if isinstance(mark, dict) else mark
    return "; ".join(b for b in (f"mark {mark_name}" if mark_name else "", ", ".join(_encodings(spec))) if b)


def dataset_entry(node: dict[str, Any], source: str, datasets: Any = None) -> dict[str, Any] | None:
    """A data node summed up: {"source", "format", "rows", "fields"} or, unread, rows None and why."""
    name = node.get("name")
    if "values" in node or (isinstance(name, str) and isinstance(datasets, dict) and name in datasets):
        kind = format_of(node) if "values" in node else "json"
        try:
            rows = rows_of(node["values"] if "values" in node else datasets[name], kind)
        except Unreadable as exc:
            return {"source": source, "format": kind, "rows": None, "unread": str(exc)}
        return {"source": source, "format": kind, **summarize_rows(rows)}
    url = node.get("url")
    if isinstance(url, str):
        where = "not fetched from the server" if "@file/" in url else "data from another address is not fetched"
        return {"source": url, "format": format_of(node, url), "rows": None, "unread": where}
    return None


def vega_datasets(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Each dataset a spec draws, once, in the order its views name them."""
    out: list[dict[str, Any]] = []
    seen: set[Any] = set()
    for node in data_nodes(spec):
        key = node.get("name") if isinstance(node.get("name"), str) and "values" not in node else id(node)
        key = node.get("url") if isinstance(node.get("url"), str) else key
        if key in seen:
            continue
        seen.add(key)
        entry = dataset_entry(node, "inline", spec.get("datasets"))
        if entry is not None:
            out.append(entry)
    return out


def data_text(datasets: list[dict[str, Any]]) -> str:
    """`137 rows; fields x (number 0–136), cat (string, 3 values (a, b, c))`, per dataset."""
    texts = []
    for entry in datasets:
        if entry.get("rows") is None:
            texts.append(f"data at {entry['source']} ({entry['format']}): {entry.get('unread') or 'not read'}")
            continue
        fields = entry.get("fields") or []
        named = ", ".join(field_text(f) for f in fields[:MAX_FIELDS_TEXT])
        more = f" and {len(fields) - MAX_FIELDS_TEXT} more" if len(fields) > MAX_FIELDS_TEXT else ""
        texts.append(f"{entry['rows']:,} rows" + (f"; fields {named}{more}" if named else ""))
    return "; ".join(texts)


def describe_vega(spec: Any, datasets: list[dict[str, Any]] | None = None) -> str:
    if not isinstance(spec, dict):
        return "Vega-Lite chart"
    title = spec.get("title")
    title = title.get("text") if isinstance(title, dict) else title
    head = f'Vega-Lite chart "{title}"' if isinstance(title, str) else "Vega-Lite chart"
    datasets = vega_datasets(spec) if datasets is None else datasets
    bits = [_view(spec), data_text(datasets)]
    return head + ": " + "; ".join(b for b in bits if b)


def vega_chart(spec: Any, object_id: str | None) -> ChartPart:
    """The part of a Vega-Lite spec; data marimo put in a `data:` URL is read here, at once."""
    spec = spec if isinstance(spec, dict) else {}
    unread: dict[str, str] = {}
    for node in data_nodes(spec):
        url = node.get("url")
        try:
            inline_data_url(node)
        except Unreadable as exc:
            unread[str(url)] = str(exc)
    datasets = vega_datasets(spec)
    for entry in datasets:
        if entry["source"] in unread:
            entry["unread"] = unread[entry["source"]]
    return ChartPart("vega-lite", spec, describe_vega(spec, datasets), object_id, data=datasets)


def refresh_data(part: ChartPart, source: str, node: dict[str, Any], kind: str, why: str | None = None) -> None:
    """After a virtual file of format `kind` was read into `node` (or could not be: `why`), its dataset
    and the description."""
    if why is None:
        fresh = dataset_entry(node, source, part.spec.get("datasets"))
        entry = {**fresh, "source": source, "format": kind} if fresh else None
    else:
        entry = {"source": source, "format": kind, "rows": None, "unread": why}
    part.data = [entry if old.get("source") == source and entry else old for old in part.data]
    part.description = describe_vega(part.spec, part.data)


# -- plotly ---------------------------------------------------------------------


def describe_plotly(figure: Any, summaries: list[dict[str, Any]] | None = None) -> str:
    if not isinstance(figure, dict):
        return "plotly figure"
    shown = traces(figure)
    summaries = [trace_summary(i, t) for i, t in enumerate(shown)] if summaries is None else summaries
    kinds = sorted({s["type"] for s in summaries})
    layout: dict[str, Any] = figure["layout"] if isinstance(figure.get("layout"), dict) else {}
    title = layout.get("title")
    title = title.get("text") if isinstance(title, dict) else title
    counts = [s["points"] for s in summaries]
    points = f"{sum(counts):,} points" if None not in counts else "points not counted"
    head = f'plotly figure "{title}"' if title else "plotly figure"
    text = f"{head}: {len(shown)} trace(s) ({', '.join(kinds) or 'none'}), {points}"
    for summary in summaries[:MAX_TRACES_TEXT]:
        name = f'"{summary["name"]}" ' if summary["name"] else ""
        fields = ", ".join(field_text(f) for f in summary["fields"][:MAX_FIELDS_TEXT])
        count = f"{summary['points']:,} points" if summary["points"] is not None else "points not counted"
        text += f"; {name}{summary['type']} {count}" + (f": {fields}" if fields else "")
    if len(summaries) > MAX_TRACES_TEXT:
        text += f"; … {len(summaries) - MAX_TRACES_TEXT} more traces"
    return text


def plotly_chart(figure: Any, object_id: str | None) -> ChartPart:
    """The part of a plotly figure, its typed arrays (plotly >= 6) decoded into lists."""
    figure = decoded(figure) if isinstance(figure, dict) and not is_typed_array(figure) else {}
    summaries = [trace_summary(i, t) for i, t in enumerate(traces(figure))]
    return ChartPart("plotly", figure, describe_plotly(figure, summaries), object_id, data=summaries)


# -- drawing --------------------------------------------------------------------


def render_vega_png(spec: dict[str, Any], scale: float = 1.0) -> bytes | None:
    """PNG bytes of a Vega-Lite spec whose data is inline, or None (vl-convert missing or it failed)."""
    png, _why = render_png(spec, scale)
    return png


_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(value: Any) -> Any:
    """The spec with characters XML cannot hold (control characters, U+FFFF, lone surrogates) as U+FFFD.

    vl-convert aborts the whole process, beyond any `except`, on a label that holds one."""
    if isinstance(value, str):
        return _NOT_XML.sub("\ufffd", value)
    if isinstance(value, dict):
        return {xml_safe(k): xml_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [xml_safe(v) for v in value]
    return value


def render_png(spec: dict[str, Any], scale: float = 1.0) -> tuple[bytes | None, str | None]:
    """(PNG bytes, None) of a Vega-Lite spec whose data is inline, or (None, why not)."""
    try:
        import vl_convert
    except ImportError:
        return None, CHARTS_EXTRA
    try:
        return bytes(vl_convert.vegalite_to_png(xml_safe(spec), scale=scale)), None
    except Exception as exc:  # noqa: BLE001 - a spec vl-convert cannot draw: the description stands
        return None, f"vl-convert could not draw it ({str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__})"


def chart_png(part: ChartPart, scale: float = 1.0) -> tuple[bytes | None, str | None]:
    """(PNG, None) of a chart, or (None, why it is not drawn): data not read, a figure not drawable here."""
    unread = [d for d in part.data if isinstance(d, dict) and d.get("rows") is None and d.get("unread")]
    if part.library == "vega-lite":
        if unread:
            return None, f"its data was not read ({unread[0]['unread']})"
        return render_png(part.spec, scale)
    if part.library == "plotly":
        try:
            spec = vega_lite_spec(copy.deepcopy(part.spec))
        except NotDrawn as exc:
            return None, str(exc)
        return render_png(spec, scale)
    return None, f"{part.library} charts are not drawn here"
