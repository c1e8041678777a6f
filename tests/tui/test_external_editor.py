"""alt+e in the editor: the text goes through the user's own $VISUAL/$EDITOR and comes back.

The editors here are real programs (small shell scripts) run on the real
temporary file. Textual's test driver cannot hand the terminal over
(App.suspend raises there), so the app's suspend is a no-op in these tests;
tests/tui/test_e2e_tmux.py runs an editor in a real terminal.
"""

from __future__ import annotations

import contextlib
import shlex
from pathlib import Path

import pytest

from marimo_pair_tui.core.codemode import client as codemode
from marimo_pair_tui.core.wire.connection import Connection
from marimo_pair_tui.tui.drafts import DraftStore
from marimo_pair_tui.tui.external_editor import edit
from marimo_pair_tui.tui.screens.conflict import ConflictScreen
from marimo_pair_tui.tui.screens.pairing import PairingScreen
from tests.support.cell_lab import file_cells

from .support import TuiLab, make_app, wait_for, wait_live

pytestmark = pytest.mark.live  # the editors are real processes


def editor_script(directory: Path, body: str) -> Path:
    """An executable shell script that records its arguments and then runs `body` on "$last"."""
    script = directory / "fake-editor"
    script.write_text('#!/bin/sh\nprintf "%s\\n" "$@" > "$0.args"\nfor last; do :; done\n' + body + "\n",
                      encoding="utf-8")
    script.chmod(0o755)
    return script


def codes(path: Path) -> list[str]:
    return [code for _name, code in file_cells(path)]


async def load(pilot, screen: PairingScreen, name: str) -> None:
    screen.cell_tree.focus()
    assert screen.cell_tree.select_cell(screen.notebook.cell(name).id)
    await pilot.press("ctrl+l")
    await wait_for(pilot, lambda: screen.editor.loaded_cell == screen.notebook.cell(name).id)


async def external_edit(pilot, screen: PairingScreen) -> None:
    before = screen.editor.external_edits
    screen.editor.focus()
    await pilot.press("alt+e")
    await wait_for(pilot, lambda: screen.editor.external_edits == before + 1, what="the trip to the editor")


async def edit_define_x(pilot, monkeypatch: pytest.MonkeyPatch) -> PairingScreen:
    """Once the screen is live: load define_x into the editor and press alt+e (the terminal stays put)."""
    monkeypatch.setattr(pilot.app, "suspend", contextlib.nullcontext)
    screen = await wait_live(pilot, 4)
    await load(pilot, screen, "define_x")
    await external_edit(pilot, screen)
    return screen


async def test_the_edited_text_comes_back_and_applies_with_the_conflict_check(
        lab: TuiLab, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    script = editor_script(tmp_path, 'case "$last" in *.py) ;; *) exit 9;; esac\n'
                                     'sed -i "s/41/42  # from my editor/" "$last"')
    monkeypatch.setenv("VISUAL", f"{shlex.quote(str(script))} --wait")
    monkeypatch.setenv("EDITOR", "/no/such/editor")  # $VISUAL wins
    path, browser = lab.session("demo.py", "external.py")
    target = lab.target(path, browser)
    drafts = tmp_path / "drafts"
    app = make_app(target, drafts=drafts)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await edit_define_x(pilot, monkeypatch)
        assert screen.editor.text == "x = 42  # from my editor"
        args = Path(f"{script}.args").read_text(encoding="utf-8").splitlines()
        assert args[0] == "--wait" and args[1].endswith(".py") and not Path(args[1]).exists()  # removed after
        # Still the cell's text, based on what was loaded: the draft keeps that base too.
        assert screen.editor.loaded_cell == screen.notebook.cell("define_x").id
        assert screen.editor.base == "x = 41"
        assert screen.editor.border_title == "Editor (cell define_x)"
        await pilot.press("ctrl+z")
        assert screen.editor.text == "x = 41"
        screen.editor.redo()  # ctrl+y is the app's copy
        assert screen.editor.text == "x = 42  # from my editor"
        await wait_for(pilot, lambda: (d := DraftStore(str(path), drafts).load()) is not None
                       and d.text == "x = 42  # from my editor", what="the draft saved")
        draft = DraftStore(str(path), drafts).load()
        assert draft is not None and draft.base == "x = 41" and draft.cell_id == screen.editor.loaded_cell

        # Someone changes the cell meanwhile: the apply is refused and both versions are shown.
        async with Connection(target.server) as other:
            await codemode.edit_cell(other, target.session, "define_x", "x = 7  # theirs", force=True)
        await wait_for(pilot, lambda: "x = 7  # theirs" in codes(path))
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConflictScreen), what="the conflict dialog")
        assert app.screen.yours == "x = 42  # from my editor"  # type: ignore[attr-defined]
        await pilot.press("m")
        await wait_for(pilot, lambda: "x = 42  # from my editor" in codes(path), what="mine on disk")


@pytest.mark.parametrize(("variable", "body", "said"), [
    ("EDITOR", 'echo "x = 1" > "$last"; exit 3', "exited with status 3"),
    ("EDITOR", 'rm "$last"', "removed the file"),
    ("VISUAL", None, "was not found"),
])
async def test_a_failing_editor_keeps_the_text_and_says_why(
        lab: TuiLab, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variable: str, body: str | None,
        said: str) -> None:
    monkeypatch.delenv("VISUAL", raising=False)
    command = str(editor_script(tmp_path, body)) if body is not None else str(tmp_path / "no-such-editor")
    monkeypatch.setenv(variable, command)
    path, browser = lab.session("demo.py", f"failing-{tmp_path.name}.py")
    app = make_app(lab.target(path, browser))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await edit_define_x(pilot, monkeypatch)
        assert screen.editor.text == "x = 41"
        assert screen.editor.base == "x = 41"
        told = [n.message for n in app._notifications]  # noqa: SLF001
        assert any(said in m and "The editor text is unchanged." in m for m in told), told


def test_no_editor_set_says_what_to_set(monkeypatch: pytest.MonkeyPatch) -> None:
    edited = edit("x = 1", contextlib.nullcontext, env={"VISUAL": " ", "EDITOR": ""})
    assert edited.text is None and edited.problem is not None and "$EDITOR" in edited.problem


def test_a_terminal_that_cannot_be_handed_over_is_told(tmp_path: Path) -> None:
    from textual.app import SuspendNotSupported

    @contextlib.contextmanager
    def cannot():
        raise SuspendNotSupported("not here")
        yield

    script = editor_script(tmp_path, 'echo "x = 2" > "$last"')
    edited = edit("x = 1", cannot, env={"EDITOR": str(script)})
    assert edited.text is None and "cannot be handed over" in (edited.problem or "")
    assert not Path(f"{script}.args").exists()  # the editor never ran


def test_a_line_break_the_editor_adds_at_the_end_is_dropped(tmp_path: Path) -> None:
    script = editor_script(tmp_path, 'printf "y = 2\\n" >> "$last"')
    assert edit("x = 1\n", contextlib.nullcontext, env={"EDITOR": str(script)}).text == "x = 1\ny = 2\n"
    assert edit("x = 1", contextlib.nullcontext, env={"EDITOR": str(script)}).text == "x = 1y = 2"
