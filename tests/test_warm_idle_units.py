"""The service's browser warms once calls have stopped, on the newest followed session (pure unit)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from marimo_pair_tui.core.errors import BrowserMissingError
from marimo_pair_tui.core.service import pictures as pictures_module
from marimo_pair_tui.core.service.pictures import Pictures
from tests.support.waiting import wait_until_async


DEFAULT = "/opt/browsers/chromium"  # what the caller's PATH finds
PROGRAMS = {"chromium": DEFAULT, "/opt/browsers/other": "/opt/browsers/other"}


def _find_browser(name: str | None = None) -> str:
    """PATH's program for None, else the program a name means exactly (as `shutil.which` takes it)."""
    if name is None:
        return DEFAULT
    if name not in PROGRAMS:
        raise BrowserMissingError(f"The browser {name!r} is not on PATH.")
    return PROGRAMS[name]


class FakeCamera:
    """Records what it was asked to warm."""

    warmed: list[Any] = []
    launched: list[Any] = []

    def __init__(self, key: str | None) -> None:
        self.key = key

    async def launch(self) -> None:
        FakeCamera.launched.append(self.key)

    async def warm(self, connection: Any, target: Any) -> None:
        FakeCamera.warmed.append(target)

    async def aclose(self) -> None:
        pass


@pytest.fixture(autouse=True)
def _fakes(monkeypatch: pytest.MonkeyPatch) -> None:
    FakeCamera.warmed = []
    FakeCamera.launched = []
    monkeypatch.setattr(pictures_module, "Camera", FakeCamera)
    monkeypatch.setattr(pictures_module, "can_picture", lambda: True)
    monkeypatch.setattr(pictures_module, "warm_wanted", lambda: True)
    monkeypatch.setattr(pictures_module, "find_browser", _find_browser)


async def test_nothing_warms_while_a_call_runs_and_then_only_the_newest_session() -> None:
    pictures = Pictures(warm_after_idle=0.0)
    with pictures.calling():
        assert pictures.warm("connection", "first session") and pictures.warm("connection", "second session")
        await asyncio.sleep(0.3)  # several turns of the waiting task
        assert FakeCamera.warmed == [], "no warming while a call is in flight"
    await asyncio.wait_for(pictures.warmed(), 5)
    assert FakeCamera.warmed == ["second session"]
    await pictures.aclose()


async def test_a_call_that_just_ended_holds_warming_off_for_the_idle_time() -> None:
    pictures = Pictures(warm_after_idle=0.5)
    with pictures.calling():
        pass
    pictures.warm("connection", "session")
    await asyncio.sleep(0.2)
    assert FakeCamera.warmed == [], "within the idle time of the last call"
    await asyncio.wait_for(pictures.warmed(), 5)
    assert FakeCamera.warmed == ["session"]
    await pictures.aclose()


async def test_the_browser_launches_at_once_while_the_page_waits_for_the_idle_time() -> None:
    pictures = Pictures(warm_after_idle=0.0)
    with pictures.calling():
        assert pictures.warm("connection", "session")
        await wait_until_async(lambda: FakeCamera.launched, what="the browser launched during the call")
        assert FakeCamera.launched == [DEFAULT], "the default browser, once"
        assert FakeCamera.warmed == [], "no page is loaded while a call is in flight"
    await asyncio.wait_for(pictures.warmed(), 5)
    assert FakeCamera.warmed == ["session"]
    await pictures.aclose()


async def test_a_service_that_starts_launches_the_browser_without_any_page(monkeypatch: pytest.MonkeyPatch) -> None:
    pictures = Pictures(warm_after_idle=0.0)
    assert pictures.prepare()
    await asyncio.wait_for(pictures.warmed(), 5)
    assert FakeCamera.launched == [DEFAULT] and FakeCamera.warmed == []
    monkeypatch.setattr(pictures_module, "warm_wanted", lambda: False)
    assert not pictures.prepare(), "MARIMO_PAIR_BROWSER_WARM=0: nothing before the first picture"
    await pictures.aclose()


async def test_callers_whose_browsers_are_one_program_share_its_camera() -> None:
    pictures = Pictures()
    default = await pictures.camera(None)
    assert await pictures.camera("chromium") is default, "named, it is the program PATH finds: one browser"
    assert await pictures.camera(" chromium ") is default, "a name is taken without the spaces around it"
    other = await pictures.camera("/opt/browsers/other")
    assert other is not default and pictures.held("/opt/browsers/other") is other and pictures.held() is default
    await pictures.aclose()
