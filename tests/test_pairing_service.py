"""The per-user pairing service behind one-shot headless calls: its lifecycle, each step against real processes.

Each test gives its calls a runtime directory of its own (so its services are
its own) and stops them by pid at teardown.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Iterator

import pytest

from marimo_pair_tui import __version__
from marimo_pair_tui.headless.service import wire as service_wire
from tests.clihelp import CliResult, cli_env, run_cli
from tests.support.cell_lab import CellLab
from tests.support.waiting import wait_until
from tests.support.services import alive, is_service, processes_naming, stop_pid, stop_services


class Calls:
    """One-shot calls with a private runtime directory and state directory."""

    def __init__(self, base: Path) -> None:
        # Short: a socket's path must fit in 108 bytes, and pytest's directories are long.
        self.runtime = Path(tempfile.mkdtemp(prefix="mpt-", dir="/tmp"))
        self.state = base / "service-state"
        self.state.mkdir()

    def env(self, state: Path | None = None, **extra: str) -> dict[str, str]:
        env = cli_env(state or self.state)
        env.pop(service_wire.NO_SERVICE_ENV, None)  # through the service, whichever way the suite runs
        env.update({"XDG_RUNTIME_DIR": str(self.runtime), **extra})
        return env

    def run(self, *args: str, env: dict[str, str] | None = None, cwd: Path | None = None,
            stdin: bytes | None = None) -> CliResult:
        return run_cli(args, env=env or self.env(), cwd=cwd, stdin=stdin)

    def popen(self, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        # Ctrl+C as in a terminal: a suite started in the background (`cmd &`) ignores SIGINT, and
        # its children would inherit that.
        return subprocess.Popen([sys.executable, "-m", "marimo_pair_tui", "--headless", *args],
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                env=env or self.env(), preexec_fn=_default_sigint)

    def status(self, env: dict[str, str] | None = None) -> dict[str, Any]:
        result = self.run("service", "status", env=env)
        assert result.code == 0, result.stderr
        return result.json

    @property
    def directory(self) -> Path:
        return Path(service_wire.runtime_dir({"XDG_RUNTIME_DIR": str(self.runtime)}))

    def socket(self, state: Path | None = None) -> Path:
        return Path(service_wire.socket_path({"XDG_RUNTIME_DIR": str(self.runtime),
                                              "XDG_STATE_HOME": str(state or self.state)}))


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.fixture
def calls(tmp_path: Path) -> Iterator[Calls]:
    calls = Calls(tmp_path)
    try:
        yield calls
    finally:
        stop_services(calls.directory)
        shutil.rmtree(calls.runtime, ignore_errors=True)


def services_for(socket: Path) -> list[int]:
    """Pids of the service processes started for `socket`."""
    return processes_naming("marimo_pair_tui.headless.service.host", str(socket))


# ---------------------------------------------------------------- lifecycle


def test_the_first_call_starts_a_detached_service_that_later_calls_reuse(calls: Calls) -> None:
    assert calls.status() == {"success": True, "running": False, "socket": str(calls.socket())}
    first = calls.run("servers")
    assert first.code == 0, first.stderr
    assert first.json == {"servers": [], "warnings": []}
    status = calls.status()
    pid = status["pid"]
    assert status["running"] and status["calls"] == 1 and is_service(pid)
    assert os.getsid(pid) == pid, "the service leads a session of its own (no terminal, no caller's Ctrl+C)"
    assert calls.run("servers").code == 0
    again = calls.status()
    assert (again["pid"], again["calls"]) == (pid, 2)
    assert services_for(calls.socket()) == [pid]


def test_the_socket_is_0600_in_a_0700_directory(calls: Calls) -> None:
    assert calls.run("servers").code == 0
    socket = calls.socket()
    assert stat.S_ISSOCK(socket.lstat().st_mode)
    assert stat.S_IMODE(socket.lstat().st_mode) == 0o600
    assert stat.S_IMODE(socket.parent.lstat().st_mode) == 0o700
    assert socket.parent.lstat().st_uid == os.getuid()


def test_without_a_runtime_dir_the_socket_lives_in_a_private_temp_dir(calls: Calls) -> None:
    temp = calls.runtime / "tmp"
    temp.mkdir()
    env = calls.env(TMPDIR=str(temp))
    env.pop("XDG_RUNTIME_DIR")
    try:
        assert calls.run("servers", env=env).code == 0
        directory = temp / f"marimo-pair-tui-{os.getuid()}"
        [socket] = directory.glob("service-*.sock")
        assert stat.S_IMODE(directory.lstat().st_mode) == 0o700
        assert calls.status(env)["socket"] == str(socket)
    finally:
        stop_services(temp / f"marimo-pair-tui-{os.getuid()}")


def test_a_runtime_dir_too_long_for_a_socket_falls_back_to_a_short_private_one(calls: Calls, tmp_path: Path) -> None:
    deep = tmp_path / ("d" * 60) / ("e" * 60)
    deep.mkdir(parents=True, mode=0o700)
    env = calls.env(XDG_RUNTIME_DIR=str(deep))
    expected = Path(service_wire.socket_path(env))
    assert expected.parent == Path(f"/tmp/marimo-pair-tui-{os.getuid()}")
    try:
        result = calls.run("servers", env=env)
        assert result.code == 0 and result.stderr == ""
        status = calls.status(env)
        assert status["running"] and status["socket"] == str(expected)
        assert stat.S_IMODE(expected.parent.lstat().st_mode) == 0o700
    finally:
        for pid in services_for(expected):
            stop_pid(pid)


def test_a_runtime_dir_that_is_a_link_is_refused_and_the_call_runs_in_process(calls: Calls, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    calls.directory.symlink_to(elsewhere)
    result = calls.run("servers")
    assert result.code == 0 and result.json == {"servers": [], "warnings": []}
    assert "pairing service is not available" in result.stderr and "running in-process" in result.stderr
    assert list(elsewhere.iterdir()) == [], "nothing was created through the link"


def test_racing_first_calls_start_one_service_per_state_directory(calls: Calls, tmp_path: Path) -> None:
    procs = [calls.popen("servers") for _ in range(6)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0] * 6, [err.decode() for _, err in outs]
    assert all(json.loads(out) == {"servers": [], "warnings": []} for out, _ in outs)
    # Starts that lost the race exit on their own once they see the lock taken.
    [pid] = wait_until(lambda: [p for p in services_for(calls.socket())] if len(services_for(calls.socket())) == 1
                       else None, 30, "one service left")
    assert calls.status()["pid"] == pid and calls.status()["calls"] == 6
    other_state = tmp_path / "other-state"
    other_state.mkdir()
    assert calls.run("servers", env=calls.env(other_state)).code == 0
    [other] = services_for(calls.socket(other_state))
    assert calls.socket(other_state) != calls.socket() and other != pid


def test_the_service_exits_after_its_idle_timeout(calls: Calls) -> None:
    env = calls.env(**{service_wire.IDLE_ENV: "1"})
    assert calls.run("servers", env=env).code == 0
    pid = calls.status(env)["pid"]
    wait_until(lambda: not alive(pid) or None, 30, "the idle service to exit")
    assert not calls.socket().exists()
    assert "idle for 1 s: exiting" in (calls.state / "marimo-pair-tui" / "service.log").read_text()


def test_a_stale_socket_left_by_kill_9_is_replaced(calls: Calls) -> None:
    assert calls.run("servers").code == 0
    pid = calls.status()["pid"]
    os.kill(pid, signal.SIGKILL)
    wait_until(lambda: not alive(pid) or None, 30, "the killed service to be gone")
    assert calls.socket().exists(), "kill -9 leaves the socket behind"
    result = calls.run("servers")
    assert result.code == 0 and result.json == {"servers": [], "warnings": []}
    assert calls.status()["pid"] not in (pid, None)


def test_a_service_of_another_version_steps_down_for_the_new_client(calls: Calls) -> None:
    assert calls.run("servers").code == 0
    old = calls.status()
    module = Path(service_wire.__file__).parents[1] / "output.py"
    before = module.stat()
    os.utime(module, ns=(before.st_atime_ns, before.st_mtime_ns + 1_000_000_000))
    try:
        assert service_wire.fingerprint() != old["version"]
        result = calls.run("servers")
        assert result.code == 0 and result.json == {"servers": [], "warnings": []}
        new = calls.status()
        assert new["pid"] != old["pid"] and new["version"] == service_wire.fingerprint() and new["calls"] == 1
        wait_until(lambda: not alive(old["pid"]) or None, 30, "the old service to exit")
    finally:
        os.utime(module, ns=(before.st_atime_ns, before.st_mtime_ns))


@pytest.mark.unit
def test_an_installed_wheel_is_known_by_its_record(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "site-packages"
    module = site / "marimo_pair_tui" / "core" / "x.py"
    module.parent.mkdir(parents=True)
    module.write_text("x = 1\n")
    monkeypatch.setattr(service_wire, "PACKAGE", str(site / "marimo_pair_tui"))
    walked = service_wire.fingerprint()
    module.write_text("x = 22\n")
    assert service_wire.fingerprint() != walked  # a checkout: an edit is a new version
    record = site / f"marimo_pair_tui-{__version__}.dist-info" / "RECORD"
    record.parent.mkdir()
    record.write_text("marimo_pair_tui/core/x.py\n")
    installed = service_wire.fingerprint()
    assert installed.startswith(f"{__version__}+") and installed != walked
    module.write_text("x = 333\n")
    assert service_wire.fingerprint() == installed  # an installed wheel: its modules are not read
    record.write_text("marimo_pair_tui/core/x.py\nmarimo_pair_tui/core/y.py\n")
    assert service_wire.fingerprint() != installed  # an install or upgrade writes the RECORD anew


def test_the_service_runs_the_same_code_as_its_client(calls: Calls) -> None:
    alt = calls.runtime / "alt"  # another copy of the package (another install, another checkout)
    shutil.copytree(Path(service_wire.__file__).parents[2], alt / "marimo_pair_tui",
                    ignore=shutil.ignore_patterns("__pycache__"))
    env = calls.env()  # found from the working directory, as `python -m` finds a checkout
    version = subprocess.run([sys.executable, "-c", "from marimo_pair_tui.headless.service import wire as w; "
                              "print(w.fingerprint())"], cwd=alt, env=env, capture_output=True, text=True).stdout.strip()
    assert version and version != service_wire.fingerprint()
    for _ in range(2):
        result = calls.run("servers", env=env, cwd=alt)
        assert result.code == 0 and result.stderr == "", result.stderr
    status = calls.status(env)
    assert (status["version"], status["calls"]) == (version, 2), "one service, of the copy's version"


def test_no_service_flag_and_environment_run_in_process(calls: Calls) -> None:
    assert calls.run("--no-service", "servers").code == 0
    assert calls.run("servers", env=calls.env(**{service_wire.NO_SERVICE_ENV: "1"})).code == 0
    assert calls.status()["running"] is False
    assert not calls.socket().exists()


def test_service_start_status_and_stop(calls: Calls) -> None:
    started = calls.run("service", "start")
    assert started.code == 0 and started.json["running"] is True
    pid = started.json["pid"]
    status = calls.status()
    assert status["pid"] == pid and status["in_flight"] == 0 and status["sessions"] == []
    assert status["version"] == service_wire.fingerprint()
    stopped = calls.run("service", "stop")
    assert stopped.code == 0 and stopped.json["stopped"] is True and stopped.json["pid"] == pid
    assert not alive(pid), "stop returns once the service has exited"
    assert not calls.socket().exists()
    assert calls.status()["running"] is False
    wrong = calls.run("service", "restart")
    assert wrong.code == 2 and wrong.json["error"]["kind"] == "usage"


# ---------------------------------------------------------------- calls served as if in-process


def test_calls_carry_the_callers_directory_and_environment(calls: Calls, lab: CellLab, tmp_path: Path) -> None:
    path, browser = lab.fresh()
    (lab.dir / "snippet.py").write_text("print('from a file', x)", encoding="utf-8")
    # The lab's registry finds its server; the caller's directory makes the names relative.
    env = calls.env(lab.server.state_home)
    relative = ["exec", "--notebook", f"./{path.name}", "--file", "snippet.py"]
    by_name = calls.run(*relative, env=env, cwd=lab.dir)
    assert by_name.code == 0, by_name.stderr
    assert by_name.json["stdout"] == "from a file 41\n"
    assert by_name.json["session"]["notebook"] == str(path)
    (tmp_path / "snippet.py").write_text("print('another file')", encoding="utf-8")
    elsewhere = calls.run(*relative, env=env, cwd=tmp_path)
    assert elsewhere.code == 2 and elsewhere.json["error"]["kind"] == "no_session", \
        "the same names from another directory mean other files"
    # MARIMO_PAIR_URLS comes with each call: an empty registry plus the URL finds the server, and
    # a call without it, to the same service, does not.
    with_url = calls.run("servers", env=calls.env(**{"MARIMO_PAIR_URLS": lab.server.url}))
    without = calls.run("servers")
    assert [s["url"] for s in with_url.json["servers"]] == [lab.server.url]
    assert without.json["servers"] == []
    assert calls.status()["calls"] == 2
    assert calls.status(env)["calls"] == 2


def test_a_token_comes_with_each_call_and_is_never_remembered(calls: Calls, marimo_factory, notebooks_dir: Path,
                                                            tmp_path: Path) -> None:
    server = marimo_factory(notebooks_dir / "demo.py", token="s3cret-token-value")
    empty = tmp_path / "empty-state"
    empty.mkdir()
    with_token = calls.run("notebooks", "--url", server.url, env=calls.env(empty, MARIMO_TOKEN="s3cret-token-value"))
    assert with_token.code == 0, with_token.stdout
    without = calls.run("notebooks", "--url", server.url, env=calls.env(empty))
    assert without.code == 3 and without.json["error"]["kind"] == "auth_failed"
    status = calls.status(calls.env(empty))
    assert status["calls"] == 2
    argv = Path(f"/proc/{status['pid']}/cmdline").read_bytes()
    environ = Path(f"/proc/{status['pid']}/environ").read_bytes()
    assert b"s3cret" not in argv and b"s3cret" not in environ
    assert "s3cret" not in (calls.state.parent / "empty-state" / "marimo-pair-tui" / "service.log").read_text()


def test_the_activity_log_spans_calls(calls: Calls, lab: CellLab) -> None:
    path, browser = lab.fresh()
    env = calls.env(lab.server.state_home)
    target = ["--url", lab.server.url, "--session", browser.session_id or ""]
    assert calls.run("cells", *target, env=env).code == 0  # the service now follows the session
    code = "print('between two agent calls')"
    lab.execute(browser, code)  # someone else runs code meanwhile

    def logged() -> list[dict[str, Any]] | None:
        activity = calls.run("activity", *target, env=env)
        assert activity.code == 0, activity.stderr
        return [e for e in activity.json["entries"] if e["code"] == code and e["outcome"] != "running"] or None

    [entry] = wait_until(logged, 30, "the other client's run in the log")
    assert (entry["origin"], entry["stdout"]) == ("other", "between two agent calls\n")
    in_process = calls.run("--no-service", "activity", *target, env=env)
    assert [e for e in in_process.json["entries"] if e["code"] == code] == [], \
        "in-process, the log starts when the command attaches"
    assert [s["session_id"] for s in calls.status(env)["sessions"]] == [browser.session_id]


def test_documents_and_exit_codes_are_the_same_in_process(calls: Calls, lab: CellLab) -> None:
    path, browser = lab.fresh()
    env = calls.env(lab.server.state_home)
    target = ["--url", lab.server.url, "--session", browser.session_id or ""]
    cases: list[tuple[list[str], bytes | None]] = [
        (["exec", *target, "-c", "print('hi')\n1/0"], None),
        (["exec", *target, "-"], b"print('from stdin')"),
        (["exec", *target], None),
        (["cells", *target, "--no-outputs"], None),
        (["edit", *target, "nope", "-c", "y = 1"], None),
        (["exec", "--help"], None),
        (["no-such-command"], None),
    ]
    for args, stdin in cases:
        served = calls.run(*args, env=env, stdin=stdin)
        local = calls.run("--no-service", *args, env=env, stdin=stdin)
        assert served.code == local.code, (args, served.stdout, local.stdout)
        assert served.stdout == local.stdout, args
        assert served.stderr == local.stderr, args
    assert calls.status(env)["calls"] == len(cases)


# ---------------------------------------------------------------- when things go wrong


def _snippet_running(lab: CellLab, marker: Path) -> str:
    return f"open({str(marker)!r}, 'a').write('x')\nimport time\ntime.sleep(60)"


def test_a_service_killed_mid_exec_gives_exit_4_and_nothing_is_resent(calls: Calls, lab: CellLab,
                                                                   tmp_path: Path) -> None:
    path, browser = lab.fresh()
    marker = tmp_path / "ran"
    env = calls.env(lab.server.state_home)
    proc = calls.popen("exec", "--url", lab.server.url, "--session", browser.session_id or "",
                       "-c", _snippet_running(lab, marker), env=env)
    wait_until(lambda: marker.exists() or None, 60, "the snippet to start")
    pid = calls.status(env)["pid"]
    os.kill(pid, signal.SIGKILL)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 4, (out, err)
    document = json.loads(out)
    assert document["error"]["kind"] == "outcome_unknown"
    assert f"pid {pid}" in document["error"]["message"] and "Nothing was sent again" in document["error"]["next"]
    assert marker.read_text() == "x", "the snippet ran once"


def test_a_hung_service_is_bypassed_and_never_runs_the_call_later(calls: Calls, lab: CellLab, tmp_path: Path) -> None:
    path, browser = lab.fresh()
    marker = tmp_path / "ran"
    env = calls.env(lab.server.state_home)
    target = ["--url", lab.server.url, "--session", browser.session_id or ""]
    assert calls.run("status", *target, env=env).code == 0
    pid = calls.status(env)["pid"]
    os.kill(pid, signal.SIGSTOP)
    try:
        result = calls.run("exec", *target, "-c", f"open({str(marker)!r}, 'a').write('x')", env=env)
    finally:
        os.kill(pid, signal.SIGCONT)
    assert result.code == 0, result.stdout
    assert "did not take the call within 15 s" in result.stderr and "running in-process" in result.stderr
    log = lab.server.state_home / "marimo-pair-tui" / "service.log"
    wait_until(lambda: "gave up before its call began" in log.read_text() or None, 30, "the service to drop the call")
    assert marker.read_text() == "x", "run once, in-process; the service never ran it"
    assert calls.status(env)["pid"] == pid


def test_a_read_whose_service_dies_is_asked_again_in_process(calls: Calls, lab: CellLab) -> None:
    path, browser = lab.fresh()
    env = calls.env(lab.server.state_home)
    proc = calls.popen("watch", "--url", lab.server.url, "--session", browser.session_id or "",
                       "--timeout", "3", env=env)
    assert proc.stdout is not None
    assert proc.stdout.readline(), "the watch is attached"
    os.kill(calls.status(env)["pid"], signal.SIGKILL)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert b"asking again in-process" in err
    assert json.loads(out.splitlines()[-1])["reason"] == "timeout"


def test_ctrl_c_cancels_the_call_and_the_service_serves_on(calls: Calls, lab: CellLab, tmp_path: Path) -> None:
    path, browser = lab.fresh()
    marker = tmp_path / "ran"
    env = calls.env(lab.server.state_home)
    target = ["--url", lab.server.url, "--session", browser.session_id or ""]
    proc = calls.popen("exec", *target, "-c", _snippet_running(lab, marker), env=env)
    wait_until(lambda: marker.exists() or None, 60, "the snippet to start")
    pid = calls.status(env)["pid"]
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert json.loads(out)["error"]["message"] == "Interrupted by the user."

    def idle() -> bool | None:
        status = calls.run("status", *target, env=env)
        return status.json.get("state") == "idle" or None

    wait_until(idle, 60, "the kernel to be interrupted")
    after = calls.run("exec", *target, "-c", "print('still here')", env=env)
    assert after.json["stdout"] == "still here\n"
    status = calls.status(env)
    assert status["pid"] == pid and status["in_flight"] == 0
    assert marker.read_text() == "x"


def test_the_thin_client_imports_only_the_standard_library(calls: Calls) -> None:
    assert calls.run("servers").code == 0  # the service is up
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "marimo_pair_tui", "--headless", "servers"],
                          env=calls.env(), capture_output=True, timeout=60)
    assert proc.returncode == 0 and json.loads(proc.stdout) == {"servers": [], "warnings": []}
    lines = [line for line in proc.stderr.decode().splitlines()
             if line.startswith("import time:") and "|" in line and "imported package" not in line]
    imported = {line.split("|")[-1].strip().split(".")[0] for line in lines}
    assert "marimo_pair_tui" in imported
    ours_or_stdlib = set(sys.stdlib_module_names) | {"marimo_pair_tui"}
    site_hooks = {name for name in imported
                  if name.startswith(("__editable__", "_distutils_hack")) or name in ("sitecustomize", "usercustomize")}
    assert imported - ours_or_stdlib - site_hooks == set()
    loaded = {name for name in (line.split("|")[-1].strip() for line in lines) if name.startswith("marimo_pair_tui")}
    assert loaded <= {"marimo_pair_tui", "marimo_pair_tui.__main__", "marimo_pair_tui.headless",
                      "marimo_pair_tui.headless.service", "marimo_pair_tui.headless.service.client", "marimo_pair_tui.headless.service.wire",
                      "marimo_pair_tui.headless.service.trust", "marimo_pair_tui.headless.service.wire_json",
                      "marimo_pair_tui.headless.json_text"}, loaded



def test_a_stopping_service_keeps_what_it_learnt_of_the_cells_code(calls: Calls, lab: CellLab) -> None:
    """The defs/refs the service worked out (core/model/analysis.py) are written when it stops, so the
    next process reads known code without importing marimo's compiler."""
    marker = f"learnt_{os.getpid()}"
    text = ("import marimo\n\napp = marimo.App()\n\n\n@app.cell\ndef _():\n"
            f"    {marker} = 1\n    print({marker})\n    return ({marker},)\n")
    path, browser = lab.fresh(text=text)
    env = calls.env(lab.server.state_home)
    read = calls.run("cells", "--no-outputs", "--url", lab.server.url, "--session", browser.session_id or "", env=env)
    assert read.code == 0, read.stderr
    assert any(marker in c.get("defs", []) for c in read.json["cells"])
    assert calls.run("service", "stop", env=env).json["stopped"] is True
    code = f"{marker} = 1\nprint({marker})"  # the cell as marimo holds it: its body, without the return
    probe = ("import json, sys\n"
             "from marimo_pair_tui.core.model.analysis import static_defs_refs\n"
             f"print(json.dumps([static_defs_refs({code!r}), "
             "'marimo' in sys.modules]))")
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == [[[marker], ["print"]], False]  # answered from the file the service wrote
