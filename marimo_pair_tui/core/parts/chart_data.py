"""A chart's data read in every format marimo hands it over in, and summed up in a few numbers.

marimo gives Vega-Lite its data inline (`values`, or altair's named
`datasets`), as a `data:` URL of CSV, or as a virtual file of CSV, JSON or
Arrow IPC (`mo.ui.altair_chart` picks Arrow whenever the frame can write it:
always for polars, for pandas when pyarrow is installed). Each is read with
the format's own reader (csv, json, arro3 for Arrow) so a count of rows is the
frame's length, never the lines of bytes read as text. A format that cannot
be read says so instead of giving a number.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import json
import math
from typing import Any, Iterable, Sequence
from urllib.parse import unquote_to_bytes

from .images import decode_base64

ARROW_HINT = "reading Arrow data needs arro3-io (a dependency of marimo-pair-tui: reinstall it)"
MAX_LISTED = 12  # distinct values of a field listed by name, at most


class Unreadable(Exception):
    """Data that cannot be read; the message says why, for the part's description."""


def data_nodes(spec: Any) -> list[dict[str, Any]]:
    """Every `data` object of a Vega-Lite spec, its layers, concatenations and facets included."""
    found: list[dict[str, Any]] = []
    if isinstance(spec, dict):
        if isinstance(spec.get("data"), dict):
            found.append(spec["data"])
        for key in ("layer", "hconcat", "vconcat", "concat"):
            for sub in spec.get(key) or ():
                found.extend(data_nodes(sub))
        if isinstance(spec.get("spec"), dict):
            found.extend(data_nodes(spec["spec"]))
    return found


def format_of(node: dict[str, Any], name: str = "") -> str:
    """The node's declared format type, else what the file's extension says, else json."""
    fmt = node.get("format")
    kind = fmt.get("type") if isinstance(fmt, dict) else None
    if isinstance(kind, str) and kind:
        return kind.lower()
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return {"csv": "csv", "tsv": "tsv", "arrow": "arrow", "feather": "arrow", "ipc": "arrow"}.get(ext, "json")


def inline(node: dict[str, Any], data: bytes, name: str = "") -> None:
    """Put fetched (or data-URL) bytes into the node as inline `values` a renderer reads without a server.

    CSV stays text with its format (Vega parses it as the browser does);
    JSON becomes the parsed rows; Arrow becomes rows of JSON values.
    Raises Unreadable (the node untouched) for what cannot be read."""
    kind = format_of(node, name)
    fmt = {k: v for k, v in (node.get("format") or {}).items() if k != "type"}
    if kind in ("csv", "tsv", "dsv"):
        values: Any = data.decode("utf-8", "replace")
        fmt["type"] = kind
    elif kind == "arrow":
        values = arrow_rows(data)
        fmt = {"type": "json"}
    elif kind == "json":
        try:
            values = json.loads(data)
        except ValueError as exc:
            raise Unreadable(f"its JSON does not parse ({exc})") from None
        values = _at_property(values, fmt.pop("property", None))
        fmt["type"] = "json"
    else:
        raise Unreadable(f"{kind} data is not read here")
    node.pop("url", None)
    node["values"] = values
    node["format"] = fmt


def inline_data_url(node: dict[str, Any]) -> None:
    """A `data:` URL (marimo_inline_csv) read into inline values; raises Unreadable."""
    url = node.get("url")
    if not isinstance(url, str) or not url.startswith("data:") or "," not in url:
        return
    head, _, body = url.partition(",")
    data = decode_base64(body) if ";base64" in head else unquote_to_bytes(body)
    if data is None:
        raise Unreadable("its data URL is not valid base64")
    mime = head[5:].split(";")[0].lower()
    name = {"text/csv": "x.csv", "text/tab-separated-values": "x.tsv",
            "application/vnd.apache.arrow.file": "x.arrow", "application/vnd.apache.arrow.stream": "x.arrow"}.get(mime, "")
    inline(node, data, name)


def arrow_rows(data: bytes) -> list[dict[str, Any]]:
    """The rows of Arrow IPC bytes (the file format marimo writes, or a stream), as JSON values."""
    try:
        from arro3.io import read_ipc, read_ipc_stream
    except ImportError:
        raise Unreadable(ARROW_HINT) from None
    try:
        reader = read_ipc(data) if data[:6] == b"ARROW1" else read_ipc_stream(data)
        table = reader.read_all()
        names = [str(name) for name in table.column_names]
        columns = [_json_column(list(table.column(name).to_pylist())) for name in table.column_names]
    except Exception as exc:  # noqa: BLE001 - arro3 raises its own kinds for bytes that are no Arrow
        raise Unreadable(f"its Arrow data does not read ({exc})") from None
    if not columns:
        return [{} for _ in range(table.num_rows)]
    return [dict(zip(names, row)) for row in zip(*columns)]


