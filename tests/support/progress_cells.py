"""Notebooks whose cells stop mid-run at gates, so a test can read a running cell's output.

Their names are private (`_mo`, `_bar`), so several live in one notebook. A cell reaching stage K writes `step-K.json` (what the kernel holds then:
the progress bar's count, the spinner's title, the outputs appended) and
waits for the test to create `gate-K`. marimo sends a progress bar at most
every 150 ms; the cells flush marimo's output before each stage, so what
the kernel holds is what a browser shows.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .waiting import wait_until

_HEAD = "import marimo\n\napp = marimo.App()\n"

BAR = '''
    import json as _json, time as _time
    from pathlib import Path as _Path
    import marimo as _mo
    from marimo._runtime.output._output import flush as _flush
    with _mo.status.progress_bar(total={total}, title="Loading", subtitle="items") as _bar:
        for _i in range({total}):
            _bar.update()
            if _i + 1 in {stops}:
                _flush()
                _Path({gates!r}, f"step-{{_i + 1}}.json").write_text(_json.dumps(
                    {{"current": _bar.current, "total": _bar.total, "title": _bar.title, "subtitle": _bar.subtitle}}))
                while not _Path({gates!r}, f"gate-{{_i + 1}}").exists():
                    _time.sleep(0.01)
'''

SPINNER = '''
    import json as _json, time as _time
    from pathlib import Path as _Path
    import marimo as _mo
    with _mo.status.spinner(title="Thinking", subtitle="hard") as _s:
        _Path({gates!r}, "step-1.json").write_text(_json.dumps({{"title": _s.title, "subtitle": _s.subtitle}}))
        while not _Path({gates!r}, "gate-1").exists():
            _time.sleep(0.01)
        _s.update(title="Almost")
        _Path({gates!r}, "step-2.json").write_text(_json.dumps({{"title": _s.title, "subtitle": _s.subtitle}}))
        while not _Path({gates!r}, "gate-2").exists():
            _time.sleep(0.01)
'''

APPEND = '''
    import json as _json, time as _time
    from pathlib import Path as _Path
    import marimo as _mo
    def _stage(k, shown):
        _Path({gates!r}, f"step-{{k}}.json").write_text(_json.dumps(shown))
        while not _Path({gates!r}, f"gate-{{k}}").exists():
            _time.sleep(0.01)
    _shown = []
    for _k in range(3):
        _mo.output.append(_mo.md(f"item {{_k}}"))
        _shown.append(f"item {{_k}}")
    _stage(1, _shown)
    _mo.output.replace(_mo.md("replaced"))
    _stage(2, ["replaced"])
    _mo.output.clear()
    _stage(3, [])
'''

TICKS = '''
    import json as _json, time as _time
    from pathlib import Path as _Path
    import marimo as _mo
    from marimo._runtime.output._output import flush as _flush
    with _mo.status.progress_bar(total={total}, title="Ticking") as _bar:
        for _i in range({total}):
            _bar.update()
            _flush()
            if _i == 0:
                _Path({gates!r}, "step-1.json").write_text(_json.dumps({{"current": _bar.current}}))
                while not _Path({gates!r}, "gate-1").exists():
                    _time.sleep(0.01)
        _Path({gates!r}, "step-2.json").write_text(_json.dumps({{"current": _bar.current, "total": _bar.total}}))
'''


def notebook(gates: Path, **cells: str) -> str:
    """A notebook of the named cells (bodies above, formatted with `gates` and their own fields)."""
    text = _HEAD
    for name, body in cells.items():
        text += f"\n\n@app.cell\ndef {name}():\n{body.rstrip()}\n    return\n"
    return text


def bar_cell(gates: Path, total: int, stops: tuple[int, ...]) -> str:
    return BAR.format(total=total, stops=set(stops), gates=str(gates))


def spinner_cell(gates: Path) -> str:
    return SPINNER.format(gates=str(gates))


def append_cell(gates: Path) -> str:
    return APPEND.format(gates=str(gates))


def ticks_cell(gates: Path, total: int) -> str:
    return TICKS.format(total=total, gates=str(gates))


def reached(gates: Path, step: int, timeout: float = 60) -> Any:
    """What the kernel held at stage `step`, once the cell got there."""
    path = gates / f"step-{step}.json"
    held = wait_until(lambda: path.exists() and (json.loads(path.read_text()),),  # a tuple: [] is a state too
                      timeout, f"the cell to reach stage {step}")
    return held[0]


def release(gates: Path, step: int) -> None:
    (gates / f"gate-{step}").write_text("open")
