"""What every section shares: statistics, the private environment, generated notebooks, the server.

One marimo server (with marimo's own MCP read tools on) serves a private
directory; each notebook size is generated once and opened once by a
browser-like session, so that every section and every peer measure the same
kernels. Processes run with a private XDG_STATE_HOME and a private 0700
XDG_RUNTIME_DIR, so the background service a one-shot call starts is the
benchmark's own and is stopped at the end.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.support.marimo_proc import BrowserSession, MarimoServer, open_browser_session, start_marimo_server  # noqa: E402

BINDIR = Path(sys.executable).parent
OURS = [str(BINDIR / "marimo-pair-tui")] if (BINDIR / "marimo-pair-tui").exists() else [sys.executable, "-m", "marimo_pair_tui"]
MARIMO = [str(BINDIR / "marimo")] if (BINDIR / "marimo").exists() else [sys.executable, "-m", "marimo"]

READ_PROGRAM = """\
import marimo._code_mode as cm
async with cm.get_context() as ctx:
    for cell in ctx.cells.values():
        print(cell.id, cell.status, repr(cell.code))
"""

NAP_CODE = "import time as _time\n_time.sleep({seconds})"


# -- statistics ----------------------------------------------------------------

def p95(samples: list[float]) -> float | None:
    """The 95th percentile (nearest rank), or None below 20 samples: too few to say."""
    if len(samples) < 20:
        return None
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(0.95 * len(ordered) + 0.5)) - 1)]


def median(samples: list[float]) -> float | None:
    return statistics.median(samples) if samples else None


@dataclass
class Row:
    """One measurement: its samples in seconds, what it is compared with, and its target."""

    section: str
    name: str
    size: int | None = None
    samples: list[float] = field(default_factory=list)
    note: str = ""
    value: float | None = None  # a single figure that is not a latency distribution (e.g. MB)
    unit: str = "ms"
    baseline: str | None = None  # the row name (same section and size) this is the base of ratios for
    target: str = ""  # e.g. "<= 1.5x curl", "p95 <= 100 ms"
    met: bool | None = None
    status: str = "ok"  # ok | not available | failed | waits

    @property
    def median(self) -> float | None:
        return median(self.samples) if self.samples else self.value

    @property
    def p95(self) -> float | None:
        return p95(self.samples)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Row":
        return cls(**{k: v for k, v in data.items() if k not in ("median", "p95")})

    def to_json(self) -> dict[str, Any]:
        return {"section": self.section, "name": self.name, "size": self.size, "samples": self.samples,
                "note": self.note, "value": self.value, "unit": self.unit, "target": self.target,
                "met": self.met, "status": self.status, "median": self.median, "p95": self.p95}


def ms(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value * 1000:.1f} ms" if value < 10 else f"{value:.1f} s"


# -- environment ----------------------------------------------------------------

class Env:
    """The private directories every process of the run shares."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.state_home = base / "state"
        self.state_home.mkdir(parents=True, exist_ok=True)
        self.runtime_dir = Path(tempfile.mkdtemp(prefix="rt-", dir=base))
        os.chmod(self.runtime_dir, 0o700)

    def vars(self, **extra: str) -> dict[str, str]:
        """The environment every measured process gets: this run's private directories, and Python's bytecode
        cache on as a user has it (a shell that sets PYTHONDONTWRITEBYTECODE would make every process of ours
        compile each module it imports whose cached copy is stale, which no installed copy does)."""
        dropped = ("MARIMO_TOKEN", "MARIMO_PAIR_URLS", "MARIMO_PAIR_NO_SERVICE", "PYTHONDONTWRITEBYTECODE")
        env = {k: v for k, v in os.environ.items() if k not in dropped}
        env["XDG_STATE_HOME"] = str(self.state_home)
        env["XDG_RUNTIME_DIR"] = str(self.runtime_dir)
        env["MARIMO_SKIP_UPDATE_CHECK"] = "1"
        env.update(extra)
        return env


def run_once(cmd: list[str], env: dict[str, str], *, expect: str | None = None, stdin: bytes | None = None,
             timeout: float = 300) -> float:
    """Wall time of one process; raises with its output when it fails or lacks `expect`."""
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, env=env, input=stdin, timeout=timeout, cwd=str(ROOT))
    took = time.perf_counter() - start
    if proc.returncode != 0 or (expect is not None and expect.encode() not in proc.stdout):
        raise RuntimeError(f"{' '.join(cmd[:4])} … exit {proc.returncode}: {proc.stdout[-300:]!r} {proc.stderr[-300:]!r}")
    return took


# -- the background service --------------------------------------------------------

def service(env: Env, verb: str) -> tuple[int, dict[str, Any]]:
    """`marimo-pair-tui --headless service VERB` with the run's environment: (exit code, JSON document)."""
    proc = subprocess.run([*OURS, "--headless", "service", verb], capture_output=True, env=env.vars(), timeout=60)
    try:
        doc = json.loads(proc.stdout or b"{}")
    except ValueError:
        doc = {"raw": proc.stdout.decode(errors="replace")[-300:]}
    return proc.returncode, doc if isinstance(doc, dict) else {"raw": doc}


