"""Garbage where this tool reads its own state or a stream: skipped, never a crash."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from marimo_pair_tui.core.servers import processes
from marimo_pair_tui.core.wire.live import LiveStream


def test_a_websocket_message_nested_past_the_parser_is_dropped() -> None:
    seen: list[dict[str, Any]] = []

    async def on_event(message: dict[str, Any]) -> None:
        seen.append(message)

    stream = SimpleNamespace(on_event=on_event)
    deep = "[" * 100_000 + "]" * 100_000
    asyncio.run(LiveStream._dispatch(stream, deep))  # type: ignore[arg-type]
    asyncio.run(LiveStream._dispatch(stream, json.dumps({"op": "banner", "data": {}})))  # type: ignore[arg-type]
    assert seen == [{"op": "banner", "data": {}}]  # the stream goes on after the bad one


@pytest.mark.parametrize("pid", ["12", 2 ** 40, None, True, [1], -5])
def test_garbage_records_of_started_servers_are_dropped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pid: Any) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    records = processes.records_dir()
    records.mkdir(parents=True)
    (records / "1.json").write_text(json.dumps({"pid": pid, "url": "http://127.0.0.1:1"}))
    (records / "2.json").write_text(json.dumps({"pid": os.getpid(), "url": "http://127.0.0.1:2"}))
    kept = processes.started_servers()
    assert [r["url"] for r in kept] == ["http://127.0.0.1:2"]
    assert not (records / "1.json").exists()


def test_the_remote_registry_script_skips_what_a_local_read_skips(tmp_path: Path) -> None:
    """The script that reads a remote host's registry, run by a real sh here, keeps the same rules."""
    import subprocess

    from marimo_pair_tui.core.ssh.registry import discovery_command, parse_discovery

    registry = tmp_path / "marimo" / "servers"
    registry.mkdir(parents=True)
    good = {"server_id": "127.0.0.1:2718", "pid": os.getpid(), "host": "127.0.0.1", "port": 2718,
            "base_url": "", "version": "0.25.2"}
    (registry / "good.json").write_text(json.dumps(good))
    (registry / "link.json").symlink_to("/etc/passwd")
    (registry / "dir.json").mkdir()
    (registry / "huge.json").write_text(" " * 70_000 + json.dumps(good))
    other = registry / "other.json"
    other.write_text(json.dumps({**good, "port": 2719}))
    if os.geteuid() == 0:
        os.chown(other, 65534, 65534)
    out = subprocess.run(discovery_command("MK"), shell=True, capture_output=True, text=True,
                         env={**os.environ, "XDG_STATE_HOME": str(tmp_path)}, timeout=30)
    scan = parse_discovery("box", "MK", out.stdout)
    assert [s.port for s in scan.servers] == [2718]
    reasons = " | ".join(scan.warnings)
    assert "link.json: a symbolic link" in reasons and "dir.json: not a regular file" in reasons
    assert "huge.json: too large" in reasons
    if os.geteuid() == 0:
        assert "other.json: owned by another user" in reasons
