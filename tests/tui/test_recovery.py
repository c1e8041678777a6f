"""A kernel restarted by another client while the app is paired: the app follows the new session."""

from __future__ import annotations

import asyncio

from textual.widgets._toast import Toast

from marimo_pair_tui.tui.widgets.status_line import StatusLine
from tests.support.marimo_proc import open_browser_session
from tests.test_one_truth import browser_post

from .support import TuiLab, make_app, run_and_snippet_out, wait_for, wait_live


async def test_a_restarted_kernel_is_followed_and_the_editor_text_kept(lab: TuiLab) -> None:
    path, browser = lab.session("demo.py", "restarted.py")
    app = make_app(lab.target(path, browser), redact=False)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await wait_live(pilot, 4)
        screen.editor.load_text("print('kept', x)")
        status = screen.query_one(StatusLine)
        seen: list[str] = []  # every status line the screen showed from here on
        screen.set_interval(0.02, lambda: seen.append(status.plain))
        before = len(app._notifications)  # noqa: SLF001

        browser_post(browser, "/api/kernel/restart_session", {})
        await wait_for(pilot, lambda: screen.session is not None and screen.session.live_state != "live",
                       what="the session to be lost")
        reloaded = await asyncio.to_thread(open_browser_session, lab.server, path)  # the tab reloads
        lab.browsers.append(reloaded)
        await wait_for(pilot, lambda: screen.target.session.session_id == reloaded.session_id
                       and screen.session is not None and screen.session.live_state == "live"
                       and len(screen.cell_tree.cell_ids) == 4, 30, "the new session, live")
        await pilot.pause()
        assert reloaded.session_id in status.plain and "● live" in status.plain
        # Never "live" beside the old session's id once it was lost.
        old = str(browser.session_id)
        lost_at = next(i for i, line in enumerate(seen) if "● live" not in line)
        assert not any(old in line and "● live" in line for line in seen[lost_at:]), seen[lost_at:]
        assert screen.editor.text == "print('kept', x)"

        # ctrl+r runs the snippet the editor kept, on the new session.
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: screen.results.blocks and screen.results.blocks[-1].finished is not None,
                       30, "the snippet")
        block = screen.results.blocks[-1]
        assert block.finished is True and "kept 41" in block.body.plain, block.body.plain

        told = [n.message for n in list(app._notifications)[before:]]  # noqa: SLF001
        assert len(told) == 1 and "new session" in told[0] and reloaded.session_id in told[0], told


def shown(app) -> list[str]:
    """The messages of the toasts on screen, once they show what the app holds."""
    return [toast._notification.message for toast in app.screen.query(Toast)]  # noqa: SLF001


async def test_a_kernel_restarted_in_a_browser_that_reloads_late_is_told_once(lab: TuiLab) -> None:
    """The outage is told after its grace period; when the notebook's new session comes (the tab
    reloaded late), that notice goes and the restart alone is on screen."""
    path, browser = lab.session("demo.py", "reloads_late.py")
    app = make_app(lab.target(path, browser), redact=False)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        screen = await wait_live(pilot, 4)
        before = len(app._notifications)  # noqa: SLF001

        browser_post(browser, "/api/kernel/restart_session", {})
        await wait_for(pilot, lambda: any("The session is gone" in m for m in shown(app)), 30,
                       "the outage, told")
        reloaded = await asyncio.to_thread(open_browser_session, lab.server, path)  # the tab reloads, late
        lab.browsers.append(reloaded)
        await wait_for(pilot, lambda: screen.target.session.session_id == reloaded.session_id
                       and screen.session is not None and screen.session.live_state == "live", 30,
                       "the new session, live")
        held = lambda: [n.message for n in list(app._notifications)[before:]]  # noqa: E731, SLF001
        await wait_for(pilot, lambda: sorted(shown(app)) == sorted(held()) and "Session restarted"
                       in [n.title for n in app._notifications], 10, "the toasts to show the notices")  # noqa: SLF001
        told = held()
        assert len(told) == 1 and "new session" in told[0] and reloaded.session_id in told[0], told
        assert shown(app) == told


async def test_runs_out_when_another_client_restarts_the_kernel_end_and_the_next_run(lab: TuiLab) -> None:
    """marimo never answers a request whose session closed: once the app follows the new session,
    the cell run and the snippet that were out end (their blocks say so) and the next snippet runs."""
    path, browser = lab.session("wait.py", "restarted_busy.py", instantiate=False)
    app = make_app(lab.target(path, browser), redact=False)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await wait_live(pilot, 3)
        run, snippet = await run_and_snippet_out(pilot, screen)
        before = len(app._notifications)  # noqa: SLF001

        browser.server_token = lab.server.server_token(path)  # a tab that never ran its cells holds none yet
        browser_post(browser, "/api/kernel/restart_session", {})
        reloaded = await asyncio.to_thread(open_browser_session, lab.server, path, instantiate=False)
        lab.browsers.append(reloaded)
        await wait_for(pilot, lambda: screen.target.session.session_id == reloaded.session_id
                       and screen.session is not None and screen.session.live_state == "live", 30,
                       "the new session, live")
        await wait_for(pilot, lambda: run.finished is False and snippet.finished is False, 30,
                       "the run and the snippet to end")
        for block in (run, snippet):
            assert "session closed" in block.body.plain and "ended" in block.header_text, block.text

        screen.editor.load_text("print('after_' + 'restart')")
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: screen.results.blocks[-1] is not snippet
                       and screen.results.blocks[-1].finished is not None, 30, "the next snippet")
        assert "after_restart" in screen.results.blocks[-1].body.plain
        told = [n.message for n in list(app._notifications)[before:]]  # noqa: SLF001
        assert len(told) == 1 and "new session" in told[0], told
