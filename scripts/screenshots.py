"""Make the docs' screenshots (SVG) from the real app against a real marimo server.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--only NAME ...]

Starts marimo for a private copy of the tour notebook (in a temporary state
directory, so no other server shows up), drives the app with Textual's pilot,
saves one SVG per screen, and stops the server. Ports, session ids and times
are redacted so that the pictures only change when the app does.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Awaitable, Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


async def _wait(pilot, predicate: Callable[[], object], timeout: float = 60.0, what: str = "the app") -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if predicate():
                return
        except (LookupError, AttributeError):
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"screenshots: timed out waiting for {what}")
        await pilot.pause(0.05)


async def shoot(app, size: tuple[int, int], path: Path, drive: Callable[[object], Awaitable[None]]) -> None:
    async with app.run_test(size=size) as pilot:
        await drive(pilot)
        await pilot.pause(0.3)
        await pilot.wait_for_scheduled_animations()
        path.write_text(app.export_screenshot(title="marimo-pair-tui"), encoding="utf-8")
    print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


async def history_scene(pilot, pairing: Callable[[object], Awaitable[None]], target) -> None:
    """An agent edits a cell through the command line's door; the history pane shows the change and its diff."""
    from marimo_pair_tui.core.api import HubOptions, PairingService

    await pairing(pilot)
    screen = pilot.app.screen
    total = screen.notebook.cell("total")
    async with PairingService(HubOptions()) as agent:
        await agent.edit_cell(target, total.id, total.code + "\nprint('total:', total)", force=True, run=True)
    await pilot.press("alt+h")
    pane = screen.code_history.pane
    await _wait(pilot, lambda: pane.changes, what="the history pane")


SPREAD = """import marimo

app = marimo.App()


@app.cell
def numbers():
    numbers = list(range(1, 11))
    return (numbers,)


@app.cell
def spread(numbers):
    odd = [n for n in numbers if n % 2]
    mean_odd = sum(odd) / len(odd)
    spread = max(odd) / (mean_odd - 5)
    spread
    return


if __name__ == "__main__":
    app.run()
"""


async def debugger_scene(pilot) -> None:
    """A cell failed; alt+d opens the debugger console on it, and `p` asks the kernel for values."""
    from textual.widgets import Input

    from marimo_pair_tui.tui.screens.debugger import DebugScreen
    from marimo_pair_tui.tui.screens.pairing import PairingScreen

    await _wait(pilot, lambda: isinstance(pilot.app.screen, PairingScreen), what="the pairing screen")
    screen = pilot.app.screen
    await _wait(pilot, lambda: screen.notebook.cell("spread").status == "exception", what="the failed cell")
    screen.cell_tree.focus()
    failed = screen.notebook.cell("spread").id
    await _wait(pilot, lambda: screen.cell_tree.select_cell(failed) and screen.cell_tree.selected_cell_id == failed,
                what="the failed cell selected")
    await pilot.press("alt+d")
    await _wait(pilot, lambda: isinstance(pilot.app.screen, DebugScreen), what="the debugger console")
    console = pilot.app.screen
    await _wait(pilot, lambda: not console.query_one(Input).disabled, what="pdb's first prompt")
    before = len(console.session.chunks)
    await pilot.press(*"p odd, mean_odd", "enter")
    await _wait(pilot, lambda: len(console.session.chunks) > before and not console.query_one(Input).disabled,
                what="pdb's answer")