_PLAIN = (int, str, bool, type(None))


def _json_column(values: list[Any]) -> list[Any]:
    """A column's values as JSON holds them (a column of plain ints and strings as it is)."""
    if all(type(v) in _PLAIN for v in values):
        return values
    return [json_value(v) for v in values]


def json_value(value: Any) -> Any:
    """A value as JSON holds it: dates as ISO text, decimals as floats, NaN and infinities as null."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return json_value(float(value))
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_value(v) for v in value]
    return value


def _at_property(values: Any, prop: Any) -> Any:
    if isinstance(prop, str) and prop:
        for key in prop.split("."):
            values = values.get(key) if isinstance(values, dict) else None
    return values


# -- summaries ------------------------------------------------------------------


def rows_of(values: Any, kind: str = "json") -> list[dict[str, Any]]:
    """Inline values as rows: a list as it is, CSV/TSV text parsed (numbers read as numbers); raises
    Unreadable for text that does not parse."""
    if isinstance(values, str):
        delimiter = "\t" if kind == "tsv" else ","
        reader = csv.DictReader(io.StringIO(values, newline=""), delimiter=delimiter)
        try:
            return [{k: _csv_cell(v) for k, v in row.items() if k is not None} for row in reader]
        except csv.Error as exc:
            raise Unreadable(f"its {kind.upper()} does not parse ({exc})") from None
    if isinstance(values, dict):
        return [values]
    if isinstance(values, list):
        return [row if isinstance(row, dict) else {"data": row} for row in values]
    return []


def _csv_cell(text: str | None) -> Any:
    if text is None or text == "":
        return None
    try:
        number = float(text)
    except ValueError:
        return text
    return int(number) if number.is_integer() and "." not in text and "e" not in text.lower() else number


def summarize_rows(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """{"rows", "fields": [...]}: the fields in first-seen order, each summed up by `summarize_field`."""
    names: dict[str, None] = {}
    for row in rows:
        for name in row:
            names.setdefault(str(name), None)
    return {"rows": len(rows), "fields": [summarize_field(name, (row.get(name) for row in rows)) for name in names]}


def summarize_field(name: str, values: Iterable[Any]) -> dict[str, Any]:
    """A field's kind, nulls, distinct count, range (numbers and dates) and values (when few)."""
    nulls = 0
    kinds: set[str] = set()
    distinct: dict[Any, None] = {}
    low: Any = None
    high: Any = None
    for value in values:
        if value is None or (isinstance(value, float) and not math.isfinite(value)):
            nulls += 1
            continue
        kind = _kind(value)
        kinds.add(kind)
        key = json.dumps(value, sort_keys=True, default=str) if kind == "other" else value
        distinct.setdefault(key, None)
        if kind in ("number", "temporal") and len(kinds) == 1:
            low = value if low is None or value < low else low
            high = value if high is None or value > high else high
    kind = kinds.pop() if len(kinds) == 1 else ("null" if not kinds else "mixed")
    doc: dict[str, Any] = {"name": name, "kind": kind, "nulls": nulls, "distinct": len(distinct)}
    if kind in ("number", "temporal"):
        doc["min"], doc["max"] = low, high
    if len(distinct) <= MAX_LISTED and kind != "other":
        doc["values"] = list(distinct)
    return doc


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "temporal" if _looks_temporal(value) else "string"
    return "other"


def _looks_temporal(text: str) -> bool:
    if len(text) < 10 or text[4:5] != "-" or text[7:8] != "-":
        return False
    try:
        dt.datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


def field_text(field: dict[str, Any]) -> str:
    """`x (number 0–136)`, `cat (string, 3 values: a, b, c)`: a field in a few words."""
    kind = field["kind"]
    if kind == "unread":
        return f"{field['name']} (a typed array of dtype {field.get('dtype')}, not read)"
    bits = [kind]
    if kind in ("number", "temporal") and field.get("min") is not None:
        bits = [f"{kind} {_short(field['min'])}–{_short(field['max'])}"]
    elif "values" in field and kind in ("string", "boolean", "mixed"):
        count = field["distinct"]
        bits.append(f"{count} value{'s' if count != 1 else ''}: " + ", ".join(_short(v) for v in field["values"]))
    elif field["distinct"]:
        bits.append(f"{field['distinct']:,} distinct")
    if field["nulls"]:
        bits.append(f"{field['nulls']:,} null")
    return f"{field['name']} ({', '.join(bits)})"


def _short(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    text = str(value)
    return text if len(text) <= 24 else text[:23] + "…"
