"""Registry parsing and URL validation: pure units, no server."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from marimo_pair_tui.core.wire.discovery import (
    parse_registry_entry,
    parse_server_url,
    read_registry,
    registry_dir,
    urls_from_env,
)
from marimo_pair_tui.core.errors import InvalidURLError


def _entry(**overrides: object) -> dict:
    entry = {
        "server_id": "127.0.0.1:2718",
        "pid": os.getpid(),
        "host": "127.0.0.1",
        "port": 2718,
        "base_url": "",
        "started_at": "2026-01-01T00:00:00+00:00",
        "version": "0.25.2",
    }
    entry.update(overrides)
    return entry


def test_registry_dir_honours_xdg_state_home(tmp_path: Path) -> None:
    assert registry_dir({"XDG_STATE_HOME": str(tmp_path)}) == tmp_path / "marimo" / "servers"


def test_registry_dir_defaults_under_home() -> None:
    assert registry_dir({}) == Path.home() / ".local" / "state" / "marimo" / "servers"


def test_entry_with_base_url_and_bind_all_host() -> None:
    info = parse_registry_entry(json.dumps(_entry(host="0.0.0.0", port=9000, base_url="/nb/")))
    assert info.url == "http://127.0.0.1:9000/nb"
    assert (info.port, info.pid, info.version, info.source) == (9000, os.getpid(), "0.25.2", "registry")


def test_read_registry_skips_dead_and_malformed(tmp_path: Path) -> None:
    (tmp_path / "127.0.0.1_1.json").write_text(json.dumps(_entry(port=1)))
    (tmp_path / "127.0.0.1_2.json").write_text(json.dumps(_entry(port=2, pid=2**22 + 12345)))
    (tmp_path / "broken.json").write_text("{not json")
    (tmp_path / "list.json").write_text("[]")
    scan = read_registry(tmp_path)
    assert [s.port for s in scan.servers] == [1]
    text = "\n".join(scan.warnings)
    assert "not running" in text and "broken.json" in text and "list.json" in text
    assert len(scan.warnings) == 3


@given(st.text(max_size=200))
def test_arbitrary_registry_text_never_crashes(raw: str) -> None:
    try:
        info = parse_registry_entry(raw)
    except ValueError as exc:
        assert str(exc)
    else:
        assert 1 <= info.port <= 65535


@given(
    st.fixed_dictionaries(
        {},
        optional={
            "pid": st.one_of(st.integers(), st.text(), st.none(), st.booleans()),
            "host": st.one_of(st.text(max_size=20), st.integers()),
            "port": st.one_of(st.integers(), st.text(max_size=5)),
            "base_url": st.one_of(st.text(max_size=10), st.integers()),
        },
    )
)
def test_registry_fields_of_wrong_type_are_rejected_with_a_reason(entry: dict) -> None:
    try:
        parse_registry_entry(json.dumps(entry))
    except ValueError as exc:
        assert "entry:" in str(exc)
    else:
        assert type(entry["pid"]) is int and type(entry["port"]) is int and entry["host"]


@pytest.mark.parametrize(
    "raw, url",
    [
        ("127.0.0.1:2718", "http://127.0.0.1:2718"),
        ("http://localhost:2718/", "http://localhost:2718"),
        ("https://example.test/prefix/", "https://example.test:443/prefix"),
        ("http://[::1]:9/", "http://[::1]:9"),
    ],
)
def test_server_urls_are_normalised(raw: str, url: str) -> None:
    assert parse_server_url(raw).url == url


@pytest.mark.parametrize(
    "raw", ["ftp://host:1", "http://user:secret@host:1", "http://user:secret@host:99999", "http://host:1/?access_token=abc", "http://host:99999", "http://"]
)
def test_bad_urls_are_usage_errors_without_echoing_secrets(raw: str) -> None:
    with pytest.raises(InvalidURLError) as info:
        parse_server_url(raw)
    assert info.value.exit_code == 2
    assert "secret" not in info.value.message and "abc" not in info.value.message
    assert info.value.next


def test_urls_from_env_splits_on_commas_and_space() -> None:
    assert urls_from_env({"MARIMO_PAIR_URLS": "http://a:1, http://b:2  http://c:3"}) == [
        "http://a:1",
        "http://b:2",
        "http://c:3",
    ]
