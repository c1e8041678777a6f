"""The pairing screen against a real marimo server: the file on disk is the judge."""

from __future__ import annotations

from pathlib import Path

from textual.document._syntax_aware_document import SyntaxAwareDocument

from marimo_pair_tui.core.codemode import client as codemode
from marimo_pair_tui.core.wire.connection import Connection
from marimo_pair_tui.tui.screens.confirm_delete import ConfirmDeleteScreen
from marimo_pair_tui.tui.screens.conflict import ConflictScreen
from marimo_pair_tui.tui.screens.pairing import PairingScreen
from tests.support.cell_lab import file_cells

from .support import TuiLab, make_app, wait_for, wait_live


def disk(path: Path) -> list[tuple[str, str]]:
    try:
        return file_cells(path)
    except (OSError, SyntaxError, ValueError, AssertionError):
        return []


def codes(path: Path) -> list[str]:
    return [code for _name, code in disk(path)]


async def select(pilot, screen: PairingScreen, name: str) -> None:
    cell = screen.notebook.get(name)
    assert cell is not None, name
    screen.cell_tree.focus()
    assert screen.cell_tree.select_cell(cell.id)
    await pilot.pause()
    assert screen.cell_tree.selected_cell_id == cell.id


async def test_tree_mirrors_the_notebook_and_the_editor_highlights_python(lab: TuiLab) -> None:
    path, browser = lab.session("demo.py", "mirror.py")
    app = make_app(lab.target(path, browser), redact=False)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await wait_live(pilot, 4)
        labels = [str(screen.cell_tree.node_for(cid).label) for cid in screen.cell_tree.cell_ids]  # type: ignore[union-attr]
        assert any("define_x" in label and "x = 41" in label for label in labels), labels
        assert all(label.startswith("✓") for label in labels), labels
        status = screen.query_one("#status").plain  # type: ignore[attr-defined]
        assert "mirror.py" in status and "live" in status and "kernel idle" in status
        assert browser.session_id in status  # not redacted here

        editor = screen.editor
        assert isinstance(editor.document, SyntaxAwareDocument)
        assert editor.language == "python"
        editor.load_text("def f(x):\n    return x + 1  # comment\n")
        await pilot.pause()
        assert editor._highlight_query is not None  # noqa: SLF001
        assert editor._highlights, "tree-sitter produced no highlights"  # noqa: SLF001
        assert editor.theme == "monokai"
        app.theme = "textual-light"
        await pilot.pause()
        assert editor.theme == "github_light"

        # Expanding a cell shows its code, its console output and its defs/refs.
        await select(pilot, screen, "vblA")
        await pilot.press("right")
        await wait_for(pilot, lambda: len(screen.cell_tree.node_for("vblA").children) >= 3)  # type: ignore[union-attr]
        details = [str(c.label) for c in screen.cell_tree.node_for("vblA").children]  # type: ignore[union-attr]
        assert details[0] == "y = x + 1"
        assert any("console" in d and "y is 42" in d for d in details), details
        assert any(d.startswith("defs") and "y" in d and "refs print, x" in d for d in details), details  # builtins too, as in `cells`


async def test_apply_from_the_editor_changes_the_file(lab: TuiLab) -> None:
    path, browser = lab.session("demo.py", "apply.py")
    app = make_app(lab.target(path, browser))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await wait_live(pilot, 4)
        await select(pilot, screen, "define_x")
        await pilot.press("ctrl+l")
        assert screen.editor.text == "x = 41"
        assert screen.editor.border_title == "Editor (cell define_x)"
        screen.editor.load_text("x = 100")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "x = 100" in codes(path), what="the file to hold x = 100")
        assert "x = 41" not in codes(path)
        # The live model (and so the tree) follows, and the editor now bases on the applied code.
        await wait_for(pilot, lambda: "x = 100" in str(screen.cell_tree.node_for(screen.notebook.cell("define_x").id).label))
        await wait_for(pilot, lambda: screen.results.blocks[-1].finished is not None, what="the apply's block to end")
        assert screen.editor.base == "x = 100"
        assert screen.results.blocks[-1].finished is True


