"""Section 2: reading every cell, one process per call, on an idle kernel and while a cell sleeps.

Ours (`--headless cells`: the live stream, through the background service when
it exists and in-process) against the two ways marimo offers: a code_mode read
program through `marimo pair execute` (one process per call; it queues behind
a running cell, so while busy it is called once and stopped at a cap) and
marimo's own MCP read tool `get_cell_runtime_data` for every cell id (a held
streamable-HTTP client session, marimo's natural mode: no process start).
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time

from . import regular_install
from .common import MARIMO, OURS, READ_PROGRAM, Env, Lab, Opened, Row, run_once, service, service_available

if sys.version_info < (3, 11):  # a builtin from 3.11 on; anyio installs the backport before it
    from exceptiongroup import BaseExceptionGroup

SECTION = "2. cells: read every cell"
NAP_SECONDS = 600  # the sleeping cell is interrupted once the busy readings are done
FAST_CALLS = 20  # timed calls of each quick reader


async def _marimo_mcp(url: str, opened: Opened, calls: int, cap: float) -> tuple[list[float], str]:
    """`get_cell_runtime_data` for every cell, `calls` times over one held session; ("", samples) or a note."""
    from mcp import ClientSession
    from mcp.client.streamable_http import streamable_http_client

    async with streamable_http_client(url + "/mcp/server") as (read, write, *_):
        async with ClientSession(read, write) as session:
            await session.initialize()
            active = await session.call_tool("get_active_notebooks", {"args": {}})
            notebooks = active.structured_content["data"]["notebooks"]
            mine = [n for n in notebooks if n.get("path", "").endswith(opened.path.name)] or notebooks
            args = {"args": {"session_id": mine[0]["session_id"], "cell_ids": opened.cell_ids}}
            samples: list[float] = []
            for _ in range(calls):
                start = time.perf_counter()
                try:
                    result = await asyncio.wait_for(session.call_tool("get_cell_runtime_data", args), cap)
                except asyncio.TimeoutError:
                    return samples, f"no answer within {cap:g} s (waits for the kernel)"
                samples.append(time.perf_counter() - start)
                if result.is_error or len(result.structured_content["data"]) != len(opened.cell_ids):
                    raise RuntimeError(f"get_cell_runtime_data: {str(result)[:300]}")
            return samples, ""


def _capped(cmd: list[str], env: dict[str, str], stdin: bytes, cap: float) -> tuple[float, bool]:
    """(seconds, answered) of one process stopped at `cap` seconds."""
    start = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, env=env, input=stdin, timeout=cap)
    except subprocess.TimeoutExpired:
        return time.perf_counter() - start, False
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[:3]} exit {proc.returncode}: {proc.stderr[-300:]!r}")
    return time.perf_counter() - start, True


def capped_call(row: Row, cmd: list[str], env: dict[str, str], stdin: bytes, cap: float) -> Row:
    """`row` filled from one call of a peer that may wait on a busy kernel: its time, or how long it waited."""
    took, answered = _capped(cmd, env, stdin, cap)
    if answered:
        row.samples, row.note = [took], "1 call"
    else:
        row.status, row.value = "waits", took
        row.note = f"waits for the kernel: no answer after {took:.1f} s (stopped)"
    return row


def leaf_error(exc: BaseException) -> str:
    """The innermost error of an exception group, as `Kind: message`."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    return f"{exc.__class__.__name__}: {exc}"


def measure(lab: Lab, quick: bool, sizes: list[int], log=print) -> list[Row]:
    rows: list[Row] = []
    try:
        for size in sizes:
            try:
                rows += _size(lab, quick, size, log)
            except Exception as exc:  # one size failing leaves the others
                rows.append(Row(SECTION, "this size failed", size, status="failed", note=leaf_error(exc)))
                log(f"  {size} cells FAILED: {leaf_error(exc)}")
    finally:
        service(lab.env, "stop")  # its mirrors would otherwise keep working on every event of later sections
    return rows


