"""Section 1: `exec print(1)` as a fresh process per call, as an agent's shell tool runs it.

Ours in three modes (the background service warm, the call that has to start
the service, and everything in the calling process) against curl on the same
execute endpoint and `marimo pair execute`, all on one idle notebook; and the
warm service once more from a regular install of the built wheel (what users
run), beside the checkout's editable one. The fast rows are interleaved call
by call so that drift on the machine hits them alike.
"""

from __future__ import annotations

import json

from . import regular_install
from .common import MARIMO, OURS, Lab, Row, run_once, service, service_available, service_running

SECTION = "1. exec print(1), one process per call"
SIZE = 10


CURL, PAIR, WARM, COLD, IN_PROCESS = ("curl POST /api/kernel/execute", "marimo pair execute", "ours, service warm",
                                      "ours, service cold", "ours, in-process (MARIMO_PAIR_NO_SERVICE=1)")
REGULAR = "ours, service warm, regular install"
REGULAR_TARGET = 1.2  # x curl
EXPECT_OURS = '"stdout":"1\\n"'  # the one-line JSON the command prints (no spaces)


def measure(lab: Lab, quick: bool, log=print) -> list[Row]:
    fast, slow = (20, 5) if quick else (40, 10)
    opened = lab.notebook(SIZE)
    env = lab.env
    in_process_env, service_env = env.vars(MARIMO_PAIR_NO_SERVICE="1"), env.vars()
    ours = [*OURS, "--headless", "exec", *opened.target, "-c", "print(1)"]
    curl = ["curl", "-sN", "-X", "POST", f"{lab.url}/api/kernel/execute", "-H", "Content-Type: application/json",
            "-H", f"Marimo-Stable-Session-Id: {opened.browser.session_id}", "-d", json.dumps({"code": "print(1)"})]
    pair = [*MARIMO, "pair", "execute", *opened.target, "-c", "print(1)"]

    rows = {name: Row(SECTION, name, SIZE) for name in (CURL, PAIR, WARM, REGULAR, COLD, IN_PROCESS)}
    rows[CURL].baseline = "curl"
    rows[WARM].target = "<= 1.5x curl and >= 8x faster than marimo pair"
    rows[REGULAR].target = f"<= {REGULAR_TARGET}x curl"
    has_service = _warm_up(env, rows, ours, curl, service_env, in_process_env)
    regular = _regular(lab, rows[REGULAR], opened.target, log) if has_service else None

    try:
        for _ in range(fast):
            rows[CURL].samples.append(run_once(curl, service_env, expect="1"))
            if has_service:
                rows[WARM].samples.append(run_once(ours, service_env, expect=EXPECT_OURS))
            if regular is not None:
                rows[REGULAR].samples.append(run_once(regular[0], regular[1].env, expect=EXPECT_OURS))
            rows[IN_PROCESS].samples.append(run_once(ours, in_process_env, expect=EXPECT_OURS))
    finally:
        if regular is not None:
            regular[1].service("stop")  # its own service: no second one competes with the next rows
    log(f"  {fast} interleaved calls of curl, service warm{', regular install' if regular else ''}, in-process done")
    for _ in range(slow):
        rows[PAIR].samples.append(run_once(pair, service_env, expect="1"))
    if has_service:
        for _ in range(slow):
            service(env, "stop")
            rows[COLD].samples.append(run_once(ours, service_env, expect=EXPECT_OURS))
    log(f"  {slow} calls of marimo pair execute{' and service cold' if has_service else ''} done")

    _judge(rows)
    service(env, "stop")  # no background process competes with the next sections
    for row in rows.values():
        if row.samples and len(row.samples) < 20:
            _note(row, f"{len(row.samples)} calls: no p95")
    return list(rows.values())


def _warm_up(env, rows: dict[str, Row], ours: list[str], curl: list[str], service_env: dict[str, str],
             in_process_env: dict[str, str]) -> bool:
    """One untimed call of each (the first starts the service); whether this build has the service."""
    has_service = service_available(env)
    if not has_service:
        for row in (rows[WARM], rows[COLD]):
            row.status, row.note = "not available", "`marimo-pair-tui --headless service` does not exist in this build"
    else:
        run_once(ours, service_env, expect=EXPECT_OURS)  # untimed: starts the service
        if not service_running(env):
            rows[WARM].note = "the service was not running after the first call"
    run_once(ours, in_process_env, expect=EXPECT_OURS)  # untimed warm-up of the file cache
    run_once(curl, service_env, expect="1")
    return has_service


def _regular(lab: Lab, row: Row, target: list[str], log) -> tuple[list[str], regular_install.RegularInstall] | None:
    """The wheel installed with `uv tool install` and its service started by one untimed call: its
    exec command and install; None (the row says why) when it cannot be built or installed."""
    try:
        installed = regular_install.shared(lab.env)
    except Exception as exc:  # e.g. no registry to install the dependencies from
        row.status, row.note = "not available", f"the wheel could not be built or installed: {str(exc)[-200:]}"
        return None
    command = [str(installed.command), "--headless", "exec", *target, "-c", "print(1)"]
    run_once(command, installed.env, expect=EXPECT_OURS)  # untimed: starts the install's own service
    log(f"  regular install at {installed.command}")
    return command, installed


def _judge(rows: dict[str, Row]) -> None:
    """The warm service against its targets: within 1.5x curl, 8x faster than marimo pair; from a
    regular install within 1.2x curl."""
    regular, curl_median = rows[REGULAR], rows[CURL].median
    if regular.samples and curl_median:
        vs_curl = regular.median / curl_median
        regular.met = vs_curl <= REGULAR_TARGET
        _note(regular, f"{vs_curl:.2f}x curl ({'met' if regular.met else 'missed'})")
    warm, curl_median, pair_median = rows[WARM], rows[CURL].median, rows[PAIR].median
    if warm.samples and curl_median and pair_median:
        vs_curl, vs_pair = warm.median / curl_median, pair_median / warm.median
        warm.met = vs_curl <= 1.5 and vs_pair >= 8
        _note(warm, f"{vs_curl:.2f}x curl ({'met' if vs_curl <= 1.5 else 'missed'}), "
                    f"{vs_pair:.1f}x faster than marimo pair ({'met' if vs_pair >= 8 else 'missed'})")


def _note(row: Row, text: str) -> None:
    row.note = (row.note + "; " if row.note else "") + text
