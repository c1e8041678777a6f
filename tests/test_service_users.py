"""Another local user cannot pose as a user's pairing service, nor call it: with real users.

The tests (root, as in CI) create two users with useradd and run the real
command line as them with runuser. Neither has XDG_RUNTIME_DIR, so the
service's socket lives in a shared sticky temporary directory at a path the
other user can predict: the place the attacks are made.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path
from typing import Iterator

import pytest

from marimo_pair_tui.headless.service import wire as service_wire
from tests.support.waiting import wait_until
from tests.support.users import Users, make_users

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="creating users needs root (CI runs as root)")

# A stand-in service run as the attacker: it listens at the victim's socket name, answers every
# connection at once with a forged success, and records every byte it is sent.
FAKE_SERVICE = r"""
import json, os, socket, struct, sys
path, record = sys.argv[1], sys.argv[2]
def frame(message):
    data = json.dumps(message).encode()
    return struct.pack(">I", len(data)) + data
server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
try:
    server.bind(path)
except OSError as exc:
    print(f"cannot bind: {exc.strerror}", flush=True)
    sys.exit(3)
os.chmod(path, 0o777)
server.listen(8)
server.settimeout(120)
print("listening", flush=True)
while True:
    conn, _ = server.accept()
    conn.settimeout(1.0)
    received = b""
    try:
        conn.sendall(frame({"started": True, "pid": 1}) + frame({"out": '{"success": true, "forged": true}\n'})
                     + frame({"exit": 0}))
        while True:
            chunk = conn.recv(65536)
            if not chunk:
                break
            received += chunk
    except OSError:
        pass
    with open(record, "ab") as out:
        out.write(b"connection: %d bytes\n" % len(received) + received)
    conn.close()
"""


@pytest.fixture(scope="module")
def users() -> Iterator[Users]:
    yield from make_users()


def victim_env(users: Users, **extra: str) -> dict[str, str]:
    return users.victim.env(TMPDIR=str(users.shared_tmp), **extra)


def victim_socket(users: Users) -> Path:
    """Where the victim's client looks for its service (the name holds the victim's uid, not ours)."""
    ours = Path(service_wire.socket_path(victim_env(users)))
    assert ours.parent.name == f"marimo-pair-tui-{os.getuid()}"
    return ours.parent.with_name(f"marimo-pair-tui-{users.victim.uid}") / ours.name


def start_fake(users: Users, socket_path: Path) -> tuple[object, Path]:
    record = users.mallory.home / "record"
    record.unlink(missing_ok=True)
    proc = users.mallory.popen([sys.executable, "-c", FAKE_SERVICE, str(socket_path), str(record)],
                               users.mallory.env())
    assert proc.stdout is not None
    first = proc.stdout.readline().decode().strip()
    assert first == "listening", (first, proc.stderr.read() if proc.stderr else b"")
    return proc, record


def stop(proc: object) -> None:
    proc.kill()  # type: ignore[attr-defined]
    proc.wait(timeout=30)  # type: ignore[attr-defined]


def clean_shared(users: Users) -> None:
    for entry in users.shared_tmp.iterdir():
        if entry.is_symlink() or not entry.is_dir():
            entry.unlink()
        else:
            shutil.rmtree(entry)


def attacked_call(users: Users) -> tuple[dict[str, object], str, int]:
    """The victim's one-shot call with a token in its environment: (document, stderr, exit code)."""
    env = victim_env(users, MARIMO_TOKEN="victims-secret-token")
    result = users.victim.cli(["exec", "--url", "http://127.0.0.1:9", "-c", "print('private')"], env)
    return json.loads(result.stdout), result.stderr.decode(), result.returncode


def assert_refused(users: Users, record: Path, reason: str) -> None:
    document, stderr, code = attacked_call(users)
    assert "forged" not in document, document
    assert reason in stderr and "nothing was sent to it" in stderr and "running in-process" in stderr, stderr
    in_process = users.victim.cli(["--no-service", "exec", "--url", "http://127.0.0.1:9", "-c", "print('private')"],
                                  victim_env(users))
    assert code == in_process.returncode and document == json.loads(in_process.stdout)
    sent = record.read_bytes() if record.exists() else b""
    assert b"victims-secret-token" not in sent and b"private" not in sent
    assert all(line.endswith(b": 0 bytes") for line in sent.splitlines() if line.startswith(b"connection")), sent


