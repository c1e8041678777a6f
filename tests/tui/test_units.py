"""Small pure parts of the terminal app: drafts, display, dependency walk."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from marimo_pair_tui.core.model.notebook import Notebook
from marimo_pair_tui.tui.display import Display
from marimo_pair_tui.tui.drafts import DraftStore
from marimo_pair_tui.tui.widgets.cell_tree import first_line


@settings(max_examples=60, deadline=None)
@given(text=st.text(), cell=st.one_of(st.none(), st.text(min_size=1, max_size=8)), base=st.one_of(st.none(), st.text()))
def test_drafts_round_trip_any_text(tmp_path_factory, text: str, cell: str | None, base: str | None) -> None:
    directory = tmp_path_factory.mktemp("drafts")
    store = DraftStore("/some/notebook.py", directory)
    store.save(text, cell, base)
    draft = store.load()
    if not text and cell is None:
        assert draft is None and not store.path.exists()  # nothing to keep: nothing written
        return
    assert draft is not None
    assert (draft.text, draft.cell_id, draft.base) == (text, cell, base)


def test_drafts_are_per_notebook_and_survive_garbage(tmp_path: Path) -> None:
    one, two = DraftStore("/a/nb.py", tmp_path), DraftStore("/b/nb.py", tmp_path)
    assert one.path != two.path  # same basename, different notebooks
    one.save("x = 1")
    assert two.load() is None and one.load().text == "x = 1"  # type: ignore[union-attr]
    one.path.write_text("{not json")
    assert one.load() is None  # a damaged draft is ignored, not fatal


def test_display_redacts_volatile_facts() -> None:
    plain, redacted = Display(), Display(redact=True)
    assert plain.server("http://127.0.0.1:2718") == "127.0.0.1:2718"
    assert redacted.server("http://127.0.0.1:2718") == "127.0.0.1:PORT"
    assert redacted.session("sess-abc123") == "sess-XXXX" and plain.session("sess-abc123") == "sess-abc123"
    assert redacted.path("/tmp/x/demo.py") == "demo.py"
    assert redacted.clock() == "hh:mm:ss" and redacted.duration(1.234) == "n.nn s"
    assert plain.duration(1.234) == "1.23 s"
    assert redacted.scrub('File "/tmp/marimo_4242/x.py"') == 'File "/tmp/marimo_NNNN/x.py"'
    assert plain.scrub("marimo_4242") == "marimo_4242"
    assert str(Display(ascii=True).glyph("running")) == "*" and str(plain.glyph("running")) == "●"
    assert str(plain.glyph("exception")) == "✗" and str(plain.glyph("interrupted")) == "↯"


def test_status_glyphs_cover_code_modes_words_each_distinct() -> None:
    from marimo_pair_tui.tui.display import _GLYPHS, STATUS_WORDS

    assert set(_GLYPHS) == set(STATUS_WORDS)
    for ascii_ in (False, True):
        shown = [str(Display(ascii=ascii_).glyph(word)) for word in STATUS_WORDS]
        assert len(set(shown)) == len(STATUS_WORDS), shown
        assert all(len(g) == 1 for g in shown)
    assert all(str(Display(ascii=True).glyph(w)).isascii() for w in STATUS_WORDS)


def test_first_line_skips_blank_and_comment_lines() -> None:
    assert first_line("\n\n# setup\nimport os\n") == "import os"
    assert first_line("# only a comment") == "# only a comment"
    assert first_line("") == ""


def test_descendants_follow_defs_and_refs_transitively() -> None:
    notebook = Notebook()
    notebook.apply_snapshot({"cells": [
        {"id": "a", "code": "x = 1", "defs": ["x"], "refs": []},
        {"id": "b", "code": "y = x", "defs": ["y"], "refs": ["x"]},
        {"id": "c", "code": "z = y", "defs": ["z"], "refs": ["y"]},
        {"id": "d", "code": "w = 2", "defs": ["w"], "refs": []},
    ]})
    assert [c.id for c in notebook.descendants("a")] == ["b", "c"]
    assert [c.id for c in notebook.descendants("c")] == []
    assert notebook.descendants("missing") == []


def test_kernel_controls_in_the_activity_pane_are_titled_by_what_they_did() -> None:
    from marimo_pair_tui.core.model.activity import ActivityLog
    from marimo_pair_tui.tui.widgets.activity_pane import entry_title

    log = ActivityLog()
    titles = [entry_title(log.control(request, 0.0)) for request in
              ({"op": "interrupt"}, {"op": "restart", "session": "s", "ran": False}, {"op": "answer", "cell": "c", "prompt": "?"})]
    assert titles == ["interrupt", "restart", "answer to input()"]


async def test_a_screens_notification_shows_brackets_as_written_not_as_markup(tmp_path: Path) -> None:
    # A screen's notify passes Textual's markup=True; an error's `next` such as
    # "pip install 'marimo-pair-tui[screenshot]'" must still reach the toast whole.
    from marimo_pair_tui.tui.app import PairApp
    from marimo_pair_tui.tui.config import Config
    from marimo_pair_tui.core.api import HubOptions

    app = PairApp(HubOptions(), fmt=Display(redact=True), config=Config(), cursor_blink=False, drafts=tmp_path)
    async with app.run_test() as pilot:
        app.screen.notify("pip install 'marimo-pair-tui[screenshot]'")
        await pilot.pause()
        [shown] = [n for n in app._notifications if "pip install" in n.message]  # noqa: SLF001
        assert shown.message == "pip install 'marimo-pair-tui[screenshot]'" and shown.markup is False
