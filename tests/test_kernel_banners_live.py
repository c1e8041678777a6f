"""marimo's banners and package operations, read in `status` and `watch` against a real server.

A kernel process killed by pid makes marimo send "Kernel stopped" (variant danger, action restart)
to every client: `status` and `watch` show what the browser got. A package install made with
`packages add` shows its operation (action, packages, running -> succeeded, the installer's log)
as the kernel then says (`importlib.metadata.version`). A toast sent while `run CELL` ran through
the pairing service, before anything else asked about the session, is in the next `status`.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest

from tests.clihelp import cli_env, run_cli, start_cli
from tests.support import kernel_probe as probe
from tests.support.cell_lab import CellLab
from tests.support.waiting import wait_until
from tests.support.kernel_probe import session_cli
from tests.support.marimo_proc import BrowserSession

PACKAGE = "roman"  # small, pure Python, and no other test installs it


def kernel_pid(lab: CellLab, browser: BrowserSession) -> int:
    """The session's kernel process, as the kernel itself says; a child of the marimo server."""
    pid = int(probe.kernel(lab.server, browser, "__import__('os').getpid()"))
    assert int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1]) == lab.server.pid
    return pid


def notices_from_watch(proc: subprocess.Popen[bytes], count: int) -> list[dict[str, Any]]:
    """The first `count` notice lines `watch` prints."""
    assert proc.stdout is not None
    found: list[dict[str, Any]] = []
    while len(found) < count:
        line = proc.stdout.readline()
        assert line, "watch ended before printing the notices"
        doc = json.loads(line)
        if "notice" in doc:
            found.append(doc["notice"])
    return found


def start_watch(lab: CellLab, browser: BrowserSession) -> subprocess.Popen[bytes]:
    proc = start_cli(["watch", "--timeout", "300", "--url", lab.server.url, "--session", browser.session_id or ""],
                     env=cli_env(lab.server.state_home))
    assert proc.stdout is not None
    json.loads(proc.stdout.readline())  # the state on attach: watch is listening
    return proc


def test_a_killed_kernel_is_a_banner_in_status_and_watch(lab: CellLab) -> None:
    path, browser = lab.fresh("demo.py")
    assert session_cli(lab.server, browser, "status").json["notices"]["banners"] == []
    pid = kernel_pid(lab, browser)
    watch = start_watch(lab, browser)
    try:
        os.kill(pid, signal.SIGKILL)
        sent = wait_until(lambda: browser.ops("banner"), timeout=60, what="marimo's banner to the browser")[0]
        assert (sent["title"], sent["variant"], sent["action"]) == ("Kernel stopped", "danger", "restart")
        (watched,) = notices_from_watch(watch, 1)
    finally:
        watch.kill()
        watch.wait()
    status = session_cli(lab.server, browser, "status").json
    (banner,) = status["notices"]["banners"]
    for shown in (banner, watched):
        assert (shown["kind"], shown["title"], shown["description"], shown["variant"], shown["action"]) == (
            "banner", sent["title"], sent["description"], sent["variant"], sent["action"])
    # the words say what happened and what to do about it
    assert "stopped unexpectedly" in banner["description"] and "restart" in banner["description"].lower()
    # and what it says to do works: a new kernel, whose process is not the dead one
    restarted = session_cli(lab.server, browser, "restart", "--run")
    assert restarted.code == 0, restarted.stdout
    again = run_cli(["exec", "-c", "print(__import__('os').getpid())", "--notebook", str(path),
                     "--url", lab.server.url], env=cli_env(lab.server.state_home))
    assert again.code == 0 and int(again.json["stdout"]) != pid, again.stdout


@pytest.fixture
def package() -> Iterator[str]:
    """A package the server's environment lacks now, uninstalled again afterwards."""
    uninstall = [sys.executable, "-m", "pip", "uninstall", "-y", "-q", PACKAGE]
    subprocess.run(uninstall, capture_output=True, timeout=120)
    try:
        yield PACKAGE
    finally:
        subprocess.run(uninstall, capture_output=True, timeout=120)


