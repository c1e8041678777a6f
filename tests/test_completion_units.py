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


def test_the_other_cells_inference_is_kept_while_only_the_editor_text_changes() -> None:
    """jedi's work on the other cells is kept between keystrokes; an edit of one of them starts afresh, so a
    name a cell newly defines (or a changed signature) is seen at once."""
    from marimo_pair_tui.core.model import completion as module

    cells = [Cell(id="a", code="count = 41"), Cell(id="b", code="def helper(v: int) -> int:\n    return v")]
    assert [c.name for c in complete(cells, "cou", 1, 3)] == ["count"]
    started = module._scripts().started
    assert [c.name for c in complete(cells, "x = 1\nhelpe", 2, 5)] == ["helper"]
    assert [c.name for c in complete(cells, "amount = 1\namou", 2, 4)] == ["amount"]  # the editor's own text, same kept context
    assert module._scripts().started == started

    edited = [Cell(id="a", code="count = 41\ncounted = []"), Cell(id="b", code="def helper(v: str) -> str:\n    return v")]
    assert [c.name for c in complete(edited, "cou", 1, 3)] == ["count", "counted"]
    (found,) = complete(edited, "helpe", 1, 5)
    assert found.signature == "helper(v: str) -> str"
    assert module._scripts().started == started + 1
    assert [c.name for c in complete(edited, "counted.app", 1, 11)] == ["append"]
    assert [c.name for c in complete(edited, "cou", 1, 3, cell_id="a")] == []  # the loaded cell left out again


def test_the_names_after_a_dot_follow_edits_of_the_cells_and_of_the_editor_text() -> None:
    """The lists of names after a dot that are kept between completions never outlive the code they list."""
    for attribute in ("first_attr", "second_attr"):
        cells = [Cell(id="a", code=f"class Thing:\n    {attribute} = 1\nthing = Thing()")]
        assert [c.name for c in complete(cells, "thing.", 1, 6) if not c.name.startswith("_")] == [attribute]
        assert [c.name for c in complete(cells, "Thing().", 1, 8) if not c.name.startswith("_")] == [attribute]
    for attribute in ("first_attr", "second_attr"):  # the same cells: only the editor's text changes
        mine = f"class Mine:\n    {attribute} = 1\nMine()."
        assert [c.name for c in complete(cells, mine, 3, 7) if not c.name.startswith("_")] == [attribute]
    (upper,) = [c for c in complete(cells, "'a'.upp", 1, 7)]  # an installed class's instance: listed once, kept
    assert upper.name == "upper" and [c.name for c in complete(cells, "'b'.upp", 1, 7)] == ["upper"]


def test_a_frame_column_completes_as_jedi_does_on_the_whole_program() -> None:
    """The names after a dot are listed once per class of instance: the same names as jedi's own answer
    on the other cells' code and the editor's text as one program."""
    import jedi

    cells = [Cell(id="a", code="import pandas as pd"), Cell(id="b", code="frame = pd.DataFrame({'a': [1, 2]})")]
    for text in ("frame['a'].", "frame.", "frame.groupby('a').", "frame['a'].ro"):
        whole = jedi.Script(f"import pandas as pd\nframe = pd.DataFrame({{'a': [1, 2]}})\n{text}").complete(3, len(text))
        ours = complete(cells, text, 1, len(text))
        assert ours, text
        assert sorted(c.name for c in ours) == sorted(c.name for c in whole[:50]), text

    classes = ("class Left:\n    def __init__(self, n):\n        self.left_size = n\n"
               "class Right:\n    right_only = 1\n"
               "pick = Left(1) if flag else (Left(2) if other else Right())")
    assert {"left_size", "right_only"} <= {c.name for c in complete([Cell(id="c", code=classes)], "pick.", 1, 5)}


def test_jedi_failing_or_its_kept_state_growing_starts_a_new_state() -> None:
    """A failure inside jedi may leave a half-done inference in its caches: the next completion does not
    build on it; nor is a state kept once it holds more memoized results than allowed."""
    from marimo_pair_tui.core.model import completion as module
    from marimo_pair_tui.core.model.jedi_context import ContextScripts

    scripts = ContextScripts(kept_entries=0)
    scripts.script("a = 1", "a")
    scripts.script("a = 1", "a").complete(2, 1)  # the same (empty) state; now it holds some
    assert scripts.started == 1
    scripts.script("a = 1", "a")
    assert scripts.started == 2

    complete(CELLS, "cou", 1, 3)
    started = module._scripts().started
    assert complete(CELLS, "cou", 9, 0) == []  # jedi raises on a line the text does not have
    assert [c.name for c in complete(CELLS, "cou", 1, 3)] == ["count"]
    assert module._scripts().started == started + 1
