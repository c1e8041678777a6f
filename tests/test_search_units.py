"""Searching a notebook's cells (core/model/search.py) over models built from recorded server traffic:
what is found, where, at which line and span; the text searched is the text the cells document gives."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import pytest

from marimo_pair_tui.core import documents
from marimo_pair_tui.core.documents import cell_json
from marimo_pair_tui.core.errors import BadPatternError, InvalidRequestError
from marimo_pair_tui.core.model.search import LINE_CHARS, TextCache, query, search
from marimo_pair_tui.core.service.values import GrepView, KernelView, Reply

from tests.test_document_types import assert_matches
from tests.test_notebook_model import cell_op, load, messages, replay, small_notebook, stdout


def where(found: Any) -> list[tuple[str, str, int, list[int], str]]:
    return [(m.cell_name if m.cell_name != "_" else m.cell_id, m.where, m.line, [m.start, m.end], m.text)
            for m in found.matches]


def test_finds_code_console_and_names_of_a_recorded_run_at_their_lines_and_spans() -> None:
    nb = replay(messages("01_open_instantiate"))
    printer = nb.cell_ids[2]
    found = search(nb.cells, query("y is", scope="output"))
    assert where(found) == [(printer, "console", 1, [0, 4], "y is")]
    assert [m.where for m in search(nb.cells, query("y is")).matches] == ["code", "console"]  # the f-string too
    assert found.matches[0].line_text == "y is 42"  # the line the kernel printed, the newline not part of it
    code = search(nb.cells, query("x = 41"))
    assert where(code) == [("base", "code", 1, [0, 6], "x = 41")]
    named = search(nb.cells, query("import"))
    assert ("imports", "name", 1, [0, 6], "import") in where(named)
    assert ("imports", "code", 1, [0, 6], "import") in where(named)  # `import sys, time`: the code too
    assert [m.where for m in search(nb.cells, query("import", scope="names")).matches] == ["name"]
    assert all(m.where == "code" for m in search(nb.cells, query("import", scope="code")).matches)


def test_the_output_searched_is_the_text_the_cells_document_gives() -> None:
    nb = replay(messages("03_console_over_time"))
    ticker = nb.cell("ticker")
    shown = cell_json(ticker)["output"]["text"]  # type: ignore[index]
    assert shown == "'ticked'"
    found = search(nb.cells, query(shown, scope="output"))
    assert where(found) == [("ticker", "output", 1, [0, len(shown)], shown)]
    # stdout and stderr writes are searched as the console entries they are, in order
    ticks = search(nb.cells, query(r"(tick|warn) \d", regex=True))
    assert [(m.where, m.line, m.text) for m in ticks.matches] == [  # lines counted across the writes
        ("console", n, t) for n, t in enumerate(("tick 0", "warn 0", "tick 1", "warn 1", "tick 2", "warn 2"), 1)]


def test_a_traceback_is_searched_as_python_printed_it_and_an_error_output_as_its_message() -> None:
    nb = replay(messages("02_cell_raises"))
    found = search(nb.cells, query("ZeroDivisionError: division by zero"))
    hits = {(m.cell_name, m.where) for m in found.matches}
    assert ("boom", "console") in hits and ("boom", "output") in hits
    assert not search(nb.cells, query("<span")).matches  # the markup marimo sends is not searched


def test_regex_case_and_every_match_of_a_line() -> None:
    nb = small_notebook("a", "b")
    nb.apply_event(cell_op("a", status="idle", console=stdout("Alpha alpha ALPHA\nbeta\n")))
    assert [m.text for m in search(nb.cells, query("alpha")).matches] == ["alpha"]
    loose = search(nb.cells, query("alpha", ignore_case=True))
    assert [(m.line, m.start, m.end) for m in loose.matches] == [(1, 0, 5), (1, 6, 11), (1, 12, 17)]
    assert [(m.line, m.text) for m in search(nb.cells, query(r"^b\w+$", regex=True)).matches] == [(2, "beta")]
    # text as written: a regex's characters are themselves
    nb.apply_event(cell_op("b", status="idle", console=stdout("cost: $5 (a.b)\n")))
    assert [m.text for m in search(nb.cells, query("$5 (a.b)")).matches] == ["$5 (a.b)"]
    assert not search(nb.cells, query("a+b")).matches
    # a match of no characters is not one
    assert not search(nb.cells, query("x*", regex=True, scope="output")).matches


def test_counts_every_match_and_keeps_the_first_limit() -> None:
    nb = small_notebook("a", "b", "c")
    found = search(nb.cells, query("v_", scope="code"), limit=2)
    assert found.count == 3 and found.cells == 3 and found.searched == 3 and found.truncated
    assert [m.cell_id for m in found.matches] == ["a", "b"]
    assert not search(nb.cells, query("v_"), limit=None).truncated
    empty = search(nb.cells, query("nowhere"))
    assert (empty.count, empty.cells, empty.matches, empty.truncated) == (0, 0, [], False)


@pytest.mark.parametrize("pattern", ["(", "[a-", "a{2,1}", "(?P<x>a)(?P<x>b)"])
def test_a_regex_that_does_not_compile_is_a_bad_pattern_with_the_reason(pattern: str) -> None:
    with pytest.raises(BadPatternError) as caught:
        query(pattern, regex=True)
    error = caught.value.to_json()
    try:
        re.compile(pattern)
    except re.error as reason:
        assert str(reason) in error["message"]
    assert error["kind"] == "bad_pattern" and error["next"] and error["pattern"] == pattern
    assert caught.value.exit_code == 2
    query(pattern)  # as written, it is text like any other


def test_an_empty_pattern_and_an_unknown_scope_are_refused() -> None:
    with pytest.raises(BadPatternError):
        query("")
    with pytest.raises(InvalidRequestError) as caught:
        query("x", scope="everywhere")
    assert "code" in caught.value.next and caught.value.kind == "invalid_request"


def test_a_long_line_is_given_as_a_window_around_its_match() -> None:
    nb = small_notebook("a")
    line = "x" * 5000 + "NEEDLE" + "y" * 5000
    nb.apply_event(cell_op("a", status="idle", console=stdout(line)))
    [match] = search(nb.cells, query("NEEDLE")).matches
    text = match.to_json()["text"]
    assert match.start == 5000 and match.to_json()["span"] == [5000, 5006]
    assert "NEEDLE" in text and text.startswith("…") and text.endswith("…")
    assert len(text) == LINE_CHARS + 2


def test_texts_are_read_once_per_output_and_again_when_the_console_grows() -> None:
    nb = small_notebook("a")
    nb.apply_event(cell_op("a", status="running", console=stdout("first\n")))
    cache = TextCache()
    reads: list[str] = []

    class Counting(TextCache):
        def text(self, owner, data, read):  # type: ignore[no-untyped-def,override]
            return cache.text(owner, data, lambda o: reads.append(type(o).__name__) or read(o))

    counting = Counting()
    assert search(nb.cells, query("first"), texts=counting).count == 1
    assert search(nb.cells, query("first"), texts=counting).count == 1
    assert len(reads) == 1  # the second search read nothing again
    nb.apply_event(cell_op("a", console=stdout("second\n")))  # merged into the same console write
    assert search(nb.cells, query("second"), texts=counting).count == 1
    assert len(reads) == 2
    nb.apply_event(cell_op("a", status="queued"))  # a new run: the old console goes, and its cached text
    nb.apply_event(cell_op("a", status="running"))
    assert search(nb.cells, query("first"), texts=counting).count == 0
    assert len(cache) == 0


def test_the_grep_document_matches_its_type() -> None:
    nb = replay(messages("01_open_instantiate"))
    found = search(nb.cells, query("y", scope="all"), limit=1)
    kernel = KernelView(idle=True, running=[], queued=[], live="live")
    doc = documents.grep_document(Reply(GrepView(found, kernel)))
    assert_matches(doc, documents.grep_document)
    assert doc["count"] == found.count > 1 and doc["truncated"] is True and len(doc["matches"]) == 1
    assert doc["matches"][0]["cell"] == found.matches[0].cell_id


def test_a_notebook_of_recorded_events_is_searched_in_notebook_order() -> None:
    rec = load("05_codemode_edits")
    nb = replay([e["message"] for e in rec["events"]])
    found = search(nb.cells, query(r"\w", regex=True, scope="code"))
    order = [m.cell_id for m in found.matches]
    assert order == sorted(order, key=nb.cell_ids.index)
    assert set(order) == {c.id for c in nb.cells if c.code.strip()}


@pytest.mark.parametrize("pattern", [
    r"^beta", r"ta$", r"\Abeta", r"alpha\Z", r"a(?!\s)", r"(?<![^\n])b", r"\bbeta\b", r"(?s)a.b", r"a\nb", r"x*",
])
def test_the_whole_text_shortcut_never_loses_a_line_match(pattern: str) -> None:
    nb = small_notebook("a")
    nb.apply_event(cell_op("a", status="idle", console=stdout("alpha\nbeta\nalpha beta\n")))
    wanted = query(pattern, regex=True)
    line_by_line = dataclasses.replace(wanted, sieve=None)
    assert search(nb.cells, wanted).matches == search(nb.cells, line_by_line).matches
    assert (wanted.sieve is None) == bool(re.search(r"\\[AZ]|\(\?<?!", pattern))
