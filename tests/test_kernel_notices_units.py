"""The notebook model's notices and anywidget models, fed messages in the shapes marimo 0.25.2 sends.

Shapes are marimo's own notifications serialised as its server does
(`marimo._messaging.serde.serialize_kernel_message`), so a field renamed by
marimo fails here; the live tests (test_kernel_notices_live.py) cover the ones
a test can provoke (a toast, the environment state, an anywidget).
"""

from __future__ import annotations

import json
from typing import Any

from marimo._messaging.notification import (
    BannerNotification, EnvironmentOperationNotification, KernelStartupErrorNotification, ModelClose,
    ModelCustom, ModelLifecycleNotification, ModelOpen, ModelUpdate, OperationFailed, OperationRunning,
    OperationSucceeded, StartupLogsNotification, StartupProgressNotification,
)
from marimo._messaging.serde import serialize_kernel_message

from marimo_pair_tui.core import documents
from marimo_pair_tui.core.model.notebook import Notebook
from marimo_pair_tui.core.parts import WidgetPart


def wire(notification: Any) -> dict[str, Any]:
    """A notification as a websocket client receives it: `{"op", "data"}`."""
    data = json.loads(serialize_kernel_message(notification))
    return {"op": data.pop("op"), "data": data}


def operation(status: Any, logs: dict[str, str], mode: str = "append") -> dict[str, Any]:
    return wire(EnvironmentOperationNotification(
        operation_id="op1", action="install", status=status, source="kernel",
        packages={"polars": "running" if isinstance(status, OperationRunning) else "succeeded"},
        logs=logs, log_mode=mode))


def test_a_banner_is_kept_until_replaced_and_told_once() -> None:
    nb = Notebook()
    changes = nb.apply_event(wire(BannerNotification(title="Kernel stopped", description="exit code &lt;9&gt;",
                                                     variant="danger", action="restart")))
    assert changes.notices and nb.version == 1
    (banner,) = nb.notices.to_json()["banners"]
    assert (banner["title"], banner["description"], banner["action"]) == ("Kernel stopped", "exit code <9>", "restart")
    assert [e.kind for e in nb.notices.since(0)] == ["banner"] and not nb.notices.since(nb.notices.last_seq)


def test_package_operations_begin_progress_and_end() -> None:
    nb = Notebook()
    nb.apply_event(operation(OperationRunning(), {"pip": "Collecting polars\n"}))
    nb.apply_event(operation(OperationRunning(), {"pip": "Installing\n"}))
    nb.apply_event(operation(OperationSucceeded(), {}))
    (op,) = nb.notices.to_json()["environment"]["kernel"]["operations"]
    assert op["status"] == "succeeded" and op["logs"] == {"pip": "Collecting polars\nInstalling\n"}
    assert [e.title for e in nb.notices.since(0)] == ["install polars: started", "install polars: done"]
    nb.apply_event(operation(OperationFailed(error="no network"), {"pip": "replaced\n"}, mode="replace"))
    (op,) = nb.notices.to_json()["environment"]["kernel"]["operations"]
    assert (op["status"], op["detail"], op["logs"]) == ("failed", "no network", {"pip": "replaced\n"})
    assert nb.notices.since(0)[-1].variant == "danger"


def test_startup_logs_progress_and_error() -> None:
    nb = Notebook()
    for status, content in (("start", ""), ("append", "step 1\n"), ("append", "step 2\n"), ("done", "exit 0\n")):
        nb.apply_event(wire(StartupLogsNotification(content=content, status=status)))
    nb.apply_event(wire(StartupProgressNotification(phase="starting-kernel", logs="boot ", log_mode="append")))
    nb.apply_event(wire(StartupProgressNotification(phase="starting-kernel", logs="ok", log_mode="append")))
    nb.apply_event(wire(KernelStartupErrorNotification(error="ModuleNotFoundError: foo")))
    startup = documents.notices_json(nb.notices)["startup"]
    assert startup == {"phase": "starting-kernel", "progress": "boot ok", "logs": "step 1\nstep 2\nexit 0\n",
                       "logs_done": True, "error": "ModuleNotFoundError: foo"}
    assert nb.notices.since(0)[-1].kind == "startup-error"


def test_anywidget_model_state_merges_updates_and_sizes_buffers() -> None:
    nb = Notebook()
    nb.apply_event(wire(ModelLifecycleNotification(model_id="m1", message=ModelOpen(
        state={"count": 1, "_model_name": "AnyModel", "layout": "IPY_MODEL_x"},
        buffer_paths=[["blob"]], buffers=[b"abcde"]))))
    changes = nb.apply_event(wire(ModelLifecycleNotification(model_id="m1", message=ModelUpdate(
        state={"count": 2}, buffer_paths=[], buffers=[]))))
    assert changes.models == {"m1"}
    part = WidgetPart("anywidget", "Cell-0", "", {"model_id": "m1"}, {"model_id": "m1"})
    assert nb.widget_value(part) == {"count": 2, "blob": {"bytes": 5}}  # machinery traits left out
    nb.apply_event(wire(ModelLifecycleNotification(model_id="m1", message=ModelCustom(content={"ping": 1},
                                                                                      buffers=[]))))
    assert nb.models.get("m1").custom == [{"ping": 1}]  # type: ignore[union-attr]
    # a read of the kernel after the last change wins; a change after the read wins again
    nb.apply_ui_read({"Cell-0": ({"count": 7}, {"model_id": "m1"}, ["w"])}, nb.ui_marks)
    assert nb.widget_value(part) == {"count": 7}
    nb.apply_event(wire(ModelLifecycleNotification(model_id="m1", message=ModelUpdate(
        state={"count": 8}, buffer_paths=[], buffers=[]))))
    assert nb.widget_value(part)["count"] == 8
    assert nb.apply_event(wire(ModelLifecycleNotification(model_id="m1", message=ModelClose()))).models == {"m1"}
    assert nb.models.get("m1") is None


def test_a_new_kernel_drops_old_models_and_startup_state() -> None:
    nb = Notebook()
    nb.apply_event(wire(ModelLifecycleNotification(model_id="m1", message=ModelOpen(
        state={"count": 1}, buffer_paths=[], buffers=[]))))
    nb.apply_event(wire(KernelStartupErrorNotification(error="boom")))
    nb.apply_event({"op": "kernel-ready", "data": {"cell_ids": [], "codes": [], "names": []}})
    assert nb.models.get("m1") is None and nb.notices.startup_error is None
    assert [e.kind for e in nb.notices.since(0)] == ["startup-error"]  # what was told stays told
