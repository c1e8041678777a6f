"""The app tells what marimo tells besides cells: a toast as a toast, a banner until dismissed, and an
anywidget's state as the kernel holds it. Against a real server; the kernel (a snippet) is the oracle."""

from __future__ import annotations

import os
import signal
from typing import Any

from textual.widgets import Button

from marimo_pair_tui.tui.widgets.notice_banner import NoticeBanner

from tests.clihelp import cli_env, run_cli
from tests.support import kernel_probe as probe

from .support import TuiLab, make_app, wait_for, wait_live


def notices(pilot: Any) -> list[tuple[str, str, str]]:
    return [(n.title, n.message, n.severity) for n in pilot.app._notifications]  # noqa: SLF001


async def test_a_toast_shows_and_a_banner_stays_until_dismissed(lab: TuiLab) -> None:
    path, browser = lab.session("anywidget_counter.py", "told.py")
    app = make_app(lab.target(path, browser))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await wait_live(pilot, 3, timeout=60)
        toast = "import marimo as _mo\n_mo.status.toast('Saved', '<b>3</b> rows written', kind='danger')"
        agent = run_cli(["exec", "-c", toast, "--url", lab.server.url, "--session", browser.session_id or ""],
                        env=cli_env(lab.server.state_home))
        assert agent.code == 0, agent.stdout
        await wait_for(pilot, lambda: ("Saved", "**3** rows written", "error") in notices(pilot), timeout=30,
                       what="the toast")
        banner = screen.query_one(NoticeBanner)
        assert not banner.has_class("-shown")
        # marimo's banners come from the server (a kernel that died); fed as the stream carries one
        screen.notebook.apply_event({"op": "banner", "data": {"title": "Kernel stopped", "description": "exit 9",
                                                              "variant": "danger", "action": "restart"}})
        screen._on_model_change(screen.notebook.apply_event({"op": "banner", "data": {"title": "Second"}}))
        await wait_for(pilot, lambda: banner.has_class("-shown"), what="the banner")
        assert banner.waiting == [("Kernel stopped: exit 9", True), ("Second", False)]
        await pilot.click("#banner-dismiss")
        assert banner.waiting == [("Kernel stopped: exit 9", True)] and banner.has_class("-danger")
        banner.query_one("#banner-dismiss", Button).press()
        await wait_for(pilot, lambda: not banner.waiting and not banner.has_class("-shown"), what="no banner left")


async def test_an_anywidget_shows_its_models_state(lab: TuiLab) -> None:
    path, browser = lab.session("anywidget_counter.py", "counted.py")
    app = make_app(lab.target(path, browser))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await wait_live(pilot, 3, timeout=60)
        agent = run_cli(["exec", "-c", "counter.widget.count = 11", "--url", lab.server.url,
                         "--session", browser.session_id or ""], env=cli_env(lab.server.state_home))
        assert agent.code == 0, agent.stdout
        assert probe.kernel(lab.server, browser, "counter.widget.count") == 11
        widget = screen.notebook.cell("widget")
        part = next(p for p in widget.output.parts if getattr(p, "kind", None) == "anywidget")
        await wait_for(pilot, lambda: screen.notebook.widget_value(part).get("count") == 11, timeout=30,
                       what="the model's new state")


async def test_a_killed_kernel_shows_marimos_banner(lab: TuiLab) -> None:
    path, browser = lab.session("anywidget_counter.py", "killed.py")
    pid = int(probe.kernel(lab.server, browser, "__import__('os').getpid()"))
    app = make_app(lab.target(path, browser))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await wait_live(pilot, 3, timeout=60)
        banner = screen.query_one(NoticeBanner)
        assert not banner.has_class("-shown")
        os.kill(pid, signal.SIGKILL)  # the session's kernel process, as the kernel itself named it
        await wait_for(pilot, lambda: browser.ops("banner"), timeout=60, what="marimo's banner to the browser")
        sent = browser.ops("banner")[0]
        await wait_for(pilot, lambda: banner.has_class("-shown"), timeout=30, what="the banner line")
        assert banner.waiting == [(f"{sent['title']}: {sent['description']}", True)]
        assert banner.has_class("-danger") and sent["title"] == "Kernel stopped" and sent["action"] == "restart"
