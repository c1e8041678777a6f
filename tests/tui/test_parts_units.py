"""The output parts' widgets on their own: sizes, steps, footers, renderers, and what they do without a kernel."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.widgets import DataTable, Markdown, RadioSet, Static
from textual_image.widget import HalfcellImage

from marimo_pair_tui.core.api import MarkdownPart, TablePart, WidgetPart
from marimo_pair_tui.core.parts import Column
from marimo_pair_tui.core.parts import parse_output
from marimo_pair_tui.tui.widgets.parts import part_widget
from marimo_pair_tui.tui.widgets.parts.control import Control
from marimo_pair_tui.tui.widgets.parts.images import ImageView, fit, renderer
from marimo_pair_tui.tui.widgets.parts.numbers import Domain, NumberControl, track
from marimo_pair_tui.tui.widgets.parts import numbers
from marimo_pair_tui.tui.widgets.parts.table import TableView, rows_note

from .support import wait_for

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "outputs"


def fixture_parts(name: str) -> list[Any]:
    output = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))["output"]
    return parse_output(output["mimetype"], output["data"])


class Host(App[None]):
    """One part's widget, alone on a screen."""

    def __init__(self, part: Any) -> None:
        super().__init__()
        self.part = part
        self.chosen: list[Any] = []
        self.pages: list[tuple[int, int]] = []

    def compose(self) -> ComposeResult:
        yield part_widget(self.part)

    def on_control_value_chosen(self, event: Control.ValueChosen) -> None:
        self.chosen.append(event.value)

    def on_table_view_page_wanted(self, event: TableView.PageWanted) -> None:
        self.pages.append((event.page, event.page_size))


def test_pictures_keep_their_aspect_and_fit_the_width() -> None:
    assert fit(206, 159, 80) == (35, 14)  # 6 pixels a column; a cell is twice as tall as wide
    assert fit(24, 16, 80) == (16, 5)  # small pictures are drawn 16 columns wide
    assert fit(2000, 500, 40) == (40, 5)  # the width bounds it
    assert fit(500, 2000, 80) == (10, 20)  # at most 20 rows: a tall one is drawn narrower
    assert fit(0, 10, 80) == (0, 0)


def test_the_image_renderer_follows_the_environment() -> None:
    assert renderer({"MARIMO_PAIR_IMAGES": "halfcell"}) is HalfcellImage
    assert renderer({"MARIMO_PAIR_IMAGES": "off"}) is None
    assert renderer({}) is renderer({"MARIMO_PAIR_IMAGES": "no-such-renderer"}) is not None


def test_a_domain_steps_within_its_bounds_and_reads_what_was_typed() -> None:
    slider = Domain.of(WidgetPart("slider", "a-0", "n", 3, {"start": 1, "stop": 10}))
    assert slider.step == 1 and slider.describe() == "1..10"
    assert slider.stepped(3, 1) == 4 and slider.stepped(10, 1) == 10 and slider.stepped(1, -1) == 1
    assert slider.read("7") == 7 and slider.read("x") is None
    number = Domain.of(WidgetPart("number", "b-0", "count", 20, {"start": 0, "stop": 100, "step": 5}))
    assert number.describe() == "0..100 step 5" and number.stepped(20, -1) == 15
    stepped = Domain.of(WidgetPart("slider", "c-0", "", 2, {"steps": [1, 2, 5, 10]}))
    assert stepped.stepped(2, 1) == 5 and stepped.stepped(10, 1) == 10
    assert stepped.read("5") == 5 and stepped.read("3") is None
    assert stepped.describe() == "one of 1, 2, 5, 10"
    floats = Domain.of(WidgetPart("slider", "d-0", "", 0.5, {"start": 0.0, "stop": 1.0}))
    assert floats.stepped(0.5, 1) == pytest.approx(0.51)
    assert track(slider, 1).startswith("●") and track(slider, 10).endswith("●")


def test_a_table_footer_says_where_the_page_sits() -> None:
    assert rows_note(0, 10, 5000, 2, 2) == "rows 1-10 of 5,000"
    assert rows_note(10, 10, 5000, 2, 2) == "rows 11-20 of 5,000"
    assert rows_note(0, 3, 3, 3, 3) == "3 rows"
    assert rows_note(0, 10, None, 2, 2) == "rows 1-10 of many"
    assert rows_note(0, 10, 50, 5, 40) == "rows 1-10 of 50 · 5 of 40 columns"


