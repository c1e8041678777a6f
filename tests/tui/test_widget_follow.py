"""The app's widgets show the kernel's value: when the app opens after someone moved them, and when
someone moves them while the user is on them (the user is told). Against a real server; the kernel
(a snippet run in it) is the oracle."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from marimo_pair_tui.tui.screens.pairing import PairingScreen
from marimo_pair_tui.tui.widgets.parts.numbers import NumberControl

from tests.clihelp import cli_env, run_cli
from tests.support import kernel_probe as probe
from tests.support.marimo_proc import BrowserSession

from .support import TuiLab, make_app, wait_for, wait_live

VIEW_CELLS = 8


def kernel(lab: TuiLab, browser: BrowserSession, expression: str) -> Any:
    return probe.kernel(lab.server, browser, expression)


def browser_sets(lab: TuiLab, path: Path, browser: BrowserSession, object_id: str, value: Any) -> None:
    probe.browser_sets(lab.server, path, browser, {object_id: value})


def slider_id(lab: TuiLab, browser: BrowserSession) -> str:
    return str(probe.elements(lab.server, browser)["n"]["object_id"])


async def slider_in_view(pilot: Any) -> tuple[PairingScreen, NumberControl]:
    screen = await wait_live(pilot, VIEW_CELLS, timeout=60)
    await wait_for(pilot, lambda: screen.notebook.is_idle() and all(c.status for c in screen.notebook.cells),
                   timeout=60, what="every cell to have run")
    await pilot.press("f7")
    block = screen.notebook_view.block(screen.notebook.cell("controls").id)
    await wait_for(pilot, lambda: block is not None and block.output_view.query(NumberControl), timeout=60,
                   what="the slider drawn")
    assert block is not None
    return screen, block.output_view.query_one(NumberControl)


def notices(pilot: Any) -> list[str]:
    return [n.message for n in pilot.app._notifications]  # noqa: SLF001


async def test_an_app_opened_after_a_browser_move_shows_the_kernels_value(lab: TuiLab) -> None:
    path, browser = lab.session("view.py", "opened_late.py")
    browser_sets(lab, path, browser, slider_id(lab, browser), 8)
    assert kernel(lab, browser, "n.value") == 8  # the output the slider is drawn from still says 3
    app = make_app(lab.target(path, browser))
    async with app.run_test(size=(100, 30)) as pilot:
        screen, slider = await slider_in_view(pilot)
        await wait_for(pilot, lambda: slider.inputs[0].value == "8", timeout=30, what="the kernel's value shown")
        assert slider.value == 8 and not notices(pilot)  # nobody was on it: nothing to tell
        slider.inputs[0].focus()
        await pilot.press("plus")  # the next step starts from the kernel's value, not the drawn one
        await wait_for(pilot, lambda: "9 x pear" in str(screen.notebook.cell("echo").output.data), timeout=30,
                       what="the step to reach the kernel")
        assert kernel(lab, browser, "n.value") == 9


async def test_a_focused_widget_follows_outside_changes_and_says_so(lab: TuiLab) -> None:
    path, browser = lab.session("view.py", "under_cursor.py")
    app = make_app(lab.target(path, browser))
    async with app.run_test(size=(100, 30)) as pilot:
        screen, slider = await slider_in_view(pilot)
        box = slider.inputs[0]
        box.focus()
        await wait_for(pilot, lambda: screen.focused is box, what="the slider focused")
        agent = run_cli(["set-ui", "n", "6", "--url", lab.server.url, "--session", browser.session_id or ""],
                        env=cli_env(lab.server.state_home))
        assert agent.code == 0, agent.stdout
        truth = kernel(lab, browser, "n.value")
        await wait_for(pilot, lambda: box.value == str(truth), timeout=30, what="the agent's value under the cursor")
        assert slider.value == truth == 6 and screen.focused is box
        assert slider.has_class("-moved") and any("set to 6 by another client" in n for n in notices(pilot))

        browser_sets(lab, path, browser, slider.part.object_id, 2)
        truth = kernel(lab, browser, "n.value")
        await wait_for(pilot, lambda: box.value == str(truth), timeout=30, what="the browser's value under the cursor")
        assert truth == 2 and any("set to 2 by another client" in n for n in notices(pilot))

        await pilot.press("plus")
        await wait_for(pilot, lambda: "3 x pear" in str(screen.notebook.cell("echo").output.data), timeout=30,
                       what="the user's step from the new value")
        assert kernel(lab, browser, "n.value") == 3
        await wait_for(pilot, lambda: slider.value == 3 and not slider.has_class("-moved"), timeout=30,
                       what="the user's own value taken, the mark gone")
        assert not any("set to 3" in n for n in notices(pilot))  # the user's own value is not news
