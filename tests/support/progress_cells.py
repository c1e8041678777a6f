"""Notebooks whose cells stop mid-run at gates, so a test can read a running cell's output.

A cell reaching stage K writes `step-K.json` (what the kernel holds then:
the progress bar's count, the spinner's title, the outputs appended) and
waits for the test to create `gate-K`. marimo sends a progress bar at most
every 150 ms; the cells flush marimo's output before each stage, so what
the kernel holds is what a browser shows.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .cell_lab import wait_until

_HEAD = "import marimo\n\napp = marimo.App()\n"

BAR = '''
    import json, time
    from pathlib import Path
    import marimo as mo
    from marimo._runtime.output._output import flush
    with mo.status.progress_bar(total={total}, title="Loading", subtitle="items") as bar:
        for _i in range({total}):
            bar.update()
            if _i + 1 in {stops}:
                flush()
                Path({gates!r}, f"step-{{_i + 1}}.json").write_text(json.dumps(
                    {{"current": bar.current, "total": bar.total, "title": bar.title, "subtitle": bar.subtitle}}))
                while not Path({gates!r}, f"gate-{{_i + 1}}").exists():
                    time.sleep(0.01)
'''

SPINNER = '''
    import json, time
    from pathlib import Path
    import marimo as mo
    with mo.status.spinner(title="Thinking", subtitle="hard") as _s:
        Path({gates!r}, "step-1.json").write_text(json.dumps({{"title": _s.title, "subtitle": _s.subtitle}}))
        while not Path({gates!r}, "gate-1").exists():
            time.sleep(0.01)
        _s.update(title="Almost")
        Path({gates!r}, "step-2.json").write_text(json.dumps({{"title": _s.title, "subtitle": _s.subtitle}}))
        while not Path({gates!r}, "gate-2").exists():
            time.sleep(0.01)
'''

APPEND = '''
    import json, time
    from pathlib import Path
    import marimo as mo
    def _stage(k, shown):
        Path({gates!r}, f"step-{{k}}.json").write_text(json.dumps(shown))
        while not Path({gates!r}, f"gate-{{k}}").exists():
            time.sleep(0.01)
    _shown = []
    for _k in range(3):
        mo.output.append(mo.md(f"item {{_k}}"))
        _shown.append(f"item {{_k}}")
    _stage(1, _shown)
    mo.output.replace(mo.md("replaced"))
    _stage(2, ["replaced"])
    mo.output.clear()
    _stage(3, [])
'''

TICKS = '''
    import json, time
    from pathlib import Path
    import marimo as mo
    from marimo._runtime.output._output import flush
    with mo.status.progress_bar(total={total}, title="Ticking") as bar:
        for _i in range({total}):
            bar.update()
            flush()
            if _i == 0:
                Path({gates!r}, "step-1.json").write_text(json.dumps({{"current": bar.current}}))
                while not Path({gates!r}, "gate-1").exists():
                    time.sleep(0.01)
        Path({gates!r}, "step-2.json").write_text(json.dumps({{"current": bar.current, "total": bar.total}}))
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
