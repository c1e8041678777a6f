"""jedi is started in the background once the app has been idle, once per app."""

from __future__ import annotations

import sys

import pytest

from marimo_pair_tui.tui.screens.picker import PickerScreen

from .support import make_app, wait_for

pytestmark = pytest.mark.live  # jedi starts its own inspection process


async def test_the_warm_up_runs_once_after_the_app_is_idle() -> None:
    app = make_app(warm_up_after=0.2)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, PickerScreen))
        warmer = app.warmer
        await wait_for(pilot, lambda: warmer.runs == 1, timeout=120, what="the warm-up")
        assert warmer.error is None
        assert isinstance(warmer.found, int) and warmer.found > 0  # it completed pandas names for real
        assert "jedi" in sys.modules
        # More input and more idle time start no second one.
        await pilot.press("down", "up")
        assert not warmer.armed and warmer.started
    assert warmer.runs == 1


async def test_input_keeps_it_waiting_and_the_tests_app_has_none() -> None:
    app = make_app(warm_up_after=3600)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, PickerScreen))
        await pilot.press("down", "up")
        assert app.warmer.armed and not app.warmer.started
    quiet = make_app()
    async with quiet.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(quiet.screen, PickerScreen))
        assert not quiet.warmer.armed and not quiet.warmer.started