async def test_a_table_shows_dtypes_and_rows_and_pages_only_through_a_kernel() -> None:
    (table,) = fixture_parts("pandas_large")
    app = Host(table)
    async with app.run_test(size=(60, 20)) as pilot:
        view = app.query_one(TableView)
        grid = view.query_one(DataTable)
        assert [c.label.plain for c in grid.columns.values()] == ["i int64", "sq int64"]
        assert grid.row_count == 10 and grid.get_row_at(3)[1].plain == "9"
        assert "rows 1-10 of 5,000" in str(view.query_one(".table-foot", Static).render())
        grid.focus()
        await pilot.press("[")  # no page before the first: nothing is asked
        await pilot.press("]")
        await pilot.pause()
        assert app.pages == [(1, 10)]
        view.show_page(1, [{"i": 10 + k, "sq": (10 + k) ** 2} for k in range(10)], 5000)
        await pilot.pause()
        assert grid.get_row_at(0)[0].plain == "10"
        assert "rows 11-20 of 5,000" in str(view.query_one(".table-foot", Static).render())


async def test_a_page_that_cannot_be_read_keeps_the_inline_page_and_says_why() -> None:
    from marimo_pair_tui.core.api import PairError
    from marimo_pair_tui.tui.display import Display
    from marimo_pair_tui.tui.widgets.notebook_view import NotebookView

    (table,) = fixture_parts("pandas_large")

    class RefusingPaging:
        """A service whose page read fails (the session went away meanwhile)."""

        async def table_page(self, *args: object, **kwargs: object) -> None:
            raise PairError("The session is gone.", next="Open it again.")

    class Page(App[None]):
        def compose(self) -> ComposeResult:
            view = NotebookView(RefusingPaging(), lambda: None, Display(redact=True))  # type: ignore[arg-type]
            view.show_view(True)
            with view:
                yield TableView(table)

    app = Page()
    async with app.run_test(size=(60, 20)) as pilot:
        view = app.query_one(TableView)
        view.query_one(DataTable).focus()
        await pilot.press("]")
        foot = view.query_one(".table-foot", Static)
        await wait_for(pilot, lambda: "The session is gone." in str(foot.render()), what="the footer's note")
        assert "rows 1-10 of 5,000" in str(foot.render()) and "Open it again." in str(foot.render())
        assert view.query_one(DataTable).get_row_at(0)[0].plain == "0"


async def test_a_slider_steps_with_plus_and_minus_and_sends_once_the_keys_rest(monkeypatch: pytest.MonkeyPatch) -> None:
    # The keys "rest" after SEND_AFTER seconds without one: longer here, so that a loaded machine's
    # slow key presses still come within it.
    monkeypatch.setattr(numbers, "SEND_AFTER", 3.0)
    (slider,) = fixture_parts("ui_slider")
    app = Host(slider)
    async with app.run_test(size=(60, 10)) as pilot:
        control = app.query_one(NumberControl)
        box = control.inputs[0]
        box.focus()
        await pilot.press("plus", "plus", "plus", "minus")
        assert box.value == "5"
        await wait_for(pilot, lambda: app.chosen, what="the stepped value to be sent")
        assert app.chosen == [5]  # one value for four steps
        control.revert()  # refused: the kernel's value again
        assert box.value == "3"
        box.value = "12"
        await pilot.press("enter")
        assert app.chosen == [5, 12]  # the service judges the domain
        box.value = "twelve"
        await pilot.press("enter")
        assert app.chosen == [5, 12] and box.value == "3"


def _checks() -> dict[str, Any]:
    from textual.widgets import Checkbox, Input, RadioSet, Select, SelectionList, TabbedContent, TextArea

    from marimo_pair_tui.tui.widgets.parts.control import Described
    from marimo_pair_tui.tui.widgets.parts.layout import Callout, Stat
    from marimo_pair_tui.tui.widgets.parts.prose import ErrorView

    return {
        "markdown": lambda app: "Heading one" in app.query_one(Markdown).source,
        "layout_tabs": lambda app: app.query_one(TabbedContent).tab_count == 2,
        "layout_callout": lambda app: app.query_one(Callout).border_title == "warn",
        "layout_stat": lambda app: "1,234" in str(app.query_one(Stat).render()),
        "ui_dropdown": lambda app: app.query_one(Select).value == 0,
        "ui_checkbox": lambda app: app.query_one(Checkbox).value is True,
        "ui_radio": lambda app: app.query_one(RadioSet).pressed_index == 1,
        "ui_multiselect": lambda app: app.query_one(SelectionList).selected == [0],
        "ui_date": lambda app: app.query_one(Input).value == "2024-01-15",
        "ui_text_area": lambda app: app.query_one(TextArea).text == "line 1\nline 2",
        "ui_form": lambda app: "set it with set-ui or in a browser" in str(app.query_one(Described).query(Static).last().render()),
        "error": lambda app: "boom from the gallery" in str(app.query_one(ErrorView).render()),
    }


@pytest.mark.parametrize("name", sorted(_checks()))
async def test_every_kind_of_part_is_drawn_with_its_value(name: str) -> None:
    (part,) = fixture_parts(name)
    app = Host(part)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: _checks()[name](app), what=name)
        assert not app.chosen  # drawing a value is not choosing it


