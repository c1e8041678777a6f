"""anywidget models as the stream tells them (`model-lifecycle`): each model's current state, JSON-safe.

marimo relays the Jupyter widget comm: `open` (the whole state), `update`
(changed traits only), `custom` (a widget's own message, not state) and
`close`. Binary traits travel apart from the state, base64 in `buffers`, at
`buffer_paths`; here a buffer reads as `{"bytes": N}` (its size), the form
the kernel read of an element gives bytes. A late joiner gets each live
model replayed as one `open` with its merged state. A browser's own writes
to a model are not relayed to other clients (marimo drops the echo): those
show after a read of the kernel (`ui`) or a reconnect.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

CUSTOM_LIMIT = 5  # custom messages kept per model (the newest)
# Traits that are the widget machinery, not its state: the ones marimo's `mo.ui.anywidget` value leaves out
# (marimo/_plugins/ui/_impl/from_anywidget.py, get_anywidget_state).
MACHINERY = frozenset({
    "comm", "layout", "log", "tabbable", "tooltip", "keys", "_esm", "_css", "_anywidget_id", "_msg_callbacks",
    "_dom_classes", "_model_module", "_model_module_version", "_model_name", "_property_lock", "_states_to_send",
    "_view_count", "_view_module", "_view_module_version", "_view_name",
})


def _size(encoded: Any) -> int:
    """Bytes a base64 buffer holds, without decoding it."""
    if not isinstance(encoded, str):
        return 0
    text = encoded.rstrip("=")
    return len(text) * 3 // 4


def _put(state: dict[str, Any], path: list[Any], value: Any) -> None:
    """Set `value` at `path` inside `state` (dict keys and list indices), where the path exists."""
    node: Any = state
    for step in path[:-1]:
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            return
    last = path[-1] if path else None
    if isinstance(node, dict) and last is not None:
        node[last] = value
    elif isinstance(node, list) and isinstance(last, int) and 0 <= last < len(node):
        node[last] = value


@dataclass
class WidgetModel:
    """One model: its traits (machinery left out, buffers by size), and the newest custom messages."""

    model_id: str
    state: dict[str, Any] = field(default_factory=dict)
    custom: list[Any] = field(default_factory=list)
    seq: int = 0  # `WidgetModels.seq` when it last changed

    def to_json(self) -> dict[str, Any]:
        return {"model_id": self.model_id, "state": self.state, "custom": self.custom}


class WidgetModels:
    """Every open model of a session, by model id."""

    def __init__(self) -> None:
        self.models: dict[str, WidgetModel] = {}
        self.seq = 0  # +1 for every message that changed a model

    def get(self, model_id: Any) -> WidgetModel | None:
        return self.models.get(model_id) if isinstance(model_id, str) else None

    def state(self, model_id: Any) -> dict[str, Any] | None:
        model = self.get(model_id)
        return None if model is None else model.state

    def clear(self) -> None:
        """A new kernel: its models open again (a replay sends each live one)."""
        self.models.clear()
        self.seq += 1

    def apply(self, data: Mapping[str, Any]) -> str | None:
        """One `model-lifecycle` message; the id of the model it changed, if any."""
        model_id, message = data.get("model_id"), data.get("message")
        if not isinstance(model_id, str) or not isinstance(message, Mapping):
            return None
        method = message.get("method")
        if method == "close":
            if self.models.pop(model_id, None) is None:
                return None
        elif method in ("open", "update"):
            model = self.models.get(model_id)
            if model is None or method == "open":
                model = self.models[model_id] = WidgetModel(model_id)
            model.state.update(_changed_state(message))
        elif method == "custom":
            model = self.models.get(model_id)
            if model is None:
                return None
            model.custom = [*model.custom, message.get("content")][-CUSTOM_LIMIT:]
        else:
            return None
        self.seq += 1
        if model_id in self.models:
            self.models[model_id].seq = self.seq
        return model_id



def _changed_state(message: Mapping[str, Any]) -> dict[str, Any]:
    """The state an open or update message sets: its keys, and its binary buffers as their sizes."""
    raw = message.get("state")
    state: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
    changed = {str(k): v for k, v in state.items() if k not in MACHINERY}
    for path, buffer in zip(message.get("buffer_paths") or (), message.get("buffers") or ()):
        if isinstance(path, list) and path and path[0] not in MACHINERY:
            if len(path) == 1:
                changed[str(path[0])] = {"bytes": _size(buffer)}
            else:
                _put(changed, path, {"bytes": _size(buffer)})
    return changed

def model_id_of(value: Any) -> str | None:
    """The model id an anywidget element was drawn with (its value before any state: `{"model_id": ...}`)."""
    if isinstance(value, Mapping) and isinstance(value.get("model_id"), str):
        return str(value["model_id"])
    return None
