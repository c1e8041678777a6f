"""The activity pane against a real marimo server: other clients' runs show up live, and can be kept.

Snippets come from separate processes (the headless `exec` command) or a raw
HTTP client, cell runs from a browser-style `POST /api/kernel/run`; the
notebook file on disk judges promotions.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import httpx
import pytest
from textual.command import CommandPalette

from marimo_pair_tui.core.wire.sessions import Target
from marimo_pair_tui.tui.screens.pairing import PairingScreen
from tests.clihelp import cli_env, start_cli
from tests.support.cell_lab import file_cells
from tests.support.marimo_proc import BrowserSession

from .support import TuiLab, make_app, wait_for, wait_live


def codes(path: Path) -> list[str]:
    try:
        return [code for _name, code in file_cells(path)]
    except (OSError, SyntaxError, ValueError, AssertionError):
        return []


async def post_snippet(lab: TuiLab, browser: BrowserSession, code: str) -> str:
    """Run code as another client would: a raw POST to the execute endpoint (the SSE text back)."""
    async with httpx.AsyncClient(timeout=60) as client:
        response = await client.post(lab.server.url + "/api/kernel/execute", json={"code": code},
                                     headers={"Marimo-Stable-Session-Id": browser.session_id or ""})
    response.raise_for_status()
    return response.text


def browser_run(browser: BrowserSession, cell_id: str, code: str) -> None:
    """Shift+Enter in a browser: `POST /api/kernel/run` with the tab's routing id and server token."""
    response = browser.server.post(
        "/api/kernel/run",
        headers={"Marimo-Session-Id": browser.routing_id, "Marimo-Server-Token": browser.server_token or ""},
        json={"cellIds": [cell_id], "codes": [code]},
    )
    assert response.status_code == 200, response.text


def rows(screen: PairingScreen) -> list[str]:
    pane = screen.activity_pane
    return [str(pane.rows.get_option_at_index(i).prompt) for i in range(pane.rows.option_count)]


def row_seconds(row: str) -> float | None:
    """The time a row shows (elapsed while running, the duration once finished): `● 14:02:11  1.53 s ...`."""
    found = re.match(r"\S \d\d:\d\d:\d\d +(\d+\.\d\d) s ", row)
    return float(found.group(1)) if found else None


async def show_pane(pilot, screen: PairingScreen) -> None:
    await pilot.press("f6")
    await wait_for(pilot, lambda: screen.activity_shown and screen.activity_pane.rows.has_focus, what="the pane")


async def select(pilot, screen: PairingScreen, name: str) -> None:
    cell = screen.notebook.cell(name)
    screen.cell_tree.focus()
    assert screen.cell_tree.select_cell(cell.id)
    await pilot.pause()


@pytest.fixture
def demo(lab: TuiLab, request: pytest.FixtureRequest) -> tuple[Path, BrowserSession, Target]:
    path, browser = lab.session("demo.py", f"{request.node.name[:40]}.py")
    return path, browser, lab.target(path, browser)