def test_a_package_install_reads_as_the_kernel_then_says(lab: CellLab, package: str) -> None:
    _, browser = lab.fresh("demo.py")
    missing = "__import__('importlib.util').util.find_spec({!r}) is None".format(package)
    assert probe.kernel(lab.server, browser, missing) is True
    watch = start_watch(lab, browser)
    try:
        added = session_cli(lab.server, browser, "packages", "add", package)
        assert added.code == 0, added.stdout
        began, ended = notices_from_watch(watch, 2)
    finally:
        watch.kill()
        watch.wait()
    version = probe.kernel(lab.server, browser, f"__import__('importlib.metadata').metadata.version({package!r})")
    assert (began["kind"], began["title"]) == ("environment", f"install {package}: started")
    assert (ended["kind"], ended["title"], ended["variant"]) == ("environment", f"install {package}: done", None)
    environment = session_cli(lab.server, browser, "status").json["notices"]["environment"]["kernel"]
    (operation,) = [o for o in environment["operations"] if package in o["packages"]]
    assert (operation["action"], operation["status"], operation["packages"]) == ("install", "succeeded",
                                                                                 {package: "succeeded"})
    assert f"Successfully installed {package}-{version}" in operation["logs"][package]
    assert not environment["restart_required"]


TOASTING = """import marimo

app = marimo.App()


@app.cell
def toast():
    import marimo as mo
    mo.status.toast("Exported", "<i>12</i> rows", kind="danger")
    return


if __name__ == "__main__":
    app.run()
"""


def test_a_toast_made_by_a_run_through_the_service_stays_for_status(lab: CellLab) -> None:
    _, browser = lab.fresh(text=TOASTING)  # its first toast went to the browser alone
    told = len(browser.ops("alert"))
    ran = session_cli(lab.server, browser, "run", "toast")  # the first call about this session
    assert ran.code == 0, ran.stdout
    sent = wait_until(lambda: browser.ops("alert")[told:], what="the run's toast to the browser")[0]
    status = session_cli(lab.server, browser, "status").json
    (alert,) = status["notices"]["alerts"]
    assert (alert["title"], alert["description"], alert["variant"]) == (sent["title"], "*12* rows", sent["variant"])


def test_a_dead_kernel_is_said_by_status_and_refused_by_exec_instead_of_a_hang(lab: CellLab, tmp_path: Path) -> None:
    """After marimo said the kernel process died, `status` says `stopped` with marimo's words, and an
    `exec` is refused at once (nothing sent: it would wait forever) with the restart to do; a run the
    kernel died under ends as `outcome_unknown` (exit 4), never a hang."""
    path, browser = lab.fresh("demo.py")
    gate = tmp_path / "gate"
    held = start_cli(["exec", "-c", f"import pathlib, time\nwhile not pathlib.Path({str(gate)!r}).exists(): time.sleep(0.05)",
                      "--url", lab.server.url, "--session", browser.session_id or ""], env=cli_env(lab.server.state_home))
    wait_until(lambda: session_cli(lab.server, browser, "status").json["kernel"]["idle"] is False, 60,
               "the held exec to run")
    os.kill(kernel_pid_while_busy(lab), signal.SIGKILL)
    out, _err = held.communicate(timeout=120)
    ended = json.loads(out.splitlines()[-1])
    assert held.returncode == 4 and ended["error"]["kind"] == "outcome_unknown", out
    assert "kernel process died" in ended["error"]["message"] and "restart" in ended["error"]["next"]

    status = session_cli(lab.server, browser, "status").json
    assert status["state"] == "stopped" and status["kernel"]["stopped"].startswith("Kernel stopped: ")
    refused = session_cli(lab.server, browser, "exec", "-c", "print('never')")
    assert refused.code == 2 and refused.json["error"]["kind"] == "kernel_stopped", refused.stdout
    assert "nothing was sent" in refused.json["error"]["message"] and "restart" in refused.json["error"]["next"]

    assert session_cli(lab.server, browser, "restart", "--run").code == 0
    again = run_cli(["exec", "-c", "print('fresh')", "--notebook", str(path), "--url", lab.server.url],
                    env=cli_env(lab.server.state_home))
    assert again.code == 0 and again.json["stdout"] == "fresh\n", again.stdout
    status = run_cli(["status", "--notebook", str(path), "--url", lab.server.url], env=cli_env(lab.server.state_home))
    assert status.json["state"] != "stopped" and "stopped" not in status.json["kernel"]


def kernel_pid_while_busy(lab: CellLab) -> int:
    """The kernel process of the lab's newest session, found as the server's child running marimo's kernel
    (the kernel cannot be asked while it runs the held snippet)."""
    children = [int(p) for p in Path(f"/proc/{lab.server.pid}/task/{lab.server.pid}/children").read_text().split()]
    newest = max(children, key=lambda pid: int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]))
    return newest
