"""Every one-shot call through the pairing service answers: one JSON document and its exit code.

The service's code changing on disk (an edit, an upgrade) while calls come and
go, a service stopping with a call half handed over, and a call in flight
while clients of two versions take turns: each made real against real
service processes (and a real marimo kernel where code runs).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from marimo_pair_tui.headless.service import wire as service_wire
from tests.clihelp import CliResult
from tests.support.cell_lab import CellLab
from tests.support.waiting import wait_until
from tests.test_pairing_service import Calls, calls, services_for  # noqa: F401  (the fixture)


def package_copy(calls: Calls) -> Path:
    """Another copy of the package (a checkout being edited): the directory to run it from."""
    alt = calls.runtime / "alt"
    shutil.copytree(Path(service_wire.__file__).parents[2], alt / "marimo_pair_tui",
                    ignore=shutil.ignore_patterns("__pycache__"))
    return alt


def one_document(result: CliResult) -> dict:
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert len(lines) == 1, f"exit {result.code}: stdout {result.stdout!r}, stderr {result.stderr!r}"
    return json.loads(lines[0])


def test_a_command_whose_code_does_not_load_answers_with_a_document(calls: Calls) -> None:
    """A file caught half-saved when the service first loads the commands (a name used before the
    edit that defines it is saved): the call gets a JSON error, not an exit code alone."""
    alt = package_copy(calls)
    module = alt / "marimo_pair_tui" / "headless" / "cli" / "cell_commands.py"
    whole = module.read_text()
    module.write_text(whole + "\nHALF_SAVED = NOT_YET_DEFINED\n")
    env = calls.env()
    broken = calls.run("servers", env=env, cwd=alt)
    document = one_document(broken)
    assert broken.code == 1
    assert document["error"]["kind"] == "internal"
    assert "NameError" in document["error"]["message"] and "NOT_YET_DEFINED" in document["error"]["message"]
    assert "--no-service" in document["error"]["next"]
    [first] = services_for(calls.socket())

    module.write_text(whole)  # the edit completed: another version, another service
    whole_again = calls.run("servers", env=env, cwd=alt)
    assert whole_again.code == 0, whole_again.stderr
    assert one_document(whole_again) == {"servers": [], "warnings": []}
    assert calls.status(env)["pid"] != first


# ---------------------------------------------------------------- a service stopping with a call half handed over


def run_request(calls: Calls, *argv: str) -> dict:
    """What the client sends first for `argv` (this package's version, the test's environment)."""
    return {"op": "run", "version": service_wire.fingerprint(), "argv": list(argv), "cwd": "/",
            "env": service_wire.caller_environ(calls.env()), "stdout_encoding": "utf-8"}


def say_go_and_relay(sock: socket.socket) -> tuple[str, int]:
    """The rest of a call as the client makes it: "go" with its stdin, then stdout and the exit code."""
    with open(os.devnull, "rb") as stdin:
        service_wire.send(sock, {"go": True}, [stdin.fileno()])
    out = []
    while True:
        message, _ = service_wire.receive(sock)
        if "out" in message:
            out.append(message["out"])
        if "exit" in message:
            return "".join(out), message["exit"]


def test_a_call_taken_before_the_service_stops_is_still_served(calls: Calls) -> None:
    assert calls.run("servers").code == 0
    pid = calls.status()["pid"]
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(60)
        sock.connect(str(calls.socket()))
        service_wire.send(sock, run_request(calls, "servers"))
        started, _ = service_wire.receive(sock)
        assert started == {"started": True, "pid": pid}
        os.kill(pid, signal.SIGTERM)  # asked to stop between "started" and "go"
        wait_until(lambda: not calls.socket().exists() or None, 30, "the service to stop taking calls")
        out, code = say_go_and_relay(sock)
    assert (json.loads(out), code) == ({"servers": [], "warnings": []}, 0)


def test_a_call_whose_handshake_began_before_the_idle_exit_is_served(calls: Calls) -> None:
    env = calls.env(**{service_wire.IDLE_ENV: "1"})
    assert calls.run("servers", env=env).code == 0
    pid = calls.status(env)["pid"]
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(60)
        sock.connect(str(calls.socket()))  # taken, its request not sent yet
        log = calls.state / "marimo-pair-tui" / "service.log"
        wait_until(lambda: "idle for 1 s: exiting" in log.read_text() or None, 30, "the idle exit")
        service_wire.send(sock, run_request(calls, "servers"))
        started, _ = service_wire.receive(sock)
        assert started == {"started": True, "pid": pid}
        out, code = say_go_and_relay(sock)
    assert (json.loads(out), code) == ({"servers": [], "warnings": []}, 0)


# ---------------------------------------------------------------- clients of two versions taking turns


def test_a_call_in_flight_outlives_its_service_stepping_down_and_two_versions_take_turns(
        calls: Calls, lab: CellLab, tmp_path: Path) -> None:
    """An exec runs (and waits) in the kernel while clients of another version make its service
    step down, twice: it still ends with its own document, and every call after it answers once."""
    alt = package_copy(calls)
    _path, browser = lab.fresh()
    env = calls.env(lab.server.state_home)
    target = ["--url", lab.server.url, "--session", browser.session_id or ""]
    ran, release = tmp_path / "ran", tmp_path / "release"

    def snippet(letter: str, wait: bool = False) -> str:
        held = f"import os, time\nwhile not os.path.exists({str(release)!r}):\n    time.sleep(0.05)\n" if wait else ""
        return f"open({str(ran)!r}, 'a').write({letter!r})\n{held}print({letter!r})"

    held = calls.popen("exec", *target, "-c", snippet("a", wait=True), env=env)
    wait_until(lambda: ran.exists() or None, 60, "the held snippet to start")
    [first] = services_for(calls.socket(lab.server.state_home))
    for cwd in (alt, None):  # another version, then this one again: each makes its service step down
        reading = calls.run("status", *target, env=env, cwd=cwd)
        assert reading.code == 0 and one_document(reading)["state"] == "running", reading.stderr
    assert calls.status(env)["pid"] != first
    release.touch()
    out, err = held.communicate(timeout=120)
    assert held.returncode == 0, (out, err)
    assert one_document(CliResult(0, out.decode(), ""))["stdout"] == "a\n"

    for letter, cwd in zip("bcde", (alt, None, alt, None)):
        result = calls.run("exec", *target, "-c", snippet(letter), env=env, cwd=cwd)
        assert result.code == 0 and one_document(result)["stdout"] == f"{letter}\n", result.stderr
    assert ran.read_text() == "abcde", "each snippet ran once"
    last = calls.status(env)["pid"]
    wait_until(lambda: services_for(calls.socket(lab.server.state_home)) == [last] or None, 60,
               "the services that stepped down to end once their calls did")


def test_a_call_whose_caller_left_right_after_its_go_never_runs(calls: Calls, lab: CellLab, tmp_path: Path) -> None:
    """The service stopped (SIGSTOP) between "started" and reading the go; its caller gave up and
    left meanwhile: when it runs on, that call is dropped, never run for no one."""
    _path, browser = lab.fresh()
    env = calls.env(lab.server.state_home)
    target = ["--url", lab.server.url, "--session", browser.session_id or ""]
    ran = tmp_path / "ran"
    assert calls.run("status", *target, env=env).code == 0
    pid = calls.status(env)["pid"]
    request = {**run_request(calls, "exec", *target, "-c", f"open({str(ran)!r}, 'a').write('x')"),
               "env": service_wire.caller_environ(env)}
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(60)
        sock.connect(str(calls.socket(lab.server.state_home)))
        service_wire.send(sock, request)
        started, _ = service_wire.receive(sock)
        assert started == {"started": True, "pid": pid}
        os.kill(pid, signal.SIGSTOP)
        try:
            with open(os.devnull, "rb") as stdin:
                service_wire.send(sock, {"go": True}, [stdin.fileno()])
        finally:
            sock.close()
            os.kill(pid, signal.SIGCONT)
    log = lab.server.state_home / "marimo-pair-tui" / "service.log"
    wait_until(lambda: "gave up before its call began" in log.read_text() or None, 30, "the call to be dropped")
    after = calls.run("exec", *target, "-c", f"print(open({str(ran)!r}, 'a').tell())", env=env)
    assert (after.code, one_document(after)["stdout"]) == (0, "0\n"), "the dropped call never wrote"
    assert calls.status(env)["pid"] == pid


# ---------------------------------------------------------------- the relay's last frames

# A peer that holds the lock and listens as the service does, answers one call with `size`
# characters of output and its exit code, and is gone the moment the exit code is sent.
_ANSWER_AND_VANISH = """
import fcntl, json, os, socket, sys
from marimo_pair_tui.headless.service import trust, wire
path, size = sys.argv[1], int(sys.argv[2])
lock = os.open(trust.lock_path(path), os.O_RDWR | os.O_CREAT, 0o600)
fcntl.flock(lock, fcntl.LOCK_EX)
os.write(lock, f"{os.getpid()}\\n".encode())
os.umask(0o177)
listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
listener.bind(path)
listener.listen(1)
print("ready", flush=True)
conn, _ = listener.accept()
wire.receive(conn)
wire.send(conn, {"started": True, "pid": os.getpid()})
wire.receive(conn, want_fds=1)
document = json.dumps({"output": "x" * size}) + "\\n"
for start in range(0, len(document), wire.MAX_TEXT):
    wire.send(conn, {"out": document[start:start + wire.MAX_TEXT]})