async def test_create_move_and_delete_cells(lab: TuiLab) -> None:
    path, browser = lab.session("demo.py", "cells.py")
    app = make_app(lab.target(path, browser))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await wait_live(pilot, 4)
        await select(pilot, screen, "define_x")
        screen.editor.load_text("z = x * 2")
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: codes(path)[:3] == ["import marimo as mo", "x = 41", "z = x * 2"],
                       what="the new cell after define_x on disk")
        await wait_for(pilot, lambda: len(screen.cell_tree.cell_ids) == 5)
        new_id = screen.cell_tree.cell_ids[2]
        assert screen.notebook.cell(new_id).code == "z = x * 2"
        await wait_for(pilot, lambda: screen.cell_tree.selected_cell_id == new_id, what="the cursor on the new cell")

        # Above the selected one.
        screen.editor.load_text("w = 1")
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: codes(path)[2:4] == ["w = 1", "z = x * 2"], what="w above z")
        await wait_for(pilot, lambda: len(screen.cell_tree.cell_ids) == 6)
        # The cursor follows w once its creation is answered; only then is it moved away (below).
        await wait_for(pilot, lambda: screen.cell_tree.selected_cell_id == screen.cell_tree.cell_ids[2], what="the cursor on w")

        # Move z up twice: it lands above define_x, and the cursor stays on it.
        await select(pilot, screen, new_id)
        await pilot.press("alt+up", "alt+up")
        await wait_for(pilot, lambda: codes(path)[:4] == ["import marimo as mo", "z = x * 2", "x = 41", "w = 1"],
                       what="z moved up twice")
        await wait_for(pilot, lambda: screen.cell_tree.cell_ids[1] == new_id)
        assert screen.cell_tree.selected_cell_id == new_id
        await pilot.press("alt+down")
        await wait_for(pilot, lambda: codes(path)[1:3] == ["x = 41", "z = x * 2"], what="z moved down")

        # Delete asks first, naming no dependants for z; "n" keeps it.
        await select(pilot, screen, new_id)
        await pilot.press("delete")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDeleteScreen))
        assert app.screen.stale_labels == []  # type: ignore[attr-defined]
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, PairingScreen))
        assert "z = x * 2" in codes(path)

        # Deleting define_x names the cells that read x.
        await select(pilot, screen, "define_x")
        await pilot.press("delete")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDeleteScreen))
        stale = app.screen.stale_labels  # type: ignore[attr-defined]
        assert "vblA" in stale and new_id in stale, stale
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, PairingScreen))

        await select(pilot, screen, new_id)
        await pilot.press("delete")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDeleteScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: "z = x * 2" not in codes(path), what="z deleted on disk")
        await wait_for(pilot, lambda: new_id not in screen.cell_tree.cell_ids)
        assert screen.cell_tree.selected_cell_id is not None  # the cursor moved to a neighbour


async def test_another_clients_edit_shows_up_in_the_tree(lab: TuiLab) -> None:
    path, browser = lab.session("demo.py", "other_client.py")
    target = lab.target(path, browser)
    app = make_app(target)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await wait_live(pilot, 4)
        await select(pilot, screen, "vblA")
        await pilot.press("right")  # expanded, with the cursor on it: both must survive
        async with Connection(target.server) as other:
            await codemode.edit_cell(other, target.session, "define_x", "x = 5", force=True, run=True)
            created = await codemode.create_cell(other, target.session, "extra = 1", name="extra")
        define_x = screen.notebook.cell("define_x").id
        await wait_for(pilot, lambda: "x = 5" in str(screen.cell_tree.node_for(define_x).label), what="x = 5 in the tree")
        new_id = created.extra["created"]
        await wait_for(pilot, lambda: screen.cell_tree.cell_ids[-1] == new_id, what="the other client's new cell")
        assert "extra" in str(screen.cell_tree.node_for(new_id).label)  # type: ignore[union-attr]
        assert screen.cell_tree.selected_cell_id == "vblA"
        assert screen.cell_tree.node_for("vblA").is_expanded  # type: ignore[union-attr]
        # The dependent cell re-ran with the new x: its console detail says so.
        await wait_for(pilot, lambda: any("y is 6" in str(c.label) for c in screen.cell_tree.node_for("vblA").children),
                       what="vblA's console to show y is 6")


