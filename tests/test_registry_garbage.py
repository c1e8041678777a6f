"""Garbage in marimo's server registry: symlinks, huge files, wrong types, other users' files.

marimo writes one small JSON file per `--no-token` server, as the user who
runs it, mode 0600. Anything else found there is skipped with a warning that
names the file and says why, and discovery (`servers`, `notebooks`) still
lists the good servers:

- a symlink (to /etc/passwd, to a directory, dangling, a loop, even to a
  valid entry): marimo never writes one, and following it reads a file the
  registry does not hold;
- a directory or a FIFO named `*.json` (a FIFO must not hang discovery);
- a file over 64 KB: skipped unread (a 50 MB entry is never loaded);
- a file owned by another user: it could point us at their server, so it is
  skipped, as marimo's own files are always the user's;
- JSON of the wrong shape or types, hosts that are not host names, pids no
  process can have.

Entries that would be valid if read point at a "bait" server on loopback,
which must never be asked anything.
"""

from __future__ import annotations

import json
import os
import tempfile
import tracemalloc
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given, settings, strategies as st

from marimo_pair_tui.core.wire.discovery import REGISTRY_ENTRY_LIMIT, read_registry, read_registry_file
from tests.clihelp import CliResult, cli_env, run_cli
from tests.support.fake_marimo import Answer, FakeServer, Seen, json_answer
from tests.support.marimo_proc import MarimoServer

NOBODY = 65534
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def _entry(port: int, **overrides: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "server_id": f"127.0.0.1:{port}",
        "pid": os.getpid(),
        "host": "127.0.0.1",
        "port": port,
        "base_url": "",
        "started_at": "2026-01-01T00:00:00+00:00",
        "version": "0.25.2",
    }
    entry.update(overrides)
    return entry


def _bait(seen: Seen) -> Answer:
    if seen.path == "/health":
        return json_answer({"status": "healthy"})
    if seen.path == "/api/sessions":
        return json_answer({"s_bait": {"session_id": "sess-bait", "filename": "/bait/stolen.py", "path": "/bait/stolen.py"}})
    return json_answer({"mode": "edit", "version": "0.25.2"})


@pytest.fixture
def bait() -> Iterator[FakeServer]:
    """A healthy-looking marimo imitation that only a skipped entry names."""
    server = FakeServer(_bait)
    try:
        yield server
    finally:
        server.close()


@dataclass
class Registry:
    state: Path
    directory: Path
    expected: dict[str, str]  # file name -> words its warning holds


