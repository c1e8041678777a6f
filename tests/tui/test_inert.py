"""Terminal control sequences from outside never reach the terminal: they are shown, not obeyed.

Rich and Textual drop only BEL, BS, VT, FF and CR, so an ESC in printed
output, in a cell's code or in a server's words would be written to the
terminal as is. The app test reads what the app would write (the compositor's
full frame); the tmux test runs the app in a real terminal with OSC 52
clipboard writes enabled and checks the clipboard stayed untouched.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import Static

from marimo_pair_tui.tui.terminal_text import escape_controls
from marimo_pair_tui.tui.widgets.code_editor import CodeEditor
from tests.support.marimo_proc import open_browser_session
from tests.support.tmux import Tmux, app_command
from tests.support.waiting import wait_until

from .support import TuiLab, make_app, wait_for, wait_live

NOTEBOOK = Path(__file__).parent / "notebooks" / "controls.py"
PAYLOAD = "UFdORUQ="  # base64 of "PWNED": what the OSC 52 sequence would put on the clipboard
OBEYED = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# What the app itself writes: colours and cursor moves. Anything else starting with ESC came from the data.
OWN_SEQUENCES = re.compile(r"\x1b\[[0-9;:?]*[mHlhJK]")


def frame(app: App[object]) -> str:
    """Everything the app would write to the terminal to draw its screen in full."""
    return app.screen._compositor.render_update(full=True).render_segments(app.console)  # noqa: SLF001


def foreign_escapes(drawn: str) -> list[str]:
    rest = OWN_SEQUENCES.sub("", drawn)
    return [rest[max(0, m.start() - 10) : m.end() + 10] for m in OBEYED.finditer(rest) if m.group() != "\n"]


# -- the function ----------------------------------------------------------------------------


def test_controls_become_visible() -> None:
    assert escape_controls("a\x1b[2Jb") == "a␛[2Jb"
    assert escape_controls("\x1b]52;c;QQ==\x1b\\") == "␛]52;c;QQ==␛\\"
    assert escape_controls("\x00\x07\x7f\r") == "␀␇␡␍"
    assert escape_controls("\x9b31m") == "⟨U+009B⟩31m"
    assert escape_controls("abc\u202edef") == "abc⟨U+202E⟩def"
    assert escape_controls("line one\n\tline two é 漢 ✓") == "line one\n\tline two é 漢 ✓"


@given(st.text())
def test_nothing_a_terminal_obeys_is_left(text: str) -> None:
    shown = escape_controls(text)
    assert OBEYED.search(shown) is None
    assert shown.count("\n") == text.count("\n") and shown.count("\t") == text.count("\t")


ORDINARY = st.text(st.characters(blacklist_characters="⟨", blacklist_categories=("Cs",))
                   .filter(lambda c: not 0x2400 <= ord(c) <= 0x2421))


@given(ORDINARY, ORDINARY)
def test_different_texts_stay_different(a: str, b: str) -> None:
    if a != b:
        assert escape_controls(a) != escape_controls(b)


@given(st.text(st.characters(blacklist_categories=("Cc", "Cs")).filter(lambda c: not 0x202A <= ord(c) <= 0x2069)))
def test_text_without_controls_is_unchanged(text: str) -> None:
    assert escape_controls(text) == text


# -- what Rich and Textual do on their own -----------------------------------------------------


class _Raw(App[None]):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        yield Static(Text(self.text))
        yield CodeEditor.python(self.text)


async def test_textual_passes_esc_through_but_the_editor_draws_it_inert_and_keeps_the_text() -> None:
    code = 'clear = "\x1b[2J"\x9b\n'
    app = _Raw(code)
    async with app.run_test(size=(60, 10)) as pilot:
        await pilot.pause()
        drawn = frame(app)
        assert drawn.count("\x1b[2J") == 1, "the Static's raw text: Rich/Textual leave ESC in place"
        editor = app.query_one(CodeEditor)
        line = "".join(segment.text for segment in editor.render_line(0))
        assert "␛[2J" in line and "⟨U+009B⟩" in line and "\x1b" not in line and "\x9b" not in line
        assert editor.text == code, "the text the editor applies is the code, byte for byte"


# -- the app, on a real marimo server ------------------------------------------------------------


def _session(lab: TuiLab, name: str):
    path = lab.dir / name
    shutil.copy(NOTEBOOK, path)
    browser = open_browser_session(lab.server, path, instantiate=True)
    lab.browsers.append(browser)
    return path, browser


async def test_output_and_code_with_control_sequences_are_drawn_inert(lab: TuiLab) -> None:
    path, browser = _session(lab, "inert_app.py")
    app = make_app(lab.target(path, browser))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await wait_live(pilot, 2)
        raw = screen.notebook.cell("raw")
        code = raw.code
        assert "\x1b[31m" in code

        # A snippet that prints a screen clear and an OSC 52 clipboard write.
        screen.editor.load_text('print("x\\x1b[2Jy")\nprint("\\x1b]52;c;' + PAYLOAD + '\\x1b\\\\")\n')
        screen.editor.focus()
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: screen.results.blocks and screen.results.blocks[-1].finished is True,
                       what="the snippet")
        body = screen.results.blocks[-1].body.plain
        assert "x␛[2Jy" in body and f"␛]52;c;{PAYLOAD}␛\\" in body, body

        # The cell whose code holds ESC, and the one that printed the sequences, expanded in the tree.
        for name in ("loud", "raw"):
            node = screen.cell_tree.node_for(screen.notebook.cell(name).id)
            assert node is not None
            node.expand()
        await wait_for(pilot, lambda: any("␛]52" in str(n.label) for n in screen.cell_tree.node_for(
            screen.notebook.cell("loud").id).children), what="the printed sequences in the tree")
        labels = [str(n.label) for n in screen.cell_tree.root.children]
        assert any('red = "␛[31mred"' in label for label in labels), labels

        # The ESC cell loaded into the editor: drawn inert, applied unchanged.
        screen.cell_tree.focus()
        assert screen.cell_tree.select_cell(raw.id)
        await pilot.press("ctrl+l")
        await wait_for(pilot, lambda: screen.editor.loaded_cell == raw.id, what="the cell in the editor")
        await pilot.pause()
        assert screen.editor.text == code

        drawn = frame(app)
        assert "\x1b]52" not in drawn and "\x1b[2J" not in drawn
        assert foreign_escapes(drawn) == []
        assert f"␛]52;c;{PAYLOAD}" in drawn and "before␛[2Jafter" in drawn

        screen.editor.focus()
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.results.blocks[-1].finished is not None, what="the apply")
        assert screen.notebook.cell("raw").code == code, "applying the loaded cell leaves its bytes as they were"


# -- a real terminal ---------------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_a_printed_osc52_never_reaches_the_clipboard(lab: TuiLab, tmp_path: Path) -> None:
    config = tmp_path / "tmux.conf"
    config.write_text("set -g set-clipboard on\n")

    # The terminal does take OSC 52 from a program: printed raw, it lands in a tmux buffer.
    control = Tmux("osc-control", config=config)
    try:
        control.start(f"printf '\\033]52;c;{PAYLOAD}\\033\\\\'; sleep 30", tmp_path / "control-status")
        wait_until(lambda: "PWNED" in control("show-buffer", check=False).stdout, 10,
                   "tmux to take OSC 52 (else the test below would prove nothing)")
    finally:
        control.kill()

    path, browser = _session(lab, "inert_tmux.py")
    command = app_command(path, lab.server.state_home, tmp_path / "config")
    tmux = Tmux("inert", config=config)
    try:
        tmux.start(command, tmp_path / "status", width=120, height=30)
        tmux.wait_for(lambda text, alive: "loud" in text and "live" in text, what="the cells, live")
        tmux.send("F2", "Home")
        tmux.wait_for(lambda text, alive: "loud" in text, what="the tree focused")
        tmux.send("Right")
        screen = tmux.wait_for(lambda text, alive: f"␛]52;c;{PAYLOAD}␛" in text, what="the printed sequences, inert")
        assert "before␛[2Jafter" in screen
        assert 'red = "␛[31mred"' in screen, screen
        assert "PWNED" not in tmux("show-buffer", check=False).stdout
        assert tmux("list-buffers", check=False).stdout.strip() == ""
        tmux.send("C-q")
        tmux.wait_for(lambda text, alive: not alive, what="the app to quit")
    finally:
        tmux.kill()
