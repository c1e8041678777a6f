"""A bare kiosk websocket consumer and the browser-like run request, in a process of their own.

Section 4 measures our live model against this process: it attaches to the
same session as a read-only kiosk consumer (a fresh consumer id, as
core/wire/live.py attaches), parses every message as any consumer must, and, on
each command line from stdin, posts a run of one cell with new code as the
browser does, then prints when the first `cell-op` for that cell and the one
carrying the new output arrived. Clocks are CLOCK_MONOTONIC (`time.monotonic`),
shared by every process on the machine, so the parent compares them with its own.

stdin:  {"cell_id": ..., "code": ..., "marker": ...} per line
stdout: {"t0": ..., "first": ..., "output": ...} per line
"""

from __future__ import annotations

import json
import secrets
import sys
import threading
import time
from urllib.parse import quote

import httpx
from websockets.sync.client import connect


def main() -> None:
    url, notebook, routing_id, token = sys.argv[1:5]
    consumer = f"s_bench_{secrets.token_hex(6)}"
    ws_url = (url.replace("http://", "ws://") + f"/ws?session_id={consumer}&kiosk=true&file={quote(notebook, safe='')}")
    lock = threading.Condition()
    watch: dict[str, object] = {}
    ready = threading.Event()

    def reader() -> None:
        with connect(ws_url, max_size=None, ping_interval=None) as ws:
            for raw in ws:
                now = time.monotonic()
                message = json.loads(raw)
                if message.get("op") == "kernel-ready":
                    ready.set()
                if message.get("op") != "cell-op":
                    continue
                data = message.get("data") or {}
                with lock:
                    if data.get("cell_id") != watch.get("cell_id") or now < watch.get("t0", float("inf")):
                        continue
                    watch.setdefault("first", now)
                    output = data.get("output") or {}
                    if "output" not in watch and str(watch["marker"]) in str(output.get("data", "")):
                        watch["output"] = now
                        lock.notify_all()

    threading.Thread(target=reader, daemon=True).start()
    if not ready.wait(60):
        raise SystemExit("no kernel-ready on the kiosk stream")
    headers = {"Marimo-Session-Id": routing_id, "Marimo-Server-Token": token}
    with httpx.Client(base_url=url, timeout=60) as http:
        print(json.dumps({"ready": True}), flush=True)
        for line in sys.stdin:
            command = json.loads(line)
            with lock:
                watch.clear()
                watch.update(cell_id=command["cell_id"], marker=command["marker"])
                t0 = watch["t0"] = time.monotonic()
            http.post("/api/kernel/run", json={"cellIds": [command["cell_id"]], "codes": [command["code"]]},
                      headers=headers).raise_for_status()
            with lock:
                lock.wait_for(lambda: "output" in watch, timeout=60)
                result = {"t0": t0, "first": watch.get("first"), "output": watch.get("output")}
            print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