def service_available(env: Env) -> bool:
    """The `service` command exists: `service status` exits 0."""
    code, _doc = service(env, "status")
    return code == 0


def service_running(env: Env) -> bool:
    code, doc = service(env, "status")
    return code == 0 and bool(doc.get("running"))


# -- generated notebooks -------------------------------------------------------------

def notebook_text(cells: int) -> str:
    """A notebook of `cells` cells `x_i = i` (each showing its value), and a last cell `_nap = 0`
    that a browser-like run turns into a sleep to keep the kernel busy."""
    parts = ["import marimo\n\n__generated_with = \"0.25.2\"\napp = marimo.App()\n"]
    for i in range(cells):
        parts.append(f"\n@app.cell\ndef _():\n    x_{i} = {i}\n    x_{i}\n    return (x_{i},)\n")
    parts.append("\n@app.cell\ndef _():\n    _nap = 0\n    return\n")
    parts.append("\n\nif __name__ == \"__main__\":\n    app.run()\n")
    return "".join(parts)


def cell_code(i: int, value: int | str | None = None) -> str:
    return f"x_{i} = {i if value is None else value}\nx_{i}"


@dataclass
class Opened:
    """A generated notebook with its browser-like session (all cells run)."""

    size: int
    path: Path
    browser: BrowserSession
    opened_in: float

    @property
    def cell_ids(self) -> list[str]:
        return self.browser.cell_ids

    @property
    def codes(self) -> list[str]:
        return list((self.browser.kernel_ready or {}).get("codes", []))

    @property
    def target(self) -> list[str]:
        return ["--url", self.browser.server.url, "--session", self.browser.session_id or ""]


class Lab:
    """One server over a private directory; `notebook(size)` generates and opens a notebook once."""

    def __init__(self, env: Env, log=print) -> None:
        self.env = env
        self.log = log
        self.dir = env.base / "notebooks"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.server: MarimoServer = start_marimo_server(self.dir, state_home=env.state_home,
                                                        extra_args=["--mcp", "tools"], timeout=120)
        self.opened: dict[int, Opened] = {}
        self._token: str | None = None

    @property
    def url(self) -> str:
        return self.server.url

    def notebook(self, size: int) -> Opened:
        if size not in self.opened:
            path = self.dir / f"cells_{size}.py"
            path.write_text(notebook_text(size), encoding="utf-8")
            began = time.perf_counter()
            browser = open_browser_session(self.server, path, timeout=max(60.0, size * 0.2))
            took = time.perf_counter() - began
            self.log(f"  opened a {size}-cell notebook (all cells run) in {took:.1f} s")
            self.opened[size] = Opened(size, path, browser, took)
        return self.opened[size]

    def token(self) -> str:
        if self._token is None:
            self._token = self.server.server_token()
        return self._token

    def run_cells(self, opened: Opened, cell_ids: list[str], codes: list[str]) -> None:
        """POST /api/kernel/run as the browser does (returns once queued)."""
        response = httpx.post(
            self.url + "/api/kernel/run",
            json={"cellIds": cell_ids, "codes": codes},
            headers={"Marimo-Session-Id": opened.browser.routing_id, "Marimo-Server-Token": self.token()},
            timeout=60,
        )
        response.raise_for_status()

    def interrupt(self, opened: Opened) -> None:
        httpx.post(self.url + "/api/kernel/interrupt", json={},
                   headers={"Marimo-Session-Id": opened.browser.routing_id, "Marimo-Server-Token": self.token()},
                   timeout=30).raise_for_status()

    def kernel_state(self, opened: Opened) -> str:
        response = httpx.get(self.url + "/api/kernel/status",
                             headers={"Marimo-Session-Id": opened.browser.routing_id}, timeout=10)
        try:
            return str(response.json().get("state"))
        except ValueError:
            return "?"

    def nap(self, opened: Opened, seconds: float) -> None:
        """Run the last cell as a sleep (new code, as a browser sends it); return once it runs."""
        nap_id = opened.cell_ids[-1]
        mark = len(opened.browser)
        self.run_cells(opened, [nap_id], [NAP_CODE.format(seconds=seconds)])
        opened.browser.wait_for_op("cell-op", 60, since=mark,
                                   where=lambda d: d.get("cell_id") == nap_id and d.get("status") == "running")

    def wake(self, opened: Opened) -> None:
        """Interrupt the sleep and wait until the kernel is idle again."""
        self.interrupt(opened)
        deadline = time.monotonic() + 60
        while self.kernel_state(opened) not in ("idle", "?") and time.monotonic() < deadline:
            time.sleep(0.1)

    def close(self) -> None:
        for opened in self.opened.values():
            opened.browser.close()
        self.server.stop()
        self.server.cleanup_files()
