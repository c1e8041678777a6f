"""The kiosk page's second guard: a request that could change the session never leaves the browser.

Requests to the server's API are held by the browser itself (the DevTools Fetch domain, on that URL
pattern only); reads go on, anything else is answered 403 in the browser. Playwright's own request
routing would do the same but turns the page's HTTP cache off for every request, so marimo's front
end would be fetched afresh each time a page opens; this guard leaves the cache alone.
"""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any

from playwright.async_api import BrowserContext, CDPSession, Error, Page

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
READ_ONLY = {"detail": "This view is read-only."}
_REFUSAL = base64.b64encode(json.dumps(READ_ONLY).encode()).decode()
_HEADERS = [{"name": "Content-Type", "value": "application/json"}]


def api_pattern(server_url: str) -> str:
    """The Fetch domain's URL pattern for every request to the server's API (its wildcards escaped)."""
    base = server_url.rstrip("/")
    for special in ("\\", "*", "?"):
        base = base.replace(special, "\\" + special)
    return f"{base}/api/*"


class ReadOnlyGuard:
    """Holds the page's API requests: reads continue, the rest are refused with READ_ONLY."""

    def __init__(self, session: CDPSession) -> None:
        self._session = session
        self._pending: set[asyncio.Task[None]] = set()

    @classmethod
    async def install(cls, context: BrowserContext, page: Page, server_url: str) -> ReadOnlyGuard:
        """Guard `page`'s requests to `server_url`'s API from now on (before the page is loaded)."""
        session = await context.new_cdp_session(page)
        guard = cls(session)
        session.on("Fetch.requestPaused", guard._on_paused)
        await session.send("Fetch.enable", {"patterns": [{"urlPattern": api_pattern(server_url),
                                                          "requestStage": "Request"}]})
        return guard

    def _on_paused(self, event: dict[str, Any]) -> None:
        task = asyncio.get_running_loop().create_task(self._answer(event))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _answer(self, event: dict[str, Any]) -> None:
        request_id = event["requestId"]
        method = str(event.get("request", {}).get("method", "")).upper()
        try:
            if method in SAFE_METHODS:
                await self._session.send("Fetch.continueRequest", {"requestId": request_id})
            else:
                await self._session.send("Fetch.fulfillRequest", {"requestId": request_id, "responseCode": 403,
                                                                  "responseHeaders": _HEADERS, "body": _REFUSAL})
        except Error:
            pass  # the page closed meanwhile: the request went with it
