"""Per-call cost of a headless call to a remote notebook: multiplexed ssh against a fresh connection.

A real sshd on a loopback port (tests/support/sshd.py, throwaway keys), a real
`marimo edit` server whose registry only the ssh login sees, one browser-like
session; then N calls of

    marimo-pair-tui --headless exec --ssh DEST --notebook demo.py -c 'print(1)'

with the default ControlMaster (one warm-up call first, so the master exists,
as it does for an agent's second and later calls) and with multiplexing off
(`-o ControlMaster=no`: every call pays the key exchange and authentication
for discovery and again for its forward). For scale it also times the same
call to the server directly (`--url`, no ssh) and a bare `ssh DEST exit 0`
both ways (that is the remote login shell's start-up plus, without a master,
the handshake).

Over loopback the handshake is cheap; over a real network each one costs
several round trips more, so the saving grows with the distance. Run:
    .venv/bin/python bench/ssh_latency.py [--calls N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from marimo_pair_tui.core.ssh import SshHost, SshSettings  # noqa: E402
from tests.support.marimo_proc import open_browser_session, start_marimo_server  # noqa: E402
from tests.support.sshd import start_sshd  # noqa: E402


def timed(cmd: list[str], calls: int, env: dict[str, str], expect: bytes = b"1") -> list[float]:
    samples = []
    for _ in range(calls):
        start = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, env=env, timeout=120)
        samples.append(time.perf_counter() - start)
        if proc.returncode != 0 or expect not in proc.stdout:
            raise SystemExit(f"{cmd} failed ({proc.returncode}): {proc.stdout[-300:]!r} {proc.stderr[-300:]!r}")
    return samples


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=10)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-ssh-"))
    shutil.copytree(ROOT / "tests" / "notebooks", work / "notebooks")
    notebook = work / "notebooks" / "demo.py"
    sshd = start_sshd(work / "sshd", work / "remote-state")
    server = None
    try:
        server = start_marimo_server(notebook, state_home=sshd.remote_state)
        browser = open_browser_session(server, notebook)
        (work / "local-state").mkdir()
        base_env = {**os.environ, "XDG_STATE_HOME": str(work / "local-state"),
                    "XDG_CONFIG_HOME": str(work / "config")}
        mux_env = {**base_env, "MARIMO_PAIR_SSH_OPTS": sshd.ssh_opts()}
        direct_env = {**base_env, "MARIMO_PAIR_SSH_OPTS": sshd.ssh_opts(None, "-o", "ControlMaster=no")}
        bindir = Path(sys.executable).parent
        ours = [str(bindir / "marimo-pair-tui")] if (bindir / "marimo-pair-tui").exists() else [sys.executable, "-m", "marimo_pair_tui"]
        call = [*ours, "--headless", "exec", "--ssh", sshd.dest, "--notebook", "demo.py", "-c", "print(1)"]
        bare = ["ssh", *sshd.ssh_args(), "-o", "BatchMode=yes"]
        mux_host = SshHost(sshd.dest, SshSettings(options=tuple(sshd.ssh_args())))
        mux_ssh = [*bare, "-o", "ControlMaster=auto", "-o", f"ControlPath={mux_host.control_path}",
                   "-o", "ControlPersist=60", sshd.dest, "echo 1"]
        direct_ssh = [*bare, "-o", "ControlMaster=no", "-o", "ControlPath=none", sshd.dest, "echo 1"]

        timed(call, 1, mux_env)  # warm-up: opens the ControlMaster
        results = {
            "headless exec --ssh, multiplexed": timed(call, args.calls, mux_env),
            "headless exec --ssh, ControlMaster=no": timed(call, args.calls, direct_env),
            "headless exec --url (local, no ssh)": timed(
                [*ours, "--headless", "exec", "--url", server.url, "--session", browser.session_id, "-c", "print(1)"],
                args.calls, base_env),
            "ssh DEST 'echo 1', multiplexed": timed(mux_ssh, args.calls, base_env),
            "ssh DEST 'echo 1', ControlMaster=no": timed(direct_ssh, args.calls, base_env),
        }
        mux_host.exit_master()
        browser.close()
    finally:
        if server is not None:
            server.stop()
            server.cleanup_files()
        sshd.stop()
        shutil.rmtree(work, ignore_errors=True)

    medians = {name: statistics.median(samples) for name, samples in results.items()}
    print(f"{args.calls} calls each (median, seconds):")
    for name, value in medians.items():
        print(f"  {name:42s} {value:7.3f}")
    mux = medians["headless exec --ssh, multiplexed"]
    direct = medians["headless exec --ssh, ControlMaster=no"]
    print(f"ControlMaster=no / multiplexed: {direct / mux:.2f}x  (saves {direct - mux:.3f} s per call)")


if __name__ == "__main__":
    main()
