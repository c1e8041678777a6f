"""The kernel's lifecycle from the pairing screen against a real server: restart, input() prompts,
missing packages."""

from __future__ import annotations

from marimo_pair_tui.tui.screens.confirm_packages import ConfirmPackagesScreen
from marimo_pair_tui.tui.screens.confirm_restart import ConfirmRestartScreen
from marimo_pair_tui.tui.screens.prompt import PromptScreen

from .support import TuiLab, make_app, run_and_snippet_out, wait_for, wait_live


def notes(app) -> list[str]:
    return [n.message for n in list(app._notifications)]  # noqa: SLF001


async def run_snippet(pilot, screen, code: str) -> None:
    screen.editor.load_text(code)
    before = len(screen.results.blocks)
    await pilot.press("ctrl+r")
    await wait_for(pilot, lambda: len(screen.results.blocks) > before and screen.results.blocks[-1].finished is not None,
                   30, f"the snippet {code!r}")


async def test_restart_asks_then_empties_the_kernel_and_keeps_the_editor(lab: TuiLab) -> None:
    path, browser = lab.session("demo.py", "restart_key.py")
    app = make_app(lab.target(path, browser), redact=False)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await wait_live(pilot, 4)
        await run_snippet(pilot, screen, "kept_name = 7\nprint('kept' + '_name' in globals())")
        assert "True" in screen.results.blocks[-1].body.plain
        old = screen.target.session.selector
        screen.editor.load_text("print('kept text', x)")

        # n keeps the kernel.
        await pilot.press("f12")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmRestartScreen), what="the dialog")
        dialog = app.screen
        assert "Lost:" in dialog.text and "variables" in dialog.text and "editor text" in dialog.text
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen is screen)
        assert screen.target.session.selector == old

        before = len(notes(app))
        await pilot.press("f12")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmRestartScreen), what="the dialog")
        await pilot.press("y")
        await wait_for(pilot, lambda: screen.target.session.selector != old and screen.session is not None
                       and screen.session.live_state == "live" and len(screen.cell_tree.cell_ids) == 4,
                       60, "the new session, live")
        await wait_for(pilot, lambda: screen.results.blocks[-1].kind == "restart"
                       and screen.results.blocks[-1].finished is True, 30, "the restart's block")
        assert screen.editor.text == "print('kept text', x)"
        variables = (await app.service.variables(screen.target)).value
        assert "kept_name" not in {v.name for v in variables}
        await run_snippet(pilot, screen, "print('kept' + '_name' in globals())")
        assert "False" in screen.results.blocks[-1].body.plain  # the kernel's memory went
        await pilot.pause()
        told = notes(app)[before:]
        assert len(told) == 1 and "restarted" in told[0] and screen.target.session.selector in told[0], told


async def test_an_input_prompt_is_answered_from_a_dialog(lab: TuiLab) -> None:
    path, browser = lab.session("demo.py", "prompt.py")
    app = make_app(lab.target(path, browser))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await wait_live(pilot, 4)
        screen.editor.load_text("print('hi', input('who? \\x1b[2J'))")
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen), 30, "the prompt")
        prompt = app.screen
        assert prompt.label == "snippet"
        shown = str(prompt.query_one("#prompt-text").render())
        assert "who? ␛[2J" in shown and "\x1b" not in shown  # drawn inert

        # esc leaves it waiting: the status line says so; ctrl+r opens the prompt again.
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)
        await wait_for(pilot, lambda: "waits for input()" in screen.query_one("#status").plain)
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen), what="the prompt again")
        await pilot.press(*"Ann", "enter")
        await wait_for(pilot, lambda: screen.results.blocks and screen.results.blocks[-1].finished is True,
                       30, "the snippet to end")
        assert "hi Ann" in screen.results.blocks[-1].body.plain
        assert "waits for input()" not in screen.query_one("#status").plain
        assert app.screen is screen


async def offer_missing_package(pilot, app, screen) -> ConfirmPackagesScreen:
    """Make a cell that imports a package that is not installed, run it, and wait for the offer."""
    screen.editor.load_text("import some_missing_pkg_xyz")
    await pilot.press("ctrl+n")
    await wait_for(pilot, lambda: len(screen.cell_tree.cell_ids) == 5, 30, "the new cell")
    await wait_for(pilot, lambda: screen.cell_tree.selected_cell_id is not None
                   and screen.notebook.get(screen.cell_tree.selected_cell_id).code == "import some_missing_pkg_xyz")
    await pilot.press("ctrl+g")
    await wait_for(pilot, lambda: isinstance(app.screen, ConfirmPackagesScreen), 60, "the offer")
    offer = app.screen
    assert isinstance(offer, ConfirmPackagesScreen)
    assert [n.replace("-", "_") for n in offer.names] == ["some_missing_pkg_xyz"]
    assert "some" in str(offer.query_one("#what").render())
    return offer


async def test_a_refused_package_offer_is_told_once_and_not_made_again(lab: TuiLab) -> None:
    path, browser = lab.session("demo.py", "missing_no.py")
    app = make_app(lab.target(path, browser))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await wait_live(pilot, 4)
        await offer_missing_package(pilot, app, screen)
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen is screen)
        assert sum("Not installed" in n for n in notes(app)) == 1
        runs = len(screen.results.blocks)
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: len(screen.results.blocks) > runs and screen.results.blocks[-1].kind == "run"
                       and screen.results.blocks[-1].finished is not None, 60, "the second run")
        await pilot.pause()
        assert app.screen is screen and sum("Not installed" in n for n in notes(app)) == 1


