"""End to end: the real command in a real terminal (tmux, 80x24), read off the screen."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path
from typing import Callable

import pytest

from tests.support.cell_lab import file_cells
from tests.support.tmux import Tmux, app_command
from tests.support.waiting import wait_until

from .support import TuiLab

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


def cursor_in_tree(tmux: Tmux, name: str) -> Callable[[str, bool], bool]:
    """The tree's cursor row (drawn bold) is the cell `name`."""
    escapes = r"(?:\x1b\[[0-9;]*m)*"
    row = re.compile(r"\x1b\[1m" + escapes + r"\S " + escapes + re.escape(name) + " ")
    return lambda _text, _alive: bool(row.search(tmux.styled()))


def test_the_command_opens_a_notebook_and_quits(lab: TuiLab, tmp_path: Path) -> None:
    path, browser = lab.session("demo.py", "e2e_demo.py")
    status_file = tmp_path / "exit-status"
    command = app_command(path, lab.server.state_home, tmp_path / "config")
    tmux = Tmux("e2e")
    try:
        tmux.start(command, status_file)
        screen = tmux.wait_for(lambda text, alive: "define_x" in text and "live" in text and "^r run" in text,
                               what="the cells, live, and the footer")
        lines = screen.rstrip("\n").splitlines()
        assert lines[0].lstrip().startswith("e2e_demo.py"), screen  # the header names the notebook
        assert browser.session_id in lines[0]
        for name in ("Hbol", "define_x", "vblA", "bkHC"):
            assert name in screen, name
        assert "x = 41" in screen and "kernel idle" in screen
        footer = screen.split("\n")[23]
        assert "^r run" in footer and "^s apply" in footer, screen  # the footer lists the keys
        assert all(len(line) <= 80 for line in lines) and len(lines) <= 24

        # Load define_x into the editor, change it, apply: the file on disk changes. Each key is
        # sent once the screen shows the one before it took effect (the tree's cursor row is bold).
        def cursor_on(name: str) -> Callable[[str, bool], bool]:
            return cursor_in_tree(tmux, name)

        tmux.send("F2", "Home")
        tmux.wait_for(cursor_on("Hbol"), timeout=15, what="the cursor on the first cell")
        tmux.send("Down")
        tmux.wait_for(cursor_on("define_x"), timeout=15, what="the cursor on define_x")
        tmux.send("C-l")
        tmux.wait_for(lambda text, alive: "Editor (cell define_x)" in text, timeout=15, what="define_x loaded")
        tmux.send("End", " + 1")
        tmux.wait_for(lambda text, alive: "1  x = 41 + 1" in text, what="the edit in the editor")
        tmux.send("C-s")
        wait_until(lambda: "x = 41 + 1" in [code for _n, code in file_cells(path)], 30, "the apply to reach the file",
                   interval=0.1, detail=lambda: f"screen:\n{tmux.screen()}")
        tmux.wait_for(lambda text, alive: "✓ apply define_x" in text, what="the apply's result")

        # Expanding the cell shows what it defines: marimo's compiler is imported inside the
        # running app (whose stdout is the app's own capture) the first time.
        tmux.send("F2")
        tmux.wait_for(cursor_on("define_x"), timeout=15, what="the cursor back on define_x")
        tmux.send("Right")
        shown = tmux.wait_for(lambda text, alive: not alive or re.search(r"defs\s+x\b", text) is not None,
                              what="define_x's defs")
        assert re.search(r"defs\s+x\b", shown), "the app ended instead of showing the cell's defs"

        tmux.send("C-q")
        tmux.wait_for(lambda text, alive: not alive, what="the app to quit")
        assert status_file.read_text().strip() == "0"
    finally:
        tmux.kill()


def test_alt_e_hands_the_terminal_to_the_users_editor_and_takes_the_text_back(lab: TuiLab, tmp_path: Path) -> None:
    path, browser = lab.session("demo.py", "e2e_editor.py")
    editor = tmp_path / "line-editor"  # an interactive editor: it asks for a line on the terminal and appends it
    editor.write_text('#!/bin/sh\nfor last; do :; done\nprintf "line-editor on %s> " "$last"\n'
                      'read line\nprintf "\\n%s" "$line" >> "$last"\n', encoding="utf-8")
    editor.chmod(0o755)
    status_file = tmp_path / "exit-status"
    command = f"env PYTHONFAULTHANDLER=1 EDITOR={shlex.quote(str(editor))} " + app_command(path, lab.server.state_home, tmp_path / "config")
    tmux = Tmux("e2e-editor")
    try:
        tmux.start(command, status_file)
        tmux.wait_for(lambda text, alive: "define_x" in text and "live" in text, what="the cells, live")
        tmux.send("F2", "Home")
        tmux.wait_for(cursor_in_tree(tmux, "Hbol"), timeout=15, what="the cursor on the first cell")
        tmux.send("Down")
        tmux.wait_for(cursor_in_tree(tmux, "define_x"), timeout=15, what="the cursor on define_x")
        tmux.send("C-l")
        tmux.wait_for(lambda text, alive: "Editor (cell define_x)" in text, timeout=15, what="define_x loaded")
        tmux.send("M-e")
        shown = tmux.wait_for(lambda text, alive: "line-editor on" in text, what="the editor on the terminal")
        assert ".py>" in shown and "define_x" not in shown, shown  # the app has let go of the screen
        tmux.send("z = 2", "Enter")
        tmux.wait_for(lambda text, alive: "2  z = 2" in text and "Editor (cell define_x)" in text,
                      what="the app back, with the text")
        tmux.send("C-s")
        wait_until(lambda: "x = 41\nz = 2" in [code for _n, code in file_cells(path)], 30,
                   "the apply to reach the file", interval=0.1, detail=lambda: f"screen:\n{tmux.screen()}")
        tmux.wait_for(lambda text, alive: "✓ apply define_x" in text, what="the apply's result")
        tmux.send("C-q")
        tmux.wait_for(lambda text, alive: not alive, what="the app to quit")
        assert status_file.read_text().strip() == "0"
    finally:
        tmux.kill()