async def test_draft_survives_a_restart(lab: TuiLab, tmp_path: Path) -> None:
    path, browser = lab.session("demo.py", "drafts.py")
    target = lab.target(path, browser)
    drafts = tmp_path / "drafts"
    app = make_app(target, drafts=drafts)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await wait_live(pilot, 4)
        await select(pilot, screen, "define_x")
        await pilot.press("ctrl+l", "end")
        await pilot.press(*"  # mine")
        assert screen.editor.text == "x = 41  # mine"
        await pilot.press("ctrl+q")
    assert list(drafts.glob("*.json")), "no draft written on quit"

    again = make_app(target, drafts=drafts)
    async with again.run_test(size=(100, 30)) as pilot:
        screen = await wait_live(pilot, 4)
        assert screen.editor.text == "x = 41  # mine"
        assert screen.editor.loaded_cell == screen.notebook.cell("define_x").id
        assert screen.editor.base == "x = 41"  # the conflict check still knows what was read


async def test_conflict_shows_both_versions_and_never_loses_the_editor_text(lab: TuiLab) -> None:
    path, browser = lab.session("demo.py", "conflict.py")
    target = lab.target(path, browser)
    app = make_app(target)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await wait_live(pilot, 4)
        await select(pilot, screen, "define_x")
        await pilot.press("ctrl+l")
        async with Connection(target.server) as other:
            await codemode.edit_cell(other, target.session, "define_x", "x = 7  # theirs", force=True)
        await wait_for(pilot, lambda: "x = 7  # theirs" in codes(path))
        screen.editor.load_text("x = 8  # mine")

        # Cancel: nothing applied, the editor keeps my text.
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConflictScreen), what="the conflict dialog")
        dialog = app.screen
        assert dialog.theirs == "x = 7  # theirs" and dialog.yours == "x = 8  # mine"  # type: ignore[attr-defined]
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, PairingScreen))
        assert screen.editor.text == "x = 8  # mine"
        assert "x = 7  # theirs" in codes(path)

        # Take theirs: the editor shows theirs, mine is in the results and one undo away.
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConflictScreen))
        await pilot.press("t")
        await wait_for(pilot, lambda: screen.editor.text == "x = 7  # theirs")
        assert "x = 8  # mine" in screen.results.text
        assert screen.editor.base == "x = 7  # theirs"
        screen.editor.focus()
        await pilot.press("ctrl+z")
        assert screen.editor.text == "x = 8  # mine"

        # Someone edits again; keep mine forces it through.
        async with Connection(target.server) as other:
            await codemode.edit_cell(other, target.session, "define_x", "x = 9  # theirs again", force=True)
        await wait_for(pilot, lambda: "x = 9  # theirs again" in codes(path))
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConflictScreen))
        assert app.screen.theirs == "x = 9  # theirs again"  # type: ignore[attr-defined]
        await pilot.press("m")
        await wait_for(pilot, lambda: "x = 8  # mine" in codes(path), what="mine forced onto disk")
        assert screen.editor.text == "x = 8  # mine"


async def test_snippet_output_streams_into_the_results(lab: TuiLab) -> None:
    path, browser = lab.session("demo.py", "snippet.py")
    app = make_app(lab.target(path, browser))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await wait_live(pilot, 4)
        screen.editor.load_text("import sys\nprint('out', x)\nprint('oops', file=sys.stderr)\nx * 2")
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: screen.results.blocks and screen.results.blocks[-1].finished is not None)
        block = screen.results.blocks[-1]
        assert block.finished is True
        assert "out 41" in block.body.plain and "oops" in block.body.plain
        assert [p.to_json() for p in block.parts] == [{"type": "text", "text": "82"}]  # the value, as a part
        red = [span for span in block.body.spans if "red" in str(span.style)]
        assert any("oops" in block.body.plain[s.start:s.end] for s in red), "stderr is not shown in red"
        assert block.header_text.startswith("✓ snippet import sys") and "ok" in block.header_text

        # A failing snippet: the traceback is shown, the editor text stays.
        screen.editor.load_text("1 / 0")
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: len(screen.results.blocks) == 2 and screen.results.blocks[-1].finished is not None)
        failed = screen.results.blocks[-1]
        assert failed.finished is False and "ZeroDivisionError" in failed.body.plain
        assert screen.editor.text == "1 / 0"