async def test_an_accepted_package_offer_that_fails_to_install_says_so(lab: TuiLab) -> None:
    path, browser = lab.session("demo.py", "missing_yes.py")
    app = make_app(lab.target(path, browser))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await wait_live(pilot, 4)
        await offer_missing_package(pilot, app, screen)
        await pilot.press("y")
        await wait_for(pilot, lambda: screen.results.blocks[-1].kind == "install"
                       and screen.results.blocks[-1].finished is not None, 300, "the install to end")
        block = screen.results.blocks[-1]
        assert block.finished is False, block.body.plain
        assert "some_missing_pkg_xyz: failed" in block.body.plain.replace("-", "_"), block.body.plain
        assert "failed: ·" not in block.header_text and "· failed ·" in block.header_text, block.header_text
        assert any(n.startswith("Could not install some") for n in notes(app)), notes(app)
        assert app.screen is screen


async def test_a_prompt_answered_elsewhere_closes_its_dialog(lab: TuiLab) -> None:
    path, browser = lab.session("demo.py", "prompt_elsewhere.py")
    app = make_app(lab.target(path, browser))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await wait_live(pilot, 4)
        screen.editor.load_text("print('hi', input('who? '))")
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen), 30, "the prompt")
        before = len(notes(app))
        await app.service.answer(screen.target, "Bob")  # as another client (an agent's `answer`) would
        await wait_for(pilot, lambda: app.screen is screen, 30, "the dialog to close")
        await wait_for(pilot, lambda: screen.results.blocks[-1].finished is True, 30, "the snippet to end")
        assert "hi Bob" in screen.results.blocks[-1].body.plain
        assert not any("still waits" in n for n in notes(app)[before:])


async def test_a_restart_ends_what_ran_on_the_closed_session_and_the_next_runs_go_on(lab: TuiLab) -> None:
    """marimo never answers a request whose session a restart closed: the cell run and the snippet
    that were out end with the restart (their blocks say so), and the next ones run at once."""
    path, browser = lab.session("wait.py", "restart_busy.py", instantiate=False)
    app = make_app(lab.target(path, browser))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await wait_live(pilot, 3)
        run, snippet = await run_and_snippet_out(pilot, screen)
        before = len(notes(app))

        old = screen.target.session.selector
        await pilot.press("f12")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmRestartScreen), what="the dialog")
        await pilot.press("y")
        await wait_for(pilot, lambda: screen.target.session.selector != old and screen.session is not None
                       and screen.session.live_state == "live", 60, "the new session, live")
        await wait_for(pilot, lambda: run.finished is False and snippet.finished is False, 30,
                       "the run and the snippet to end")
        for block in (run, snippet):
            assert "kernel restarted" in block.body.plain and "ended" in block.header_text, block.text
        assert "queued" not in snippet.body.plain  # it never ran

        await run_snippet(pilot, screen, "print('after_' + 'restart')")
        assert screen.results.blocks[-1].finished is True and "after_restart" in screen.results.blocks[-1].body.plain
        setup = screen.notebook.cell("setup")
        screen.cell_tree.focus()
        assert screen.cell_tree.select_cell(setup.id)
        runs = len(screen.results.blocks)
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: len(screen.results.blocks) > runs and screen.results.blocks[-1].kind == "run"
                       and screen.results.blocks[-1].finished is not None, 30, "a cell run after the restart")
        assert screen.results.blocks[-1].finished is True, screen.results.blocks[-1].text
        told = notes(app)[before:]
        assert len(told) == 1 and "restarted" in told[0], told


async def test_a_restart_is_told_once_when_its_move_reaches_the_screen_after_its_reply(lab: TuiLab) -> None:
    """The mirror may follow the new session before the restart's reply comes back while its
    "moved" is still on its way to the screen: the restart is told once all the same. The live
    states are held back from the screen until the reply is in, as a busy screen would."""
    path, browser = lab.session("demo.py", "restart_late_move.py")
    app = make_app(lab.target(path, browser))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await wait_live(pilot, 4)
        mirror = screen.session
        held: list[tuple[str, str]] = []
        replied = False

        def on_state(state: str, detail: str) -> None:
            if replied:
                screen._on_live_state(state, detail)  # noqa: SLF001
            else:
                held.append((state, detail))

        screen._unsubscribe()  # noqa: SLF001 - the screen hears the mirror through on_state instead
        screen._unsubscribe = mirror.subscribe(screen._on_model_change, on_state)  # noqa: SLF001
        before = len(notes(app))
        old = screen.target.session.selector
        await pilot.press("f12")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmRestartScreen), what="the dialog")
        await pilot.press("y")
        await wait_for(pilot, lambda: screen.results.blocks and screen.results.blocks[-1].kind == "restart"
                       and screen.results.blocks[-1].finished is True, 60, "the restart's reply")
        await wait_for(pilot, lambda: "moved" in [s for s, _ in held]
                       and mirror.target.session.selector != old, 30, "the mirror to move")
        replied = True
        for state, detail in held:
            screen._on_live_state(state, detail)  # noqa: SLF001
        await wait_for(pilot, lambda: screen.target.session.selector == mirror.target.session.selector
                       and screen.session is not None and screen.session.live_state == "live", 30,
                       "the screen to follow the move")
        await pilot.pause()
        told = notes(app)[before:]
        assert len(told) == 1 and "Kernel restarted" in told[0], told
