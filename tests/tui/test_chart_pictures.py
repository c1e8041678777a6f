"""Charts in the notebook view, against a real server: Arrow chart data read, plotly drawn, the rest said.

The notebook is tests/test_chart_fidelity.py's; the counts the pictures are
captioned with are held to the kernel's own (len of the frame, the figure's
arrays).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from marimo_pair_tui.tui.widgets.parts.images import ImageView
from tests.clihelp import cli_env, run_cli
from tests.support.marimo_proc import open_browser_session
from tests.test_chart_fidelity import NOTEBOOK

from .support import TuiLab, make_app, wait_for
from .test_notebook_view import open_view, output_of, settled

TRUTH = """
import json
print(json.dumps({"rows": len(pldf), "points": len(fig_scatter.data[0].x)}))
"""


@pytest.fixture(autouse=True)
def _half_cells(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MARIMO_PAIR_IMAGES", "halfcell")


def picture_of(screen: Any, cell: str) -> ImageView:
    view: ImageView = output_of(screen, cell).query_one(ImageView)
    return view


async def test_charts_are_drawn_with_the_kernels_counts_and_a_figure_not_drawn_says_why(lab: TuiLab) -> None:
    path = lab.dir / "charts.py"
    path.write_text(NOTEBOOK, encoding="utf-8")
    browser = open_browser_session(lab.server, path)
    lab.browsers.append(browser)
    result = run_cli(["exec", "--url", lab.server.url, "--session", browser.session_id or "", "-c", TRUTH],
                     env=cli_env(lab.server.state_home))
    truth = json.loads(result.json["stdout"])
    app = make_app(lab.target(path, browser))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settled(pilot, NOTEBOOK.count("@app.cell"))
        await open_view(pilot, screen)

        def drawn(cell: str, caption: str) -> bool:
            view = picture_of(screen, cell)
            return bool(view.loaded and view.picture and view.picture.image is not None and caption in view.picture.note)

        await wait_for(pilot, lambda: drawn("ui_arrow", f"{truth['rows']} rows"), timeout=30,
                       what="the Arrow-backed chart fetched, read and drawn")
        await wait_for(pilot, lambda: drawn("px_scatter", f"{truth['points']} points"), timeout=30,
                       what="the plotly scatter drawn")
        three_d = picture_of(screen, "go_3d")
        await wait_for(pilot, lambda: three_d.loaded, timeout=30, what="the 3-D figure's note")
        assert three_d.picture is not None and three_d.picture.image is None
        assert "not drawn: scatter3d traces are not drawn here" in three_d.picture.note