async def main(out: Path, only: frozenset[str] = frozenset()) -> None:
    from marimo_pair_tui.core.api import HubOptions, PairingService, close_notebook
    from marimo_pair_tui.notebooks import TOUR
    from marimo_pair_tui.tui.app import PairApp, Start
    from marimo_pair_tui.tui.config import Config
    from marimo_pair_tui.tui.display import Display
    from marimo_pair_tui.tui.screens.help import HelpScreen
    from marimo_pair_tui.tui.screens.pairing import PairingScreen
    from marimo_pair_tui.tui.widgets.parts.images import ImageView

    work = Path(tempfile.mkdtemp(prefix="mpt-shots-"))
    os.environ["MARIMO_PAIR_IMAGES"] = "halfcell"  # an SVG holds characters, not a terminal's graphics
    os.environ["XDG_STATE_HOME"] = str(work / "state")
    os.environ["XDG_CONFIG_HOME"] = str(work / "config")
    notebook = work / "tour.py"
    shutil.copyfile(TOUR, notebook)
    cells = TOUR.read_text(encoding="utf-8").count("\n@app.cell")
    out.mkdir(parents=True, exist_ok=True)

    failing = work / "spread.py"
    failing.write_text(SPREAD, encoding="utf-8")
    async with PairingService(HubOptions()) as service:
        opened = await service.open(str(notebook), run=True)
        spread = (await service.open(str(failing), run=True)).value.target
    target = opened.value.target

    def app(start: Start) -> PairApp:
        drafts = Path(tempfile.mkdtemp(dir=work, prefix="drafts-"))  # each picture starts with an empty editor
        return PairApp(HubOptions(), start=start, fmt=Display(redact=True), config=Config(), cursor_blink=False,
                       drafts=drafts, warm_up_after=None)

    async def picker(pilot) -> None:
        screen = pilot.app.screen
        await _wait(pilot, lambda: screen.refreshes >= 1 and screen.states and screen.states[0].notebooks,
                    what="the picker to list the server")

    async def pairing(pilot) -> None:
        await _wait(pilot, lambda: isinstance(pilot.app.screen, PairingScreen), what="the pairing screen")
        screen = pilot.app.screen
        await _wait(pilot, lambda: len(screen.cell_tree.cell_ids) == cells and screen.notebook.is_idle()
                    and all(c.status for c in screen.notebook.cells), what="the cells")
        total = screen.notebook.cell("total")
        screen.cell_tree.select_cell(total.id)
        await pilot.press("right")
        screen.editor.load_text("squares_total = sum(squares)\nprint('sum of squares:', squares_total)\nsquares_total / total")
        await pilot.press("ctrl+r")
        await _wait(pilot, lambda: screen.results.blocks and screen.results.blocks[-1].finished is not None,
                    what="the snippet")
        screen.cell_tree.focus()

    async def activity(pilot) -> None:
        await pairing(pilot)
        screen = pilot.app.screen
        import httpx

        # Another client (an agent) sends a snippet; it shows up beside ours.
        async with httpx.AsyncClient(timeout=60) as client:
            response = await client.post(
                target.server.url + "/api/kernel/execute",
                json={"code": "evens = [n for n in numbers if n % 2 == 0]\nprint('evens:', evens)\nsum(evens)"},
                headers={"Marimo-Stable-Session-Id": target.session.session_id or ""},
            )
            response.raise_for_status()
        await _wait(pilot, lambda: len(screen.notebook.activity) >= 2 and not screen.notebook.activity.running,
                    what="the agent's snippet")
        await pilot.press("f6")
        await _wait(pilot, lambda: "evens:" in screen.activity_pane.detail_text, what="the activity pane")

    async def notebook_view(pilot, cell: str) -> None:
        await _wait(pilot, lambda: isinstance(pilot.app.screen, PairingScreen), what="the pairing screen")
        screen = pilot.app.screen
        await _wait(pilot, lambda: len(screen.cell_tree.cell_ids) == cells and screen.notebook.is_idle()
                    and all(c.status for c in screen.notebook.cells), what="the cells")
        await pilot.press("f7")
        view = screen.notebook_view
        await _wait(pilot, lambda: view.cell_ids and all(view.block(c).output_view.drawn for c in view.cell_ids)
                    and all(image.loaded for image in view.query(ImageView)), what="the outputs")
        view.focus_cell(screen.notebook.cell(cell).id)
        await pilot.pause(0.3)

    async def search(pilot) -> None:
        await notebook_view(pilot, "total")
        screen = pilot.app.screen
        before = screen.search.searches
        await pilot.press("ctrl+f", *"total")
        await _wait(pilot, lambda: screen.search.searches > before and screen.search.count, what="the matches")
        await pilot.press("f3")

    async def help_screen(pilot) -> None:
        await pairing(pilot)
        await pilot.press("f1")
        await _wait(pilot, lambda: isinstance(pilot.app.screen, HelpScreen), what="the help screen")

    scenes = [
        (Start(), (80, 24), "picker", picker),
        (Start("target", target=target), (80, 24), "pairing-80x24", pairing),
        (Start("target", target=target), (120, 36), "pairing-120x36", pairing),
        (Start("target", target=target), (80, 24), "activity-80x24", activity),
        (Start("target", target=target), (80, 24), "notebook-80x24", lambda pilot: notebook_view(pilot, "table")),
        (Start("target", target=target), (120, 36), "notebook-120x36", lambda pilot: notebook_view(pilot, "chart")),
        (Start("target", target=target), (100, 30), "help", help_screen),
        (Start("target", target=target), (100, 30), "history",
         lambda pilot: history_scene(pilot, pairing, target)),
        (Start("target", target=target), (100, 30), "search", search),
        (Start("target", target=spread), (100, 30), "debugger", debugger_scene),
    ]
    try:
        for start, size, name, drive in scenes:
            if not only or name in only:
                await shoot(app(start), size, out / f"{name}.svg", drive)
    finally:
        close_notebook(str(notebook))
        close_notebook(str(failing))
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--only", action="append", default=[], metavar="NAME",
                        help="make only this picture (its file name without .svg; repeatable)")
    args = parser.parse_args()
    asyncio.run(main(args.out.resolve(), frozenset(args.only)))
