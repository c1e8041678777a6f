"""Our live model in a process of its own, for section 4: a `PairingService` mirror and a listener.

A process of its own, as the app, the MCP server and the background service
each are: the benchmark's own bookkeeping (browser sessions holding every
message) stays out of its heap and so out of its garbage collections.

stdin:  {"cell_id": ..., "marker": ...} per line (arm), answered {"armed": true}
stdout: then {"touched": [...], "output": ...} once the cell's model shows the marker;
        times are `time.monotonic()` (CLOCK_MONOTONIC, shared with the other processes).
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))

from marimo_pair_tui.core.api import HubOptions, PairingService, TargetSpec, settle_gc  # noqa: E402


async def main() -> None:
    url, session_id, cells = sys.argv[1], sys.argv[2], int(sys.argv[3])
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    settle_gc()  # as the app, the service and the MCP server do once started
    async with PairingService(HubOptions(urls=[url])) as service:
        mirror = (await service.mirror(TargetSpec(session=session_id, url=url))).value
        deadline = time.monotonic() + 120
        while len(mirror.notebook.cells) < cells:
            if time.monotonic() > deadline:
                raise SystemExit("our mirror never showed every cell")
            await asyncio.sleep(0.05)
        watch: dict[str, object] = {}
        touched: list[float] = []
        seen = asyncio.Event()

        def on_change(changes) -> None:
            now = time.monotonic()
            cell_id = watch.get("cell_id")
            if cell_id not in changes:
                return
            touched.append(now)
            cell = mirror.notebook.get(cell_id)
            output = getattr(cell, "output", None)
            if "output" not in watch and output is not None and str(watch["marker"]) in str(output.data):
                watch["output"] = now
                seen.set()

        mirror.subscribe(on_change)
        print(json.dumps({"ready": True}), flush=True)
        while line := await reader.readline():
            command = json.loads(line)
            watch.clear()
            touched.clear()
            seen.clear()
            watch.update(cell_id=command["cell_id"], marker=command["marker"])
            print(json.dumps({"armed": True}), flush=True)
            await asyncio.wait_for(seen.wait(), 60)
            print(json.dumps({"touched": touched, "output": watch["output"]}), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
