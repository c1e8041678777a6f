"""One browser page showing one session as marimo's front end draws it, read-only.

The page opens the notebook as a kiosk viewer (`?kiosk=true`): marimo attaches it to the
session beside the browser that owns it, never in its place, and the front end neither runs
nor edits anything. As a second guard, every request of the page that could change something
(anything but GET or HEAD to the server's API) is refused before it leaves the browser (guard.py). A
token server is reached with the session cookie marimo gives for the token (the token itself
never enters the browser, a URL or a command line). The page stays open and live, so later
pictures of the session only wait for the output to settle.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any
from urllib.parse import quote

from playwright.async_api import BrowserContext, Error, Page, WebSocket
from playwright.async_api import TimeoutError as PlaywrightTimeout

from ..errors import CellNotFoundError, NoOutputError, NoSessionError, ScreenshotError
from ..wire.connection import Connection
from ..wire.sessions import Target
from .guard import ReadOnlyGuard
from .settle import DRAWN, OUTPUT_STATE, PENDING, QUIET, SEEN, WATCH_CHANGES

QUIET_MS = 150  # an output unchanged this long is drawn
QUIET_WAIT = 2.0  # seconds to wait for the quiet spell before picturing something that keeps moving


def page_url(connection: Connection, notebook: str) -> str:
    """The notebook page as a kiosk viewer without the editor's chrome (marimo's own URL parameters)."""
    return f"{connection.url.rstrip('/')}/?file={quote(notebook, safe='')}&kiosk=true&show-chrome=false"


async def _auth_cookies(connection: Connection) -> list[tuple[str, str]]:
    """The session cookie marimo sets for a token server (a keyed hash of the token, not the token)."""
    if not connection.auth_headers():
        return []
    response = await connection.request("GET", "/", what="the notebook page")
    return [(cookie.name, cookie.value or "") for cookie in response.cookies.jar]


class KioskView:
    """A live kiosk page on one session; `cell` and `notebook` take its pictures."""

    def __init__(self, page: Page, target: Target) -> None:
        self.page = page
        self.target = target
        self.used = time.monotonic()
        self.lock = asyncio.Lock()
        self._cells = 0
        self._closed = False
        self._ready: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()

    @classmethod
    async def open(cls, context: BrowserContext, connection: Connection, target: Target, timeout: float,
                   page: Page | None = None) -> KioskView:
        """Open the session's page (in `page`, a blank one opened ahead, else a new one) and wait until
        marimo has told it the notebook (kernel-ready)."""
        cookies = await _auth_cookies(connection)
        if cookies:
            await context.add_cookies([{"name": name, "value": value, "url": connection.url} for name, value in cookies])
        if page is None:
            page = await context.new_page()
        view = cls(page, target)
        try:
            await ReadOnlyGuard.install(context, page, connection.url)
            await view._load(connection, timeout)
        except BaseException:
            await view.close()
            raise
        return view

    async def _load(self, connection: Connection, timeout: float) -> None:
        page = self.page
        page.on("websocket", self._on_websocket)
        await page.add_init_script(WATCH_CHANGES)
        ms = timeout * 1000
        try:
            await page.goto(page_url(connection, self.target.notebook), wait_until="commit", timeout=ms)
            ready = await asyncio.wait_for(asyncio.shield(self._ready), timeout)
        except asyncio.TimeoutError:
            raise ScreenshotError(
                f"marimo's front end did not show {self.target.notebook} within {timeout:.0f} s."
            ) from None
        except Error as exc:
            raise ScreenshotError(f"The browser could not open {connection.label}: {_first_line(exc)}.") from None
        self._check_session(ready)
        self._cells = len(ready.get("cell_ids") or [])

    def _check_session(self, ready: dict[str, Any]) -> None:
        """A kiosk viewer is attached to the first session of its file: it must be the one asked for."""
        wanted = self.target.session.session_id
        shown = ready.get("stable_session_id")
        if wanted and shown and shown != wanted:
            raise ScreenshotError(
                f"marimo shows viewers of {self.target.notebook} its first session ({shown}), not {wanted}.",
                next="Close the notebook's other sessions (browser tabs), or picture the session marimo shows.",
            )

    def _on_websocket(self, socket: WebSocket) -> None:
        if "/ws?" not in socket.url:
            return  # not the session's stream (language server, terminal)
        def on_frame(payload: str | bytes) -> None:
            if self._on_frame(payload):
                socket.remove_listener("framereceived", on_frame)  # the rest is the front end's business

        socket.on("framereceived", on_frame)
        socket.on("close", self._on_close)

    def _on_frame(self, payload: str | bytes) -> bool:
        """Note marimo's kernel-ready (the notebook's cells and session); True once it came."""
        if self._ready.done():
            return True
        text = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else payload
        if '"kernel-ready"' not in text[:64]:
            return False
        try:
            message = json.loads(text)
        except (ValueError, RecursionError):
            return False
        data = message.get("data") if isinstance(message, dict) else None
        if not isinstance(data, dict):
            return False
        self._ready.set_result(data)
        return True

    def _on_close(self, _socket: Any) -> None:
        self._closed = True
        if not self._ready.done():
            self._ready.set_exception(NoSessionError(
                f"marimo has no session of {self.target.notebook} to show (the viewer was turned away)."
            ))

    @property
    def alive(self) -> bool:
        """Still showing the session live (marimo closes the stream when the session ends)."""
        return not self._closed and not self.page.is_closed()

    async def _settle(self, cell_id: str | None, timeout: float, after: float | None) -> None:
        """Wait until the part is drawn, with what the session sent up to `after` (a marimo
        timestamp) when given; a part that keeps moving is taken after QUIET_WAIT."""
        if after is not None:
            try:
                await self.page.wait_for_function(SEEN, arg=[cell_id, after], timeout=timeout * 1000)
            except PlaywrightTimeout:
                raise ScreenshotError(
                    f"The browser did not hear the session's news of {after} within {timeout:.0f} s."
                ) from None
        await self._quiet(cell_id)  # what just came on the stream is drawn first
        try:
            await self.page.wait_for_function(DRAWN, arg=[cell_id, self._cells], timeout=timeout * 1000)
        except PlaywrightTimeout:
            pending = await self.page.evaluate(PENDING, cell_id)
            what = f"Cell {cell_id}'s output" if cell_id else "The notebook"
            why = {"running": "a cell is still running", "images": "its images did not load",
                   "fonts": "the fonts did not load"}.get(pending, "the page did not draw the notebook")
            raise ScreenshotError(f"{what} was not drawn within {timeout:.0f} s: {why}.") from None
        await self._quiet(cell_id)

    async def _quiet(self, cell_id: str | None) -> None:
        try:
            await self.page.wait_for_function(QUIET, arg=[cell_id, QUIET_MS], timeout=QUIET_WAIT * 1000)
        except PlaywrightTimeout:
            pass  # it keeps moving: picture it as it is now

    async def cell(self, cell_id: str, timeout: float, after: float | None = None) -> bytes:
        """A PNG of the cell's output area as the front end draws it."""
        self.used = time.monotonic()
        await self._settle(cell_id, timeout, after)
        state = await self.page.evaluate(OUTPUT_STATE, cell_id)
        if state == "missing":
            raise CellNotFoundError(f"{self.target.notebook} has no cell {cell_id!r}.")
        if state != "output":
            raise NoOutputError(f"Cell {cell_id} has no output to picture.")
        element = self.page.locator(f"[id={json.dumps('output-' + cell_id)}]")
        try:
            return await element.screenshot(animations="disabled", caret="hide", timeout=timeout * 1000)
        except Error as exc:
            raise ScreenshotError(f"The picture of cell {cell_id} failed: {_first_line(exc)}.") from None

    async def notebook(self, timeout: float, after: float | None = None) -> bytes:
        """A PNG of the whole notebook page, top to bottom."""
        self.used = time.monotonic()
        await self._settle(None, timeout, after)
        try:
            return await self.page.screenshot(full_page=True, animations="disabled", caret="hide", timeout=timeout * 1000)
        except Error as exc:
            raise ScreenshotError(f"The picture of {self.target.notebook} failed: {_first_line(exc)}.") from None

    async def close(self) -> None:
        """Close the page (marimo drops the viewer; the session goes on)."""
        self._closed = True
        if not self._ready.done():
            self._ready.cancel()
        try:
            await self.page.close()
        except Error:
            pass  # the browser is gone already


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else exc.__class__.__name__
