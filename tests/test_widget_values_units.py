"""Pure units: the live model's copy of the kernel's UI values, the overlay onto parts, and what set-ui takes.

The messages are the shapes marimo 0.25.2 sends (recorded against a real
server; see tests/test_widget_fidelity.py for the same against the kernel).
"""

from __future__ import annotations

from typing import Any

import pytest

from marimo_pair_tui.core.errors import InvalidUiValueError, UiNotSettableError
from marimo_pair_tui.core.model.notebook import Notebook
from marimo_pair_tui.core.parts import LayoutPart, WidgetPart, with_values
from marimo_pair_tui.core.codemode.ui_elements import UiElement
from marimo_pair_tui.core.codemode.ui_values import NOT_SETTABLE, frontend_value


def ready(ui_values: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"op": "kernel-ready", "data": {"cell_ids": ["Hbol", "MJUe"], "codes": ["import marimo as mo", "s = 1"],
                                           "names": ["_", "_"], "ui_values": ui_values or {}}}


def variable_values(name: str, value: str, datatype: str) -> dict[str, Any]:
    return {"op": "variable-values", "data": {"variables": [{"name": name, "value": value, "datatype": datatype}]}}


SLIDER = WidgetPart("slider", "MJUe-0", "n", 3, {"start": 1, "stop": 10})
STEPPED = WidgetPart("slider", "MJUe-1", "s", 5, {"steps": [1, 5, 25]})


def test_values_are_unsure_until_the_kernel_is_read() -> None:
    notebook = Notebook()
    notebook.apply_event(ready({"MJUe-0": 8}))  # what the session recorded of a browser's moves: maybe old
    assert notebook.ui_stale and notebook.widget_value(SLIDER) == 8
    changes = notebook.apply_ui_read({"MJUe-0": (7, 7, ["slider"])}, notebook.ui_marks)
    assert not notebook.ui_stale and notebook.widget_value(SLIDER) == 7 and changes.ui_values == {"MJUe-0"}
    assert notebook.widget_value(STEPPED) == 5  # not read, not told: the value it was drawn with


def test_a_browser_move_makes_the_values_unsure_and_a_read_begun_before_it_stays_unsure() -> None:
    notebook = Notebook()
    notebook.apply_event(ready())
    notebook.apply_event(variable_values("slider", "3", "slider"))  # its cell ran: it holds an element
    notebook.apply_ui_read({"MJUe-0": (3, 3, ["slider"])}, notebook.ui_marks)
    mark = notebook.ui_marks  # a read begins here ...
    notebook.apply_event(variable_values("slider", "8", "int"))  # ... a browser sets 8 (only this reaches us)
    assert notebook.ui_stale
    notebook.apply_ui_read({"MJUe-0": (3, 3, ["slider"])}, mark)  # ... the read, answered before the move
    assert notebook.ui_stale  # so it is read again
    notebook.apply_ui_read({"MJUe-0": (8, 8, ["slider"])}, notebook.ui_marks)
    assert not notebook.ui_stale and notebook.widget_value(SLIDER) == 8


def test_a_value_code_mode_set_is_told_in_the_frontends_form() -> None:
    notebook = Notebook()
    notebook.apply_event(ready())
    notebook.apply_ui_read({"MJUe-1": (5, 1, ["s"])}, notebook.ui_marks)
    message = {"op": "send-ui-element-message",
               "data": {"ui_element": "MJUe-1", "message": {"type": "marimo-ui-value-update", "value": 2}}}
    changes = notebook.apply_event(message)
    assert changes.ui_values == {"MJUe-1"} and notebook.widget_value(STEPPED) == 25  # step 2 of [1, 5, 25]
    assert notebook.ui_stale


def test_a_cell_run_again_drops_its_elements_values() -> None:
    notebook = Notebook()
    notebook.apply_event(ready({"MJUe-0": 8}))
    notebook.apply_ui_read({"MJUe-0": (8, 8, ["slider"]), "Hbol-0": (1, 1, [])}, notebook.ui_marks)
    changes = notebook.apply_event({"op": "remove-ui-elements", "data": {"cell_id": "MJUe"}})
    assert changes.ui_values == {"MJUe-0"} and notebook.widget_value(SLIDER) == 3  # its new output's value
    assert "Hbol-0" in notebook.ui_current


def test_the_overlay_reaches_widgets_in_layouts_and_leaves_the_parsed_parts_alone() -> None:
    parts = [LayoutPart("vstack", [SLIDER, STEPPED])]
    shown = with_values(parts, {"MJUe-0": 9})
    inner = shown[0].children  # type: ignore[union-attr]
    assert [p.value for p in inner] == [9, 5] and SLIDER.value == 3  # type: ignore[union-attr]


def element(kind: str, domain: dict[str, Any] | None = None, **more: Any) -> UiElement:
    return UiElement(more.pop("object_id", "X-0"), "X", ["x"], kind, "x", more.pop("value", None),
                     more.pop("frontend_value", None), domain or {}, **more)


def test_a_table_takes_row_numbers_and_sends_marimos_row_ids() -> None:
    multi = element("table", {"selection": "multi", "total_rows": 4})
    assert frontend_value(multi, [2, 0, 2]) == ["2", "0"]
    assert frontend_value(element("table", {"selection": "single", "total_rows": 4}), 3) == ["3"]
    cells = element("table", {"selection": "multi-cell", "total_rows": 4})
    assert frontend_value(cells, [{"row": 1, "column": "age"}, [0, "name"]]) == [
        {"rowId": "1", "columnName": "age"}, {"rowId": "0", "columnName": "name"}]
    with pytest.raises(InvalidUiValueError, match="the table has 4 rows"):
        frontend_value(multi, [4])
    with pytest.raises(UiNotSettableError, match="no selection"):
        frontend_value(element("table", {"total_rows": 4}), [0])


def test_a_form_and_a_dictionary_are_set_through_their_elements() -> None:
    inner = element("slider", {"start": 0, "stop": 5}, object_id="F-1")
    form = element("form", entries={"F-1": ""})
    assert frontend_value(form, 4, [inner]) == 4
    with pytest.raises(InvalidUiValueError, match="outside 0..5"):
        frontend_value(form, 9, [inner])
    stepped = element("slider", {"steps": [1, 5]}, object_id="D-1")
    box = element("checkbox", object_id="D-2")
    dictionary = element("dict", entries={"D-1": "a", "D-2": "b"}, type="dictionary",
                         frontend_value={"a": 0, "b": False})
    assert frontend_value(dictionary, {"a": 5}, [stepped, box]) == {"a": 1, "b": False}
    array = element("dict", entries={"D-1": "0", "D-2": "1"}, type="array")
    assert frontend_value(array, [1, True], [stepped, box]) == {"0": 0, "1": True}


@pytest.mark.parametrize("kind", sorted(NOT_SETTABLE))
def test_what_cannot_be_set_says_why(kind: str) -> None:
    with pytest.raises(UiNotSettableError) as refused:
        frontend_value(element(kind), 1)
    assert NOT_SETTABLE[kind] in refused.value.message and refused.value.exit_code == 2
    assert element(kind).to_json()["why_not_settable"] == NOT_SETTABLE[kind]
