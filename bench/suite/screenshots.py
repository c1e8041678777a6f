"""Section 7: pictures of an output through the pairing service (`screenshot CELL`, one process a call).

A two-box notebook (tests/test_screenshots.py's) opened and run as a browser does. The service is
started by an untimed `status` call, which makes it follow the session; it launches its browser as
it starts, and once it has had no call for 2 s it opens the session's page in the background. "The
first picture" is then measured four ways, each with a service started afresh: asked at once after
that `status` with the browser's kept profile removed first (the first picture ever of this server:
marimo's front end is fetched from the server, the worst a user meets), with warming turned off
(MARIMO_PAIR_BROWSER_WARM=0: the browser launched by the picture itself), asked WARM_AFTER seconds
after that `status` (a user who looked at the notebook first), and asked at once after it (the
browser still starting, no page; the front end from the browser's cache, as for any server it has
drawn before). And once more with the kept profile removed, but with the service started AHEAD
seconds before by `service start` (which starts its browser with itself): the first picture of a
server the browser never drew, from a warm service. Then
later pictures of the same and the other cell from the warm browser's kept page; each is a whole
`marimo-pair-tui --headless screenshot` process. Peer:
marimo's code_mode `ctx.screenshot()` (Playwright inside the kernel), run through our `exec` in the
same session: it needs Playwright's own downloaded Chromium, so where that is missing the row says
so. Targets (the screenshot issue, "keep the browser warm in the service"): first picture <= 3 s, later ones
<= 1 s; the row with no service running before the call has none (nothing could be warm), only its figure. The front end's JavaScript is
CPU-bound: the machine's load average is in the notes.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time

from marimo_pair_tui.core.browser import WARM_ENV

from tests.support.marimo_proc import open_browser_session
from tests.test_screenshots import RED_BLUE

from .common import OURS, ROOT, Lab, Row, service

SECTION = "7. screenshot: a cell's picture through the service"
FIRST_TARGET, LATER_TARGET = 3.0, 1.0
WARM_AFTER = 10.0  # seconds between the call that followed the session and the "later" first picture
AHEAD = 5.0  # seconds between `service start` and the call that follows the session, for the warm service's row
PEER_CODE = """import marimo._code_mode as _cm, time as _t
_ctx = _cm.get_context()
_took = []
for _ in range({calls}):
    _began = _t.perf_counter()
    await _ctx.screenshot({cell!r})
    _took.append(_t.perf_counter() - _began)
print(_took)
"""


def _call(args: list[str], env: dict[str, str], stdin: bytes | None = None) -> tuple[float, dict]:
    began = time.perf_counter()
    proc = subprocess.run([*OURS, "--headless", *args], capture_output=True, env=env, input=stdin, timeout=180,
                          cwd=str(ROOT))
    took = time.perf_counter() - began
    doc = json.loads(proc.stdout or b"{}")
    if proc.returncode != 0:
        raise RuntimeError(f"{args[0]} exit {proc.returncode}: {proc.stdout[-300:]!r} {proc.stderr[-300:]!r}")
    return took, doc


def _peer(target: list[str], env: dict[str, str], cell: str, calls: int) -> Row:
    """marimo's ctx.screenshot() in the kernel: its own timings (first, later), or why it does not run here."""
    code = PEER_CODE.format(calls=calls, cell=cell).encode()
    proc = subprocess.run([*OURS, "--headless", "exec", *target, "-"], capture_output=True,
                          env=env, input=code, timeout=180, cwd=str(ROOT))
    doc = json.loads(proc.stdout or b"{}")
    if proc.returncode != 0 or not doc.get("success"):
        why = (doc.get("stderr") or json.dumps(doc.get("error") or doc)).strip().splitlines()
        telling = [line.strip(" ║") for line in why if "Executable doesn't exist" in line or "Error:" in line]
        reason = telling[0] if telling else (why[-1] if why else "failed")
        return Row(SECTION, "marimo code_mode ctx.screenshot() (in the kernel)", None, [],
                   note=f"does not run here: {reason[:200]}", status="not available")
    took = json.loads(doc["stdout"].strip().splitlines()[-1])
    return Row(SECTION, "marimo code_mode ctx.screenshot() (in the kernel)", None, took[1:],
               note=f"first {took[0] * 1000:.0f} ms (its browser launched); in-kernel time, no process start")