wire.send(conn, {"exit": 0})
os._exit(0)
"""


def test_a_service_gone_right_after_its_exit_code_loses_none_of_the_output(calls: Calls) -> None:
    service_wire.private_runtime(str(calls.directory))
    size = 5 * service_wire.MAX_TEXT  # frames past what the socket buffers: the client still reads when it ends
    peer = subprocess.Popen([sys.executable, "-c", _ANSWER_AND_VANISH, str(calls.socket()), str(size)],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert peer.stdout is not None and peer.stdout.readline() == "ready\n"
        result = calls.run("servers")
    finally:
        peer.wait(timeout=60)
    assert result.code == 0 and result.stderr == "", result.stderr  # (a lost relay re-asks a read in-process)
    assert one_document(result) == {"output": "x" * size}


def test_clients_of_two_versions_calling_at_once_each_get_one_document(calls: Calls) -> None:
    """Calls of two versions at once, round after round: each makes the other's service step down
    while its calls are under way. Every call answers once (at worst in-process, saying so), and a
    service that just stepped down is never taken for an impostor."""
    versions = [package_copy(calls), None]
    with ThreadPoolExecutor(max_workers=4) as pool:
        for round in range(4):
            cwds = [versions[(round + i) % 2] for i in range(4)]
            for result in pool.map(lambda cwd: calls.run("servers", cwd=cwd), cwds):
                assert result.code == 0 and one_document(result) == {"servers": [], "warnings": []}, result.stderr
                assert result.stderr in ("", "The pairing service is not available (it kept going away before "
                                             "taking the call); running in-process.\n"), result.stderr
