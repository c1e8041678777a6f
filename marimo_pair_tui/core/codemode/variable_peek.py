"""The Series' and frames' previews read in the kernel: marimo's stream gives them without their labels.

One code_mode program (`peek`, in programs/peek.py) reads the wanted variables'
shape and first labelled values; each becomes the variable's `data` and a
one-line preview. The variables themselves come from the live model
(core/model/workspace.py).
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from ..model.workspace import PREVIEW_CHARS, Variable
from ..parts.values import exact_value
from ..wire.connection import Connection
from ..wire.sessions import SessionRef
from .client import call

PEEKED_TYPES = ("Series", "DataFrame")  # what marimo previews without its labels (a Series as `<… at 0x…>`)


def _label(value: Any) -> str:
    if isinstance(value, list):
        return "(" + ", ".join(_label(v) for v in value) + ")"
    return exact_value(value)


def _index_names(names: Sequence[Any]) -> str:
    return ", ".join("(unnamed)" if n is None else str(n) for n in names)


def data_preview(data: Mapping[str, Any], stream_preview: str | None) -> str:
    """One line for a Series (name, dtype, length, index, first values with their labels) or a frame
    (marimo's own preview, then its row labels)."""
    index = list(data.get("index") or [])
    labels = list(data.get("labels") or [])
    length = int(data.get("length") or 0)
    more = ", …" if length > len(labels) else ""
    if data.get("kind") == "Series":
        name = f' "{data["name"]}"' if data.get("name") is not None else ""
        by = f"; index {_index_names(index)}" if index else ""
        pairs = ", ".join(f"{_label(k)}: {_label(v)}" for k, v in zip(labels, data.get("values") or []))
        text = f"Series{name} ({data.get('dtype')}, {length:,} values{by}): {pairs}{more}"
    elif index:
        head = stream_preview or f"{length:,} rows"
        text = f"{head}; row labels {_index_names(index)}: {', '.join(_label(k) for k in labels)}{more}"
    else:
        text = stream_preview or ""
    return text if len(text) <= PREVIEW_CHARS else text[: PREVIEW_CHARS - 1] + "…"


def wants_peek(variable: Variable) -> bool:
    return variable.datatype in PEEKED_TYPES


async def peek(connection: Connection, session: SessionRef, found: Sequence[Variable]) -> None:
    """Read the Series' and frames' previews in the kernel (one code_mode program) into `found`."""
    wanted = [v for v in found if wants_peek(v)]
    if not wanted:
        return
    reply, _result, _narration = await call(connection, session, "peek", mutation=False,
                                            names=[v.name for v in wanted])
    raw = reply.get("previews")
    previews: dict[str, Any] = raw if isinstance(raw, dict) else {}
    for variable in wanted:
        data = previews.get(variable.name)
        if isinstance(data, dict):
            variable.data = data
            variable.preview = data_preview(data, variable.preview)
