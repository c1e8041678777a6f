"""The completion section's measurements, in a fresh process so that jedi starts cold in it.

Runs the Textual app headless (`App.run_test()`) on the completion notebook
(a pandas frame) and prints one JSON document. MODE says when the first
completion is asked:
- cold: the app's warm-up off, asked as soon as the screen is live;
- idle: the warm-up on (the app's own idle time before it starts), no input; asked once the app
  has been idle 2 s (the target's moment; the warm-up may still be running);
- warm: as idle, but asked once the warm-up has finished (its time is given).
Each completion is ctrl+space in the editor on a text set just before, timed
until the app has its answer and the menu is shown. Then LATER completions
go round a list of texts on the notebook's names, timed the same way.

argv: URL NOTEBOOK_PATH SESSION_ID ROUTING_ID MODE LATER
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

from textual import events  # noqa: E402

from marimo_pair_tui.core.wire.discovery import ServerInfo  # noqa: E402
from marimo_pair_tui.core.wire.sessions import SessionRef, Target  # noqa: E402
from marimo_pair_tui.tui.completion_warmer import IDLE as WARM_UP_AFTER  # noqa: E402
from tests.tui.support import make_app, pairing  # noqa: E402

FIRST = "sales."
LATER_TEXTS = ["sales.gro", "sales['qty'].", "by_city.", "pd.read_", "sales.head().", "pd.DataF", "sales.lo",
               "sales.describe().", "sales.groupby('city').", "sales.pivot_"]
IDLE_ASKED = 2.0  # seconds of no input before the first completion of the idle mode


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def until(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:g} s waiting for {what}")
        await asyncio.sleep(0.002)


async def complete(app, text: str) -> float:
    """ctrl+space after `text` in the editor: seconds until the answer is in and the menu shown."""
    screen = pairing(app)
    editor = screen.editor
    editor.load_text(text)
    editor.move_cursor(editor.document.end)
    editor.focus()
    asked = screen.completion.asked
    began = time.perf_counter()
    app.post_message(events.Key("ctrl+space", None))
    await until(lambda: screen.completion.asked > asked, 120, f"completions for {text!r}")
    took = time.perf_counter() - began
    if not editor.completing:
        raise RuntimeError(f"no completions shown for {text!r}")
    editor.close_completion()
    return took


async def drive(argv: list[str]) -> dict:
    url, path, session_id, routing_id, mode, later = argv
    host, port = url.removeprefix("http://").split(":")
    server = ServerInfo(url=url, host=host, port=int(port), source="registry")
    target = Target(server=server, notebook=path, session=SessionRef(session_id, routing_id))
    app = make_app(target, warm_up_after=None if mode == "cold" else WARM_UP_AFTER)
    result: dict = {"mode": mode}
    async with app.run_test(size=(120, 40)) as pilot:
        await until(lambda: len(pairing(app).cell_tree.cell_ids) >= 3, 120, "the cell tree")
        await pilot.pause()
        idle_since = time.perf_counter()  # no input from here on
        warmer = app.warmer
        if mode == "idle":
            await asyncio.sleep(max(0.0, IDLE_ASKED - (time.perf_counter() - idle_since)))
        elif mode == "warm":
            await until(lambda: warmer.started, 60, "the warm-up to start")
            started = time.perf_counter()
            await until(lambda: warmer.runs == 1, 120, "the warm-up to end")
            result["warm_up_s"] = time.perf_counter() - started
        result["first_s"] = await complete(app, FIRST)
        result["later_s"] = [await complete(app, LATER_TEXTS[i % len(LATER_TEXTS)]) for i in range(int(later))]
        if mode != "cold":
            await until(lambda: warmer.runs == 1, 120, "the warm-up to end")
            result["warm_up_found"] = warmer.found
        result["rss_mb"] = rss_mb()
    return result


def main() -> None:
    print(json.dumps(asyncio.run(drive(sys.argv[1:]))))


if __name__ == "__main__":
    main()
