"""plotly figures: typed arrays decoded into lists, and each trace summed up.

plotly >= 6 sends numpy arrays as typed arrays, `{"dtype": "f8", "bdata":
BASE64, "shape": "2, 3"}` (little-endian, row-major), so a trace's `x` is no
list until decoded. The standard library's struct reads them: no numpy needed.
"""

from __future__ import annotations

import base64
import binascii
import struct
from typing import Any

from .chart_data import summarize_field

# plotly.js typed-array dtypes (and the numpy names plotly.py also accepts) -> struct codes, little-endian
_CODES = {"i1": "b", "int8": "b", "u1": "B", "uint8": "B", "u1c": "B", "uint8c": "B", "i2": "h", "int16": "h",
          "u2": "H", "uint16": "H", "i4": "i", "int32": "i", "u4": "I", "uint32": "I", "f4": "f", "float32": "f",
          "f8": "d", "float64": "d"}
# Attributes that hold a trace's data, in the order they are summed up.
DATA_KEYS = ("x", "y", "z", "values", "labels", "lat", "lon", "r", "theta", "open", "high", "low", "close", "text")
def is_typed_array(value: Any) -> bool:
    return isinstance(value, dict) and "bdata" in value and "dtype" in value


def decode_typed_array(value: dict[str, Any]) -> list[Any] | None:
    """The numbers of a typed array (nested lists when it has a shape); None when it is malformed."""
    code = _CODES.get(str(value.get("dtype")))
    bdata = value.get("bdata")
    if code is None or not isinstance(bdata, str):
        return None
    try:
        raw = base64.b64decode(bdata, validate=False)
    except (binascii.Error, ValueError):
        return None
    size = struct.calcsize("<" + code)
    count = len(raw) // size
    flat: list[Any] = list(struct.unpack(f"<{count}{code}", raw[: count * size]))
    shape = _shape(value.get("shape"))
    if len(shape) > 1 and _product(shape) == count:
        return _reshape(flat, shape)
    return flat


def _shape(shape: Any) -> list[int]:
    if isinstance(shape, str):
        parts = [p.strip() for p in shape.split(",") if p.strip()]
    elif isinstance(shape, (list, tuple)):
        parts = list(shape)
    else:
        return []
    try:
        return [int(p) for p in parts]
    except (TypeError, ValueError):
        return []


def _product(shape: list[int]) -> int:
    total = 1
    for n in shape:
        total *= n
    return total


def _reshape(flat: list[Any], shape: list[int]) -> list[Any]:
    if len(shape) == 1:
        return flat
    step = _product(shape[1:])
    return [_reshape(flat[i * step:(i + 1) * step], shape[1:]) for i in range(shape[0])]


def decoded(value: Any) -> Any:
    """A figure (or any part of it) with every typed array replaced by its list."""
    if is_typed_array(value):
        numbers = decode_typed_array(value)
        return numbers if numbers is not None else value
    if isinstance(value, dict):
        return {k: decoded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decoded(v) for v in value]
    return value


def traces(figure: dict[str, Any]) -> list[dict[str, Any]]:
    data = figure.get("data")
    return [t for t in data if isinstance(t, dict)] if isinstance(data, list) else []


def _flat(values: Any) -> list[Any]:
    if not isinstance(values, list):
        return []
    if values and all(isinstance(v, list) for v in values):
        return [x for row in values for x in row]
    return values


def trace_points(trace: dict[str, Any]) -> int:
    """How many data points a trace holds: its longest data array (a 2-D z counted cell by cell)."""
    lengths = [len(_flat(trace.get(key))) for key in DATA_KEYS if key != "text"]
    return max(lengths, default=0)


def undecoded(trace: dict[str, Any]) -> list[str]:
    """The trace's data arrays left as typed arrays (a dtype not read here, or bytes that do not decode)."""
    return [key for key in DATA_KEYS if is_typed_array(trace.get(key))]


def trace_summary(index: int, trace: dict[str, Any]) -> dict[str, Any]:
    """{"trace", "type", "name", "points", "fields"}: one trace, each data array summed up.

    An array that could not be decoded is a field of kind "unread" with its dtype, and
    `points` is None then: a count of the other arrays could be wrong."""
    fields = [summarize_field(key, _flat(trace[key])) for key in DATA_KEYS
              if isinstance(trace.get(key), list) and key != "text"]
    unread = undecoded(trace)
    fields += [{"name": key, "kind": "unread", "dtype": str(trace[key].get("dtype"))} for key in unread]
    return {"trace": index, "type": str(trace.get("type") or "scatter"), "name": str(trace.get("name") or ""),
            "points": None if unread else trace_points(trace), "fields": fields}
