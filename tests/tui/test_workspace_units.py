"""Units of completion, the variables and graph panes, and the kernel dialogs: no server needed."""

from __future__ import annotations

from textual.app import App, ComposeResult

from marimo_pair_tui.core.api import Completion, Variable
from marimo_pair_tui.tui.screens.confirm_restart import restart_text
from marimo_pair_tui.tui.screens.pairing.completion import name_at
from marimo_pair_tui.tui.widgets.completion_menu import completion_label, matching
from marimo_pair_tui.tui.widgets.variables_pane import VariablesPane, matches


def test_completions_narrow_by_what_was_typed_ignoring_case() -> None:
    items = [Completion("DataFrame", "class"), Completion("date_range", "function"), Completion("Series", "class")]
    assert [i.name for i in matching(items, "dat")] == ["DataFrame", "date_range"]
    assert [i.name for i in matching(items, "")] == ["DataFrame", "date_range", "Series"]
    assert matching(items, "x") == []


def test_a_completion_row_is_one_inert_line_of_the_given_width() -> None:
    item = Completion("load", "function", "load(path: str, \x1b]52;c;AAAA\x07 mode='r' " + "x" * 80)
    label = completion_label(item, name_width=8, width=50)
    assert label.cell_len <= 50 and "\n" not in label.plain
    assert "\x1b" not in label.plain and "␛" in label.plain
    assert label.plain.startswith("load      function  (path")  # the name is not repeated


def test_the_name_at_the_cursor_takes_its_dots() -> None:
    assert name_at("x = pd.DataFrame(1)", 0, 10) == "pd.DataFrame"
    assert name_at("a\nprices.sum", 1, 10) == "prices.sum"
    assert name_at("   ", 0, 1) == ""


def test_the_restart_dialog_names_what_goes_and_what_stays() -> None:
    text = restart_text(12, 1)
    assert "12 variables" in text and "input() prompt" in text
    assert text.index("Lost:") < text.index("Kept:") and "editor text" in text.split("Kept:")[1]
    assert "input()" not in restart_text(0, 0)


def test_the_variables_filter_matches_names_types_and_cells() -> None:
    v = Variable("total", ["c1"], ["c2"], "int", "16")
    label = {"c1": "sums", "c2": "report"}.get
    assert matches(v, "tot", lambda c: label(c) or c)
    assert matches(v, "INT report", lambda c: label(c) or c)
    assert not matches(v, "frame", lambda c: label(c) or c)


async def test_variables_from_the_kernel_are_drawn_inert() -> None:
    class Host(App[None]):
        def compose(self) -> ComposeResult:
            yield VariablesPane(id="variables")

    app = Host()
    async with app.run_test(size=(100, 20)) as pilot:
        pane = app.query_one(VariablesPane)
        pane.show([Variable("s\x1b[2J", ["c1"], [], "str", "\x1b]52;c;AAAA\x07 hi")], lambda c: "cell\x9b")
        await pilot.pause()
        row = [str(cell) for cell in pane.table.get_row_at(0)]
        assert row[0] == "s␛[2J" and row[2].startswith("␛]52;c;AAAA␇") and row[3] == "cell⟨U+009B⟩", row
        assert not any("\x1b" in cell or "\x9b" in cell for cell in row)
