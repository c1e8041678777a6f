"""A running cell's progress bar moves in place in the notebook view and the cell tree, and appended,
replaced and cleared outputs show as they come; each state checked against what the kernel holds then
(tests/support/progress_cells.py: the cell stops at gates and writes it)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from textual.widgets import ProgressBar

from marimo_pair_tui.tui.widgets.parts.progress import ProgressView
from marimo_pair_tui.tui.widgets.parts.prose import MarkdownView

from tests.clihelp import cli_env, start_cli
from tests.support.marimo_proc import open_browser_session
from tests.support.progress_cells import append_cell, bar_cell, notebook, release

from .support import TuiLab, make_app, wait_for, wait_live


def _run(lab: TuiLab, path: Path, name: str) -> subprocess.Popen[bytes]:
    return start_cli(["--no-service", "run", name, "--url", lab.server.url, "--notebook", str(path)],
                     env=cli_env(lab.server.state_home))


async def _reached(pilot: Any, gates: Path, step: int) -> Any:
    path = gates / f"step-{step}.json"
    await wait_for(pilot, lambda: path.exists() and json.loads(path.read_text()) is not None, 60, f"stage {step}")
    return json.loads(path.read_text())


async def test_a_bar_moves_in_place_and_appended_outputs_come_replace_and_clear(lab: TuiLab, tmp_path: Path) -> None:
    path = lab.dir / "progress_view.py"
    path.write_text(notebook(tmp_path, bar=bar_cell(tmp_path, 40, (12, 30)), grow=append_cell(tmp_path)))
    browser = open_browser_session(lab.server, path, instantiate=False)
    lab.browsers.append(browser)
    app = make_app(lab.target(path, browser))
    procs: list[subprocess.Popen[bytes]] = []
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await wait_live(pilot, 2, timeout=60)
            await pilot.press("f7")
            bar_id, grow_id = screen.notebook.cell("bar").id, screen.notebook.cell("grow").id
            await wait_for(pilot, lambda: screen.notebook_view.block(bar_id) is not None, 30, "the notebook view")
            output = screen.notebook_view.block(bar_id).output_view  # type: ignore[union-attr]
            procs.append(_run(lab, path, "bar"))
            drawn: list[ProgressView] = []
            for step in (12, 30):
                truth = await _reached(pilot, tmp_path, step)

                def at_truth() -> bool:
                    views = list(output.query(ProgressView))
                    return len(views) == 1 and views[0].part.current == truth["current"]

                await wait_for(pilot, at_truth, 30, f"the bar at {truth['current']}")
                (view,) = output.query(ProgressView)
                bar = view.query_one(ProgressBar)
                assert (bar.progress, bar.total) == (truth["current"], truth["total"])
                assert view.part.title == truth["title"] and view.part.subtitle == truth["subtitle"]
                tree = [t.plain for t in screen.cell_tree.details_for(screen.notebook.cell("bar"))]
                share = f"{truth['current'] / truth['total']:.0%}"
                assert any(f"[progress] Loading · items {truth['current']}/{truth['total']} ({share})" in line
                           for line in tree), tree
                drawn.append(view)
                release(tmp_path, step)
            assert drawn[0] is drawn[1]  # moved in place, not mounted again on each tick
            await wait_for(pilot, lambda: screen.notebook.cell("bar").status == "idle", 60, "the bar's run to end")
            await wait_for(pilot, lambda: [v.part.done for v in output.query(ProgressView)] == [True], 30, "done")

            grown = screen.notebook_view.block(grow_id).output_view  # type: ignore[union-attr]
            procs.append(_run(lab, path, "grow"))
            for step in (1, 2, 3):
                truth = await _reached(pilot, tmp_path, step)
                await wait_for(pilot, lambda: [m.source for m in grown.query(MarkdownView)] == truth, 30,
                               f"the view to show {truth}")
                release(tmp_path, step)
    finally:
        for step in (12, 30, 1, 2, 3):
            release(tmp_path, step)
        for proc in procs:
            proc.communicate(timeout=90)
