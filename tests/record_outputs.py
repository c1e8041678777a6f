"""Record real marimo cell outputs into tests/fixtures/outputs/<kind>.json.

Renderers of marimo outputs are tested against what a real server sends, so
these fixtures come from a real server running
tests/notebooks/outputs_gallery.py, one cell per kind of output; each cell's
name is its kind. Run again when marimo moves:

    .venv/bin/python tests/record_outputs.py
    .venv/bin/python tests/record_outputs.py ui_slider pandas_large   # some kinds only

A headless `marimo edit` serves a temporary copy of the notebook on a free
loopback port; a browser-like main websocket instantiates it (runs every
cell), and the live `cell-op`s are folded per cell the way marimo's own
session view folds them:

* `output`: the last non-null `output` object sent for the cell, exactly as
  sent (channel, mimetype, data, timestamp);
* `console`: the console entries sent since the cell last started running,
  in arrival order, unmerged (a `null` console means "no change", `[]`
  clears).

Virtual files an output refers to (`./@file/NAME.csv` in Vega specs) are
fetched and stored beside it under `virtual_files`. The server is stopped by
pid at the end.
"""

from __future__ import annotations

import base64
import html
import json
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.support.marimo_proc import (  # noqa: E402
    BrowserSession,
    iter_cell_ops,
    open_browser_session,
    start_marimo_server,
)

NOTEBOOK = Path(__file__).parent / "notebooks" / "outputs_gallery.py"
OUT_DIR = Path(__file__).parent / "fixtures" / "outputs"
MAX_FILE_BYTES = 200 * 1024
NOT_KINDS = {"imports", "chart_data", "_"}
VIRTUAL_FILE_RE = re.compile(r"\./@file/[A-Za-z0-9_.\-]+")


def wait_quiet(browser: BrowserSession, period: float = 1.0, timeout: float = 30.0) -> None:
    """Wait until no message arrived for `period` seconds."""
    deadline = time.monotonic() + timeout
    count = len(browser)
    last_change = time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.05)
        now = len(browser)
        if now != count:
            count, last_change = now, time.monotonic()
        elif time.monotonic() - last_change >= period:
            return


def fold_cell_ops(ops: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per cell: the last output, the console since the last run started, the last status."""
    cells: dict[str, dict[str, Any]] = {}
    for op in ops:
        state = cells.setdefault(op["cell_id"], {"output": None, "console": [], "status": None, "cell_ops": 0})
        state["cell_ops"] += 1
        status = op.get("status")
        if status == "running" and state["status"] == "queued":
            state["console"] = []
        if status is not None:
            state["status"] = status
        console = op.get("console")
        if isinstance(console, list):
            if console:
                state["console"].extend(console)
            else:
                state["console"] = []
        elif console is not None:
            state["console"].append(console)
        if op.get("output") is not None:
            state["output"] = op["output"]
    return cells


def virtual_files(server: Any, output: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    """The `./@file/...` URLs named in an output, fetched from the server:
    status, content type, and the body as `text` (UTF-8) or `base64`."""
    if not output or not isinstance(output.get("data"), str):
        return {}
    files: dict[str, dict[str, Any]] = {}
    for url in sorted(set(VIRTUAL_FILE_RE.findall(html.unescape(output["data"])))):
        response = server.get(url[1:])
        entry: dict[str, Any] = {
            "status": response.status_code,
            "content_type": response.headers.get("content-type"),
        }
        try:
            entry["text"] = response.content.decode("utf-8")
        except UnicodeDecodeError:
            entry["base64"] = base64.b64encode(response.content).decode("ascii")
        files[url] = entry
    return files


def describe(output: dict[str, Any] | None) -> str:
    """One line: mimetype and the marimo custom elements in the data."""
    if output is None:
        return "no output"
    data = output.get("data")
    tags = sorted(set(re.findall(r"<(marimo-[a-z0-9-]+)", data))) if isinstance(data, str) else []
    if isinstance(data, dict):
        tags = sorted(data)
    return f"{output.get('mimetype')} {' '.join(tags)}".strip()


def record(only: set[str]) -> int:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix="marimo-record-outputs-"))
    notebook = root / NOTEBOOK.name
    shutil.copy(NOTEBOOK, notebook)
    server = start_marimo_server(notebook, state_home=root / "state")
    too_big: list[str] = []
    try:
        browser = open_browser_session(server, notebook, timeout=120)
        try:
            wait_quiet(browser)
            ready = browser.kernel_ready or {}
            names = dict(zip(ready.get("cell_ids", []), ready.get("names", [])))
            codes = dict(zip(ready.get("cell_ids", []), ready.get("codes", [])))
            live = browser.messages[browser.instantiate_mark or 0:]
            cells = fold_cell_ops(list(iter_cell_ops(live)))
            version = server.get("/api/status").json().get("version")
            for cell_id, name in names.items():
                if name in NOT_KINDS or (only and name not in only):
                    continue
                state = cells.get(cell_id, {"output": None, "console": [], "status": None, "cell_ops": 0})
                payload = {
                    "kind": name,
                    "cell_id": cell_id,
                    "code": codes[cell_id],
                    "marimo_version": version,
                    "status": state["status"],
                    "cell_ops": state["cell_ops"],
                    "output": state["output"],
                    "console": state["console"],
                }
                files = virtual_files(server, state["output"])
                if files:
                    payload["virtual_files"] = files
                path = OUT_DIR / f"{name}.json"
                path.write_text(json.dumps(payload, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
                size = path.stat().st_size
                if size >= MAX_FILE_BYTES:
                    too_big.append(path.name)
                print(f"{path.name:28} {size:8} B  {describe(state['output'])}", file=sys.stderr)
        finally:
            browser.close()
    finally:
        server.stop()
        server.cleanup_files()
        shutil.rmtree(root, ignore_errors=True)
    if too_big:
        print(f"over {MAX_FILE_BYTES} bytes: {', '.join(too_big)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(record(set(sys.argv[1:])))
