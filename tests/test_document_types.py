"""Every JSON document matches the TypedDict its builder declares (core/document_types.py).

mypy checks what the builders put in a document; these check the documents
as built, against the same types read at run time: every required field is
there, every field is one the type names (a field added without its type
fails here), and every value is of the field's type, down to the cells'
outputs and the activity entries. The documents come from the golden cases
and from real reads of a notebook on a real marimo server.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping
from typing import Any, Callable, Literal, Union

import pytest

from marimo_pair_tui.core import document_types, documents
from marimo_pair_tui.core.api import HubOptions, PairingService, TargetSpec

from tests import test_documents_golden as golden
from tests.support.cell_lab import CellLab


def problems(value: object, kind: object, where: str = "document") -> list[str]:
    """What in `value` does not match the annotation `kind` (empty: it matches)."""
    if kind is Any or kind is object:
        return []
    if kind is None or kind is type(None):
        return [] if value is None else [f"{where}: {value!r} is not null"]
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin is Literal:
        return [] if any(value == a and type(value) is type(a) for a in args) else [f"{where}: {value!r} not in {args}"]
    if origin is Union or origin is types.UnionType:
        found = [problems(value, a, where) for a in args]
        return [] if any(not p for p in found) else min(found, key=len)
    if typing.is_typeddict(kind):
        return _typed_dict_problems(value, kind, where)
    if origin is list:
        if not isinstance(value, list):
            return [f"{where}: {type(value).__name__} is not a list"]
        return [p for i, item in enumerate(value) for p in problems(item, args[0], f"{where}[{i}]")]
    if origin in (dict, Mapping):
        if not isinstance(value, Mapping):
            return [f"{where}: {type(value).__name__} is not a mapping"]
        return [p for k, v in value.items() for p in problems(k, args[0], f"{where} key") + problems(v, args[1], f"{where}.{k}")]
    return _scalar_problems(value, kind, where)


def _typed_dict_problems(value: object, kind: Any, where: str) -> list[str]:
    if not isinstance(value, dict):
        return [f"{where}: {type(value).__name__} is not a {kind.__name__}"]
    fields = typing.get_type_hints(kind)
    found = [f"{where}: {kind.__name__} lacks {key!r}" for key in kind.__required_keys__ if key not in value]
    if kind.__name__ not in document_types.OPEN_SHAPES:
        found += [f"{where}: {kind.__name__} names no field {key!r}" for key in value if key not in fields]
    return found + [p for key, item in value.items() if key in fields for p in problems(item, fields[key], f"{where}.{key}")]


def _scalar_problems(value: object, kind: Any, where: str) -> list[str]:
    if kind is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    elif kind is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    else:
        ok = isinstance(value, kind)
    return [] if ok else [f"{where}: {value!r} is not {getattr(kind, '__name__', kind)}"]


def declared(builder: Callable[..., object]) -> object:
    """The document type a builder declares it returns."""
    return typing.get_type_hints(builder)["return"]


def assert_matches(document: object, builder: Callable[..., object]) -> None:
    found = problems(document, declared(builder))
    assert not found, f"{builder.__name__}'s document does not match {declared(builder)}:\n" + "\n".join(found)


# -- the checker itself -----------------------------------------------------------------------------


def test_the_check_finds_a_field_without_its_type_a_missing_field_and_a_wrong_value() -> None:
    cell = documents.cell_json(golden._live_notebook().cells[1])
    assert problems(cell, document_types.CellJson) == []
    assert problems({**cell, "colour": "red"}, document_types.CellJson) == [
        "document: CellJson names no field 'colour'"]
    assert problems({k: v for k, v in cell.items() if k != "hash"}, document_types.CellJson) == [
        "document: CellJson lacks 'hash'"]
    assert problems({**cell, "defs": ["y", 3]}, document_types.CellJson) == ["document.defs[1]: 3 is not str"]
    assert problems({**cell, "truncated": False}, document_types.CellJson)  # left out when false, never false
    output = {**cell["output"], "chars": "13"}
    assert problems({**cell, "output": output}, document_types.CellJson)


# -- the golden cases --------------------------------------------------------------------------------

BUILDERS: dict[str, Callable[..., object]] = {
    "cells_live": documents.cells_document, "cells_live_parts": documents.cells_document,
    "cells_live_no_outputs": documents.cells_document, "cells_code_mode": documents.cells_document,
    "operation_move": documents.operation_document, "operation_run_failed": documents.operation_document,
    "exec": documents.exec_document, "status": documents.status_document, "interrupt": documents.done_document,
    "idle_wait": documents.idle_document, "activity": documents.activity_document,
    "activity_entry": documents.activity_entry_json, "error_unknown_session": documents.error_json,
    "error_conflict": documents.error_json, "servers": documents.servers_document,
    "notebooks": documents.notebooks_document, "watch_line": documents.watch_line,
    "watch_summary": documents.watch_summary,
}


def test_every_golden_case_names_its_builder() -> None:
    assert set(BUILDERS) == set(golden._cases())


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_a_golden_document_matches_its_type(name: str) -> None:
    assert_matches(golden._cases()[name](), BUILDERS[name])


# -- real reads -----------------------------------------------------------------------------------------

NOTEBOOK = '''\
import marimo

__generated_with = "0.25.2"
app = marimo.App()


@app.cell
def setup():
    import marimo as mo
    import pandas as pd
    return mo, pd


@app.cell
def frame(pd):
    df = pd.DataFrame({"city": ["a", "b", "c"], "n": [1, 4, 9]})
    df
    return (df,)


@app.cell
def control(mo):
    slider = mo.ui.slider(1, 10, value=3, label="n")
    slider
    return (slider,)


@app.cell(hide_code=True)
def words(mo, slider):
    import sys
    print("to stdout")
    print("to stderr", file=sys.stderr)
    mo.md(f"**n** is {slider.value}")
    return


@app.cell
def broken():
    1 / 0
    return


if __name__ == "__main__":
    app.run()
'''


async def test_documents_of_real_reads_match_their_types(lab: CellLab) -> None:
    path, _browser = lab.fresh(text=NOTEBOOK)
    spec = TargetSpec(notebook=str(path), url=lab.server.url)
    async with PairingService(HubOptions(urls=[lab.server.url])) as service:
        cells = await service.cells(spec)
        read = [documents.cells_document(cells), documents.cells_document(cells, parts=True),
                documents.cells_document(cells, outputs="raw"), documents.cells_document(cells, outputs=False),
                documents.cells_document(cells, limit=20, parts=True)]
        for document in read:
            assert_matches(document, documents.cells_document)
        by_name = {c["name"]: c for c in read[0]["cells"]}
        # the kernel's facts are in the fields the types name: a frame, a widget, console text, an error
        assert "| c | 9 |" in by_name["frame"]["output"]["text"]
        slider = {c["name"]: c for c in read[1]["cells"]}["control"]["output"]
        assert slider["parts"][0]["value"] == 3 and slider["handles"][0]["kind"] == "slider"
        assert {e["channel"] for e in by_name["words"]["console"]} == {"stdout", "stderr"}
        assert by_name["words"]["config"] == {"hide_code": True}
        assert by_name["broken"]["errors"][0]["message"].startswith("ZeroDivisionError")

        ran = await service.execute(spec, "print(df.n.sum())\ndf.n.sum()")
        assert ran.value.stdout == "14\n"
        assert_matches(documents.exec_document(ran), documents.exec_document)
        assert_matches(documents.exec_document(ran, limit=None), documents.exec_document)
        assert_matches(documents.status_document(await service.status(spec)), documents.status_document)
        assert_matches(documents.activity_document(await service.activity(spec)), documents.activity_document)
        variables = documents.variables_document(await service.variables(spec, peek=True))
        assert_matches(variables, documents.variables_document)
        assert {"df", "slider"} <= {v["name"] for v in variables["variables"]}
        created = await service.create_cell(spec, "m = df.n.max()", run=True)
        assert_matches(documents.operation_document(created), documents.operation_document)
        for cell in (None, "frame"):
            assert_matches(documents.graph_document(await service.graph(spec, cell=cell)), documents.graph_document)
        assert_matches(documents.graph_document(await service.graph(spec), name="df"), documents.graph_document)
        assert_matches(documents.ui_document(await service.ui(spec)), documents.ui_document)
        page = await service.table_page(spec, "frame")
        assert_matches(documents.table_page_document(page), documents.table_page_document)
        assert_matches(documents.servers_document(await service.servers()), documents.servers_document)
        assert_matches(documents.notebooks_document(await service.notebooks()), documents.notebooks_document)
