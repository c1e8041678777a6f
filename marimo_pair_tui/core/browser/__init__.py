"""Pictures of a cell's output, or a whole notebook, as marimo's own front end draws them.

`Camera` drives the user's Chromium through Playwright (an optional extra) as a read-only
kiosk viewer of a live session; `find_browser` says which Chromium that is.
"""

from .camera import Camera
from .locate import BROWSER_ENV, WARM_ENV, can_picture, find_browser, warm_wanted

__all__ = ["BROWSER_ENV", "WARM_ENV", "Camera", "can_picture", "find_browser", "warm_wanted"]
