"""Completion and documentation in the editor (static, jedi), against a real server."""

from __future__ import annotations

from marimo_pair_tui.tui.screens.docs import DocsScreen
from marimo_pair_tui.tui.screens.pairing import PairingScreen

from .support import TuiLab, make_app, wait_for, wait_live


def frames(lab: TuiLab, name: str):
    """The pandas notebook, its blocking cell let through for the browser's first run."""
    flag = lab.dir / (name + ".flag")
    flag.touch()
    path, browser = lab.session("frames.py", name)
    flag.unlink()
    return path, browser, flag


async def type_in_editor(pilot, screen: PairingScreen, text: str) -> None:
    screen.editor.focus()
    screen.editor.load_text("")
    await pilot.press(*text)
    assert screen.editor.text == text


def menu_names(screen: PairingScreen) -> list[str]:
    menu = screen.editor.menu
    assert menu is not None
    return [item.name for item in menu.items] if menu.shown else []


async def test_tab_offers_the_frame_class_and_enter_inserts_it(lab: TuiLab) -> None:
    path, browser, flag = frames(lab, "complete.py")
    try:
        app = make_app(lab.target(path, browser))
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await wait_live(pilot, 3)
            await type_in_editor(pilot, screen, "pd.DataF")
            await pilot.press("tab")
            await wait_for(pilot, lambda: "DataFrame" in menu_names(screen), 60, "DataFrame offered")
            assert all(name.lower().startswith("dataf") for name in menu_names(screen)), menu_names(screen)
            assert screen.editor.text == "pd.DataF"  # tab completed, it did not indent
            menu = screen.editor.menu
            assert menu is not None
            first = str(menu.get_option_at_index(0).prompt)  # name, kind and signature
            assert first.startswith("DataFrame") and " class " in first and "(data" in first, first
            cursor = screen.editor.cursor_screen_offset  # drawn just below the cursor, on the screen
            await wait_for(pilot, lambda: menu.region.height > 0, what="the menu laid out")  # on the next refresh
            assert menu.region.y == cursor.y + 1 and menu.region.x <= cursor.x, (menu.region, cursor)
            assert menu.region.right <= app.size.width
            await pilot.press("enter")
            assert screen.editor.text == "pd.DataFrame"
            assert not screen.editor.completing

            # Typing while the menu is open narrows it; escape closes it and keeps the text.
            await type_in_editor(pilot, screen, "prices.s")
            await pilot.press("ctrl+@")  # what a terminal sends for ctrl+space
            await wait_for(pilot, lambda: "sum" in menu_names(screen), 60, "the frame's methods")
            assert "shape" in menu_names(screen)
            await pilot.press("u")
            await wait_for(pilot, lambda: "shape" not in menu_names(screen) and "sum" in menu_names(screen))
            await pilot.press("escape")
            assert not screen.editor.completing and screen.editor.text == "prices.su"
            assert app.focused is screen.editor  # esc closed the menu, it did not leave the editor

            # Tab at the start of a line still indents.
            screen.editor.load_text("")
            await pilot.press("tab")
            assert screen.editor.text == "    " and not screen.editor.completing
    finally:
        flag.touch()


async def test_completion_and_docs_answer_while_a_cell_runs(lab: TuiLab) -> None:
    path, browser, flag = frames(lab, "complete_busy.py")
    try:
        app = make_app(lab.target(path, browser))
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await wait_live(pilot, 3)
            waits = screen.notebook.cell("waits").id
            screen.cell_tree.focus()
            screen.cell_tree.select_cell(waits)
            await pilot.pause()
            await pilot.press("ctrl+g")
            await wait_for(pilot, lambda: screen.notebook.cell(waits).status == "running", what="the cell to run")
            await wait_for(pilot, lambda: "kernel busy" in screen.query_one("#status").plain)

            await type_in_editor(pilot, screen, "pd.DataF")
            await pilot.press("tab")
            await wait_for(pilot, lambda: "DataFrame" in menu_names(screen), 60, "DataFrame while busy")
            await pilot.press("tab")  # tab inserts too
            assert screen.editor.text == "pd.DataFrame"
            assert screen.notebook.cell(waits).status == "running"  # no kernel needed

            await pilot.press("f8")
            await wait_for(pilot, lambda: isinstance(app.screen, DocsScreen), 60, "the documentation")
            docs = app.screen
            assert isinstance(docs, DocsScreen)
            assert docs.title_name == "pd.DataFrame"
            assert "Two-dimensional" in docs.text, docs.text[:200]
            await pilot.press("escape")
            await wait_for(pilot, lambda: app.screen is screen)
            assert screen.notebook.cell(waits).status == "running"
    finally:
        flag.touch()