def _garbage(directory: Path, outside: Path, bait_port: int) -> dict[str, str]:
    """Write every kind of garbage into `directory`; returns what each file's warning must say."""
    expected: dict[str, str] = {}

    def write(name: str, content: bytes | str, words: str) -> None:
        data = content.encode("utf-8") if isinstance(content, str) else content
        (directory / name).write_bytes(data)
        expected[name] = words

    def link(name: str, target: Path | str) -> None:
        (directory / name).symlink_to(target)
        expected[name] = "symbolic link"

    valid_bait = json.dumps(_entry(bait_port))
    (outside / "bait.json").write_text(valid_bait)
    (outside / "a-directory").mkdir()
    link("link-passwd.json", "/etc/passwd")
    link("link-directory.json", outside / "a-directory")
    link("link-dangling.json", outside / "nothing-here.json")
    link("link-loop-a.json", directory / "link-loop-b.json")
    link("link-loop-b.json", directory / "link-loop-a.json")
    link("link-to-valid-entry.json", outside / "bait.json")

    (directory / "a-directory.json").mkdir()
    expected["a-directory.json"] = "not a regular file"
    os.mkfifo(directory / "a-fifo.json")
    expected["a-fifo.json"] = "not a regular file"

    # 50 MB that is valid JSON (an entry padded with spaces): loading it would list the bait.
    (directory / "huge.json").write_bytes(valid_bait.encode("utf-8") + b" " * (50 * 1024 * 1024))
    expected["huge.json"] = "too large"

    if IS_ROOT:
        write("other-owner.json", valid_bait, f"owned by uid {NOBODY}")
        os.chown(directory / "other-owner.json", NOBODY, NOBODY)

    write("a-list.json", "[]", "expected a JSON object")
    write("a-string.json", '"127.0.0.1:2718"', "expected a JSON object")
    write("null.json", "null", "expected a JSON object")
    write("empty.json", "", "not valid JSON")
    write("truncated.json", valid_bait[: len(valid_bait) // 2], "not valid JSON")
    write("not-utf8.json", b"\xff\xfe{\x00\x00garbage", "not UTF-8")
    write("nested-too-deep.json", "[" * 60_000, "not valid JSON")
    write("too-many-digits.json", '{"pid": ' + "9" * 5000 + "}", "not valid JSON")
    write("pid-string.json", json.dumps(_entry(bait_port, pid=str(os.getpid()))), "non-integer pid")
    write("pid-bool.json", json.dumps(_entry(bait_port, pid=True)), "non-integer pid")
    write("pid-overflow.json", json.dumps(_entry(bait_port, pid=2**31)), "not running")
    write("pid-enormous.json", json.dumps(_entry(bait_port, pid=10**30)), "not running")
    write("port-string.json", json.dumps({**_entry(bait_port), "port": str(bait_port)}), "invalid port")
    write("port-zero.json", json.dumps(_entry(0)), "invalid port")
    write("port-too-big.json", json.dumps(_entry(70000)), "invalid port")
    write("host-number.json", json.dumps(_entry(bait_port, host=127001)), "missing host")
    write("host-with-path.json", json.dumps(_entry(bait_port, host="127.0.0.1/evil")), "not an IP address or host name")
    write("host-with-user.json", json.dumps(_entry(bait_port, host="user@127.0.0.1")), "not an IP address or host name")
    write("host-with-space.json", json.dumps(_entry(bait_port, host="127.0.0.1 x")), "not an IP address or host name")
    write("host-half-bracket.json", json.dumps(_entry(bait_port, host="[::1")), "not an IP address or host name")
    write("base-url-number.json", json.dumps(_entry(bait_port, base_url=7)), "base_url is not a string")
    write("base-url-query.json", json.dumps(_entry(bait_port, base_url="/x?y#z")), "base_url is not a URL path")
    (directory / "README.txt").write_text("not an entry: not *.json, not read")
    return expected


@pytest.fixture
def registry(tmp_path: Path, shared_server: MarimoServer, bait: FakeServer) -> Registry:
    state = tmp_path / "state"
    directory = state / "marimo" / "servers"
    directory.mkdir(parents=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    good = shared_server.read_registry()
    (directory / f"127.0.0.1_{shared_server.port}.json").write_text(json.dumps(good))
    return Registry(state, directory, _garbage(directory, outside, bait.port))


def _skipped(warnings: list[str], expected: dict[str, str]) -> None:
    """Each garbage file is named by exactly one warning, which says why; nothing else is warned about."""
    for name, words in expected.items():
        hits = [w for w in warnings if name in w]
        assert len(hits) == 1, (name, hits)
        assert words in hits[0] and "skipped" in hits[0], (name, hits[0])
    assert len(warnings) == len(expected), warnings


def _run(command: str, registry: Registry) -> CliResult:
    return run_cli([command], env=cli_env(registry.state), timeout=60)


def test_servers_lists_the_good_server_and_names_every_skipped_entry(
    registry: Registry, shared_server: MarimoServer, bait: FakeServer
) -> None:
    result = _run("servers", registry)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.code == 0, (result.stdout, result.stderr)
    servers = result.json["servers"]
    assert [(s["url"], s["pid"], s["source"]) for s in servers] == [(shared_server.url, shared_server.pid, "registry")]
    _skipped(result.json["warnings"], registry.expected)
    assert bait.requests() == [], "a skipped entry's server was contacted"


def test_notebooks_lists_the_good_servers_notebook_despite_the_garbage(
    registry: Registry, shared_server: MarimoServer, shared_notebook: Path, bait: FakeServer
) -> None:
    result = _run("notebooks", registry)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.code == 0, (result.stdout, result.stderr)
    notebooks = result.json["notebooks"]
    assert [(n["server"], n["path"]) for n in notebooks] == [(shared_server.url, str(shared_notebook))]
    _skipped(result.json["warnings"], registry.expected)
    assert bait.requests() == []


def test_a_huge_entry_is_skipped_without_being_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    entry = json.dumps(_entry(2718)).encode("utf-8")
    with open(path, "wb") as handle:
        handle.write(entry + b" " * (50 * 1024 * 1024))
    tracemalloc.start()
    try:
        scan = read_registry(tmp_path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert scan.servers == []
    (warning,) = scan.warnings
    assert "huge.json" in warning and "too large" in warning and str(50 * 1024 * 1024 + len(entry)) in warning
    assert peak < 1024 * 1024, f"reading the registry allocated {peak} bytes"


def test_an_entry_at_the_limit_is_read_and_one_byte_more_is_not(tmp_path: Path) -> None:
    entry = json.dumps(_entry(2718)).encode("utf-8")
    path = tmp_path / "padded.json"
    path.write_bytes(entry + b" " * (REGISTRY_ENTRY_LIMIT - len(entry)))
    assert json.loads(read_registry_file(path)) == _entry(2718)
    path.write_bytes(entry + b" " * (REGISTRY_ENTRY_LIMIT - len(entry) + 1))
    with pytest.raises(ValueError, match="too large"):
        read_registry_file(path)


@pytest.mark.skipif(not IS_ROOT, reason="giving a file to another user needs root")
def test_another_users_entry_is_skipped_and_our_own_is_kept(tmp_path: Path) -> None:
    (tmp_path / "ours.json").write_text(json.dumps(_entry(2718)))
    (tmp_path / "theirs.json").write_text(json.dumps(_entry(2719)))
    os.chown(tmp_path / "theirs.json", NOBODY, NOBODY)
    scan = read_registry(tmp_path)
    assert [s.port for s in scan.servers] == [2718]
    (warning,) = scan.warnings
    assert "theirs.json" in warning and f"owned by uid {NOBODY}" in warning and "skipped" in warning


# ------------------------------------------------------------------ properties

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=10,
)
FIELD = (
    JSON
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.sampled_from(["127.0.0.1", "localhost", "::1", "0.0.0.0", "::", "x/y", "a@b", "[::1", "h#", "", " ", "/p", "/p?q"])
)
ENTRY = st.fixed_dictionaries(
    {}, optional={"pid": FIELD, "host": FIELD, "port": FIELD | st.integers(1, 65535), "base_url": FIELD, "version": FIELD}
)


def _check_scan(directory: Path, name: str) -> None:
    scan = read_registry(directory)
    assert len(scan.servers) + len(scan.warnings) == 1
    if scan.warnings:
        assert name in scan.warnings[0] and scan.warnings[0].endswith("skipped")
        return
    (info,) = scan.servers
    url = httpx.URL(info.url)
    assert url.scheme == "http" and url.port == info.port and 1 <= info.port <= 65535
    assert not url.userinfo and not url.query and not url.fragment
    assert info.version is None or isinstance(info.version, str)


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=300) | JSON.map(lambda v: json.dumps(v).encode("utf-8")) | ENTRY.map(lambda e: json.dumps(e).encode("utf-8")))
def test_any_bytes_in_an_entry_are_read_or_skipped_with_a_warning(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as raw:
        directory = Path(raw)
        (directory / "entry.json").write_bytes(data)
        _check_scan(directory, "entry.json")


@settings(max_examples=150, deadline=None)
@given(ENTRY.map(lambda e: {**{"pid": os.getpid(), "host": "127.0.0.1", "port": 2718}, **e}))
def test_any_field_values_are_read_or_skipped_with_a_warning(entry: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as raw:
        directory = Path(raw)
        (directory / "entry.json").write_text(json.dumps(entry))
        _check_scan(directory, "entry.json")
