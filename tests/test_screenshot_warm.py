"""A long-lived service starts the picture's browser when it starts following a session.

The first picture then pays neither the browser's launch nor the loading of marimo's front end.
Truth: the browser the service holds and the page it keeps on the followed session, before any
picture was asked for; the picture itself counted in pixels (tests/test_screenshots.py's boxes).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from marimo_pair_tui.core.api import HubOptions, PairingService, TargetSpec
from marimo_pair_tui.core.browser import BROWSER_ENV, WARM_ENV
from tests.support.cell_lab import CellLab
from tests.test_screenshots import BLUE, RED, RED_BLUE, box_ids, pixels, whole_box

pytestmark = pytest.mark.asyncio(loop_scope="module")


def _spec(lab: CellLab, path: Path) -> TargetSpec:
    return TargetSpec(notebook=str(path), url=lab.server.url)


async def test_following_a_session_starts_the_browser_on_its_page(lab: CellLab,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(WARM_ENV, "1")
    path, browser = lab.fresh(text=RED_BLUE)
    red_id, _blue_id = box_ids(browser)
    spec = _spec(lab, path)
    async with PairingService(HubOptions(urls=[lab.server.url]), follow_used=True) as service:
        await service.pictures.warmed()
        launched = service.pictures.held()
        assert launched is not None and launched.running, "the browser starts with the service"
        assert launched.showing() == [], "no page before a session is followed"
        cells = await service.cells(spec)  # a read: the service follows the session from now on
        await service.pictures.warmed()
        camera = service.pictures.held()
        assert camera is not None and camera.running and camera.launches == 1
        target = cells.target
        assert target is not None
        assert camera.showing() == [(lab.server.url, str(path), target.session.selector)]

        picture = (await service.screenshot(spec, red_id)).value
        _size, counts = pixels(picture)
        assert whole_box(counts[RED]) and counts[BLUE] == 0
        assert camera.launches == 1 and len(camera.showing()) == 1, "the picture came from the warm page"
    assert not camera.running, "the browser closes with the service"


async def test_no_browser_starts_unless_wanted_and_possible(lab: CellLab, monkeypatch: pytest.MonkeyPatch,
                                                            tmp_path: Path) -> None:
    path, _browser = lab.fresh(text=RED_BLUE)
    spec = _spec(lab, path)
    monkeypatch.setenv(WARM_ENV, "0")
    async with PairingService(HubOptions(urls=[lab.server.url]), follow_used=True) as service:
        await service.cells(spec)
        assert service.mirrors.followed(), "the session is followed"
        assert service.pictures.held() is None, "MARIMO_PAIR_BROWSER_WARM=0: no browser before a picture"
    monkeypatch.setenv(WARM_ENV, "1")
    monkeypatch.setenv(BROWSER_ENV, str(tmp_path / "no-such-chromium"))
    async with PairingService(HubOptions(urls=[lab.server.url]), follow_used=True) as service:
        await service.cells(spec)
        assert service.mirrors.followed() and service.pictures.held() is None, "no Chromium: nothing to start"
    monkeypatch.delenv(BROWSER_ENV)
    async with PairingService(HubOptions(urls=[lab.server.url])) as service:
        await service.cells(spec)
        assert service.pictures.held() is None, "a one-shot call's service starts no browser"
