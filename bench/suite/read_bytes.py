"""Section 6: what an agent pays to read a notebook, in bytes per read.

Three notebooks (pandas, charts, widgets), each opened once by a browser-like
session that runs every cell, are read whole by: ours (`cells`, and `cells
--parts`), marimo's `--mcp tools` read tools (`get_cell_runtime_data` and
`get_cell_outputs` for every cell: code and errors, then what each cell shows,
as the JSON text a client hands its model), and a code_mode read program
through `marimo pair execute` (each cell's code, its output's mimetype and
data, its console). The yardstick is the text itself: the sum of the `text`
fields of our outputs, which hold what each cell shows, in words; the target
(at most 1.3x) is on what a read spends on outputs. The whole document is
also set against every text it holds (code, output text, console, errors).
"""

from __future__ import annotations

import asyncio
import json
import subprocess
from pathlib import Path
from typing import Any

from tests.support.marimo_proc import open_browser_session

from .common import MARIMO, OURS, Lab, Row, service

SECTION = "6. bytes per read"
TARGET = 1.3  # a default read at most this many times the text itself

CODE_MODE_READ = """\
import marimo._code_mode as cm
async with cm.get_context() as ctx:
    for cell in ctx.cells.values():
        print(cell.id, cell.status, repr(cell.code))
        out = cell.output
        if out is not None:
            print(out.mimetype, out.data)
        for entry in cell.console_outputs:
            print(entry.channel, entry.data)
"""

_HEAD = 'import marimo\n\n__generated_with = "0.25.2"\napp = marimo.App()\n'
_TAIL = '\n\nif __name__ == "__main__":\n    app.run()\n'


def _notebook(imports: str, cells: list[str]) -> str:
    """A first cell of `imports` (`import x as y` lines), then `cells`, each reading the imported names."""
    names = sorted(line.split(" as ")[-1].strip() for line in imports.splitlines())
    setup = f"\n\n@app.cell\ndef _():\n{_indent(imports)}\n    return ({', '.join(names)},)\n"
    body = "".join(f"\n\n@app.cell\ndef _({', '.join(names)}):\n{_indent(code)}\n    return\n" for code in cells)
    return _HEAD + setup + body + _TAIL


def _indent(code: str) -> str:
    return "\n".join("    " + line if line else "" for line in code.splitlines())


# After the imports, each cell's names are its own (`_`-prefixed names stay local): a cell is one
# kind of output, built from the imports alone.
PANDAS = _notebook("import marimo as mo\nimport pandas as pd", [
    'mo.md("# Sales\\nUnits and prices by **city** and product, one row per order.")',
    "_cities = ['Berlin', 'Lima', 'Osaka', 'Quito', 'Tunis']\n"
    "_df = pd.DataFrame({'city': [_cities[i % 5] for i in range(60)], 'product': [f'p{i % 7}' for i in range(60)],\n"
    "                    'qty': [(i * 7) % 13 + 1 for i in range(60)], 'price': [round(1.5 + (i % 9) * 0.75, 2) for i in range(60)]})\n"
    "_df",
    "_df = pd.DataFrame({'qty': [(i * 7) % 13 + 1 for i in range(60)], 'price': [1.5 + (i % 9) * 0.75 for i in range(60)]})\n"
    "_df.describe()",
    "_df = pd.DataFrame({'city': [['Berlin', 'Lima', 'Osaka'][i % 3] for i in range(60)], 'qty': [(i * 7) % 13 + 1 for i in range(60)]})\n"
    "_df.groupby('city').agg(orders=('qty', 'size'), units=('qty', 'sum'))",
    "pd.Series([['a', 'b', 'c', 'd'][(i * i) % 4] for i in range(40)], name='grade').value_counts()",
    "_total = sum((i * 7) % 13 + 1 for i in range(60))\nprint(f'{_total} units in 60 orders')\n_total",
])

