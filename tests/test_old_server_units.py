"""A server too old to report stable session ids: parsing of its /api/sessions answer (pure unit)."""

from __future__ import annotations

import httpx

from marimo_pair_tui.core.wire.connection import Connection
from marimo_pair_tui.core.wire.discovery import ServerInfo
from marimo_pair_tui.core.wire.execute import session_headers
from marimo_pair_tui.core.wire.sessions import list_notebooks


async def test_old_server_is_named_in_a_warning_and_routing_ids_still_work() -> None:
    server = ServerInfo(url="http://127.0.0.1:9", host="127.0.0.1", port=9, version="0.10.0", source="registry")
    connection = Connection(server)
    payload = {"s_abc": {"filename": "/nb/old.py", "path": "/nb/old.py"}}
    await connection._client.aclose()
    connection._client = httpx.AsyncClient(
        base_url=server.url, transport=httpx.MockTransport(lambda request: httpx.Response(200, json=payload))
    )
    try:
        entries, warnings = await list_notebooks(connection)
    finally:
        await connection.aclose()
    (entry,) = entries
    (session,) = entry.sessions
    assert (session.session_id, session.routing_id) == (None, "s_abc")
    assert session.selector == "s_abc"
    assert session_headers(session) == {"Marimo-Session-Id": "s_abc"}
    (warning,) = warnings
    assert "0.10.0" in warning and "upgrade marimo" in warning and server.url in warning
