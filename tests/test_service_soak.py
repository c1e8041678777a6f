"""The pairing service over 2,000 calls against a real server: its memory levels off.

The calls are the common ones (exec -c, cells, status, guide), four callers
at a time, made over the service's socket as its client makes them (2,000
client processes would cost minutes), after a spawned client showed the
same answer. The service's resident memory is read from /proc every 100
calls.
"""

from __future__ import annotations

import json
import os
import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from marimo_pair_tui.headless.service import wire as service_wire
from tests.clihelp import cli_env, run_cli
from tests.support.cell_lab import CellLab

CALLS = 2000
CALLERS = 4
SAMPLE_EVERY = 100
PLATEAU_KB = 1024  # calls 500-1,000 to calls 1,500-2,000: 1 KB a call
LEVEL_KB = 3 * 1024  # call 100 to calls 500-1,000


class WireCaller:
    """Calls through the service's socket, as headless/service/client.py makes them."""

    def __init__(self, env: dict[str, str], cwd: Path) -> None:
        self.path = service_wire.socket_path(env)
        self.request = {"op": "run", "version": service_wire.fingerprint(), "cwd": str(cwd),
                        "env": service_wire.caller_environ(env), "stdout_encoding": "utf-8"}

    def call(self, argv: list[str]) -> tuple[int, str]:
        """The exit code and the stdout of one call."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock, open(os.devnull, "rb") as stdin:
            sock.settimeout(60)
            sock.connect(self.path)
            service_wire.send(sock, {**self.request, "argv": argv})
            first, _ = service_wire.receive(sock)
            assert first.get("started"), first
            service_wire.send(sock, {"go": True}, [stdin.fileno()])
            out: list[str] = []
            while True:
                message, _ = service_wire.receive(sock)
                if "out" in message:
                    out.append(message["out"])
                if "exit" in message:
                    return int(message["exit"]), "".join(out)


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError(f"no VmRSS for pid {pid}")


def check(number: int, code: int, out: str) -> None:
    """Each kind of call answered, with the kernel's own output for exec."""
    assert code == 0, (number, out)
    if number % 4 == 3:
        assert out.startswith("---"), out[:200]  # the guide is text
        return
    document: dict[str, Any] = json.loads(out)
    assert document["success"], document
    if number % 4 == 0:
        assert document["stdout"] == f"{number}\n", document
    elif number % 4 == 1:
        assert len(document["cells"]) == 4, document


def command(number: int) -> list[str]:
    return [["exec", "-c", f"print({number})"], ["cells"], ["status"], ["guide"]][number % 4]


def test_the_services_memory_levels_off_over_2000_calls(lab: CellLab) -> None:
    """RSS is read after every 100 calls. Two bounds, both in memory, none in time:

    - the plateau: the highest reading of calls 1,500-2,000 exceeds the highest of calls 500-1,000
      by less than 1 MB (1 KB a call). A leak of the size a user measured (5-10 MB per 500 calls)
      adds 10-20 MB there.
    - the level: the highest reading of calls 500-1,000 exceeds the reading after call 100 (each
      command has run 25 times: its modules are loaded, the session's mirror is built) by less
      than 3 MB. A service that holds the garbage of hundreds of calls at a time, and keeps the
      memory that peak took, grows 7 MB there (measured, with the app's collector thresholds);
      one that frees a call's garbage within a few calls grows 1.4 MB (a fresh allocator pool).

    The highest reading of a window, not a single one, so where in the collector's cycle a
    reading falls does not decide it.
    """
    lab.fresh()  # the one session of the lab's server: calls without a target find it
    env = {k: v for k, v in cli_env(lab.server.state_home).items() if k != service_wire.NO_SERVICE_ENV}
    wire = WireCaller(env, lab.dir)
    spawned = run_cli(["cells"], env=env, cwd=lab.dir)  # a real client starts the service
    assert spawned.code == 0, spawned.stderr
    assert wire.call(["cells"]) == (0, spawned.stdout), "a spawned client and the socket get the same answer"
    pid = run_cli(["service", "status"], env=env).json["pid"]

    samples: dict[int, int] = {}
    done = 0
    lock = threading.Lock()

    def one(number: int) -> None:
        nonlocal done
        code, out = wire.call(command(number))
        check(number, code, out)
        with lock:
            done += 1
            if done % SAMPLE_EVERY == 0:
                samples[done] = rss_kb(pid)

    with ThreadPoolExecutor(CALLERS) as pool:
        list(pool.map(one, range(1, CALLS + 1)))

    assert sorted(samples) == list(range(SAMPLE_EVERY, CALLS + 1, SAMPLE_EVERY))
    level = max(kb for n, kb in samples.items() if 500 <= n <= 1000)
    end = max(kb for n, kb in samples.items() if 1500 <= n <= 2000)
    readings = f"RSS (kB) after each {SAMPLE_EVERY} calls: {samples}"
    print(f"service RSS (kB) at calls 100/500/1000/1500/2000: "
          f"{[samples[n] for n in (100, 500, 1000, 1500, 2000)]}")  # shown with pytest -s
    assert end - level < PLATEAU_KB, readings
    assert level - samples[100] < LEVEL_KB, readings
    assert run_cli(["service", "status"], env=env).json["calls"] == CALLS + 2
