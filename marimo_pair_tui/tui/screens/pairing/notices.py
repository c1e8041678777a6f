"""What marimo tells besides cells, told to the person: toasts as toasts, banners as a banner that stays.

Follows the notebook model's notice events (core/model/kernel_notices.py) from the
newest one when the screen attached: a toast (`mo.status.toast`) becomes a
Textual notification (an error when marimo marks it "danger"); a banner and a
kernel that failed to start go to the banner line until dismissed; a package
operation that began or ended is a notification. Startup logs and the
environment's state stay readable with `status` in the headless door.
"""

from __future__ import annotations

from typing import Callable

from ....core.api import Changes, Notebook
from ...widgets.notice_banner import NoticeBanner
from .link import Notify

TOAST_SECONDS = 8.0


class NoticeFollower:
    """Tells each notice event once, in the order marimo sent them."""

    def __init__(self, notebook: Callable[[], Notebook], banner: NoticeBanner, toast: Notify) -> None:
        self.notebook = notebook
        self.banner = banner
        self.toast = toast  # a notification that outlives this screen (tui/notices.py)
        self.told: int | None = None  # the newest event told; None until the first change seen

    def model_changed(self, changes: Changes) -> None:
        notices = self.notebook().notices
        if self.told is None:
            self.told = 0 if changes.notices else notices.last_seq
        if not changes.notices:
            return
        for event in notices.since(self.told):
            danger = event.variant == "danger"
            if event.kind in ("banner", "startup-error"):
                self.banner.show(event.title, event.description, danger=danger)
            else:
                self.toast(event.description or event.title, title=event.title if event.description else "",
                           severity="error" if danger else "information", timeout=TOAST_SECONDS)
            self.told = event.seq

    def dismiss_banner(self) -> None:
        self.banner.dismiss()