async def test_another_process_snippet_shows_live_with_its_code_and_output(lab: TuiLab, demo) -> None:
    path, browser, target = demo
    app = make_app(target)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await wait_live(pilot, 4)
        await show_pane(pilot, screen)
        assert screen.activity_pane.entry_ids == [] and "Nothing ran yet" in screen.activity_pane.detail_text
        assert not screen.query_one("#work").display  # the pane took the editor's and results' place

        code = "print('from the agent', x + 1)\nx * 3"
        started = time.monotonic()
        proc = start_cli(["exec", "--url", lab.server.url, "--notebook", str(path), "-c", code], env=cli_env())
        try:
            await wait_for(pilot, lambda: any(e.code == code for e in screen.notebook.activity), 60,
                           "the snippet in the model's activity log")
            in_model = time.monotonic() - started
            await wait_for(pilot, lambda: "from the agent 42" in screen.activity_pane.detail_text, 60,
                           "the snippet's output in the pane")
            in_pane = time.monotonic() - started
        finally:
            assert proc.wait(timeout=60) == 0, proc.stderr.read().decode()  # type: ignore[union-attr]
        print(f"snippet from another process: in the model {in_model:.2f} s, "
              f"in the pane with its output {in_pane:.2f} s after the process started")

        [entry] = [e for e in screen.notebook.activity if e.code == code]
        assert (entry.kind, entry.origin) == ("scratch", "other")
        await wait_for(pilot, lambda: entry.outcome == "ok", 30, "the entry to complete")
        assert entry.stdout == "from the agent 42\n" and entry.output is not None and "123" in entry.output.text
        await wait_for(pilot, lambda: rows(screen)[0].startswith("✓") and "123" in screen.activity_pane.detail_text,
                       30, "the finished entry in the pane")
        detail = screen.activity_pane.detail_text
        assert code in detail and "another client" in detail and "· ok" in detail
        [row] = rows(screen)
        assert "snippet" in row and "print('from the agent', x + 1)" in row
        assert "(you)" not in row

        # A second snippet (a raw HTTP client this time) goes on top, and the highlight follows it.
        started = time.monotonic()
        await post_snippet(lab, browser, "print('second')")
        await wait_for(pilot, lambda: len(rows(screen)) == 2 and "second" in screen.activity_pane.detail_text, 60,
                       "the second snippet on top")
        print(f"raw HTTP snippet in the pane {time.monotonic() - started:.2f} s after it was posted")
        assert "print('second')" in rows(screen)[0] and "from the agent" in rows(screen)[1]

        # This client's own snippet is marked as ours.
        await pilot.press("f6")
        screen.editor.load_text("print('mine')")
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: any(e.code == "print('mine')" and e.finished for e in screen.notebook.activity),
                       60, "our own snippet")
        [mine] = [e for e in screen.notebook.activity if e.code == "print('mine')"]
        assert mine.origin == "self"
        await show_pane(pilot, screen)
        assert "(you)" in rows(screen)[0] and "print('mine')" in rows(screen)[0]


async def test_a_running_row_counts_its_seconds_then_shows_its_duration(lab: TuiLab, demo, tmp_path: Path) -> None:
    path, browser, target = demo
    release = tmp_path / "release"  # the snippet runs until this file exists: no race with its end
    code = f"import pathlib, time\nwhile not pathlib.Path({str(release)!r}).exists():\n    time.sleep(0.05)"
    app = make_app(target, redact=False)  # real times: the seconds are what is checked
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await wait_live(pilot, 4)
        await show_pane(pilot, screen)
        pane = screen.activity_pane
        assert not pane.ticking, "an idle pane keeps no clock"
        proc = start_cli(["exec", "--url", lab.server.url, "--notebook", str(path), "-c", code], env=cli_env())
        try:
            await wait_for(pilot, lambda: rows(screen)[0].startswith("●") and row_seconds(rows(screen)[0]) is not None,
                           60, "the running row")
            first = row_seconds(rows(screen)[0])
            assert pane.ticking and "running" not in rows(screen)[0]
            await wait_for(pilot, lambda: (row_seconds(rows(screen)[0]) or 0) > first, 30, "the elapsed time to advance")
            [row] = rows(screen)
            second = row_seconds(row)
            assert row.startswith("●") and "snippet" in row and second is not None and second > first
            await pilot.press("f6")  # the pane hidden: the entry ends unseen
            await wait_for(pilot, lambda: not screen.activity_shown, 10, "the pane hidden")
        finally:
            release.touch()
            assert proc.wait(timeout=60) == 0, proc.stderr.read().decode()  # type: ignore[union-attr]
        await wait_for(pilot, lambda: any(e.code == code and e.finished for e in screen.notebook.activity), 30,
                       "the entry's end in the model")
        await show_pane(pilot, screen)
        assert rows(screen)[0].startswith("✓"), "shown again, the pane caught up with what changed while hidden"
        [entry] = [e for e in screen.notebook.activity if e.code == code]
        [row] = rows(screen)
        assert entry.duration is not None and row_seconds(row) == float(f"{entry.duration:.2f}")
        assert row_seconds(row) >= second, "the duration covers the time the row was seen running"
        assert not pane.ticking, "the clock stops once nothing runs"