def _size(lab: Lab, quick: bool, size: int, log) -> list[Row]:
    env = lab.env
    rows: list[Row] = []
    cap = 5.0 if quick else 10.0
    opened = lab.notebook(size)
    modes = {"ours, service warm": (OURS, env.vars()), "ours, in-process": (OURS, env.vars(MARIMO_PAIR_NO_SERVICE="1"))}
    if not service_available(env):
        modes.pop("ours, service warm")
        rows += _no_service_rows(size)
    elif size == REGULAR_SIZE:
        regular = _regular(lab)
        if isinstance(regular, Row):
            rows.append(regular)
        else:
            modes[REGULAR] = ([str(regular.command)], regular.env)
    for kernel in ("idle", "busy"):
        if kernel == "busy":
            lab.nap(opened, NAP_SECONDS)
        try:
            rows += _ours_rows(opened, kernel, size, modes)
            if REGULAR in modes:
                regular_install.shared(env).service("stop")  # its mirror would work on every event of what follows
            rows.append(_mcp_row(lab, opened, kernel, size, cap))
            rows.append(_reader_row(env, opened, kernel, size, cap))
        finally:
            if kernel == "busy":
                lab.wake(opened)
        log(f"  {size} cells, {kernel}: done")
    return rows


def _no_service_rows(size: int) -> list[Row]:
    """The service's rows, idle and busy, when this build has no pairing service."""
    return [Row(SECTION, f"{kernel}: ours, service warm", size, status="not available",
                note="no `service` command in this build", target="<= 50 ms at 1,000 cells" if size == 1000 else "")
            for kernel in ("idle", "busy")]


REGULAR = "ours, service warm, regular install"
REGULAR_SIZE = 1000  # the size the regular install is measured at (the target's)


def _regular(lab: Lab) -> regular_install.RegularInstall | Row:
    """The run's regular install, or the row that says why there is none."""
    try:
        return regular_install.shared(lab.env)
    except Exception as exc:  # e.g. no registry to install the dependencies from
        return Row(SECTION, f"idle: {REGULAR}", REGULAR_SIZE, status="not available",
                   note=f"the wheel could not be built or installed: {str(exc)[-200:]}")


def _ours_rows(opened: Opened, kernel: str, size: int, modes: dict) -> list[Row]:
    """`cells` through the warm service (of the checkout, and of a regular install) and in-process, one untimed call first."""
    last = f"x_{size - 1}"
    rows = []
    for name, (command, cmd_env) in modes.items():
        ours = [*command, "--headless", "cells", *opened.target]
        row = Row(SECTION, f"{kernel}: {name}", size)
        run_once(ours, cmd_env, expect=last)  # untimed: a warm service (or file cache)
        row.samples = [run_once(ours, cmd_env, expect=last) for _ in range(FAST_CALLS)]
        if "service warm" in name and size == 1000:
            row.target = "<= 50 ms at 1,000 cells"
            row.met = row.median is not None and row.median <= 0.050
        rows.append(row)
    return rows


def _mcp_row(lab: Lab, opened: Opened, kernel: str, size: int, cap: float) -> Row:
    """marimo's own MCP read through a held client; one that waits past `cap` says so."""
    mcp = Row(SECTION, f"{kernel}: marimo --mcp get_cell_runtime_data (held client)", size)
    try:
        mcp.samples, mcp.note = asyncio.run(_marimo_mcp(lab.url, opened, FAST_CALLS, cap))
        if mcp.note and not mcp.samples:
            mcp.status, mcp.value = "waits", cap
    except Exception as exc:  # e.g. an answer bigger than the MCP client takes
        mcp.status, mcp.note = "failed", leaf_error(exc)
    return mcp


def _reader_row(env: Env, opened: Opened, kernel: str, size: int, cap: float) -> Row:
    """A code_mode read through `marimo pair execute`: a few calls idle, one capped call busy."""
    pair, last = [*MARIMO, "pair", "execute", *opened.target, "--code-file", "-"], f"x_{size - 1}"
    reader = Row(SECTION, f"{kernel}: marimo pair execute, code_mode read", size)
    if kernel == "idle":
        slow = 5 if size < 5000 else 3
        reader.samples = [run_once(pair, env.vars(), expect=last, stdin=READ_PROGRAM.encode()) for _ in range(slow)]
        reader.note = f"{slow} calls: no p95"
        return reader
    return capped_call(reader, pair, env.vars(), READ_PROGRAM.encode(), cap)
