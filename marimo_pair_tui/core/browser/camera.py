"""Pictures of outputs as marimo's front end draws them, from one warm browser.

A `Camera` owns one headless Chromium (the user's own, see `find_browser`), launched on the
first picture (or ahead of it, `launch`) and kept, and one live kiosk page per session (the most
recently used few), so a later picture of the same session only waits for its output to settle.
The browser keeps its profile between launches (profile.py): marimo's front end then loads from
its HTTP cache; Playwright's driver keeps its compiled code too. Nothing runs in the
kernel: unlike code_mode's `ctx.screenshot()`, the kernel's environment needs no Playwright.
A Camera belongs to the event loop it was first used in (Playwright's objects do).
"""

from __future__ import annotations

import asyncio
import os
import time
from collections import OrderedDict
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import BrowserMissingError, PlaywrightMissingError
from ..wire.connection import Connection
from ..wire.sessions import Target
from .locate import find_browser
from .profile import CACHE_BYTES, Profile, keep_driver_code

if TYPE_CHECKING:
    from playwright.async_api import BrowserContext, Page, Playwright

    from .viewer import KioskView

TIMEOUT = 30.0  # seconds for a page to show the notebook, and for an output to be drawn
PAGES = 4  # live pages kept, one per session, the least recently used closed first
IDLE = 300.0  # seconds a page may sit unused before it is closed (marimo drops the viewer)
WIDTH, HEIGHT = 1280, 800  # the page's size in CSS pixels (a notebook picture is as tall as the notebook)

ViewKey = tuple[str, str, str]


class Camera:
    """Takes PNG pictures of a cell's output, or of a whole notebook, from live sessions."""

    def __init__(self, browser: str | os.PathLike[str] | None = None, *, environ: Mapping[str, str] | None = None,
                 pages: int = PAGES, idle: float = IDLE, timeout: float = TIMEOUT) -> None:
        self._browser_name = browser
        self._environ = environ
        self._max_pages = max(1, pages)
        self._idle = idle
        self._timeout = timeout
        self._playwright: Playwright | None = None
        self._context: BrowserContext | None = None
        self._profile: Profile | None = None
        self._spare: Page | None = None  # a blank page opened with the browser, for the first session's view
        self._views: OrderedDict[ViewKey, KioskView] = OrderedDict()
        self._lock = asyncio.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self.launches = 0  # how often the browser was launched (once, while it stays up)

    @property
    def running(self) -> bool:
        """The browser is up."""
        browser = self._context.browser if self._context is not None else None
        return browser is not None and browser.is_connected()

    @property
    def profile_kept(self) -> bool:
        """The running browser's profile (its HTTP cache) outlives it."""
        return self._profile is not None and self._profile.kept

    def showing(self) -> list[ViewKey]:
        """The sessions a live page is kept on: (server URL, notebook, session selector)."""
        return [key for key, view in self._views.items() if view.alive]

    @property
    def program(self) -> Path:
        """The browser program pictures are taken with (found now; raises when there is none)."""
        return find_browser(self._browser_name, self._environ)

    async def cell(self, connection: Connection, target: Target, cell_id: str, *, timeout: float | None = None,
                   after: float | None = None) -> bytes:
        """A PNG of cell `cell_id`'s output area in `target`'s session, as the front end draws it.

        A kept page is live but may lag the session by a moment: `after` (the `timestamp` of the
        newest cell-op of this cell the caller knows of) makes it wait until it has that news.
        """
        limit = self._timeout if timeout is None else timeout
        view = await self._view(connection, target, limit)
        async with view.lock:
            return await view.cell(cell_id, limit, after)

    async def notebook(self, connection: Connection, target: Target, *, timeout: float | None = None,
                       after: float | None = None) -> bytes:
        """A PNG of `target`'s whole notebook page, top to bottom (`after`: as for `cell`, any cell's news)."""
        limit = self._timeout if timeout is None else timeout
        view = await self._view(connection, target, limit)
        async with view.lock:
            return await view.notebook(limit, after)

    async def launch(self) -> None:
        """Launch the browser now, with a blank page ready, without loading any session's page yet."""
        async with self._lock:
            await self._started()

    async def warm(self, connection: Connection, target: Target) -> None:
        """Launch the browser and open `target`'s page now, so its first picture only waits for the drawing."""
        await self._view(connection, target, self._timeout)

    async def _view(self, connection: Connection, target: Target, timeout: float) -> KioskView:
        """The live page on `target`'s session: kept from an earlier picture, or opened now."""
        async with self._lock:
            context = await self._started()  # first: without Playwright, its clear error, not an ImportError
            from .viewer import KioskView  # (imports Playwright)

            await self._close_idle()
            key: ViewKey = (connection.url, target.notebook, target.session.selector)
            view = self._views.get(key)
            if view is not None and view.alive:
                self._views.move_to_end(key)
                return view
            if view is not None:
                del self._views[key]
                await view.close()
            spare, self._spare = self._spare, None
            view = await KioskView.open(context, connection, target, timeout, spare)
            self._views[key] = view
            while len(self._views) > self._max_pages:
                _, oldest = self._views.popitem(last=False)
                await oldest.close()
            return view

    async def _close_idle(self) -> None:
        now = time.monotonic()
        for key, view in list(self._views.items()):
            if now - view.used > self._idle and not view.lock.locked():
                del self._views[key]
                await view.close()

    async def _started(self) -> BrowserContext:
        """The browser's context, launching the browser on first use (or after it went away)."""
        loop = asyncio.get_running_loop()
        if self._loop is not None and self._loop is not loop:
            raise RuntimeError("A Camera is used from the event loop it started in only.")
        self._loop = loop
        if self._context is not None and self.running:
            return self._context
        await self._shutdown()
        program = self.program
        try:
            from playwright.async_api import Error, async_playwright
        except ImportError:
            raise PlaywrightMissingError("Pictures of outputs need the Playwright package, which is not installed.") from None
        keep_driver_code()
        self._playwright = await async_playwright().start()
        self._profile = Profile.take(program)
        try:
            self._context = await self._playwright.chromium.launch_persistent_context(
                self._profile.path, executable_path=str(program), headless=True,
                viewport={"width": WIDTH, "height": HEIGHT}, args=[f"--disk-cache-size={CACHE_BYTES}"])
            self.launches += 1
            self._spare = self._context.pages[0] if self._context.pages else await self._context.new_page()
        except Error as exc:
            await self._shutdown()
            first = (str(exc).strip().splitlines() or [exc.__class__.__name__])[0]
            raise BrowserMissingError(f"Could not start the browser {program}: {first}.") from None
        return self._context

    async def _shutdown(self) -> None:
        """Close every page, the browser and Playwright's driver, whatever state they are in."""
        views, self._views = list(self._views.values()), OrderedDict()
        for view in views:
            await view.close()
        context, self._context, self._spare = self._context, None, None
        if context is not None:
            try:
                await context.close()
            except Exception:  # noqa: BLE001 - already gone is fine
                pass
        if self._profile is not None:
            profile, self._profile = self._profile, None
            profile.release()
        if self._playwright is not None:
            playwright, self._playwright = self._playwright, None
            await playwright.stop()

    async def aclose(self) -> None:
        """Close the browser (marimo drops its viewers; the sessions go on)."""
        async with self._lock:
            await self._shutdown()

    async def __aenter__(self) -> Camera:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
