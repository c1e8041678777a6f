"""The headless contract's framing: one document is one line for every line splitter."""

from __future__ import annotations

import json

from hypothesis import given, strategies as st

from marimo_pair_tui.headless.output import dumps_line


@given(st.dictionaries(st.text(max_size=5), st.text(max_size=30), max_size=4))
def test_any_text_stays_on_one_line_and_round_trips(document: dict) -> None:
    line = dumps_line(document)
    assert len(line.splitlines()) <= 1
    assert json.loads(line) == document


def test_unicode_line_separators_are_escaped_but_other_text_is_readable() -> None:
    line = dumps_line({"stdout": "a\u2028b\u2029c\x85d ünï 🚀"})
    assert line.splitlines() == [line]
    assert "ünï 🚀" in line
