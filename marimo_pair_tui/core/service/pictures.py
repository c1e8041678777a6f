"""The service's pictures of outputs: one warm `Camera` (core/browser/) per browser program.

The background service's PairingServices share one `Pictures` (one per process): callers whose
default browser is the same program share its Chromium, and its pages, instead of each starting one.

A picture of a cell waits until the browser page has heard the newest cell-op the live mirror
has of that cell (a picture of the notebook, of any cell), so a kept page never shows an output
older than what the service already told. Nothing runs in the kernel.

A long-lived service warms the default camera in two steps, so a later picture pays neither. The
browser is launched, with a blank page, as soon as the service starts (`prepare`) or follows a
session (`warm`): that is cheap, and a picture asked right away finds it started or starting. The
newest followed session's kiosk page is loaded only once the service has had no call for
WARM_AFTER_IDLE seconds: loading marimo's front end takes the CPU for a second or more, which a
burst of calls (an agent reading the notebook) should not share. Only when a picture could be
taken at all (Playwright and a Chromium found), and not when MARIMO_PAIR_BROWSER_WARM is 0. A
picture asked meanwhile starts at once and uses whatever is warm already.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import OrderedDict
from collections.abc import Coroutine, Iterator
from typing import Any

from ..browser import Camera, can_picture, find_browser, warm_wanted
from ..errors import BrowserMissingError, InvalidRequestError
from ..model.notebook import Notebook, newest_stamp
from ..wire.connection import Connection
from ..wire.sessions import Target

CAMERAS = 2  # browsers kept warm: the default one, and one other (--browser, or another caller's default)
WARM_AFTER_IDLE = 2.0  # seconds without a call before the browser starts warming


class Pictures:
    """The cameras of one service (or of every PairingService of a process), by the browser program each
    caller's --browser, MARIMO_PAIR_BROWSER or PATH finds."""

    def __init__(self, limit: int = CAMERAS, warm_after_idle: float = WARM_AFTER_IDLE) -> None:
        self._cameras: OrderedDict[str, Camera] = OrderedDict()  # by the program's path
        self._limit = max(1, limit)
        self._warming: set[asyncio.Task[None]] = set()
        self._warm_after_idle = warm_after_idle
        self._to_warm: tuple[Connection, Target] | None = None  # the newest followed session, not warmed yet
        self._calls = 0  # calls in flight
        self._last_call = time.monotonic()

    @contextlib.contextmanager
    def calling(self) -> Iterator[None]:
        """Around each call of the service: warming waits until none has run for a while."""
        self._calls += 1
        try:
            yield
        finally:
            self._calls -= 1
            self._last_call = time.monotonic()

    def held(self, browser: str | None = None) -> Camera | None:
        """The camera kept for `browser` (None: the caller's default one), if one was made."""
        try:
            return self._cameras.get(self._program(browser))
        except BrowserMissingError:
            return None

    @staticmethod
    def _program(browser: str | None) -> str:
        """The program `browser` names (None: the default), found as the caller would find it: with
        their PATH, MARIMO_PAIR_BROWSER and working directory; raises the clear error when there is none."""
        return str(find_browser(browser.strip() if browser and browser.strip() else None))

    async def camera(self, browser: str | None) -> Camera:
        """The warm camera for `browser`; the least recently used one closes past the limit."""
        key = self._program(browser)
        camera = self._cameras.get(key)
        if camera is None:
            camera = self._cameras[key] = Camera(key)
            while len(self._cameras) > self._limit:
                _, oldest = self._cameras.popitem(last=False)
                await oldest.aclose()
        self._cameras.move_to_end(key)
        return camera

    async def take(self, connection: Connection, target: Target, notebook: Notebook | None, cell_id: str | None, *,
                   browser: str | None = None, timeout: float | None = None) -> bytes:
        """A PNG of cell `cell_id`'s output (None: the whole notebook); `notebook` is the live mirror's model
        of the same session (None when the mirror follows another one), whose news the page must have."""
        if timeout is not None and timeout <= 0:
            raise InvalidRequestError("timeout must be a positive number of seconds.",
                                      next="Pass a positive timeout, or none.")
        camera = await self.camera(browser)
        if cell_id is None:
            after = newest_stamp(notebook) if notebook is not None else None
            return await camera.notebook(connection, target, timeout=timeout, after=after)
        cell = notebook.get(cell_id) if notebook is not None else None
        after = cell.op_stamp if cell is not None else None
        return await camera.cell(connection, target, cell_id, timeout=timeout, after=after)

    def prepare(self) -> bool:
        """Launch the default browser in the background now, before any session is followed (a long-lived
        service that just started), when pictures can be taken here and warming is wanted; True when it is."""
        if not warm_wanted() or not can_picture():
            return False
        self._spawn(self._launch())
        return True

    def warm(self, connection: Connection, target: Target) -> bool:
        """Start the default browser now and open `target`'s page in the background once the service is
        idle, when pictures can be taken here and warming is wanted; True when it is planned. A newer
        session followed meanwhile takes its place. A failure waits for the picture that meets it again,
        with its clear error."""
        if not warm_wanted() or not can_picture():
            return False
        planned = self._to_warm is not None
        self._to_warm = (connection, target)
        if not planned:
            self._spawn(self._warm_when_idle())
        return True

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._warming.add(task)
        task.add_done_callback(self._warming.discard)

    async def _launch(self) -> None:
        with contextlib.suppress(Exception):  # a failure waits for the picture that meets it again
            await (await self.camera(None)).launch()

    async def _warm_when_idle(self) -> None:
        await self._launch()
        while True:
            quiet = time.monotonic() - self._last_call
            if self._calls == 0 and quiet >= self._warm_after_idle:
                break
            await asyncio.sleep(max(0.05, self._warm_after_idle - quiet))
        planned, self._to_warm = self._to_warm, None
        if planned is not None:
            with contextlib.suppress(Exception):
                await (await self.camera(None)).warm(*planned)

    async def warmed(self) -> None:
        """Wait until the warming started so far has finished (or failed)."""
        await asyncio.gather(*list(self._warming), return_exceptions=True)

    async def aclose(self) -> None:
        """Close every browser (marimo drops the viewers; the sessions go on)."""
        warming, self._warming = list(self._warming), set()
        for task in warming:
            task.cancel()
        await asyncio.gather(*warming, return_exceptions=True)
        cameras, self._cameras = list(self._cameras.values()), OrderedDict()
        for camera in cameras:
            await camera.aclose()