def test_a_directory_another_user_made_first_is_refused_before_a_byte_is_sent(users: Users) -> None:
    clean_shared(users)
    sock = victim_socket(users)
    made = users.mallory.run(["mkdir", "-m", "0777", str(sock.parent)], users.mallory.env())
    assert made.returncode == 0, made.stderr
    fake, record = start_fake(users, sock)
    try:
        assert_refused(users, record, f"belongs to user {users.mallory.name}")
    finally:
        stop(fake)


def test_a_directory_linked_to_another_users_is_refused(users: Users) -> None:
    clean_shared(users)
    sock = victim_socket(users)
    theirs = users.shared_tmp / "mallorys"
    env = users.mallory.env()
    assert users.mallory.run(["mkdir", "-m", "0777", str(theirs)], env).returncode == 0
    assert users.mallory.run(["ln", "-s", str(theirs), str(sock.parent)], env).returncode == 0
    fake, record = start_fake(users, theirs / sock.name)
    try:
        assert_refused(users, record, "is a symbolic link")
    finally:
        stop(fake)


def test_a_socket_planted_after_the_users_service_stopped_is_refused(users: Users) -> None:
    clean_shared(users)
    sock = victim_socket(users)
    env = victim_env(users)
    started = users.victim.cli(["service", "start"], env)
    assert started.returncode == 0 and json.loads(started.stdout)["running"] is True, started.stderr
    stopped = users.victim.cli(["service", "stop"], env)
    assert stopped.returncode == 0 and json.loads(stopped.stdout)["stopped"] is True
    # The victim's own directory stays closed to the other user:
    refused = users.mallory.run([sys.executable, "-c", FAKE_SERVICE, str(sock), "/dev/null"], users.mallory.env())
    assert refused.returncode == 3 and b"Permission denied" in refused.stdout, refused
    # ...so a temp cleaner has to remove it first; then the other user makes it their own:
    shutil.rmtree(sock.parent)
    assert users.mallory.run(["mkdir", "-m", "0755", str(sock.parent)], users.mallory.env()).returncode == 0
    fake, record = start_fake(users, sock)
    try:
        assert_refused(users, record, f"belongs to user {users.mallory.name}")
    finally:
        stop(fake)


HOSTILE_CLIENT = r"""
import json, os, socket, struct, sys
path = sys.argv[1]
sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
sock.settimeout(10)
try:
    sock.connect(path)
except OSError as exc:
    print(json.dumps({"connect": exc.strerror}))
    sys.exit(0)
request = {"op": "run", "version": sys.argv[2], "argv": ["exec", "-c", "open('/tmp/owned', 'w')"],
           "cwd": "/", "env": {}, "stdout_encoding": "utf-8"}
data = json.dumps(request).encode()
try:
    sock.sendall(struct.pack(">I", len(data)) + data)
    reply = sock.recv(65536)
except OSError as exc:
    reply = exc.strerror.encode()
print(json.dumps({"connect": "ok", "reply": reply.decode("utf-8", "replace")}))
"""


def test_another_user_cannot_call_a_users_service(users: Users) -> None:
    clean_shared(users)
    sock = victim_socket(users)
    env = victim_env(users)
    first = users.victim.cli(["servers"], env)
    assert first.returncode == 0, first.stderr
    status = json.loads(users.victim.cli(["service", "status"], env).stdout)
    assert status["running"] is True
    version = status["version"]

    def hostile() -> dict[str, str]:
        out = users.mallory.run([sys.executable, "-c", HOSTILE_CLIENT, str(sock), version], users.mallory.env())
        return json.loads(out.stdout)

    assert hostile() == {"connect": "Permission denied"}
    # Even when the directory and socket are left open by mistake, the service answers no other user:
    sock.parent.chmod(0o777)
    sock.chmod(0o777)
    try:
        answer = hostile()
    finally:
        sock.parent.chmod(0o700)
        sock.chmod(0o600)
    assert answer["connect"] == "ok" and answer["reply"] in ("", "Connection reset by peer", "Broken pipe"), answer
    log = users.victim.home / "state" / "marimo-pair-tui" / "service.log"
    wait_until(lambda: f"refused a connection from uid {users.mallory.uid}" in log.read_text() or None, 10,
               "the refusal in the service log")
    assert "open('/tmp/owned'" not in log.read_text()
    again = json.loads(users.victim.cli(["service", "status"], env).stdout)
    assert again["pid"] == status["pid"] and again["calls"] == status["calls"]
