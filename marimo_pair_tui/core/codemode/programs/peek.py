"""Kernel side of the variable previews: a Series' or a frame's shape and first labelled values.

Sent with base.py (appended to its text, so `OPERATIONS` is that
module's, and every name here is `peek`-prefixed: the modules share one namespace). marimo's stream previews a Series as `<Series object at 0x…>` and a
frame without its row labels; this reads the named globals (never evaluating
user code) and answers with what a preview needs, as JSON values.
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # in the kernel these are the names base.py defined just above
    from .base import OPERATIONS

PEEK_HEAD_VALUES = 5
PEEK_LABEL_CHARS = 200


def _peek_scalar(value: Any) -> Any:
    """A numpy or pandas scalar as a plain JSON value (numbers exact; others as text)."""
    item = getattr(value, "item", None)
    if callable(item) and not isinstance(value, (str, bytes)):
        try:
            value = item()
        except Exception:
            pass
    if isinstance(value, tuple):
        return [_peek_scalar(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value if not isinstance(value, str) else value[:PEEK_LABEL_CHARS]
    return str(value)[:PEEK_LABEL_CHARS]


def _peek_pandas_index(index: Any) -> list[Any]:
    """The level names of a non-trivial pandas index (an unnamed RangeIndex has none: marimo's rule)."""
    import pandas as pd

    if isinstance(index, pd.RangeIndex) and index.name is None:
        return []
    return [None if n is None else str(n) for n in index.names]


def _peek_describe(value: Any) -> dict[str, Any] | None:
    kind = type(value).__name__
    library = type(value).__module__.split(".")[0]
    if library == "pandas" and kind in ("Series", "DataFrame"):
        index = value.index
        head = min(len(value), PEEK_HEAD_VALUES)
        found: dict[str, Any] = {"kind": kind, "library": library, "length": len(value),
                                 "index": _peek_pandas_index(index),
                                 "labels": [_peek_scalar(v) for v in index[:head].tolist()]}
        if kind == "Series":
            found.update(name=None if value.name is None else str(value.name), dtype=str(value.dtype),
                         values=[_peek_scalar(v) for v in value.iloc[:head].tolist()])
        return found
    if library == "polars" and kind == "Series":
        head = min(len(value), PEEK_HEAD_VALUES)
        return {"kind": kind, "library": library, "length": len(value), "index": [], "labels": list(range(head)),
                "name": value.name, "dtype": str(value.dtype), "values": [_peek_scalar(v) for v in value.head(head).to_list()]}
    return None


async def op_peek(request: dict[str, Any], phase: Any) -> dict[str, Any]:
    from marimo._runtime.context import get_context

    scope = get_context().globals
    found: dict[str, Any] = {}
    for name in request.get("names") or []:
        if name in scope:
            try:
                described = _peek_describe(scope[name])
            except Exception:
                described = None
            if described is not None:
                found[name] = described
    return {"previews": found, "cells": []}


OPERATIONS.update({"peek": op_peek})
