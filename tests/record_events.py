"""Record real marimo websocket traffic into tests/fixtures/events/*.json.

The notebook model is tested by replaying what a real server sends, so the
fixtures must come from a real server, not from hand-written guesses. Run
again when marimo moves:

    .venv/bin/python tests/record_events.py
    .venv/bin/python tests/record_events.py --only 09   # just the scenarios named

Each scenario opens a fresh main websocket with a new routing id, as a browser
reload would: the server resumes the session and replays its state
(`kernel-ready` + `cell-op`s) before the live part, so every file replays on
its own into an empty model. `live_from` is the index of the first message
caused by the scenario's action.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import websockets

OUT_DIR = Path(__file__).parent / "fixtures" / "events"
MAX_STRING = 2000  # keep fixture files small: long payloads are trimmed

NOTEBOOK = '''import marimo

__generated_with = "0.25.2"
app = marimo.App()


@app.cell
def imports():
    import sys
    import time
    return sys, time


@app.cell
def base():
    x = 41
    return (x,)


@app.cell
def _(x):
    y = x + 1
    print("y is", y)
    return (y,)


if __name__ == "__main__":
    app.run()
'''

# The snapshot shape the code_mode reader produces; recorded for the
# "snapshot, then live events" tests.
SNAPSHOT_SNIPPET = '''
import json as _json
import msgspec as _msgspec
import marimo._code_mode as _cm
async with _cm.get_context() as _ctx:
    _graph = _ctx.graph.cells
    _cells = []
    for _c in _ctx.cells.values():
        _out = _c.output
        _cells.append({
            "id": _c.id, "name": _c.name, "code": _c.code, "hash": "",
            "status": None if _c.status is None else str(_c.status),
            "errors": [{"kind": _e.kind, "msg": _e.msg} for _e in _c.errors],
            "console": [
                {"channel": str(_o.channel.value), "mimetype": _o.mimetype,
                 "data": _msgspec.to_builtins(_o.data)}
                for _o in _c.console_outputs
            ],
            "output": None if _out is None else {
                "mimetype": _out.mimetype,
                "data": _msgspec.to_builtins(_out.data)},
            "defs": sorted(_graph[_c.id].defs) if _c.id in _graph else [],
            "refs": sorted(_graph[_c.id].refs) if _c.id in _graph else [],
            "config": {"disabled": _c.config.disabled,
                       "hide_code": _c.config.hide_code},
        })
print("SNAPSHOT=" + _json.dumps({"cells": _cells}))
'''


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def trim(value: Any) -> Any:
    """Cut long strings (tracebacks, HTML) so fixtures stay small."""
    if isinstance(value, str) and len(value) > MAX_STRING:
        return value[:MAX_STRING] + "...[trimmed]"
    if isinstance(value, list):
        return [trim(v) for v in value]
    if isinstance(value, dict):
        return {k: trim(v) for k, v in value.items()}
    return value


class Recorder:
    """One websocket consumer that keeps every message with its arrival time."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.messages: list[tuple[float, dict[str, Any]]] = []
        self._task: asyncio.Task[None] | None = None
        self._ws: Any = None
        self.t0 = time.monotonic()

    async def start(self) -> None:
        self._ws = await websockets.connect(self.url, max_size=None)
        self._task = asyncio.create_task(self._pump())

    async def _pump(self) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            async for raw in self._ws:
                self.messages.append((time.monotonic(), json.loads(raw)))

    async def close(self) -> None:
        await self._ws.close()
        if self._task is not None:
            await self._task

    async def wait_for(self, pred: Any, timeout: float = 30.0, start: int = 0) -> int:
        """Index of the first message from `start` on that satisfies `pred`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for i in range(start, len(self.messages)):
                if pred(self.messages[i][1]):
                    return i
            await asyncio.sleep(0.02)
        raise TimeoutError(f"no matching message on {self.url}")

    async def quiet(self, period: float = 0.7, timeout: float = 30.0) -> None:
        """Wait until no message arrived for `period` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            last = self.messages[-1][0] if self.messages else self.t0
            if time.monotonic() - last >= period:
                return
            await asyncio.sleep(0.05)

    def dump(self, name: str, description: str, live_from: int) -> None:
        t0 = self.messages[0][0] if self.messages else self.t0
        payload = {
            "scenario": name,
            "description": description,
            "live_from": live_from,
            "events": [
                {"t_ms": round((t - t0) * 1000), "message": trim(m)}
                for t, m in self.messages
            ],
        }
        path = OUT_DIR / f"{name}.json"
        path.write_text(json.dumps(payload, indent=1, sort_keys=False) + "\n")
        print(f"wrote {path.name}: {len(self.messages)} messages", file=sys.stderr)


