"""Servers outside the supported marimo range (pure units over mocked HTTP): one too old is refused
with `unsupported_server` before its sessions are listed, one newer is used with a warning, and one
whose version is unknown but lacks stable session ids is still usable by routing id, with a warning.
The same against real servers of an old and the current release: tests/test_server_versions_live.py."""

from __future__ import annotations

import importlib.metadata
import re
import tomllib
from pathlib import Path
from typing import Any

import httpx
import pytest

from marimo_pair_tui.core.errors import EXIT_CONNECTION, UnsupportedServerError
from marimo_pair_tui.core.servers.hub import Hub
from marimo_pair_tui.core.state.call_warnings import collecting
from marimo_pair_tui.core.wire.connection import Connection
from marimo_pair_tui.core.wire.discovery import ServerInfo
from marimo_pair_tui.core.wire.execute import session_headers
from marimo_pair_tui.core.wire.server_versions import MINIMUM, NEWEST_TESTED, listing_note, standing
from marimo_pair_tui.core.wire.sessions import list_notebooks

SESSIONS = {"s_abc": {"session_id": "sess-abc", "filename": "/nb/a.py", "path": "/nb/a.py"}}


def mocked(port: int, *, registry: str | None, status: dict[str, Any] | None,
           sessions: dict[str, Any] = SESSIONS) -> tuple[Connection, list[str]]:
    """A connection to a server answering /api/status and /api/sessions, and the paths it was asked."""
    server = ServerInfo(url=f"http://127.0.0.1:{port}", host="127.0.0.1", port=port, version=registry,
                        source="registry")
    asked: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(request.url.path)
        if request.url.path == "/api/status":
            return httpx.Response(200, json=status) if status is not None else httpx.Response(404, text="no")
        return httpx.Response(200, json=sessions)

    connection = Connection(server)
    connection._client = httpx.AsyncClient(base_url=server.url, transport=httpx.MockTransport(answer))
    return connection, asked


async def test_a_server_too_old_is_refused_naming_its_version_and_the_minimum_before_sessions_are_read() -> None:
    connection, asked = mocked(9, registry="0.25.1", status=None)
    async with connection:
        with pytest.raises(UnsupportedServerError) as caught:
            await list_notebooks(connection)
    error = caught.value
    assert error.exit_code == EXIT_CONNECTION
    shown = error.to_json()
    assert shown["kind"] == "unsupported_server"
    assert (shown["version"], shown["minimum"]) == ("0.25.1", MINIMUM)
    assert "0.25.1" in error.message and MINIMUM in error.message and connection.url in error.message
    assert "pip install -U" in error.next
    assert asked == []  # the registry's version was enough: nothing was asked of the server


async def test_a_named_servers_version_comes_from_api_status() -> None:
    connection, asked = mocked(9, registry=None, status={"version": "0.21.1", "mode": "edit"})
    async with connection:
        with pytest.raises(UnsupportedServerError):
            await list_notebooks(connection)
        with pytest.raises(UnsupportedServerError):  # a refusal is not remembered: asked again
            await list_notebooks(connection)
    assert asked == ["/api/status", "/api/status"]


async def test_a_newer_server_is_used_with_a_warning_and_its_version_asked_once() -> None:
    newer = "99.0.0"
    connection, asked = mocked(9, registry=None, status={"version": newer})
    async with connection:
        (entry,), warnings = await list_notebooks(connection)
        await list_notebooks(connection)
    assert entry.sessions[0].session_id == "sess-abc"
    (warning,) = warnings
    assert newer in warning and NEWEST_TESTED in warning and connection.url in warning
    assert asked.count("/api/status") == 1


async def test_unknown_version_without_stable_ids_is_named_in_a_warning_and_routing_ids_still_work() -> None:
    old_shape = {"s_abc": {"filename": "/nb/old.py", "path": "/nb/old.py"}}
    connection, _ = mocked(9, registry=None, status=None, sessions=old_shape)
    async with connection:
        entries, warnings = await list_notebooks(connection)
    (entry,) = entries
    (session,) = entry.sessions
    assert (session.session_id, session.routing_id) == (None, "s_abc")
    assert session.selector == "s_abc"
    assert session_headers(session) == {"Marimo-Session-Id": "s_abc"}
    (warning,) = warnings
    assert "unknown" in warning and "upgrade marimo" in warning and connection.url in warning


async def test_a_registry_server_too_old_is_skipped_beside_a_good_one_and_refused_when_alone() -> None:
    old, _ = mocked(1, registry="0.23.0", status=None)
    good, _ = mocked(2, registry=MINIMUM, status=None)
    hub = Hub()
    hub._connections = {("", old.server.url): old, ("", good.server.url): good}
    async with hub:
        with collecting() as notes:
            entries = await hub.notebooks([old.server, good.server])
        assert [e.server.url for e in entries] == [good.server.url]
        (note,) = notes
        assert "0.23.0" in note and "Skipped" in note
        with pytest.raises(UnsupportedServerError):
            await hub.notebooks([old.server])


def test_where_a_version_stands() -> None:
    assert standing(MINIMUM) == "supported"
    assert standing(f"{MINIMUM}.dev3") == "supported"
    assert standing("0.25.1") == "too_old"
    assert standing("0.9.34") == "too_old"
    assert standing("1.0.0") == "newer"
    assert standing("not a version") == standing(None) == "unknown"
    assert listing_note("http://x:1", MINIMUM) is None
    assert listing_note("http://x:1", "garbage") is None
    assert "0.25.1" in (listing_note("http://x:1", "0.25.1") or "")


async def test_a_registry_server_restarted_with_a_supported_release_is_accepted_by_the_same_hub() -> None:
    old, _ = mocked(1, registry="0.25.1", status=None)
    hub = Hub()
    hub._connections = {("", old.server.url): old}
    async with hub:
        with pytest.raises(UnsupportedServerError):
            await hub.notebooks([old.server])
        upgraded = ServerInfo(url=old.server.url, host="127.0.0.1", port=1, version=MINIMUM, source="registry")
        (entry,) = await hub.notebooks([upgraded])  # the registry's new word, on the connection kept
    assert entry.sessions[0].session_id == "sess-abc"


def test_the_tools_own_marimo_is_never_below_the_minimum() -> None:
    """`open` starts servers with the tool's own marimo: its pinned range starts at MINIMUM."""
    project = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text(encoding="utf-8"))
    (pin,) = [d for d in project["project"]["dependencies"] if re.match(r"marimo\b", d)]
    assert re.search(r">=\s*([\w.]+)", pin).group(1) == MINIMUM  # type: ignore[union-attr]
    assert standing(importlib.metadata.version("marimo")) != "too_old"
