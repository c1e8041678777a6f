"""Section: searching every cell of a 1,000-cell notebook (`grep`), idle and while a cell sleeps.

Ours: `--headless grep` as a process per call through the warm background
service (the checkout's editable install, and a regular install of the built
wheel, what users get), and in this process: `PairingService.grep` (the live mirror, the
call's resolution included) and the search over the mirror's model alone
(core/model/search.py). The peer: marimo's code_mode `ctx.cells.grep` (a regex
over the cells' code; it returns cells, not lines, and reads no output)
through `marimo pair execute`, a process per call; it runs in the kernel, so
while a cell sleeps it queues and is stopped at a cap.
"""

from __future__ import annotations

import asyncio
import subprocess
import time

from marimo_pair_tui.core.api import HubOptions, PairingService, TargetSpec

from . import regular_install
from .cells_oneshot import capped_call, leaf_error
from .common import MARIMO, OURS, Lab, Opened, Row, run_once, service, service_available

SECTION = "8. grep: search every cell"
SIZE = 1000
NAP_SECONDS = 600
TARGET = "<= 50 ms at 1,000 cells"
LITERAL = "x_999"  # text as written: the last generated cell's code
REGEX = r"x_\d*7\b"  # a regular expression matching a tenth of the cells, code and output
CODE_MODE_GREP = """\
import marimo._code_mode as cm
async with cm.get_context() as ctx:
    for cell in ctx.cells.grep(r"x_999\\b"):
        print(cell.id)
"""


async def _in_process(opened: Opened, calls: int) -> tuple[list[float], list[float], list[float]]:
    """(PairingService.grep literal, .grep regex, the search over the model alone) samples, warm."""
    from marimo_pair_tui.core.model.search import query, search

    spec = TargetSpec(url=opened.browser.server.url, session=opened.browser.session_id)
    async with PairingService(HubOptions(urls=[opened.browser.server.url])) as pairing:
        mirror = (await pairing.mirror(spec)).value
        await pairing.grep(spec, LITERAL)  # untimed: attached, every output's text read once

        async def timed(pattern: str, regex: bool) -> float:
            start = time.perf_counter()
            reply = await pairing.grep(spec, pattern, regex=regex)
            took = time.perf_counter() - start
            if not reply.value.found.count:
                raise RuntimeError(f"grep {pattern!r} found nothing")
            return took

        literal = [await timed(LITERAL, False) for _ in range(calls)]
        regex = [await timed(REGEX, True) for _ in range(calls)]
        wanted = query(REGEX, regex=True)
        alone = []
        for _ in range(calls):
            start = time.perf_counter()
            search(mirror.notebook.cells, wanted, limit=100)
            alone.append(time.perf_counter() - start)
    return literal, regex, alone


def _ours(kernel: str, commands: dict[str, tuple[list[str], dict[str, str]]], last: str, calls: int) -> list[Row]:
    """A row per command (one untimed call first); a regular install's service is stopped after its row."""
    rows = []
    for name, (command, env) in commands.items():
        row = Row(SECTION, f"{kernel}: {name}", SIZE, target=TARGET)
        run_once(command, env, expect=last)  # untimed
        row.samples = [run_once(command, env, expect=last) for _ in range(calls)]
        row.met = row.median is not None and row.median <= 0.050
        rows.append(row)
        if "regular install" in name:
            subprocess.run([command[0], "--headless", "service", "stop"], env=env, capture_output=True, timeout=60)
    return rows


def measure(lab: Lab, quick: bool, log=print) -> list[Row]:
    calls = 20
    cap = 5.0 if quick else 10.0
    opened = lab.notebook(SIZE)
    env = lab.env
    rows: list[Row] = []
    literal, regex, alone = asyncio.run(_in_process(opened, calls))
    for name, samples in (("in-process: PairingService.grep, text", literal),
                          ("in-process: PairingService.grep, regex", regex),
                          ("in-process: the search over the mirror's model alone, regex", alone)):
        rows.append(Row(SECTION, name, SIZE, samples, target=TARGET, met=sorted(samples)[len(samples) // 2] <= 0.050))
    log("  in-process: done")
    ours = [*OURS, "--headless", "grep", LITERAL, *opened.target]
    pair = [*MARIMO, "pair", "execute", *opened.target, "--code-file", "-"]
    warm = service_available(env)
    commands = {"ours, service warm (a process per call)": (ours, env.vars())}
    if warm:
        try:
            installed = regular_install.shared(env)
            commands["ours, service warm, regular install (a process per call)"] = (
                [str(installed.command), *ours[len(OURS):]], installed.env)
        except Exception as exc:  # e.g. no registry to install the dependencies from
            rows.append(Row(SECTION, "ours, regular install", SIZE, status="not available", note=leaf_error(exc)[-200:]))
    try:
        for kernel in ("idle", "busy"):
            if kernel == "busy":
                lab.nap(opened, NAP_SECONDS)
            try:
                if warm:
                    rows += _ours(kernel, commands, opened.cell_ids[SIZE - 1], calls)
                peer = Row(SECTION, f"{kernel}: marimo pair execute, code_mode ctx.cells.grep", SIZE)
                if kernel == "idle":
                    peer.samples = [run_once(pair, env.vars(), expect=opened.cell_ids[SIZE - 1],
                                             stdin=CODE_MODE_GREP.encode()) for _ in range(5)]
                    peer.note = "5 calls: no p95; code only, cells not lines"
                else:
                    capped_call(peer, pair, env.vars(), CODE_MODE_GREP.encode(), cap)
                rows.append(peer)
            except Exception as exc:  # one state failing leaves the other
                rows.append(Row(SECTION, f"{kernel}: failed", SIZE, status="failed", note=leaf_error(exc)))
            finally:
                if kernel == "busy":
                    lab.wake(opened)
            log(f"  {kernel}: done")
    finally:
        service(env, "stop")
    return rows
