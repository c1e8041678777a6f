"""`open` on a disk that refuses its writes answers with the JSON error, and leaves nothing behind.

What `open` writes lives under XDG_STATE_HOME: the tour's copy, the started
server's log (a first line before marimo runs) and its record. The disk is
real: a small tmpfs, filled until the kernel says ENOSPC or remounted
read-only (EROFS). Where this machine refuses to mount one, the file-size
limit (RLIMIT_FSIZE 0, so every write to a file fails with EFBIG) stands in
for both, and the tests check the errno the kernel gave. The record that
cannot be written after marimo started is made real by a file in the way of
its directory, which needs no mount.
"""

from __future__ import annotations

import errno
import json
import os
import resource
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from marimo_pair_tui.core.servers.processes import stop_pid
from marimo_pair_tui.core.state.private import storage_error
from tests.clihelp import CliResult, cli_env
from tests.support.cell_lab import NOTEBOOKS
from tests.support.disks import fill
from tests.support.services import processes_naming


@dataclass
class RefusingDisk:
    """A state home whose writes fail with `errno`; `free()` makes it take writes again."""

    state: Path
    errno: int
    free: Callable[[], None]
    limit: Callable[[], None] | None = None  # what the command runs under, where no mount was allowed


def _mount(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["mount", *args], capture_output=True, text=True, timeout=30)


def _no_bigger_files() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))


@contextmanager
def refusing_disk(kind: str, base: Path) -> Iterator[RefusingDisk]:
    disk = base / "disk"
    disk.mkdir()
    mounted = _mount("-t", "tmpfs", "-o", "size=256k,mode=0700", "tmpfs", str(disk))
    if mounted.returncode != 0:  # no mount here: the kernel's file-size limit refuses every write
        yield RefusingDisk(disk / "state", errno.EFBIG, free=lambda: None, limit=_no_bigger_files)
        return
    try:
        if kind == "full":
            filler = fill(disk)
            yield RefusingDisk(disk / "state", errno.ENOSPC, free=filler.unlink)
        else:
            (disk / "state").mkdir()
            assert _mount("-o", "remount,ro", str(disk)).returncode == 0
            yield RefusingDisk(disk / "state", errno.EROFS,
                               free=lambda: _check(_mount("-o", "remount,rw", str(disk))))
    finally:
        if subprocess.run(["umount", str(disk)], capture_output=True, timeout=30).returncode != 0:
            subprocess.run(["umount", "-l", str(disk)], capture_output=True, timeout=30)


def _check(done: subprocess.CompletedProcess[str]) -> None:
    assert done.returncode == 0, done.stderr