async def test_error_cells_and_running_a_cell(lab: TuiLab) -> None:
    path, browser = lab.session("errors.py", "errs.py")
    app = make_app(lab.target(path, browser))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await wait_live(pilot, 3)
        divide = screen.notebook.cell("divide")
        await wait_for(pilot, lambda: str(screen.cell_tree.node_for(divide.id).label).startswith("✗"))
        await select(pilot, screen, "divide")
        await pilot.press("right")
        await wait_for(pilot, lambda: any("ZeroDivisionError" in str(c.label) for c in screen.cell_tree.node_for(divide.id).children))

        # Fix the cell from the editor and run it: it turns idle, and its dependant runs.
        await pilot.press("ctrl+l")
        screen.editor.load_text("b = a / 2")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "b = a / 2" in codes(path))
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: str(screen.cell_tree.node_for(divide.id).label).startswith("✓"), what="divide to run clean")
        last = screen.notebook.cells[-1]
        await wait_for(pilot, lambda: "c is 1.5" in screen.notebook.cell(last.id).console_text())
        assert not any("ZeroDivisionError" in str(c.label) for c in screen.cell_tree.node_for(divide.id).children)


async def test_a_cell_run_shows_what_the_cells_printed_once(lab: TuiLab) -> None:
    """marimo streams a run's cell output on the program's own stdout too: the results pane
    shows each cell's console once, under the cell, as the kernel holds it."""
    path, browser = lab.session("demo.py", "printed_once.py")
    app = make_app(lab.target(path, browser))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await wait_live(pilot, 4)
        printer = screen.notebook.cells[2]
        await wait_for(pilot, lambda: screen.notebook.cell(printer.id).console_text() == "y is 42\n")
        for done, name in enumerate((printer.id, "define_x"), 1):  # the cell, and the one it depends on
            await select(pilot, screen, name)
            runs = len(screen.results.blocks)
            await pilot.press("ctrl+g")
            await wait_for(pilot, lambda: len(screen.results.blocks) > runs
                           and screen.results.blocks[-1].finished is not None, 30, f"the run of {name}")
            block = screen.results.blocks[-1]
            assert block.finished is True, block.text
            printed = screen.notebook.cell(printer.id).console_text()  # the kernel's word
            assert printed == "y is 42\n"
            assert block.body.plain.count(printed.strip()) == 1, block.body.plain
            assert screen.results.text.count(printed.strip()) == done, screen.results.text  # once per run
            assert "re-ran cell" in block.body.plain  # what marimo said besides stays


async def test_interrupt_stops_a_running_cell(lab: TuiLab) -> None:
    path, browser = lab.session("wait.py", "interrupt.py", instantiate=False)
    app = make_app(lab.target(path, browser))
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await wait_live(pilot, 3)
            await select(pilot, screen, "waits")
            await pilot.press("ctrl+g")
            waits = screen.notebook.cell("waits").id
            await wait_for(pilot, lambda: screen.notebook.cell(waits).status == "running", what="waits to run")
            await wait_for(pilot, lambda: str(screen.cell_tree.node_for(waits).label).startswith("●"))
            assert "kernel busy" in screen.query_one("#status").plain  # type: ignore[attr-defined]
            # Leaving now would cut the run off: the first esc only warns.
            screen.cell_tree.focus()
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen is screen
            assert any("still running" in n.message for n in app._notifications)  # noqa: SLF001
            await pilot.press("ctrl+t")
            await wait_for(pilot, lambda: screen.notebook.cell(waits).status == "interrupted", what="the interrupt")
            await wait_for(pilot, lambda: str(screen.cell_tree.node_for(waits).label).startswith("↯"))  # interrupted
            await wait_for(pilot, lambda: "kernel idle" in screen.query_one("#status").plain)  # type: ignore[attr-defined]
    finally:
        Path(str(path) + ".flag").touch()


