"""Static completion over the notebook's code (jedi, as marimo's first step): pure units on cells."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from marimo_pair_tui.core.model.cell import Cell
from marimo_pair_tui.core.model.completion import complete, help_text, warm_up

CELLS = [Cell(id="b", code="total = helper(count)"), Cell(id="a", code="import json\ncount = 41\n\ndef helper(v: int) -> int:\n    return v * 2")]


def test_names_from_other_cells_complete_in_dataflow_order() -> None:
    names = [c.name for c in complete(CELLS, "cou", 1, 3)]
    assert names == ["count"]
    (found,) = [c for c in complete(CELLS, "json.dum", 1, 8) if c.name == "dumps"]
    assert found.kind == "function" and found.prefix_length == 3 and found.signature.startswith("dumps(obj")


def test_a_function_from_another_cell_has_its_signature_and_help() -> None:
    (found,) = [c for c in complete(CELLS, "help", 1, 4) if c.name == "helper"]
    assert found.signature == "helper(v: int) -> int"
    assert "JSON" in help_text(CELLS, "json.dumps", 1, 7)


def test_the_cell_being_edited_is_left_out_of_its_own_context() -> None:
    assert [c.name for c in complete(CELLS, "tot", 1, 3)] == ["total"]
    assert [c.name for c in complete(CELLS, "tot", 1, 3, cell_id="b")] == []


def test_a_cell_that_does_not_parse_does_not_stop_completion() -> None:
    assert "print" in [c.name for c in complete([Cell(id="x", code="def (:")], "pri", 1, 3)]
    assert complete([Cell(id="x", code="x = 1")], "x", 5, 0) == []  # a position past the text: nothing, no error


def test_a_completion_asked_while_the_warm_up_runs_still_answers() -> None:
    """jedi is not thread-safe: the two take turns instead of spoiling each other's answers."""
    with ThreadPoolExecutor(2) as pool:
        warming = pool.submit(warm_up)
        asked = [pool.submit(complete, [], "import pandas as pd\npd.DataFrame().gro", 2, 18) for _ in range(3)]
        assert warming.result() > 0
        assert all("groupby" in [c.name for c in a.result()] for a in asked)


def test_a_library_names_signature_is_kept_and_the_notebooks_own_follows_its_edits() -> None:
    """Signatures of installed modules' names are inferred once a process; a cell's function never is kept."""
    from marimo_pair_tui.core.model import completion as module

    module._LIBRARY_SIGNATURES.clear()
    (dumps,) = [c for c in complete([], "import json\njson.dum", 2, 8) if c.name == "dumps"]
    assert dumps.signature.startswith("dumps(obj") and "function:json.dumps" in module._LIBRARY_SIGNATURES
    (again,) = [c for c in complete([], "import json\njson.dum", 2, 8) if c.name == "dumps"]
    assert again.signature == dumps.signature

    for params in ("v: int", "v: int, w: str"):
        cells = [Cell(id="a", code=f"def helper({params}) -> int:\n    return 1")]
        (found,) = [c for c in complete(cells, "help", 1, 4) if c.name == "helper"]
        assert found.signature == f"helper({params}) -> int"
    assert not any("helper" in key for key in module._LIBRARY_SIGNATURES)