def open_(state: Path, *args: str, limit: Callable[[], None] | None = None) -> CliResult:
    proc = subprocess.run([sys.executable, "-m", "marimo_pair_tui", "--headless", "open", *args],
                          env=cli_env(state), capture_output=True, timeout=120, stdin=subprocess.DEVNULL,
                          preexec_fn=limit)
    return CliResult(proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8"))


def close(state: Path, notebook: Path) -> None:
    """Stop what `open` started, as a user would: nothing serves the notebook any more."""
    closed = subprocess.run([sys.executable, "-m", "marimo_pair_tui", "--headless", "close", str(notebook)],
                            env=cli_env(state), capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
    assert closed.returncode == 0, closed.stdout
    assert marimo_serving(notebook) == []


def marimo_serving(notebook: Path) -> list[int]:
    """Pids of live processes whose command line names `notebook` (a marimo server started for it)."""
    return processes_naming(str(notebook))


def assert_storage_error(result: CliResult, disk: RefusingDisk) -> dict:
    assert result.code == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    error = result.json["error"]
    assert result.json["success"] is False
    assert error["kind"] == "storage" and error["errno"] == errno.errorcode[disk.errno]
    assert error["path"].startswith(str(disk.state)) and error["path"] in error["message"]
    assert "XDG_STATE_HOME" in error["next"]
    advice = {errno.ENOSPC: "(it is full): free some space there", errno.EROFS: "read-only file system",
              errno.EFBIG: "ulimit -f"}[disk.errno]
    assert advice in error["next"], error["next"]
    return error


@pytest.fixture
def notebook(tmp_path: Path) -> Iterator[Path]:
    """A notebook of this test's own; whatever still serves it at the end is stopped by pid."""
    folder = tmp_path / "notebooks"
    folder.mkdir()
    path = Path(shutil.copy(NOTEBOOKS / "demo.py", folder / "demo.py"))
    yield path
    for pid in marimo_serving(path):
        stop_pid(pid)


@pytest.mark.live  # starts its own marimo server
@pytest.mark.parametrize("kind", ["full", "read-only"])
def test_open_on_a_disk_that_refuses_writes_is_a_json_error_and_starts_nothing(
    kind: str, tmp_path: Path, notebook: Path
) -> None:
    with refusing_disk(kind, tmp_path) as disk:
        refused = open_(disk.state, "--no-run", str(notebook), limit=disk.limit)
        assert_storage_error(refused, disk)
        assert marimo_serving(notebook) == [], "a server started although its log could not be written"
        assert not list(disk.state.glob("marimo-pair-tui/logs/*.log")), "an empty log was left behind"
        disk.free()
        opened = open_(disk.state, "--no-run", str(notebook))
        assert opened.code == 0, opened.stdout + opened.stderr
        assert opened.json["started_server"] is True and opened.json["created_session"] is True
        (record,) = (json.loads(p.read_text()) for p in disk.state.glob("marimo-pair-tui/started/*.json"))
        assert record["notebook"] == str(notebook) and record["pid"] in marimo_serving(notebook)
        close(disk.state, notebook)


@pytest.mark.live  # runs the headless command or the app in a process
@pytest.mark.parametrize("kind", ["full", "read-only"])
def test_the_tour_on_a_disk_that_refuses_writes_is_a_json_error_and_no_partial_copy(
    kind: str, tmp_path: Path
) -> None:
    with refusing_disk(kind, tmp_path) as disk:
        tour = disk.state / "marimo-pair-tui" / "tour"
        try:
            refused = open_(disk.state, "--tour", limit=disk.limit)
            assert_storage_error(refused, disk)
            assert not (tour / "tour.py").exists(), "a partial copy would open as an empty notebook next time"
            assert not tour.is_dir() or list(tour.iterdir()) == []
        finally:
            for pid in marimo_serving(tour / "tour.py"):  # a server a broken build started for it
                stop_pid(pid)


@pytest.mark.live  # starts its own marimo server
def test_a_record_that_cannot_be_written_stops_the_server_it_would_name(tmp_path: Path, notebook: Path) -> None:
    state = tmp_path / "state"
    blocker = state / "marimo-pair-tui" / "started"
    blocker.parent.mkdir(parents=True)
    blocker.write_text("not a directory")
    refused = open_(state, "--no-run", str(notebook))
    assert refused.code == 2, refused.stdout + refused.stderr
    error = refused.json["error"]
    assert error["kind"] == "storage" and error["errno"] == "EEXIST"
    assert f"{blocker} is in the way: move it aside" in error["next"]
    (log,) = state.glob("marimo-pair-tui/logs/*.log")
    assert "starting marimo edit on port" in log.read_text(), "marimo was started before the record failed"
    assert marimo_serving(notebook) == [], "the started server outlived its unwritten record"
    blocker.unlink()
    opened = open_(state, "--no-run", str(notebook))
    assert opened.code == 0, opened.stdout + opened.stderr
    assert opened.json["started_server"] is True
    close(state, notebook)


@pytest.mark.parametrize(("code", "advice"), [
    (errno.EDQUOT, "your disk quota there is used up"),
    (errno.EACCES, "You may not write in"),
    (errno.EPERM, "You may not write in"),
    (errno.EIO, "can be written"),
])
def test_the_other_refusals_say_what_stands_in_the_way(code: int, advice: str, tmp_path: Path) -> None:
    # Root passes permission checks and has no quota, so these are shaped here; the call sites are the ones above.
    path = tmp_path / "state" / "marimo-pair-tui" / "logs" / "marimo-1.log"
    error = storage_error(OSError(code, os.strerror(code), str(path)), "the marimo server's log", path)
    assert error.exit_code == 2 and error.kind == "storage"
    assert advice in error.next and str(path.parent) in error.next
    assert error.to_json()["errno"] == errno.errorcode[code] and str(path) in error.message