async def test_narrow_terminals_stack_the_panes(lab: TuiLab) -> None:
    path, browser = lab.session("demo.py", "narrow.py")
    app = make_app(lab.target(path, browser))
    async with app.run_test(size=(60, 24)) as pilot:
        screen = await wait_live(pilot, 4)
        assert screen.has_class("-narrow")
        tree, editor, results = screen.cell_tree.region, screen.editor.region, screen.results.region
        for region in (tree, editor, results):
            assert region.width > 0 and region.height > 0
            assert region.right <= 60 and region.bottom <= 23  # nothing overflows past the footer
        assert tree.bottom <= editor.y  # stacked, not side by side
        assert "live" in screen.query_one("#status").plain  # type: ignore[attr-defined]
        await pilot.resize_terminal(100, 30)
        await wait_for(pilot, lambda: not screen.has_class("-narrow"))
        assert screen.cell_tree.region.right <= screen.editor.region.x


async def test_copy_sends_the_selected_cells_code_and_the_last_result_to_the_clipboard(lab: TuiLab) -> None:
    path, browser = lab.session("demo.py", "clipboard_demo.py")
    app = make_app(lab.target(path, browser))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await wait_live(pilot, 4)
        await select(pilot, screen, "define_x")
        await pilot.press("ctrl+y")
        assert app.clipboard == "x = 41"
        screen.editor.load_text("print('copied result')")
        screen.editor.focus()
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: screen.results.blocks and screen.results.blocks[-1].finished is True,
                       what="the snippet to finish")
        screen.results.focus()
        await pilot.press("ctrl+y")
        assert "copied result" in app.clipboard and "x = 41" not in app.clipboard


async def test_the_tree_tells_which_cell_the_cursor_is_on_and_the_footer_follows(lab: TuiLab) -> None:
    """CellTree posts CellHighlighted with the cell id; on no cell the cell keys are dimmed, not run."""
    from marimo_pair_tui.tui.widgets.cell_tree import CellTree

    path, browser = lab.session("demo.py", "highlight.py")
    app = make_app(lab.target(path, browser))
    heard: list[str | None] = []
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await wait_live(pilot, 4)
        tree = screen.cell_tree
        tree.focus()
        post = tree.post_message

        def spy(message: object) -> bool:
            if isinstance(message, CellTree.CellHighlighted):
                heard.append(message.cell_id)
            return post(message)  # type: ignore[arg-type]  # what the tree posted, passed on

        tree.post_message = spy  # type: ignore[method-assign]  # listen to what the tree posts
        first, second = screen.notebook.cell_ids[:2]
        assert screen.cell_tree.select_cell(first)
        await pilot.press("down")
        await wait_for(pilot, lambda: screen.cell_tree.selected_cell_id == second, what="the cursor on the 2nd cell")
        await wait_for(pilot, lambda: second in heard, what="CellHighlighted for the 2nd cell")
        await pilot.press("right", "down")  # into the cell's details: the same cell, no new message
        await pilot.pause()
        assert heard.count(second) == 1
        assert screen.check_action("run_cell", ()) is True
        tree.clear()  # what an empty notebook looks like: no cell under the cursor
        await wait_for(pilot, lambda: None in heard, what="CellHighlighted for no cell")
        assert screen.check_action("run_cell", ()) is None and screen.check_action("run_snippet", ()) is True


async def test_a_huge_snippet_output_is_bounded_under_a_marker(lab: TuiLab) -> None:
    from marimo_pair_tui.tui.widgets.results_pane import PANE_LIMIT
    from marimo_pair_tui.tui.widgets.run_block import BODY_LIMIT, BODY_LINES

    path, browser = lab.session("demo.py", "huge.py")
    app = make_app(lab.target(path, browser))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await wait_live(pilot, 4)
        screen.editor.load_text("for _i in range(200000):\n    print(_i)\n")
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: screen.results.blocks and screen.results.blocks[-1].finished is not None, 120)
        block = screen.results.blocks[-1]
        lines = block.body.plain.split("\n")
        total = sum(len(f"{i}\n") for i in range(200000))
        assert lines[0] == f"… {200000 - BODY_LINES:,} earlier lines not shown ({total / 2**20:.1f} MB)", lines[0]
        assert lines[1:-1] == [str(i) for i in range(200000 - BODY_LINES, 200000)]
        assert len(block.body.plain) <= BODY_LIMIT + len(lines[0]) + 1
        # A line added after the cut keeps the marker on top, and the counts grow.
        block.line("done")
        assert block.body.plain.split("\n")[0].startswith(f"… {200000 - BODY_LINES + 1:,} earlier lines")
        assert sum(b.kept_chars for b in screen.results.blocks) <= PANE_LIMIT
