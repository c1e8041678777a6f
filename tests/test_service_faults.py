"""The pairing service never hangs or misleads its caller: faults made real, against real processes.

A stopped (SIGSTOP) service, a deleted socket, a listener that is not the
service, malformed requests with descriptors of every kind, silent
connections, and a service out of descriptors.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import socket
import struct
import subprocess
import sys
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings, strategies as st

from marimo_pair_tui.headless.service import trust as service_trust, wire as service_wire
from tests.support.cell_lab import CellLab
from tests.support.waiting import wait_until
from tests.support.services import alive
from tests.test_pairing_service import Calls, calls  # noqa: F401  (the fixture)


def fds_of(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def threads_of(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("Threads:")).split()[1])


def log_of(calls: Calls, state: Path | None = None) -> str:
    return ((state or calls.state) / "marimo-pair-tui" / "service.log").read_text()


def status_op(path: Path, timeout: float = 10.0) -> dict[str, Any]:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        sock.connect(str(path))
        service_wire.send(sock, {"op": "status"})
        reply, _ = service_wire.receive(sock)
        return reply


# ---------------------------------------------------------------- a stopped service


def test_a_service_stopped_mid_call_releases_its_caller_and_is_bypassed_then_ended(
        calls: Calls, lab: CellLab, tmp_path: Path) -> None:
    _path, browser = lab.fresh()
    env = calls.env(lab.server.state_home)
    target = ["--url", lab.server.url, "--session", browser.session_id or ""]
    marker = tmp_path / "ran"
    proc = calls.popen("exec", *target, "-c",
                       f"print('started', flush=True)\nopen({str(marker)!r}, 'a').write('x')\nimport time\ntime.sleep(120)",
                       env=env)
    wait_until(lambda: marker.exists() or None, 60, "the snippet to start")
    pid = calls.status(env)["pid"]
    os.kill(pid, signal.SIGSTOP)
    try:
        # The caller's stdout is its own: it reaches EOF (communicate returns) once the client gives up,
        # while the service is still stopped. (A service holding the caller's stdout kept it open for minutes.)
        out, err = proc.communicate(timeout=90)
        assert Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "T", "still stopped"
        assert proc.returncode == 4, (out, err)
        document = json.loads(out)
        assert document["error"]["kind"] == "outcome_unknown"
        assert f"pid {pid}" in document["error"]["message"] and "stopped answering" in document["error"]["message"]
        # The next call does not wait on it again: it is bypassed, and says so.
        bypassed = calls.run("servers", env=env)
        assert bypassed.code == 0 and lab.server.url in [s["url"] for s in bypassed.json["servers"]]
        assert f"the service (pid {pid}) did not answer an earlier call" in bypassed.stderr
        status = calls.run("service", "status", env=env)
        assert status.code == 3 and status.json["error"]["kind"] == "service"
        assert "did not answer within 5 s" in status.json["error"]["message"]
        assert "service stop" in status.json["error"]["next"]
        stopped = calls.run("service", "stop", env=env)
        assert stopped.code == 0, stopped.stdout
        assert stopped.json["stopped"] is True and stopped.json["forced"] is True and stopped.json["pid"] == pid
        assert not alive(pid)
    finally:
        if alive(pid):
            os.kill(pid, signal.SIGKILL)
    assert marker.read_text() == "x", "nothing was sent again"
    after = calls.run("servers", env=env)  # a new service, used at once (the mark is gone with the old one)
    assert after.code == 0 and "not available" not in after.stderr, after.stderr
    assert calls.status(env)["pid"] != pid


# ---------------------------------------------------------------- the socket file and the lock


def test_a_deleted_socket_is_bound_again_by_the_service_that_holds_the_lock(calls: Calls) -> None:
    assert calls.run("servers").code == 0
    pid = calls.status()["pid"]
    calls.socket().unlink()
    result = calls.run("servers")
    assert result.code == 0 and result.json == {"servers": [], "warnings": []}
    assert "not available" not in result.stderr, result.stderr
    status = calls.status()
    assert status["pid"] == pid and status["running"] is True and status["calls"] == 2
    assert calls.socket().exists()
    assert "the socket file vanished: binding it again" in log_of(calls)
    assert service_trust.lock_holder(str(calls.socket())) == pid


def test_a_listener_that_does_not_hold_the_lock_is_refused(calls: Calls) -> None:
    directory = Path(service_wire.private_runtime(str(calls.directory)))
    path = calls.socket()
    impostor = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    impostor.bind(str(path))
    impostor.listen(4)
    impostor.settimeout(0.2)
    try:
        result = calls.run("servers")
        assert result.code == 0 and result.json == {"servers": [], "warnings": []}  # answered in-process
        assert f"(pid {os.getpid()}) does not hold the service's lock" in result.stderr
        assert "nothing was sent to it" in result.stderr
        try:
            conn, _ = impostor.accept()
        except socket.timeout:
            conn = None
        if conn is not None:
            conn.settimeout(0.5)
            assert conn.recv(1024) == b"", "not a byte was sent"
            conn.close()
    finally:
        impostor.close()
    assert directory.exists()


# ---------------------------------------------------------------- malformed requests


def _frame(message: Any) -> bytes:
    data = json.dumps(message).encode()
    return struct.pack(">I", len(data)) + data


def _descriptor(kind: str, tmp: Path) -> int:
    if kind == "directory":
        return os.open(tmp, os.O_RDONLY | os.O_DIRECTORY)
    if kind == "pipe":
        r, w = os.pipe()
        os.close(w)
        return r
    if kind == "socket":
        a, b = socket.socketpair()
        b.close()
        return a.detach()
    if kind == "epoll":
        import select

        poller = select.epoll()
        fd = os.dup(poller.fileno())
        poller.close()
        return fd
    return os.open(os.devnull, os.O_RDWR)


BAD_VALUES = st.one_of(st.none(), st.integers(), st.text(max_size=5), st.lists(st.integers(), max_size=2),
                       st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))
REQUESTS = st.fixed_dictionaries({
    "op": st.sampled_from(["run", "run", "run", "status", "bogus"]),
    "argv": st.one_of(st.just(["guide"]), BAD_VALUES),
    "env": st.one_of(st.just({"HOME": "/nonexistent"}), BAD_VALUES),
    "cwd": st.one_of(st.just("/"), BAD_VALUES),
    "stdout_encoding": st.sampled_from(["utf-8", "latin-1", "no-such-codec", 5]),
})
KINDS = st.lists(st.sampled_from(["directory", "pipe", "socket", "epoll", "devnull"]), max_size=4)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(request=REQUESTS, first_fds=KINDS, go_fds=KINDS,
       then=st.sampled_from(["go", "garbage", "close", "huge", "not-an-object", "truncated"]))
def _malformed(service: dict[str, Any], tmp: Path, request: dict[str, Any], first_fds: list[str], go_fds: list[str],
               then: str) -> None:
    path, pid = service["path"], service["pid"]
    request["version"] = service["version"]
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(15)
    sent: list[int] = []
    try:
        sock.connect(str(path))
        sent = [_descriptor(kind, tmp) for kind in first_fds]
        frame = _frame(request)
        if sent:
            socket.send_fds(sock, [frame[:1]], sent)
            frame = frame[1:]
        sock.sendall(frame)
        try:
            reply, _ = service_wire.receive(sock)
        except (service_wire.WireError, OSError):
            reply = {}
        if reply.get("started"):
            go = [_descriptor(kind, tmp) for kind in go_fds]
            sent += go
            try:
                _then(sock, then, go)
            except OSError:
                pass  # the service closed first: that is an answer too
            while True:  # until the service closes the connection (the call ran, or was refused)
                try:
                    if not sock.recv(65536):
                        break
                except OSError:
                    break
    finally:
        sock.close()
        for fd in sent:
            try:
                os.close(fd)
            except OSError:
                pass
    wait_until(lambda: fds_of(pid) <= service["fds"] or None, 20,
               f"the service's descriptors to return to {service['fds']} (now {fds_of(pid)})")
    assert status_op(path)["running"] is True


def _then(sock: socket.socket, then: str, go: list[int]) -> None:
    """What the client does once the service took the request: go, or send something broken."""
    if then == "go":
        body = _frame({"go": True})
        if go:
            socket.send_fds(sock, [body], go)
        else:
            sock.sendall(body)
    elif then == "garbage":
        sock.sendall(b"\xff\xfe{not json")
    elif then == "huge":
        sock.sendall(struct.pack(">I", 2**31))
    elif then == "not-an-object":
        sock.sendall(_frame([1, 2, 3]))
    elif then == "truncated":
        sock.sendall(struct.pack(">I", 100) + b"{}")
    sock.shutdown(socket.SHUT_WR)


def test_malformed_requests_never_leak_a_descriptor_nor_stop_the_service(calls: Calls, tmp_path: Path) -> None:
    assert calls.run("guide").code == 0
    status = calls.status()
    pid = status["pid"]
    wait_until(lambda: calls.status()["in_flight"] == 0 or None, 10, "the first call to end")
    service = {"path": calls.socket(), "pid": pid, "version": status["version"], "fds": fds_of(pid)}
    _malformed(service, tmp_path)
    log = log_of(calls)
    assert "refused a request: argv is not a list of strings" in log or "refused a request" in log
    assert calls.status()["pid"] == pid


# ---------------------------------------------------------------- silent connections, no descriptors


def test_silent_connections_time_out_without_a_thread_each(calls: Calls) -> None:
    assert calls.run("servers").code == 0
    pid = calls.status()["pid"]
    before = threads_of(pid)
    silent = []
    try:
        for _ in range(300):
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.connect(str(calls.socket()))
            silent.append(sock)
        wait_until(lambda: status_op(calls.socket()) or None, 30, "the service to answer beside 300 silent connections")
        assert threads_of(pid) <= before + 2, (before, threads_of(pid))
        wait_until(lambda: log_of(calls).count("sent no complete request") >= 300 or None, 60,
                   "the silent connections to be dropped")
    finally:
        for sock in silent:
            sock.close()
    assert calls.status()["pid"] == pid


def test_a_service_out_of_descriptors_accepts_again_once_they_are_free(calls: Calls) -> None:
    limit = 48

    def low_limit() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))

    first = subprocess.run([sys.executable, "-m", "marimo_pair_tui", "--headless", "servers"], env=calls.env(),
                           capture_output=True, timeout=120, preexec_fn=low_limit)
    assert first.returncode == 0, first.stderr  # the service inherits the low limit
    pid = calls.status()["pid"]
    assert resource.prlimit(pid, resource.RLIMIT_NOFILE)[0] == limit
    held = []
    try:
        for _ in range(limit + 20):
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.setblocking(False)
            try:
                sock.connect(str(calls.socket()))
            except BlockingIOError:
                sock.close()
                break
            held.append(sock)
        wait_until(lambda: "pausing until descriptors are free" in log_of(calls) or None, 30,
                   "the service to run out of descriptors")
    finally:
        for sock in held:
            sock.close()
    wait_until(lambda: "accepting again" in log_of(calls) or None, 60, "the service to accept again")
    result = calls.run("servers")
    assert result.code == 0 and "not available" not in result.stderr, result.stderr
    assert calls.status()["pid"] == pid