async def test_a_browser_cell_run_is_a_cell_entry(lab: TuiLab, demo) -> None:
    path, browser, target = demo
    app = make_app(target)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await wait_live(pilot, 4)
        await show_pane(pilot, screen)
        vbla = screen.notebook.cell("vblA")
        define_x = screen.notebook.cell("define_x")
        started = time.monotonic()
        browser_run(browser, define_x.id, "x = 41")
        await wait_for(pilot, lambda: [e.cell_label for e in screen.notebook.activity if e.finished][-2:]
                       == ["define_x", vbla.id], 60, "the run of define_x and its dependent")
        print(f"browser-style cell run in the model {time.monotonic() - started:.2f} s after the request")
        entries = screen.notebook.activity.newest_first()
        assert [(e.kind, e.cell_id, e.code, e.outcome) for e in entries[:2]] == [
            ("cell", vbla.id, vbla.code, "ok"), ("cell", define_x.id, "x = 41", "ok")]
        assert entries[0].stdout == "y is 42\n" and entries[0].origin == "other"
        # The pane follows on the next model flush.
        await wait_for(pilot, lambda: "y is 42" in screen.activity_pane.detail_text, what="vblA's output in the pane")
        assert "cell define_x" in rows(screen)[1] and "x = 41" in rows(screen)[1]
        # The row's mark follows on a later flush than its detail: a busy machine can see it between the two.
        await wait_for(pilot, lambda: rows(screen)[0].startswith("✓"), what="vblA's row marked finished")
        assert "cell vblA" in rows(screen)[0]


async def test_promote_makes_a_cell_after_the_selected_one_and_saves_it(lab: TuiLab, demo) -> None:
    path, browser, target = demo
    app = make_app(target)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await wait_live(pilot, 4)
        screen.editor.load_text("# my draft, untouched by a promotion")
        code = "doubled = x * 2\nprint('doubled', doubled)"
        await post_snippet(lab, browser, code)
        await wait_for(pilot, lambda: any(e.code == code and e.finished for e in screen.notebook.activity), 60,
                       "the snippet")
        await select(pilot, screen, "define_x")
        await show_pane(pilot, screen)
        await wait_for(pilot, lambda: screen.activity_pane.selected_entry is not None
                       and screen.activity_pane.selected_entry.code == code, what="the entry selected")
        await pilot.press("p")
        await wait_for(pilot, lambda: codes(path)[:3] == ["import marimo as mo", "x = 41", code], 60,
                       "the promoted cell after define_x in the file")
        await wait_for(pilot, lambda: len(screen.cell_tree.cell_ids) == 5, what="the new cell in the tree")
        new_id = screen.cell_tree.cell_ids[2]
        assert screen.notebook.cell(new_id).code == code
        assert screen.cell_tree.selected_cell_id == new_id
        assert screen.editor.text == "# my draft, untouched by a promotion" and screen.editor.loaded_cell is None
        assert any("New cell" in n.message for n in app._notifications)  # noqa: SLF001


