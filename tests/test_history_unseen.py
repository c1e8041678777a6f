"""Changes made while nothing followed the notebook reach the history when following starts again.

A browser edits, creates and deletes cells while no pairing service runs; the next call starts a
service that follows the session and records each difference from the state last seen, `by`
"unseen". The truth is the kernel's code (code_mode, `cells --refresh`) after the changes.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from tests.support.cell_lab import CellLab
from tests.support.marimo_proc import BrowserSession
from tests.support.services import runtime_services_dir, stop_services
from tests.test_history_live import OTHER_CODE, browser_edit, history, ids_by_code, kernel_codes

NEW_CELL = "unSn"


def browser_changes(browser: BrowserSession, changes: list[dict[str, Any]]) -> None:
    """A browser's document transaction (source "frontend"), as for a person's edits."""
    response = browser.server.post(
        "/api/document/transaction",
        headers={"Marimo-Session-Id": browser.routing_id, "Marimo-Server-Token": browser.server_token or ""},
        json={"changes": changes},
    )
    assert response.status_code == 200, response.text


def test_changes_made_while_nothing_followed_are_recorded_as_unseen(lab: CellLab, _service_runtime: Path) -> None:
    _path, browser = lab.fresh()
    server = lab.server
    before = kernel_codes(server, browser)  # the service follows the session: the state seen
    x_cell, y_cell = ids_by_code(before)["x = 41"], ids_by_code(before)["y = x + 1"]
    assert history(server, browser) == [], "the first time there is no earlier state to compare with"
    stop_services(runtime_services_dir(_service_runtime))

    unfollowed = time.time()
    browser_edit(browser, y_cell, OTHER_CODE)
    browser_changes(browser, [
        {"type": "create-cell", "cellId": NEW_CELL, "code": "w = 5", "name": "_", "config": {}, "after": y_cell},
        {"type": "delete-cell", "cellId": x_cell},
    ])
    now = kernel_codes(server, browser)  # a new service follows the session again
    assert now[y_cell] == OTHER_CODE and now[NEW_CELL] == "w = 5" and x_cell not in now

    changes = history(server, browser)
    found = sorted((c["cell"]["id"], c["kind"], c["origin"], c["by"], c["before"], c["after"]) for c in changes)
    assert found == sorted([
        (y_cell, "edit", "other", "unseen", before[y_cell], OTHER_CODE),
        (NEW_CELL, "create", "other", "unseen", "", "w = 5"),
        (x_cell, "delete", "other", "unseen", before[x_cell], ""),
    ])
    for change in changes:
        assert change["since"] is not None and change["since"] <= unfollowed <= change["at"]

    # Followed again with nothing changed: nothing more is recorded, and nothing twice.
    stop_services(runtime_services_dir(_service_runtime))
    assert [c["id"] for c in history(server, browser)] == [c["id"] for c in changes]
