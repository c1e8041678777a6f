"""`<marimo-progress>` as marimo 0.25.2 sends it (recorded from a real server) read into a ProgressPart."""

from __future__ import annotations

from marimo_pair_tui.core.parts import LayoutPart, parse_output, parts_text
from marimo_pair_tui.core.parts.model import ProgressPart

_STACK = ("<div style='display: flex;flex: 1;flex-direction: column;justify-content: flex-start;align-items: normal;"
          "flex-wrap: nowrap;gap: 0.5rem'>{}</div>")
BAR = ("<marimo-progress data-title='&quot;Loading&quot;' data-subtitle='&quot;items&quot;' data-total='5' "
       "data-progress='2' data-rate='4.98' data-eta='0.6'></marimo-progress>")
DONE = ("<marimo-progress data-title='&quot;Loading&quot;' data-subtitle='&quot;items&quot;' data-total='5' "
        "data-progress='5' data-rate='4.95' data-eta='0.0'></marimo-progress>")
SPINNER = "<marimo-progress data-title='&quot;Thinking&quot;' data-subtitle='&quot;hard&quot;' data-progress='true'></marimo-progress>"


def _only(markup: str) -> ProgressPart:
    (layout,) = parse_output("text/html", _STACK.format(markup))
    assert isinstance(layout, LayoutPart)
    (part,) = layout.children
    assert isinstance(part, ProgressPart)
    return part


def test_a_bar_mid_run() -> None:
    part = _only(BAR)
    assert (part.title, part.subtitle, part.current, part.total, part.rate, part.eta) == ("Loading", "items", 2, 5, 4.98, 0.6)
    assert part.fraction == 0.4 and not part.done and not part.spinner
    assert part.to_json()["kind"] == "bar"
    assert parts_text([part]) == "[progress] Loading · items 2/5 (40%) — 4.98/s, eta 0.6s"


def test_a_finished_bar_says_done() -> None:
    part = _only(DONE)
    assert part.done and part.fraction == 1.0
    assert parts_text([part]) == "[progress] Loading · items 5/5 (100%) done"


def test_a_spinner_has_no_count() -> None:
    part = _only(SPINNER)
    assert part.spinner and part.current is None and part.fraction is None and not part.done
    assert part.to_json()["kind"] == "spinner"
    assert parts_text([part]) == "[spinner] Thinking · hard"


def test_a_slow_rate_is_time_per_item_and_odd_values_read_as_absent() -> None:
    slow = _only("<marimo-progress data-total='3' data-progress='1' data-rate='0.25'></marimo-progress>")
    assert parts_text([slow]) == "[progress] 1/3 (33%) — 4.0s per item"
    odd = _only("<marimo-progress data-total='&quot;x&quot;' data-progress='&quot;y&quot;' data-eta='[]'></marimo-progress>")
    assert (odd.current, odd.total, odd.eta, odd.spinner) == (None, None, None, True)
