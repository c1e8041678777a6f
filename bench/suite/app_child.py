"""Section 5's measurements of the terminal app, in a process of its own so its memory is its own.

Runs the Textual app headless (`App.run_test()`, as tests/tui does) on an open
notebook and prints one JSON document:
- first paint: from entering `run_test` until the cell tree holds every cell
  and the screen has refreshed once after it;
- memory: VmRSS after imports (before the app), VmHWM (peak RSS) and VmRSS at
  the end, from /proc/self/status;
- key latency while every cell re-runs: a run of all cells is posted as a
  browser posts it, then a character is typed into the editor every 30 ms (or
  as soon as the last one was answered) and timed from when it was due until
  the editor shows it, until the run is over (at least 20 keys);
- the notebook view: time from f7 until the blocks it mounts are there (every
  cell, or its window of cells where it has one), then ctrl+down steps through
  the notebook (past the window's edge too), each timed until the next cell is
  focused and in sight; the steps after which it is not at the top are listed.

argv: URL NOTEBOOK_PATH SESSION_ID ROUTING_ID SERVER_TOKEN CELLS_JSON STEPS
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from textual import events  # noqa: E402

from marimo_pair_tui.core.wire.discovery import ServerInfo  # noqa: E402
from marimo_pair_tui.core.wire.sessions import SessionRef, Target  # noqa: E402
from marimo_pair_tui.tui.widgets import notebook_view as notebook_view_module  # noqa: E402
from tests.tui.support import make_app, pairing  # noqa: E402

KEY_EVERY = 0.03
MIN_KEYS = 20


def status() -> dict[str, float]:
    """VmRSS, VmHWM in MB from /proc/self/status."""
    found: dict[str, float] = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0]) / 1024
    return found


async def until(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if predicate():
                return
        except (LookupError, AttributeError):
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:g} s waiting for {what}")
        await asyncio.sleep(0.005)


def in_sight(view, cell_id: str) -> bool:
    """The cell's block starts inside the visible part of the view."""
    block = view.block(cell_id)
    return (block is not None and block.is_mounted
            and view.scroll_y <= block.virtual_region.y < view.scroll_y + view.scrollable_content_region.height)


def at_top(view, cell_id: str) -> bool:
    block = view.block(cell_id)
    return block is not None and view.scroll_y == min(block.virtual_region.y, view.max_scroll_y)


async def drive(argv: list[str]) -> dict:
    url, path, session_id, routing_id, token, cells_json, steps = argv
    cells = json.loads(Path(cells_json).read_text())
    count = len(cells["ids"])
    host, port = url.removeprefix("http://").split(":")
    server = ServerInfo(url=url, host=host, port=int(port), source="registry")
    target = Target(server=server, notebook=path, session=SessionRef(session_id, routing_id))
    result: dict = {"cells": count, "memory_before_app_mb": status()["VmRSS"]}
    app = make_app(target)
    began = time.perf_counter()
    async with app.run_test(size=(120, 40)) as pilot:
        await until(lambda: len(pairing(app).cell_tree.cell_ids) >= count, 300, "the cell tree")
        await pilot.pause()
        result["first_paint_s"] = time.perf_counter() - began
        screen = pairing(app)
        await until(lambda: screen.notebook.is_idle(), 120, "an idle kernel")

        # key latency while every cell re-runs
        keys: list[float] = []
        screen.editor.focus()
        await pilot.pause()
        async with httpx.AsyncClient(base_url=url, timeout=60) as http:
            response = await http.post("/api/kernel/run", json={"cellIds": cells["ids"], "codes": cells["codes"]},
                                       headers={"Marimo-Session-Id": routing_id, "Marimo-Server-Token": token})
            response.raise_for_status()
        run_began = time.perf_counter()
        busy_seen = False
        due = time.perf_counter()
        while time.perf_counter() - run_began < 180:
            wait = due - time.perf_counter()
            if wait > 0:
                await asyncio.sleep(wait)
            text = screen.editor.text
            screen.editor.focus()
            app.post_message(events.Key("x", "x"))
            while screen.editor.text == text:
                await asyncio.sleep(0.001)
            answered = time.perf_counter()
            keys.append(answered - due)
            due = max(due + KEY_EVERY, answered)
            busy_seen = busy_seen or not screen.notebook.is_idle()
            if busy_seen and screen.notebook.is_idle() and len(keys) >= MIN_KEYS:
                break
        result["keys_s"] = keys
        result["rerun_seen_busy"] = busy_seen
        result["rerun_s"] = time.perf_counter() - run_began

        # the notebook view
        result.update({f"{k}_before_view_mb": v for k, v in status().items()})
        view = screen.notebook_view
        screen.cell_tree.focus()
        screen.cell_tree.select_cell(cells["ids"][0])
        await pilot.pause()
        window = min(count, getattr(notebook_view_module, "WINDOW", count))  # cells the view mounts at most
        pressed = time.perf_counter()
        app.post_message(events.Key("f7", None))
        await until(lambda: view.shown and len(view.cell_ids) >= window
                    and all(view.block(c) is not None and view.block(c).is_mounted for c in view.cell_ids),
                    120, "the notebook view's blocks")
        await pilot.pause()
        result["view_shown_s"] = time.perf_counter() - pressed
        result.update({f"{k}_view_mounted_mb": v for k, v in status().items()})
        result["view_window"] = window
        order = screen.notebook.cell_ids
        view.focus_cell(order[0])
        await until(lambda: at_top(view, order[0]), 30, "the first cell at the top")
        step_times: list[float] = []
        not_at_top: list[int] = []
        for index in range(1, min(int(steps), len(order) - 1) + 1):
            wanted = order[index]
            pressed = time.perf_counter()
            app.post_message(events.Key("ctrl+down", None))
            await until(lambda: view.current_cell_id == wanted and in_sight(view, wanted), 30, "the next cell")
            step_times.append(time.perf_counter() - pressed)
            await pilot.pause()
            if not at_top(view, wanted):
                not_at_top.append(index)
        result["steps_not_at_top"] = not_at_top
        result["steps_s"] = step_times
        result.update({f"{k}_end_mb": v for k, v in status().items()})
    return result


def main() -> None:
    result = asyncio.run(drive(sys.argv[1:]))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
