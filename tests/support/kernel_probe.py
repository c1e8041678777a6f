"""Ask a real session what it holds, through the headless door: the kernel as the oracle of the tests.

`kernel(...)` runs a snippet in the session's kernel and reads its JSON back;
`elements(...)` lists the UI elements as `ui` says them; `browser_sets(...)`
moves elements as a browser does (their frontend values over
/api/kernel/set_ui_element_value), which reaches other clients only as the
bound variable's new value.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from tests.clihelp import CliResult, cli_env, run_cli

from .marimo_proc import BrowserSession, MarimoServer


def session_cli(server: MarimoServer, browser: BrowserSession, *args: str, service: bool = True) -> CliResult:
    """A headless command on the browser's session (through the pairing service, or in-process)."""
    extra = {} if service else {"MARIMO_PAIR_NO_SERVICE": "1"}
    return run_cli([*args, "--url", server.url, "--session", browser.session_id or ""],
                   env=cli_env(server.state_home, **extra))


def kernel(server: MarimoServer, browser: BrowserSession, expression: str) -> Any:
    """What the kernel itself says `expression` is (as JSON; `_j` is the json module)."""
    result = session_cli(server, browser, "exec", "-c", f"import json as _j\nprint(_j.dumps({expression}))")
    assert result.code == 0, result.stdout
    return json.loads(result.json["stdout"])


def elements(server: MarimoServer, browser: BrowserSession) -> dict[str, dict[str, Any]]:
    """`ui`'s elements by the first variable bound to them (unbound ones left out)."""
    result = session_cli(server, browser, "ui")
    assert result.code == 0, result.stdout
    return {e["names"][0]: e for e in result.json["elements"] if e["names"]}


def browser_sets(server: MarimoServer, path: Path, browser: BrowserSession, values: dict[str, Any]) -> None:
    """Move elements (object id -> frontend value) as the browser holding `browser`'s connection does."""
    headers = {"Marimo-Session-Id": browser.routing_id or "", "Marimo-Server-Token": server.server_token(path),
               **server.auth_headers()}
    response = httpx.post(server.url + "/api/kernel/set_ui_element_value", headers=headers, timeout=30,
                          json={"objectIds": list(values), "values": list(values.values())})
    assert response.status_code == 200, response.text
