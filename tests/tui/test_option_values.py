"""Options whose names stand for other values (`mo.ui.dropdown({"small": 1, ...})`): the app's widgets pick
the name the kernel holds chosen, keep the kernel's value, and a user's pick is not news from elsewhere.

Against a real server; the kernel (a snippet run in it) is the oracle: its values and the names its
elements' frontends hold (`_value_frontend`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.widgets import RadioSet, Select, SelectionList

from marimo_pair_tui.tui.screens.pairing import PairingScreen
from marimo_pair_tui.tui.widgets.parts.choices import DropdownControl, MultiControl, RadioControl

from tests.support import kernel_probe as probe
from tests.support.marimo_proc import BrowserSession, open_browser_session

from .support import TuiLab, make_app, wait_for, wait_live

NOTEBOOK = '''import marimo

app = marimo.App()


@app.cell
def setup():
    import marimo as mo
    return (mo,)


@app.cell
def controls(mo):
    size = mo.ui.dropdown({"small": 1, "large": 10}, value="large", label="size", allow_select_none=True)
    pace = mo.ui.radio({"slow": 0.5, "fast": 2.0}, value="slow", label="pace")
    tags = mo.ui.multiselect({"red": 1, "blue": 2, "green": 3}, value=["blue"], label="tags")
    mo.vstack([size, pace, tags])
    return pace, size, tags


@app.cell
def echo(mo, pace, size, tags):
    mo.md(f"size {size.value}, pace {pace.value}, tags {tags.value}")
    return
'''

TRUTH = ("{'values': [size.value, pace.value, tags.value], "
         "'names': [size._value_frontend, pace._value_frontend, tags._value_frontend]}")


def open_notebook(lab: TuiLab, name: str) -> tuple[Path, BrowserSession]:
    path = lab.dir / name
    path.write_text(NOTEBOOK, encoding="utf-8")
    browser = open_browser_session(lab.server, path, instantiate=True)
    lab.browsers.append(browser)
    return path, browser


def kernel(lab: TuiLab, browser: BrowserSession) -> dict[str, Any]:
    return dict(probe.kernel(lab.server, browser, TRUTH))


async def controls_in_view(pilot: Any) -> tuple[PairingScreen, DropdownControl, RadioControl, MultiControl]:
    screen = await wait_live(pilot, 3, timeout=60)
    await wait_for(pilot, lambda: screen.notebook.is_idle() and all(c.status for c in screen.notebook.cells),
                   timeout=60, what="every cell to have run")
    await pilot.press("f7")
    view = screen.notebook_view
    block = view.block(screen.notebook.cell("controls").id)
    await wait_for(pilot, lambda: block is not None and block.output_view.query(MultiControl), timeout=60,
                   what="the controls drawn")
    await settled(pilot, screen)
    assert block is not None
    out = block.output_view
    return screen, out.query_one(DropdownControl), out.query_one(RadioControl), out.query_one(MultiControl)


async def settled(pilot: Any, screen: PairingScreen) -> None:
    """Every widget told the kernel's values: asked (on mount), read, followed."""
    view = screen.notebook_view
    await pilot._wait_for_screen()  # noqa: SLF001
    await wait_for(pilot, lambda: not screen.notebook.ui_stale and not view._reading_values,  # noqa: SLF001
                   timeout=30, what="the kernel's UI values read")
    await pilot._wait_for_screen()  # noqa: SLF001


def shown_names(size: DropdownControl, pace: RadioControl, tags: MultiControl) -> list[Any]:
    """The option names the widgets show picked, in the form marimo's frontends hold them."""
    select = size.query_one(Select).value
    pressed = pace.query_one(RadioSet).pressed_index
    return [[size.names[select]] if isinstance(select, int) else [],
            pace.names[pressed] if pressed >= 0 else None,
            [tags.names[i] for i in sorted(tags.query_one(SelectionList).selected)]]


async def test_an_app_opened_after_a_browser_picked_shows_the_names_the_kernel_holds(lab: TuiLab) -> None:
    path, browser = open_notebook(lab, "picked_late.py")
    ids = {name: e["object_id"] for name, e in probe.elements(lab.server, browser).items()}
    probe.browser_sets(lab.server, path, browser, {ids["size"]: ["small"], ids["pace"]: "fast",
                                                   ids["tags"]: ["red", "green"]})
    truth = kernel(lab, browser)
    assert truth == {"values": [1, 2.0, [1, 3]], "names": [["small"], "fast", ["red", "green"]]}
    app = make_app(lab.target(path, browser))
    async with app.run_test(size=(100, 30)) as pilot:
        _screen, size, pace, tags = await controls_in_view(pilot)
        assert shown_names(size, pace, tags) == truth["names"]
        assert [size.value, pace.value, tags.value] == truth["values"]


async def test_a_users_pick_keeps_the_kernels_value_and_is_not_news(lab: TuiLab) -> None:
    path, browser = open_notebook(lab, "picked_here.py")
    app = make_app(lab.target(path, browser))
    async with app.run_test(size=(100, 30)) as pilot:
        screen, size, pace, tags = await controls_in_view(pilot)
        radios = pace.query_one(RadioSet)
        radios.focus()
        buttons = list(pace.query("RadioButton"))
        buttons[pace.names.index("fast")].value = True  # as a user's space on "fast" does
        echo = screen.notebook.cell("echo")
        await wait_for(pilot, lambda: "pace 2.0" in str(screen.notebook.cell(echo.id).output.data), timeout=30,
                       what="the pick to reach the kernel")
        group = f"ui-{pace.part.object_id}"
        await wait_for(pilot, lambda: not any(w.group == group and not w.is_finished for w in pilot.app.workers),
                       timeout=30, what="the app to hear the kernel took the pick")
        await settled(pilot, screen)
        truth = kernel(lab, browser)
        assert truth["values"][1] == 2.0 and truth["names"][1] == "fast"
        assert pace.value == 2.0 and shown_names(size, pace, tags) == truth["names"]
        assert screen.focused is not None and pace in screen.focused.ancestors_with_self
        assert not pace.has_class("-moved")
        assert not any("another client" in n.message for n in pilot.app._notifications)  # noqa: SLF001
