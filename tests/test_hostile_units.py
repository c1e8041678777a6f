"""Garbage where this tool reads its own state or a stream: skipped, never a crash."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from marimo_pair_tui.core import launch
from marimo_pair_tui.core.live import LiveStream


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
    records = launch._records_dir()
    records.mkdir(parents=True)
    (records / "1.json").write_text(json.dumps({"pid": pid, "url": "http://127.0.0.1:1"}))
    (records / "2.json").write_text(json.dumps({"pid": os.getpid(), "url": "http://127.0.0.1:2"}))
    kept = launch.started_servers()
    assert [r["url"] for r in kept] == ["http://127.0.0.1:2"]
    assert not (records / "1.json").exists()