async def test_promoting_a_redefinition_is_refused_naming_the_owner(lab: TuiLab, demo) -> None:
    path, browser, target = demo
    before = codes(path)
    app = make_app(target)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await wait_live(pilot, 4)
        await post_snippet(lab, browser, "x = 5")
        await wait_for(pilot, lambda: any(e.code == "x = 5" and e.finished for e in screen.notebook.activity), 60,
                       "the snippet")
        await select(pilot, screen, "vblA")
        await show_pane(pilot, screen)
        await pilot.press("p")
        await wait_for(pilot, lambda: screen.results.blocks and screen.results.blocks[-1].finished is False, 60,
                       "the refusal")
        text = screen.results.blocks[-1].text
        assert "promote" in text and "'x' is already defined in cell" in text and "define_x" in text
        assert any("define_x" in n.message and "'x'" in n.message for n in app._notifications)  # noqa: SLF001
        assert screen.activity_shown, "the pane stays where the user is"
        refused = [e for e in screen.notebook.activity if e.program is not None and e.program.get("op") == "create"]
        await wait_for(pilot, lambda: refused[-1].finished, what="the refused program's entry to end")
        assert refused[-1].outcome == "error", "a refused operation is not a success"
        row = next(r for r in rows(screen) if "code_mode create" in r)
        assert row.startswith("✗") and not row.startswith("✓"), row
    assert codes(path) == before, "nothing may be saved"
    assert len(before) == 4


async def test_copy_into_the_editor_keeps_the_unsaved_text(lab: TuiLab, demo) -> None:
    path, browser, target = demo
    app = make_app(target)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await wait_live(pilot, 4)
        code = "total = x + 100\nprint(total)"
        await post_snippet(lab, browser, code)
        await wait_for(pilot, lambda: any(e.code == code and e.finished for e in screen.notebook.activity), 60,
                       "the snippet")
        screen.editor.load_text("half-written idea = ")
        await show_pane(pilot, screen)
        await pilot.press("e")
        await wait_for(pilot, lambda: not screen.activity_shown and screen.editor.has_focus, what="the editor back")
        assert screen.editor.text == code and screen.editor.loaded_cell is None
        assert screen.editor.border_title == "Editor (snippet)"
        kept = screen.results.blocks[-1]
        assert kept.kind == "kept" and "half-written idea = " in kept.text
        await pilot.press("ctrl+z")
        assert screen.editor.text == "half-written idea = "


async def test_keys_e_and_p_do_nothing_while_the_pane_is_hidden_and_the_palette_finds_it(lab: TuiLab, demo) -> None:
    path, browser, target = demo
    app = make_app(target)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await wait_live(pilot, 4)
        await post_snippet(lab, browser, "x = 7")
        await wait_for(pilot, lambda: len(screen.notebook.activity) == 1, 60, "the snippet")
        await select(pilot, screen, "define_x")
        await pilot.press("p", "e")
        await pilot.pause()
        assert screen.results.blocks == [] and screen.editor.text == ""
        assert not screen.activity_shown

        # The command palette finds the pane by name, and so does F1 help.
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette), what="the palette")
        await pilot.press(*"activity feed")
        await wait_for(pilot, lambda: app.screen.query("CommandList").first().option_count > 0, what="palette hits")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.activity_shown and screen.activity_pane.entry_ids, what="the pane")
        rows = {binding_id: keys for _where, keys, _what, binding_id in app.help_rows()}
        assert (rows["activity"], rows["activity-to-editor"], rows["activity-promote"]) == ("f6", "e", "p")


def test_the_pane_at_80x24(snap_compare, lab: TuiLab) -> None:
    path, browser = lab.session("demo.py", "activity_snapshot.py")
    target = lab.target(path, browser)

    async def ready(pilot) -> None:
        screen = await wait_live(pilot, 4)
        await wait_for(pilot, lambda: screen.notebook.is_idle() and all(c.status for c in screen.notebook.cells))
        await post_snippet(lab, browser, "print('hello from the agent')\nx * 3")
        browser_run(browser, screen.notebook.cell("define_x").id, "x = 41")
        await post_snippet(lab, browser, "ratio = x / 0")
        await wait_for(pilot, lambda: len(screen.notebook.activity) == 4 and not screen.notebook.activity.running,
                       60, "four finished entries")
        screen.cell_tree.focus()
        await pilot.press("f6")
        await wait_for(pilot, lambda: "ZeroDivisionError" in screen.activity_pane.detail_text)
        await pilot.pause()

    assert snap_compare(make_app(target), run_before=ready, terminal_size=(80, 24))
