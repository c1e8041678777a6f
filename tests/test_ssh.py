"""Remote notebooks over SSH, against a real sshd on a loopback port with throwaway keys.

The marimo server's registry lives in the directory the ssh login sees as
XDG_STATE_HOME (sshd's SetEnv); the tests' own XDG_STATE_HOME is another,
empty directory, so only discovery over ssh can find the server.
"""

from __future__ import annotations

import json
import os
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marimo_pair_tui.core.service.directory import Directory
from marimo_pair_tui.core.service.pairing_service import PairingService, TargetSpec
from marimo_pair_tui.core import ssh as sshmod
from marimo_pair_tui.core.errors import (
    SshAuthError,
    SshDroppedError,
    SshError,
    SshForwardError,
    SshHostKeyError,
    SshUnknownHostError,
    SshUnreachableError,
)
from marimo_pair_tui.core.servers.hub import Hub, HubOptions
from marimo_pair_tui.core.state.settings import read_config
from tests.clihelp import cli_env, run_cli, start_cli
from tests.support.marimo_proc import open_browser_session, start_marimo_server
from tests.support.ssh_remote import NOTEBOOKS, Remote, exit_masters, needs_openssh
from tests.support.sshd import Proc, Sshd, listening_ports, ssh_processes, start_sshd
from tests.support.waiting import wait_until, wait_until_async
from tests.support.tmux import Tmux

pytestmark = needs_openssh

PY = sys.executable


def _env(remote: Remote, local_state: Path, *extra_opts: str, key: Path | None = None) -> dict[str, str]:
    return cli_env(
        local_state,
        MARIMO_PAIR_SSH_OPTS=remote.sshd.ssh_opts(key, *extra_opts),
        XDG_CONFIG_HOME=str(local_state.parent / "config"),
    )


def _ours(sshd: Sshd) -> list[Proc]:
    """ssh processes that talk to this sshd: dedicated ones carry its port, masters their socket."""
    control = str(sshmod.SshHost(sshd.dest, sshmod.SshSettings(options=tuple(sshd.ssh_args()))).control_path)
    return [p for p in ssh_processes() if f"-p {sshd.port} " in p.cmdline or control in p.cmdline]



def _master_pid(sshd: Sshd) -> int | None:
    return sshmod.SshHost(sshd.dest, sshmod.SshSettings(options=tuple(sshd.ssh_args()))).master_pid()


