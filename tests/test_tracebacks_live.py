"""Tracebacks read as Python printed them in every door, against a real server.

marimo highlights a traceback it streams to a browser (pygments HTML) and sends
it plain to code_mode requests. Whichever way it came, `cells`, `output`,
`cells --refresh`, MCP and `run` give the same plain text; the kernel says
what the exception's message is.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.support import kernel_probe
from tests.support.cell_lab import CellLab
from tests.support.marimo_proc import BrowserSession
from tests.support.mcp_client import call, mcp_session

RAISES = '''import marimo

app = marimo.App()


@app.cell
def divide():
    def f(x):
        return 1 / x
    y = f(0)
    return


if __name__ == "__main__":
    app.run()
'''
TRACEBACK_MIMETYPE = "application/vnd.marimo+traceback"


def cli(lab: CellLab, browser: BrowserSession, *args: str, code: int = 0) -> dict[str, Any]:
    result = kernel_probe.session_cli(lab.server, browser, *args)
    assert result.code == code, result.stderr + result.stdout
    return result.json


def traceback_of(console: list[dict[str, Any]]) -> str:
    (entry,) = [e for e in console if e["mimetype"] == TRACEBACK_MIMETYPE]
    assert entry["channel"] == "stderr"
    return str(entry["data"])


def kernel_message(lab: CellLab, browser: BrowserSession) -> str:
    """What the kernel says the exception is: `str(exc)` of the notebook's own `f(0)`."""
    code = "import json\ntry:\n    f(0)\nexcept ZeroDivisionError as exc:\n    print(json.dumps(str(exc)))"
    doc = cli(lab, browser, "exec", "-c", code)
    return str(json.loads(doc["stdout"]))


def assert_plain(text: str, message: str) -> None:
    assert "<span" not in text and "codehilite" not in text and "&lt;" not in text, text
    lines = text.rstrip("\n").splitlines()
    assert lines[0] == "Traceback (most recent call last):"
    assert lines[-1] == f"ZeroDivisionError: {message}"
    frames = [line.strip() for line in lines if line.strip().startswith("File ")]
    assert len(frames) == 2 and frames[0].endswith("line 3, in <module>") and frames[1].endswith("line 2, in f")
    assert "    y = f(0)" in lines and "    return 1 / x" in lines


@pytest.fixture
def raising(lab: CellLab) -> tuple[Path, BrowserSession]:
    return lab.fresh(text=RAISES)  # the browser runs it: marimo streams the traceback highlighted


async def test_every_door_gives_the_traceback_as_plain_text(lab: CellLab, raising: tuple[Path, BrowserSession]) -> None:
    path, browser = raising
    message = kernel_message(lab, browser)
    assert message == "division by zero"  # the kernel's word, not ours

    live = cli(lab, browser, "cells")
    (cell,) = live["cells"]
    from_cells = traceback_of(cell["console"])
    assert_plain(from_cells, message)
    assert cell["errors"] == [{"kind": "runtime", "message": f"ZeroDivisionError: {message}"}]

    output = cli(lab, browser, "output", "divide")
    assert traceback_of(output["console"]) == from_cells

    snapshot = cli(lab, browser, "cells", "--refresh")  # code_mode reads the kernel's own console record
    assert snapshot["source"] == "code_mode"
    assert traceback_of(snapshot["cells"][0]["console"]) == from_cells

    async with mcp_session(lab.server.state_home) as session:
        error, doc = await call(session, "cells", notebook=str(path))
        assert not error and traceback_of(doc["cells"][0]["console"]) == from_cells
        error, doc = await call(session, "output", notebook=str(path), cell="divide")
        assert not error and traceback_of(doc["console"]) == from_cells

    # `run` asks through code_mode, which marimo answers with the plain traceback: the same text.
    ran = cli(lab, browser, "run", "divide", code=1)
    assert traceback_of(ran["cells"][0]["console"]) == from_cells


def _raised(code: str) -> str:
    try:
        exec(compile(code, "<cell & 'quotes'>", "exec"), {})
    except Exception:
        import traceback

        return traceback.format_exc()
    raise AssertionError("the code did not raise")


@pytest.mark.parametrize("code", [
    "def f(x):\n    return 1 / x\nf(0)",
    "raise ValueError('<b>not a tag</b> & \"quoted\"')",
    "d = {}\nd['<key>']",
])
def test_a_highlighted_traceback_reads_back_as_python_printed_it(code: str) -> None:
    from marimo._messaging.tracebacks import _highlight_traceback

    from marimo_pair_tui.core.parts.payloads import plain_traceback
    from marimo_pair_tui.core.parts.plain import output_text

    printed = _raised(code)
    highlighted = _highlight_traceback(printed)  # what marimo streams to a browser
    assert highlighted.startswith('<span class="codehilite">')
    assert plain_traceback(highlighted) == printed
    assert plain_traceback(printed) == printed  # plain text stays as it is
    assert output_text(TRACEBACK_MIMETYPE, highlighted) == printed