CHARTS = _notebook("import altair as alt\nimport marimo as mo\nimport matplotlib.pyplot as plt\nimport pandas as pd\n"
                   "import plotly.express as px", [
    "mo.md('## Charts')",
    "_d = pd.DataFrame({'x': list(range(40)), 'y': [(i * 37) % 23 for i in range(40)], 'kind': [['a', 'b'][i % 2] for i in range(40)]})\n"
    "alt.Chart(_d).mark_point().encode(x='x', y='y', color='kind')",
    "_d = pd.DataFrame({'cat': ['a', 'b', 'c', 'd'], 'n': [3, 7, 2, 5]})\n"
    "mo.ui.altair_chart(alt.Chart(_d).mark_bar().encode(x='cat', y='n'))",
    "_fig, _ax = plt.subplots(figsize=(3, 2))\n_ax.plot([1, 3, 2, 5, 4])\n_ax.set_title('trend')\n_fig",
    "px.bar(x=['a', 'b', 'c'], y=[4, 1, 3], title='counts')",
])

WIDGETS = _notebook("import marimo as mo\nimport pandas as pd", [
    "mo.md('## Controls')",
    "mo.ui.slider(1, 10, value=3, label='n')",
    "mo.ui.dropdown(['red', 'green', 'blue'], value='green', label='colour')",
    "mo.ui.text(value='ann', label='name', max_length=20)",
    "mo.ui.multiselect(['x', 'y', 'z', 'w'], value=['x', 'z'], label='axes')",
    "mo.hstack([mo.ui.checkbox(True, label='log'), mo.ui.switch(label='dark'), "
    "mo.ui.number(0, 100, step=5, value=20, label='count')])",
    "mo.ui.text(label='note').form()",
    "mo.ui.table(pd.DataFrame({'name': ['ann', 'bob', 'cy'], 'age': [30, 41, 25]}), selection='multi', label='people')",
])

NOTEBOOKS = {"pandas": PANDAS, "charts": CHARTS, "widgets": WIDGETS}


def _ours(lab: Lab, target: list[str], *extra: str) -> bytes:
    proc = subprocess.run([*OURS, "--headless", "cells", *target, *extra], capture_output=True,
                          env=lab.env.vars(), timeout=120)
    if proc.returncode != 0:
        raise RuntimeError(f"cells {' '.join(extra)} exit {proc.returncode}: {proc.stdout[-300:]!r}")
    return proc.stdout


def _code_mode(lab: Lab, target: list[str]) -> bytes:
    proc = subprocess.run([*MARIMO, "pair", "execute", *target, "--code-file", "-"], capture_output=True,
                          env=lab.env.vars(), input=CODE_MODE_READ.encode(), timeout=120)
    if proc.returncode != 0:
        raise RuntimeError(f"marimo pair execute exit {proc.returncode}: {proc.stderr[-300:]!r}")
    return proc.stdout


async def _marimo_mcp(url: str, path: Path) -> dict[str, int]:
    """Bytes of the JSON text each of marimo's read tools answers for every cell of the notebook."""
    from mcp import ClientSession
    from mcp.client.streamable_http import streamable_http_client

    async with streamable_http_client(url + "/mcp/server") as (read, write, *_):
        async with ClientSession(read, write) as session:
            await session.initialize()
            active = await session.call_tool("get_active_notebooks", {"args": {}})
            notebooks = active.structured_content["data"]["notebooks"]
            (mine,) = [n for n in notebooks if n.get("path", "").endswith(path.name)]
            sid = mine["session_id"]
            cell_map = await session.call_tool("get_lightweight_cell_map", {"args": {"session_id": sid}})
            ids = [c["cell_id"] for c in _cells_of(cell_map.structured_content)]
            sizes: dict[str, int] = {}
            for tool in ("get_cell_runtime_data", "get_cell_outputs"):
                result = await session.call_tool(tool, {"args": {"session_id": sid, "cell_ids": ids}})
                if result.is_error:
                    raise RuntimeError(f"{tool}: {str(result)[:300]}")
                sizes[tool] = sum(len(c.text.encode()) for c in result.content if c.type == "text")
            return sizes


def _cells_of(document: dict[str, Any]) -> list[dict[str, Any]]:
    data = document.get("data") or document
    return list(data.get("cells") or [])