def _port_closed(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


# ------------------------------------------------------------------ discovery and commands


def test_remote_discovery_lists_the_server_with_source_ssh(remote: Remote, local_state: Path) -> None:
    env = _env(remote, local_state)
    local = run_cli(["servers"], env=env)
    assert local.code == 0 and local.json["servers"] == [], "the remote registry must not be visible locally"

    result = run_cli(["servers", "--ssh", remote.sshd.dest], env=env, timeout=60)
    assert result.code == 0, result.stdout + result.stderr
    (server,) = result.json["servers"]
    assert server["source"] == "ssh"
    assert server["ssh_host"] == remote.sshd.dest
    assert (server["url"], server["pid"], server["port"]) == (remote.server.url, remote.server.pid, remote.server.port)
    assert server["version"] and server["version"].startswith("0.")


def test_notebooks_exec_and_cells_work_through_the_forward(remote: Remote, local_state: Path) -> None:
    env = _env(remote, local_state)
    dest = remote.sshd.dest
    listed = run_cli(["notebooks", "--ssh", dest], env=env, timeout=60)
    assert listed.code == 0, listed.stdout + listed.stderr
    (entry,) = listed.json["notebooks"]
    assert (entry["source"], entry["ssh_host"], entry["server"]) == ("ssh", dest, remote.server.url)
    assert entry["path"] == str(remote.notebook)
    assert remote.session_id in [s["session_id"] for s in entry["sessions"]]

    ran = run_cli(["exec", "--ssh", dest, "--notebook", "demo.py", "-"], env=env, stdin=b"print('x is', x)\n", timeout=60)
    assert ran.code == 0, ran.stdout + ran.stderr
    assert ran.json["stdout"] == "x is 41\n"
    assert ran.json["session"]["ssh_host"] == dest and ran.json["session"]["session_id"] == remote.session_id

    cells = run_cli(["cells", "--ssh", dest], env=env, timeout=60)
    assert cells.code == 0, cells.stdout + cells.stderr
    by_name = {c["name"]: c for c in cells.json["cells"]}
    assert by_name["define_x"]["code"] == "x = 41" and by_name["define_x"]["defs"] == ["x"]


def test_a_dead_remote_registry_entry_is_skipped_with_a_warning(remote: Remote, local_state: Path) -> None:
    gone = subprocess.Popen(["true"])
    gone.wait()
    entry = remote.sshd.remote_state / "marimo" / "servers" / "127.0.0.1_9.json"
    entry.write_text(json.dumps({"server_id": "127.0.0.1:9", "pid": gone.pid, "host": "127.0.0.1", "port": 9,
                                 "base_url": "", "started_at": "2026-01-01T00:00:00+00:00", "version": "0.25.2"}, indent=2))
    try:
        result = run_cli(["servers", "--ssh", remote.sshd.dest], env=_env(remote, local_state), timeout=60)
    finally:
        entry.unlink()
    assert result.code == 0, result.stdout + result.stderr
    assert [s["port"] for s in result.json["servers"]] == [remote.server.port]
    (warning,) = [w for w in result.json["warnings"] if "127.0.0.1_9.json" in w]
    assert str(gone.pid) in warning and "not running" in warning


def test_a_wrong_key_is_an_authentication_error_not_a_hang(remote: Remote, local_state: Path) -> None:
    env = _env(remote, local_state, key=remote.sshd.wrong_key)
    result = run_cli(["exec", "--ssh", remote.sshd.dest, "-c", "print(1)"], env=env, timeout=60)
    assert result.code == 3, result.stdout + result.stderr
    error = result.json["error"]
    assert error["kind"] == "ssh_auth_failed"
    assert "Permission denied" in error["message"] and "BatchMode" in error["next"]
    assert result.json["success"] is False


@pytest.mark.parametrize(
    ("dest", "opts", "kind"),
    [
        ("nobody@no-such-host.invalid", (), "ssh_unknown_host"),
        ("REFUSED", (), "ssh_unreachable"),
        ("-oProxyCommand=touch", (), "usage"),
    ],
)
def test_connection_failures_have_their_own_kinds(remote: Remote, local_state: Path, dest: str, opts: tuple, kind: str) -> None:
    env = _env(remote, local_state)
    if dest == "REFUSED":
        closed = socket.socket()
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
        closed.close()  # nothing listens there now
        env["MARIMO_PAIR_SSH_OPTS"] = shlex.join(["-F", "/dev/null", "-p", str(port)])
        dest = "nobody@127.0.0.1"
    result = run_cli(["notebooks", "--ssh", dest], env=env, timeout=60)
    assert result.json["error"]["kind"] == kind, result.stdout
    assert result.code == (2 if kind == "usage" else 3)
    assert result.json["error"]["next"]


def test_ssh_missing_is_reported(local_state: Path, tmp_path: Path) -> None:
    env = cli_env(local_state, PATH=str(tmp_path / "empty-bin"))
    result = run_cli(["servers", "--ssh", "somewhere"], env=env)
    assert (result.code, result.json["error"]["kind"]) == (3, "ssh_missing")
    assert "openssh" in result.json["error"]["next"].lower()


def test_no_registry_on_the_remote(tmp_path: Path, local_state: Path) -> None:
    sshd = start_sshd(tmp_path / "sshd", tmp_path / "empty-remote-state")
    try:
        env = cli_env(local_state, MARIMO_PAIR_SSH_OPTS=sshd.ssh_opts())
        targeted = run_cli(["notebooks", "--ssh", sshd.dest], env=env, timeout=60)
        assert targeted.code == 2, targeted.stdout + targeted.stderr
        error = targeted.json["error"]
        assert error["kind"] == "no_remote_registry"
        assert f"No marimo registry on {sshd.dest}" in error["message"]
        assert str(tmp_path / "empty-remote-state") in error["message"]
        assert "marimo edit" in error["next"]
        listed = run_cli(["servers", "--ssh", sshd.dest], env=env, timeout=60)
        assert listed.code == 0 and listed.json["servers"] == []
        assert any("No marimo registry" in w for w in listed.json["warnings"])
    finally:
        exit_masters(sshd)
        sshd.stop()


def test_a_token_server_is_named_by_its_remote_url_with_a_local_token_file(
    remote: Remote, local_state: Path, tmp_path: Path
) -> None:
    token = secrets.token_urlsafe(16)
    notebook = tmp_path / "other.py"
    shutil.copy(NOTEBOOKS / "other.py", notebook)
    server = start_marimo_server(notebook, state_home=tmp_path / "token-state", token=token)
    try:
        browser = open_browser_session(server, notebook)
        token_file = tmp_path / "token"
        token_file.write_text(token)
        token_file.chmod(0o600)
        env = _env(remote, local_state)
        args = ["exec", "--ssh", remote.sshd.dest, "--url", server.url, "-c", "print('hello from afar')"]
        refused = run_cli(args, env=env, timeout=60)
        assert refused.code == 3 and refused.json["error"]["kind"] == "auth_failed", refused.stdout
        assert remote.sshd.dest in refused.json["error"]["message"]
        result = run_cli([*args, "--token-file", str(token_file)], env=env, timeout=60)
        assert result.code == 0, result.stdout + result.stderr
        assert result.json["stdout"] == "hello from afar\n"
        assert result.json["session"]["session_id"] == browser.session_id
        browser.close()
    finally:
        server.stop()
        server.cleanup_files()


# ------------------------------------------------------------------ forwards and their lifetime


def test_the_forward_lives_while_the_command_runs_and_is_gone_after(remote: Remote, local_state: Path) -> None:
    env = _env(remote, local_state)
    proc = start_cli(["watch", "--ssh", remote.sshd.dest, "--timeout", "5"], env=env)
    try:
        first = proc.stdout.readline()
        assert first, proc.stderr.read().decode()
        master = _master_pid(remote.sshd)
        assert master, "headless calls share a ControlMaster"
        (port,) = listening_ports(master)
        assert httpx.get(f"http://127.0.0.1:{port}/health", timeout=10).json() == {"status": "healthy"}
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err.decode()
    assert json.loads(out.decode().splitlines()[-1])["reason"] == "timeout"
    # The pairing service keeps the forward for the next call; it goes with the service.
    assert listening_ports(master) == {port}
    _stop_service(env)
    # The master stays (ControlPersist) for the next call, without the forward.
    assert _master_pid(remote.sshd) == master
    assert listening_ports(master) == set()
    assert _port_closed(port)
    assert [p.pid for p in _ours(remote.sshd)] == [master], "only the shared master may remain"


def test_without_multiplexing_nothing_is_left_behind(remote: Remote, local_state: Path) -> None:
    exit_masters(remote.sshd)
    wait_until(lambda: not _ours(remote.sshd), timeout=30, what="the master to exit")
    env = _env(remote, local_state, "-o", "ControlMaster=no")
    proc = start_cli(["watch", "--ssh", remote.sshd.dest, "--timeout", "5"], env=env)
    try:
        assert proc.stdout.readline(), proc.stderr.read().decode()
        (forwarder,) = [p for p in _ours(remote.sshd) if " -L 127.0.0.1:" in p.cmdline]
        (port,) = listening_ports(forwarder.pid)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err.decode()
    assert [p.pid for p in _ours(remote.sshd)] == [forwarder.pid], "the pairing service keeps its forward"
    _stop_service(env)
    assert _ours(remote.sshd) == []
    assert _port_closed(port)

    ran = run_cli(["exec", "--ssh", remote.sshd.dest, "-c", "print(x + 1)"], env=env, timeout=60)
    assert ran.code == 0 and ran.json["stdout"] == "42\n", ran.stdout + ran.stderr
    _stop_service(env)
    assert _ours(remote.sshd) == []


def _stop_service(env: dict[str, str]) -> None:
    """End the pairing service these calls went through (stop returns once it has exited)."""
    stopped = run_cli(["service", "stop"], env=env)
    assert stopped.code == 0 and stopped.json.get("stopped") is True, stopped.stdout


def test_tunnel_prints_a_working_url_and_cleans_up_on_sigterm(remote: Remote, local_state: Path) -> None:
    proc = start_cli(["tunnel", remote.sshd.dest], env=_env(remote, local_state))
    try:
        line = proc.stdout.readline()
        assert line, proc.stderr.read().decode()
        document = json.loads(line)
        assert document["success"] is True
        assert document["remote"] == {"ssh_host": remote.sshd.dest, "url": remote.server.url, "pid": remote.server.pid}
        local_url = document["local_url"]
        assert local_url != remote.server.url and local_url.startswith("http://127.0.0.1:")
        sessions = httpx.get(f"{local_url}/api/sessions", timeout=10).json()
        assert remote.session_id in [s["session_id"] for s in sessions.values()]
        port = int(local_url.rsplit(":", 1)[1])
        (forwarder,) = [p for p in _ours(remote.sshd) if f"-L 127.0.0.1:{port}:" in p.cmdline]
        proc.send_signal(signal.SIGTERM)
        out, _err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0
    assert out == b"", "one JSON line, and nothing after it"
    assert forwarder.pid not in [p.pid for p in ssh_processes()]
    assert _port_closed(port)


def test_tunnel_ends_when_its_stdin_closes(remote: Remote, local_state: Path) -> None:
    proc = subprocess.Popen([PY, "-m", "marimo_pair_tui", "--headless", "tunnel", remote.sshd.dest,
                             "--url", remote.server.url],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=_env(remote, local_state))
    try:
        document = json.loads(proc.stdout.readline())
        port = int(document["local_url"].rsplit(":", 1)[1])
        assert httpx.get(f"{document['local_url']}/health", timeout=10).status_code == 200
        proc.stdin.close()
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0
    assert not [p for p in ssh_processes() if f"-L 127.0.0.1:{port}:" in p.cmdline]
    assert _port_closed(port)


def test_a_killed_tunnel_leaves_no_forward_behind(remote: Remote, local_state: Path) -> None:
    proc = start_cli(["tunnel", remote.sshd.dest], env=_env(remote, local_state))
    try:
        document = json.loads(proc.stdout.readline())
        port = int(document["local_url"].rsplit(":", 1)[1])
        (forwarder,) = [p for p in _ours(remote.sshd) if f"-L 127.0.0.1:{port}:" in p.cmdline]
        proc.kill()  # no chance to clean up: the forward's ssh sees its stdin close
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    wait_until(lambda: forwarder.pid not in [p.pid for p in ssh_processes()], timeout=30, what="the forward's ssh to end")
    assert _port_closed(port)


# ------------------------------------------------------------------ the core: drops and reconnects


async def test_a_dropped_connection_is_reported_then_reopened(
    remote: Remote, local_state: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MARIMO_PAIR_SSH_OPTS", remote.sshd.ssh_opts())
    from marimo_pair_tui.core.servers import hub as hub_module

    # Without the keeper, a dropped master is reported as such.
    monkeypatch.setattr(hub_module, "FORWARD_CHECK_SECONDS", 3600.0)
    async with Hub(HubOptions(ssh_hosts=[remote.sshd.dest])) as hub:
        target = (await Directory(hub).resolve(TargetSpec(notebook="demo.py"))).value
        connection = hub.connection(target.server)
        assert connection.url != target.server.url  # the local end of the forward
        assert await connection.health()
        hub.ssh_host(remote.sshd.dest).exit_master()
        wait_until(lambda: _master_pid(remote.sshd) is None, timeout=30, what="the master to exit")
        with pytest.raises(SshDroppedError) as dropped:
            await connection.json("GET", "/api/status")
        assert remote.sshd.dest in dropped.value.message and dropped.value.exit_code == 3

    # With it, the forward comes back on the same port and the live stream reconnects.
    monkeypatch.setattr(hub_module, "FORWARD_CHECK_SECONDS", 0.2)
    states: list[str] = []
    async with PairingService(HubOptions(ssh_hosts=[remote.sshd.dest])) as service:
        hub = service.hub
        target = (await service.resolve(TargetSpec(notebook="demo.py"))).value
        pairing = (await service.mirror(target)).value
        pairing.subscribe(on_state=lambda state, detail: states.append(state))
        assert pairing.live_state == "live" and "define_x" in [c.name for c in pairing.notebook.cells]
        url = pairing.connection.url
        hub.ssh_host(remote.sshd.dest).exit_master()
        await wait_until_async(lambda: "reconnecting" in states and states[-1] == "live", 60,
                               "a reconnect", detail=lambda: f"states {states}")
        assert pairing.connection.url == url
        result = (await service.execute(target, "print(x + 1)")).value
        assert result.success and result.stdout == "42\n"


async def test_config_file_hosts_are_listed_and_a_bad_one_only_warns(
    remote: Remote, local_state: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MARIMO_PAIR_SSH_OPTS", raising=False)
    config = local_state.parent / "config" / "marimo-pair-tui" / "config.toml"
    config.parent.mkdir(parents=True)
    options = json.dumps(remote.sshd.ssh_args())
    config.write_text(f'[keys]\nrun-snippet = "f6"\n\n[ssh]\nhosts = ["{remote.sshd.dest}", "nobody@no-such-host.invalid"]\n'
                      f"options = {options}\n")
    settings_ = sshmod.load_settings()
    assert settings_.options == tuple(remote.sshd.ssh_args()) and settings_.warnings == ()
    async with PairingService(HubOptions(ssh_browse=settings_.hosts)) as service:
        hub = service.hub
        listed = await service.servers()
        servers = listed.value
        assert [(s.source, s.ssh_host, s.url) for s in servers] == [("ssh", remote.sshd.dest, remote.server.url)]
        assert any("no-such-host.invalid" in w for w in listed.warnings)
        # Browsed hosts are listed, not targeted: the (empty) local registry is what is searched.
        assert await hub.servers() == []
    from marimo_pair_tui.tui.config import load_config

    assert load_config().keymap == {"run-snippet": "f6"}  # the app still reads [keys] from the same file


# ------------------------------------------------------------------ the terminal app over ssh


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_the_app_runs_over_ssh_t_at_80x24(remote: Remote, tmp_path: Path) -> None:
    status = tmp_path / "status"
    remote_command = shlex.join([PY, "-m", "marimo_pair_tui", "--notebook", str(remote.notebook)])
    command = shlex.join(["env", "-u", "COLORTERM", "TERM=xterm-256color",
                          "ssh", "-t", *remote.sshd.ssh_args(), remote.sshd.dest, remote_command])
    tmux = Tmux("ssh")
    tmux.start(command, status)
    try:
        screen = tmux.wait_for(lambda t, alive: "define_x" in t and "live" in t, what="the notebook over ssh -t")
        lines = screen.rstrip("\n").splitlines()
        assert "demo.py" in lines[0] and remote.session_id in lines[0]
        assert "x = 41" in screen and "^r run" in screen
        assert len(lines) <= 24 and all(len(line) <= 80 for line in lines)
        tmux.send("C-q")
        tmux.wait_for(lambda t, alive: not alive or status.exists(), what="the app to quit")
        wait_until(status.exists, timeout=30, what="the exit status")
        assert status.read_text().strip() == "0"
    finally:
        tmux.kill()


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_the_local_app_pairs_with_a_remote_notebook(remote: Remote, local_state: Path, tmp_path: Path) -> None:
    status = tmp_path / "status"
    command = shlex.join([
        "env", "-u", "COLORTERM", "TERM=xterm-256color",
        f"XDG_STATE_HOME={local_state}", f"XDG_CONFIG_HOME={tmp_path / 'config'}",
        f"MARIMO_PAIR_SSH_OPTS={remote.sshd.ssh_opts()}",
        PY, "-m", "marimo_pair_tui", "--ssh", remote.sshd.dest, "--notebook", "demo.py",
    ])
    tmux = Tmux("ssh")
    tmux.start(command, status)
    try:
        tmux.wait_for(lambda t, alive: "define_x" in t and "live" in t and "x = 41" in t, what="the remote notebook")
        master = _master_pid(remote.sshd)
        assert master and len(listening_ports(master)) == 1
        tmux.send("C-q")
        wait_until(status.exists, timeout=60, what="the app to quit")
        assert status.read_text().strip() == "0"
        assert listening_ports(master) == set(), "the app removes its forwards when it exits"
    finally:
        tmux.kill()


# ------------------------------------------------------------------ units: the remote script, errors, settings


def _registry_entry(pid: int, port: int) -> str:
    return json.dumps({"server_id": f"127.0.0.1:{port}", "pid": pid, "host": "127.0.0.1", "port": port,
                       "base_url": "", "started_at": "2026-01-01T00:00:00+00:00", "version": "0.25.2"},
                      indent=2)


def _run_discovery_script(env: dict[str, str]) -> sshmod.RemoteScan:
    mark = "@@marimo-pair-test"
    # The same command line the remote login shell gets, run by a local shell.
    result = subprocess.run(["sh", "-c", sshmod.discovery_command(mark)], capture_output=True, text=True,
                            env=env, timeout=30)
    assert result.returncode == 0, result.stderr
    return sshmod.parse_discovery("box", mark, result.stdout)


@pytest.fixture(scope="module")
def dead_pid() -> int:
    gone = subprocess.Popen(["true"])
    gone.wait()
    return gone.pid


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(entries=st.lists(st.tuples(st.sampled_from(["alive", "dead", "garbage"]), st.integers(1024, 65535)),
                        max_size=6, unique_by=lambda e: e[1]),
       one_line=st.booleans())
def test_the_discovery_script_reports_live_dead_and_broken_entries(
    entries: list[tuple[str, int]], one_line: bool, tmp_path_factory: pytest.TempPathFactory, dead_pid: int
) -> None:
    state = tmp_path_factory.mktemp("script-state")
    registry = state / "marimo" / "servers"
    registry.mkdir(parents=True)
    for kind, port in entries:
        text = {"alive": _registry_entry(os.getpid(), port), "dead": _registry_entry(dead_pid, port),
                "garbage": "{ not json\n@@marimo-pair-other end 1 alive"}[kind]
        if one_line and kind != "garbage":
            text = json.dumps(json.loads(text))
        (registry / f"127.0.0.1_{port}.json").write_text(text)
    scan = _run_discovery_script({"PATH": os.environ["PATH"], "HOME": "/nonexistent", "XDG_STATE_HOME": str(state)})
    assert scan.directory == str(registry) and not scan.missing
    assert sorted(s.port for s in scan.servers) == sorted(p for k, p in entries if k == "alive")
    assert all(s.source == "ssh" and s.ssh_host == "box" and s.pid == os.getpid() for s in scan.servers)
    for kind, port in entries:
        named = [w for w in scan.warnings if f"127.0.0.1_{port}.json" in w]
        assert len(named) == (0 if kind == "alive" else 1), scan.warnings
        if kind == "dead":
            assert str(dead_pid) in named[0]


def test_the_discovery_script_falls_back_to_home_and_reports_a_missing_registry(tmp_path: Path) -> None:
    scan = _run_discovery_script({"PATH": os.environ["PATH"], "HOME": str(tmp_path)})
    assert scan.missing and scan.servers == []
    assert scan.directory == f"{tmp_path}/.local/state/marimo/servers"
    assert scan.missing_error().kind == "no_remote_registry"


def test_cut_short_discovery_output_is_a_dropped_connection() -> None:
    with pytest.raises(SshDroppedError):
        sshmod.parse_discovery("box", "@@m", "@@m dir /x\n@@m file a.json\n{\n")


@pytest.mark.parametrize(
    ("stderr", "error"),
    [
        ("ssh: Could not resolve hostname gpu: Name or service not known\r\n", SshUnknownHostError),
        ("me@gpu: Permission denied (publickey,password).\r\n", SshAuthError),
        ("Received disconnect from 10.0.0.1 port 22:2: Too many authentication failures\r\n", SshAuthError),
        ("Host key verification failed.\r\n", SshHostKeyError),
        ("ssh: connect to host gpu port 22: Connection refused\r\n", SshUnreachableError),
        ("ssh: connect to host gpu port 22: Connection timed out\r\n", SshUnreachableError),
        ("ssh: connect to host gpu port 22: No route to host\r\n", SshUnreachableError),
        ("mux_client_forward: forwarding request failed: Port forwarding failed\n", SshForwardError),
        ("bind [127.0.0.1]:5000: Address already in use\r\nchannel_setup_fwd_listener_tcpip: cannot listen to port: 5000\r\n", SshForwardError),
        ("Connection to gpu closed by remote host.\r\n", SshDroppedError),
        ("client_loop: send disconnect: Broken pipe\r\n", SshDroppedError),
        ("kex_exchange_identification: something new\r\n", SshError),
    ],
)
def test_ssh_failures_are_classified_from_stderr(stderr: str, error: type) -> None:
    classified = sshmod.classify_failure("gpu", stderr)
    assert type(classified) is error
    assert classified.exit_code == 3 and classified.next
    assert stderr.strip().splitlines()[-1].rstrip(".") in classified.message


def test_settings_from_environment_and_config(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[ssh]\noptions = ["-i", "/from/config", "-o", "ConnectTimeout=30"]\nhosts = ["gpu"]\n'
                      "control_persist = 5\n")
    settings_ = sshmod.load_settings({"MARIMO_PAIR_SSH_OPTS": "-i '/from env/key' -p 2222"}, read_config(config))
    # ssh keeps the first value of an option: the environment's come first.
    assert settings_.options == ("-i", "/from env/key", "-p", "2222", "-i", "/from/config", "-o", "ConnectTimeout=30")
    assert (settings_.hosts, settings_.control_persist, settings_.multiplex) == (("gpu",), 5, True)
    host = sshmod.SshHost("gpu", settings_)
    args = host.args()
    assert args.index("/from env/key") < args.index("BatchMode=yes")
    assert "ControlPersist=5" in args and f"ControlPath={host.control_path}" in args
    assert len(str(host.control_path)) + len(".0123456789abcdef") < 100  # unix socket path limit
    assert host.control_path.parent.stat().st_mode & 0o777 == 0o700
    assert sshmod.SshHost("gpu", sshmod.SshSettings(options=("-i", "/other"))).control_path != host.control_path

    off = sshmod.load_settings({"MARIMO_PAIR_SSH_OPTS": "-oControlMaster=no"}, read_config(tmp_path / "none.toml"))
    assert not off.multiplex and "ControlPath=none" in sshmod.SshHost("gpu", off).args()
    assert not sshmod.SshSettings(options=("-o", "ControlPath none")).multiplex
    assert not sshmod.SshSettings(control_persist=0).multiplex

    config.write_text('[ssh]\noptions = 3\nhosts = "gpu"\ncontrol_persist = "soon"\n')
    broken = sshmod.load_settings({}, read_config(config))
    assert broken.options == () and broken.hosts == () and broken.control_persist == 60
    assert len(broken.warnings) == 3


def test_destinations_that_look_like_options_are_refused() -> None:
    for dest in ("-oProxyCommand=sh", "", "a b"):
        with pytest.raises(Exception) as refused:
            sshmod.SshHost(dest, sshmod.SshSettings())
        assert getattr(refused.value, "kind", None) == "usage"