def is_op(op: str, **fields: Any) -> Any:
    def pred(m: dict[str, Any]) -> bool:
        if m.get("op") != op:
            return False
        return all(m.get("data", {}).get(k) == v for k, v in fields.items())

    return pred


class Server:
    """A real `marimo edit --headless` on a temp copy of the notebook."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.notebook = root / "demo.py"
        self.notebook.write_text(NOTEBOOK)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.token = ""
        self.routing_id = ""
        self.http = httpx.AsyncClient(base_url=self.base, timeout=60)

    def start(self) -> None:
        env = dict(os.environ)
        for var in ("XDG_STATE_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
            env[var] = str(self.root / var.lower())
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "marimo", "edit", "--headless", "--no-token",
             "--skip-update-check", "--no-sandbox", "--host", "127.0.0.1",
             "--port", str(self.port), str(self.notebook)],
            env=env, cwd=self.root,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )

    async def wait_healthy(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if (await self.http.get("/health")).status_code == 200:
                    html = (await self.http.get("/")).text
                    m = re.search(r'marimo-server-token data-token="([^"]+)"', html)
                    self.token = m.group(1) if m else ""
                    return
            await asyncio.sleep(0.2)
        raise TimeoutError("marimo did not become healthy")

    def ws_url(self, routing_id: str, kiosk: bool = False) -> str:
        kiosk_part = "&kiosk=true" if kiosk else ""
        return (f"ws://127.0.0.1:{self.port}/ws?session_id={routing_id}"
                f"{kiosk_part}&file={quote(str(self.notebook))}")

    async def open_main(self) -> Recorder:
        self.routing_id = "s_" + secrets.token_hex(3)
        rec = Recorder(self.ws_url(self.routing_id))
        await rec.start()
        await rec.wait_for(is_op("kernel-ready"))
        await rec.quiet(0.5)
        return rec

    def control_headers(self) -> dict[str, str]:
        return {"Marimo-Session-Id": self.routing_id,
                "Marimo-Server-Token": self.token}

    async def control(self, path: str, body: dict[str, Any]) -> None:
        r = await self.http.post(path, json=body, headers=self.control_headers())
        r.raise_for_status()

    async def stable_id(self) -> str:
        sessions = (await self.http.get("/api/sessions")).json()
        return next(iter(sessions.values()))["session_id"]

    async def execute(self, code: str) -> str:
        """Run a scratchpad snippet; return its stdout (SSE parsed by hand
        here to keep the recorder free of project code)."""
        headers = {"Marimo-Stable-Session-Id": await self.stable_id()}
        out: list[str] = []
        async with self.http.stream("POST", "/api/kernel/execute",
                                    json={"code": code}, headers=headers) as r:
            r.raise_for_status()
            event = ""
            async for line in r.aiter_lines():
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:") and event in ("stdout", "stderr"):
                    text = json.loads(line[5:])["data"]
                    if event == "stdout":
                        out.append(text)
                    else:
                        print(text, end="", file=sys.stderr)
        return "".join(out)

    async def create_cell(self, code: str, name: str, after: str | None = None,
                          skip_validation: bool = False) -> str:
        args = f"{code!r}, name={name!r}"
        if after:
            args += f", after={after!r}"
        flag = "skip_validation=True" if skip_validation else ""
        out = await self.execute(
            "import marimo._code_mode as cm\n"
            f"async with cm.get_context({flag}) as ctx:\n"
            f"    _cid = ctx.create_cell({args})\n"
            "print('CID=' + _cid)\n"
        )
        m = re.search(r"CID=(\S+)", out)
        assert m, out
        return m.group(1)

    async def run_cells(self, ids: list[str], codes: list[str]) -> None:
        await self.control("/api/kernel/run", {"cellIds": ids, "codes": codes})

    async def aclose(self) -> None:
        await self.http.aclose()
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


async def record(server: Server) -> None:
    # (1) a browser opens the notebook and instantiates it.
    rec = Recorder(server.ws_url("s_" + secrets.token_hex(3)))
    server.routing_id = rec.url.split("session_id=")[1].split("&")[0]
    await rec.start()
    await rec.wait_for(is_op("kernel-ready"))
    await rec.quiet(0.5)
    live = len(rec.messages)
    await server.control("/api/kernel/instantiate",
                         {"objectIds": [], "values": [], "autoRun": True})
    await rec.wait_for(is_op("completed-run"), start=live)
    await rec.quiet()
    rec.dump("01_open_instantiate",
             "fresh session: kernel-ready, then POST /api/kernel/instantiate "
             "(autoRun) runs the three cells", live)
    await rec.close()

    # (2) a cell raises, its child is cancelled.
    rec = await server.open_main()
    live = len(rec.messages)
    boom_code = "z = y / 0"
    child_code = "w = z + 1"
    boom = await server.create_cell(boom_code, "boom")
    child = await server.create_cell(child_code, "child", after=boom)
    await server.run_cells([boom, child], [boom_code, child_code])
    await rec.wait_for(is_op("completed-run"), start=live)
    await rec.quiet()
    rec.dump("02_cell_raises",
             "code_mode creates `boom` (z = y / 0) and `child` (w = z + 1); "
             "/api/kernel/run runs both: ZeroDivisionError, child cancelled",
             live)
    await rec.close()

    # (3) stdout and stderr over time.
    rec = await server.open_main()
    live = len(rec.messages)
    ticker_code = (
        "for i in range(3):\n"
        "    print('tick', i)\n"
        "    print('warn', i, file=sys.stderr)\n"
        "    time.sleep(0.3)\n"
        "'ticked'"
    )
    ticker = await server.create_cell(ticker_code, "ticker")
    await server.run_cells([ticker], [ticker_code])
    await rec.wait_for(is_op("completed-run"), start=live)
    await rec.quiet()
    rec.dump("03_console_over_time",
             "cell `ticker` prints to stdout and stderr three times, 0.3 s "
             "apart, then outputs 'ticked'", live)
    await rec.close()

    # (4) a scratchpad snippet from another client.
    rec = await server.open_main()
    live = len(rec.messages)
    await server.execute(
        "import sys as _sys\n"
        "print('hello from scratch')\n"
        "print('scratch warning', file=_sys.stderr)\n"
        "x * 2\n"
    )
    await rec.quiet()
    rec.dump("04_scratch_snippet",
             "POST /api/kernel/execute prints to stdout/stderr and outputs "
             "x * 2: events on cell __scratch__", live)
    await rec.close()

    # (5) code_mode edits: create, edit, rename + config, move, delete.
    rec = await server.open_main()
    live = len(rec.messages)
    qcell = await server.create_cell("q = 1", "qcell", after="base")
    await server.execute(
        "import marimo._code_mode as cm\n"
        "async with cm.get_context() as ctx:\n"
        "    ctx.cells['qcell'].code\n"
        "    ctx.edit_cell('qcell', 'q = 2')\n"
    )
    await server.execute(
        "import marimo._code_mode as cm\n"
        "async with cm.get_context() as ctx:\n"
        "    ctx.edit_cell('qcell', name='qcell2', hide_code=False, disabled=True)\n"
    )
    await server.execute(
        "import marimo._code_mode as cm\n"
        "async with cm.get_context() as ctx:\n"
        "    ctx.move_cell('qcell2', before='imports')\n"
    )
    await server.execute(
        "import marimo._code_mode as cm\n"
        "async with cm.get_context() as ctx:\n"
        "    ctx.delete_cell('ticker')\n"
    )
    await rec.quiet()
    rec.dump("05_codemode_edits",
             f"code_mode: create qcell (q = 1) after base [{qcell}], edit to "
             "q = 2, rename to qcell2 + hide_code off + disabled, move before "
             "imports, delete ticker", live)
    await rec.close()

    # (6) a name defined twice.
    rec = await server.open_main()
    live = len(rec.messages)
    dup_code = "x = 5"
    dup = await server.create_cell(dup_code, "dup", skip_validation=True)
    await server.run_cells([dup], [dup_code])
    await rec.wait_for(is_op("completed-run"), start=live)
    await rec.quiet()
    mid = len(rec.messages)
    await server.execute(
        "import marimo._code_mode as cm\n"
        "async with cm.get_context() as ctx:\n"
        "    ctx.delete_cell('dup')\n"
    )
    await rec.quiet(1.0)
    rec.dump("06_multiple_defs",
             "code_mode (skip_validation) creates `dup` (x = 5) beside base "
             f"(x = 41) and runs it: multiple-defs; from index {mid} dup is "
             "deleted again", live)
    await rec.close()

    # Snapshot in the code_mode shape, then (8) replays after it.
    out = await server.execute(SNAPSHOT_SNIPPET)
    snap = json.loads(out.split("SNAPSHOT=", 1)[1])
    (OUT_DIR / "snapshot.json").write_text(json.dumps(trim(snap), indent=1) + "\n")

    # (7) interrupt a sleeping cell.
    rec = await server.open_main()
    live = len(rec.messages)
    sleeper_code = "print('going to sleep')\ntime.sleep(30)"
    sleeper = await server.create_cell(sleeper_code, "sleeper")
    await server.run_cells([sleeper], [sleeper_code])
    await rec.wait_for(is_op("cell-op", cell_id=sleeper, status="running"),
                       start=live)
    await asyncio.sleep(0.5)
    await server.control("/api/kernel/interrupt", {})
    await rec.wait_for(is_op("completed-run"), start=live)
    await rec.quiet()
    rec.dump("07_interrupt",
             "`sleeper` prints then sleeps 30 s; POST /api/kernel/interrupt "
             "after it is running", live)
    await rec.close()

    # (8) a kiosk mirror attaches beside the main connection.
    main = await server.open_main()
    kiosk = Recorder(server.ws_url("s_pair_" + secrets.token_hex(3), kiosk=True))
    await kiosk.start()
    await kiosk.wait_for(is_op("kernel-ready"))
    await kiosk.quiet(0.5)
    live = len(kiosk.messages)
    main_live = len(main.messages)
    await server.run_cells([server_cell_id(main, "base")], ["x = 40"])
    await kiosk.wait_for(is_op("completed-run"), start=live)
    await kiosk.quiet()
    await main.quiet(0.2)
    kiosk.dump("08_kiosk_attach",
               "kiosk websocket attached beside an open main one: the replay "
               "on attach, then a browser-style run of base with new code "
               "x = 40", live)
    main.dump("08_kiosk_main_side",
              "the main websocket during scenario 08 (for comparison)", main_live)
    await kiosk.close()
    await main.close()


async def record_scratch_outcomes(server: Server) -> None:
    # (9) snippets that fail: one raises, one is interrupted while it sleeps.
    rec = await server.open_main()
    live = len(rec.messages)
    await server.execute("print('about to fail')\n1 / 0\n")
    await rec.wait_for(is_op("completed-run"), start=live)
    mark = len(rec.messages)
    sleeper = asyncio.create_task(server.execute("import time\nprint('sleeping')\ntime.sleep(30)\n"))
    await rec.wait_for(lambda m: m.get("op") == "cell-op" and "sleeping" in json.dumps(m), start=mark)
    await server.control("/api/kernel/interrupt", {})
    await sleeper
    await rec.wait_for(is_op("completed-run"), start=mark)
    await rec.quiet()
    runs = len(rec.messages)
    await server.execute(RUN_BASE)
    await rec.quiet()
    rec.dump("09_scratch_outcomes",
             "snippets from another client: `print('about to fail'); 1 / 0` raises; "
             f"a sleeping one is interrupted (POST /api/kernel/interrupt) from index {mark}; "
             f"from index {runs} a code_mode program runs `base` (cells planned with caused_by)", live)
    await rec.close()


RUN_BASE = (
    "import marimo._code_mode as cm\n"
    "async with cm.get_context() as ctx:\n"
    "    ctx.run_cell('base')\n"
)


def server_cell_id(rec: Recorder, name: str) -> str:
    """Cell id for `name` from the kernel-ready this connection received."""
    for _, m in rec.messages:
        if m.get("op") == "kernel-ready":
            data = m["data"]
            return str(data["cell_ids"][list(data["names"]).index(name)])
    raise LookupError(name)


async def main(only: list[str]) -> None:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix="marimo-record-"))
    server = Server(root)
    try:
        server.start()
        await server.wait_healthy()
        if not only:
            await record(server)
        if not only or "09" in only:
            await record_scratch_outcomes(server)
    finally:
        await server.aclose()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    args = sys.argv[1:]
    if args[:1] == ["--only"] and set(args[1:]) <= {"09"} and args[1:]:
        asyncio.run(main(args[1:]))
    elif args:
        sys.exit("usage: record_events.py [--only 09]  (01-08 are recorded together, in order)")
    else:
        asyncio.run(main([]))