def text_bytes(document: dict[str, Any]) -> int:
    """The text itself: the `text` of every output, in UTF-8 bytes."""
    return sum(len((c.get("output") or {}).get("text", "").encode()) for c in document["cells"])


def all_text_bytes(document: dict[str, Any]) -> int:
    """Every text the read holds for a reader: each cell's code, its output's text, its console and
    its error messages, in UTF-8 bytes (what a model would be handed if it read no JSON at all)."""
    return sum(len(c["code"].encode()) + len((c.get("output") or {}).get("text", "").encode())
               + sum(len(str(e.get("data", "")).encode()) for e in c.get("console") or ())
               + sum(len(e["message"].encode()) for e in c.get("errors") or ())
               for c in document["cells"])


def output_bytes(document: dict[str, Any]) -> int:
    """The outputs alone, as the document writes them (each `output` object, compact JSON)."""
    return sum(len(json.dumps(c["output"], ensure_ascii=False, separators=(",", ":")).encode())
               for c in document["cells"] if c.get("output") is not None)


def measure(lab: Lab, log=print) -> list[Row]:
    rows: list[Row] = []
    try:
        for name, text in NOTEBOOKS.items():
            path = lab.dir / f"bytes_{name}.py"
            path.write_text(text, encoding="utf-8")
            browser = open_browser_session(lab.server, path, timeout=120)
            try:
                rows += _notebook_rows(lab, name, path, ["--url", lab.url, "--session", browser.session_id or ""])
            finally:
                browser.close()
            log(f"  {name}: done")
    finally:
        service(lab.env, "stop")
    return rows


def _notebook_rows(lab: Lab, name: str, path: Path, target: list[str]) -> list[Row]:
    _ours(lab, target)  # unmeasured: the service's mirror catches up with the session
    default, parts, bare = _ours(lab, target), _ours(lab, target, "--parts"), _ours(lab, target, "--no-outputs")
    document = json.loads(default)
    cells = len(document["cells"])
    text = text_bytes(document)
    peers = {"ours, cells --parts": len(parts)}
    try:
        mcp = asyncio.run(_marimo_mcp(lab.url, path))
        peers["marimo --mcp get_cell_runtime_data + get_cell_outputs"] = sum(mcp.values())
        mcp_note = ", ".join(f"{tool} {size:,} B" for tool, size in mcp.items())
    except Exception as exc:  # a peer failing leaves the other figures
        mcp_note = f"failed: {exc.__class__.__name__}: {exc}"
    peers["marimo pair execute, code_mode read"] = len(_code_mode(lab, target))
    label = f"{name}: "
    outputs = output_bytes(document)
    ratio = outputs / text
    every = all_text_bytes(document)
    versus = "; ".join(f"{size / len(default):.1f}x less than {peer.removeprefix('ours, ').split(',')[0]}"
                       for peer, size in peers.items())
    rows = [Row(SECTION, f"{label}the text itself (sum of output `text`)", cells, value=text, unit="B"),
            Row(SECTION, f"{label}ours, cells (default): its outputs", cells, value=outputs, unit="B",
                note=f"{ratio:.2f}x their text", target=f"<= {TARGET}x the text", met=ratio <= TARGET),
            Row(SECTION, f"{label}ours, cells (default), the whole document", cells, value=len(default), unit="B",
                note=f"{len(default) / every:.2f}x every text it holds ({every:,} B: code, output text, console, "
                     f"errors); {versus}"),
            Row(SECTION, f"{label}ours, cells --no-outputs (the rest of the document)", cells, value=len(bare),
                unit="B", note=f"{len(bare) / text:.2f}x the text: code, ids, hashes, defs, refs, status, config")]
    for peer, size in peers.items():
        note = f"{size / text:.2f}x the text"
        if peer.startswith("marimo --mcp"):
            note += f" ({mcp_note})"
        rows.append(Row(SECTION, f"{label}{peer}", cells, value=size, unit="B", note=note))
    if "marimo --mcp get_cell_runtime_data + get_cell_outputs" not in peers:
        rows.append(Row(SECTION, f"{label}marimo --mcp get_cell_runtime_data + get_cell_outputs", cells,
                        status="failed", note=mcp_note))
    return rows