def _first(env: dict[str, str], lab: Lab, target: list[str], cell: str, wait: float, *, forget: bool = False,
           ahead: bool = False) -> float:
    """A fresh service's first picture of `cell`, asked `wait` seconds after the call that followed the session;
    `forget`: with the browser's kept profile (its HTTP cache) removed first; `ahead`: the service started
    AHEAD seconds before that call (`service start`), so its browser is up."""
    service(lab.env, "stop")
    if forget:
        shutil.rmtree(lab.env.state_home / "marimo-pair-tui" / "browser", ignore_errors=True)
    if ahead:
        service(lab.env, "start")
        time.sleep(AHEAD)
    _call(["status", *target], env)  # the service started, the session followed: untimed
    time.sleep(wait)
    return _call(["screenshot", cell, *target], env)[0]


def measure(lab: Lab, quick: bool, log=print) -> list[Row]:
    env = lab.env.vars()
    path = lab.dir / "boxes.py"
    path.write_text(RED_BLUE, encoding="utf-8")
    browser = open_browser_session(lab.server, path)
    red, blue = browser.cell_ids[1:3]
    target = ["--url", lab.url, "--session", browser.session_id or ""]
    never = _first(env, lab, target, red, 0.0, forget=True)
    log(f"  first picture ever of this server, right after the session was followed: {never * 1000:.0f} ms")
    new = _first(env, lab, target, red, 0.0, forget=True, ahead=True)
    log(f"  first picture of a server the browser never drew, the service started {AHEAD:.0f} s before: "
        f"{new * 1000:.0f} ms")
    cold = _first({**env, WARM_ENV: "0"}, lab, target, red, 0.0)
    log(f"  first picture, warming off: {cold * 1000:.0f} ms")
    waited = _first(env, lab, target, red, WARM_AFTER)
    log(f"  first picture {WARM_AFTER:.0f} s after the session was followed: {waited * 1000:.0f} ms")
    first = _first(env, lab, target, red, 0.0)
    log(f"  first picture right after the session was followed: {first * 1000:.0f} ms")
    later: list[float] = []
    for _ in range(5 if quick else 15):
        for cell in (red, blue):
            later.append(_call(["screenshot", cell, *target], env)[0])
    whole, _ = _call(["screenshot", *target], env)
    log(f"  later pictures: median {sorted(later)[len(later) // 2] * 1000:.0f} ms; whole notebook {whole * 1000:.0f} ms")
    load = f"load average {os.getloadavg()[0]:.1f}"
    rows = [
        Row(SECTION, "ours: first picture, asked right after the session was followed", None, [first],
            target=f"<= {FIRST_TARGET:.0f} s", met=first <= FIRST_TARGET,
            note=f"`status`, then at once `screenshot CELL`: the browser is still starting, no page yet "
                 f"(the front end from its HTTP cache); {load}"),
        Row(SECTION, "ours: first picture of a server the browser never drew, service running", None, [new],
            target=f"<= {FIRST_TARGET:.0f} s", met=new <= FIRST_TARGET,
            note=f"the browser's kept profile removed, then `service start` ({AHEAD:.0f} s before `status` and "
                 "`screenshot CELL`): a warm service, marimo's front end fetched from the server"),
        Row(SECTION, "ours: first picture ever of this server, the service started by the call before", None,
            [never], note="no target: nothing was warm. The kept profile removed and no service running: `status` "
                          "starts the service (and its browser), then at once `screenshot CELL`; the browser's "
                          "launch and a first load of marimo's front end, fetched from the server"),
        Row(SECTION, f"ours: first picture, asked {WARM_AFTER:.0f} s after the session was followed", None,
            [waited], target=f"<= {FIRST_TARGET:.0f} s", met=waited <= FIRST_TARGET,
            note="the service started the browser on the session's page in the background meanwhile"),
        Row(SECTION, "ours: first picture, warming off (browser launch included)", None, [cold],
            note="MARIMO_PAIR_BROWSER_WARM=0: the picture launches the browser and loads the front end "
                 "(from its HTTP cache, filled by the row before)"),
        Row(SECTION, "ours: later pictures (warm browser, kept page)", None, later,
            target=f"median <= {LATER_TARGET * 1000:.0f} ms", met=sorted(later)[len(later) // 2] <= LATER_TARGET,
            note="two cells in turn, each a `screenshot CELL` process"),
        Row(SECTION, "ours: the whole notebook (warm)", None, [whole]),
    ]
    try:
        rows.append(_peer(target, env, red, 3 if quick else 6))
    finally:
        browser.close()
    return rows