async def test_kernel_text_is_never_read_as_markup_or_obeyed() -> None:
    table = TablePart([Column("v", "string", "str")], [{"v": "\x1b[2J[bold]x[/bold]"}], 1, 1, 10, "t-0")
    app = Host(table)
    async with app.run_test(size=(60, 10)) as pilot:
        await pilot.pause()
        assert app.query_one(DataTable).get_row_at(0)[0].plain == "␛[2J[bold]x[/bold]"
    assert table.rows[0]["v"].startswith("\x1b")  # the model keeps the kernel's text as it was
    app = Host(MarkdownPart("# T\x1b]52;c;UFdORUQ=\x07"))
    async with app.run_test(size=(60, 10)) as pilot:
        await pilot.pause()
        source = app.query_one(Markdown).source
        assert "\x1b" not in source and "␛]52" in source and "␇" in source


async def test_images_decode_in_a_thread_and_draw_as_half_cells(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MARIMO_PAIR_IMAGES", "halfcell")
    threads: list[str] = []
    from marimo_pair_tui.tui.widgets.parts import images

    decode = images.decode

    def watched(data: bytes) -> Any:
        threads.append(threading.current_thread().name)
        return decode(data)

    monkeypatch.setattr(images, "decode", watched)
    (figure,) = fixture_parts("matplotlib_figure")
    app = Host(figure)
    async with app.run_test(size=(60, 24)) as pilot:
        view = app.query_one(ImageView)
        await wait_for(pilot, lambda: view.loaded, what="the picture")
        assert isinstance(view.image_widget, HalfcellImage)
        assert threads and threading.main_thread().name not in threads
        assert (view.image_widget.styles.width.value, view.image_widget.styles.height.value) == (35, 14)



async def test_each_control_sends_what_the_user_chose_and_goes_back_when_refused() -> None:
    from textual.widgets import Button, Checkbox, Input, RadioButton, Select, SelectionList, TextArea

    async def run(name: str, act: Any, sent: list[Any], back: Any) -> None:
        (part,) = fixture_parts(name)
        app = Host(part)
        async with app.run_test(size=(80, 12)) as pilot:
            await pilot.pause()
            await act(app, pilot)
            await wait_for(pilot, lambda: app.chosen == sent, what=f"{name} to send {sent}")
            app.query_one(Control).revert()
            await pilot.pause()
            assert back(app), name
            assert app.chosen == sent, f"{name}: going back is not a choice"

    async def typed(app: Any, pilot: Any, text: str) -> None:
        box = app.query_one(Input)
        box.focus()
        box.value = text
        await pilot.press("enter")

    async def blur(app: Any, pilot: Any) -> None:
        area = app.query_one(TextArea)
        area.focus()
        area.load_text("line 1\nline 2\nline 3")
        await pilot.pause()
        app.set_focus(None)

    async def select(app: Any, pilot: Any) -> None:
        app.query_one(Select).value = 2

    async def radio(app: Any, pilot: Any) -> None:
        list(app.query(RadioButton))[2].value = True

    async def check(app: Any, pilot: Any) -> None:
        app.query_one(Checkbox).toggle()

    async def pick(app: Any, pilot: Any) -> None:
        app.query_one(SelectionList).select(2)

    async def press(app: Any, pilot: Any) -> None:
        app.query_one(Button).press()

    await run("ui_text", lambda app, pilot: typed(app, pilot, "hello"), ["hello"],
              lambda app: app.query_one(Input).value == "hi")
    await run("ui_text_area", blur, ["line 1\nline 2\nline 3"],
              lambda app: app.query_one(TextArea).text == "line 1\nline 2")
    await run("ui_date", lambda app, pilot: typed(app, pilot, "2024-02-29"), ["2024-02-29"],
              lambda app: app.query_one(Input).value == "2024-01-15")
    await run("ui_dropdown", select, ["c"], lambda app: app.query_one(Select).value == 0)
    await run("ui_radio", radio, ["three"], lambda app: app.query_one(RadioSet).pressed_index == 1)
    await run("ui_checkbox", check, [False], lambda app: app.query_one(Checkbox).value is True)
    await run("ui_multiselect", pick, [["red", "blue"]], lambda app: app.query_one(SelectionList).selected == [0])
    await run("ui_button", press, [None], lambda app: True)


async def test_a_date_that_is_no_date_is_not_sent() -> None:
    from textual.widgets import Input

    (part,) = fixture_parts("ui_date")
    app = Host(part)
    async with app.run_test(size=(80, 12)) as pilot:
        box = app.query_one(Input)
        box.focus()
        box.value = "2024-13-45"
        await pilot.press("enter")
        await wait_for(pilot, lambda: box.value == "2024-01-15", what="the date back")
        assert not app.chosen and any("YYYY-MM-DD" in n.message for n in app._notifications)  # noqa: SLF001
