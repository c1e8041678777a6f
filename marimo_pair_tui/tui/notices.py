"""Notifications that can be taken back once what they say no longer holds.

A lost live view is told after a grace period; when the session comes back
(reconnected, or the notebook's new session after a kernel restart) that
notice is withdrawn, so the screen shows the outcome alone, not the outage
and its outcome on top of each other. The text is made inert: it often
carries a server's words.
"""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.notifications import Notification, Notify, SeverityLevel

from .terminal_text import escape_controls


def tell(app: App[Any], message: str, *, title: str = "", severity: SeverityLevel = "information",
         timeout: float | None = None, markup: bool = False) -> Notification:
    """Show a notification (as `App.notify` does) and return it, for `withdraw`."""
    notification = Notification(escape_controls(message), escape_controls(title), severity,
                                app.NOTIFICATION_TIMEOUT if timeout is None else timeout, markup=markup)
    app.post_message(Notify(notification))
    return notification


def withdraw(app: App[Any], notification: Notification) -> None:
    """Take a notification off the screen. Queued behind the message that shows it, so a
    notification withdrawn at once never appears afterwards; one already gone is no matter."""
    app.call_later(app._unnotify, notification)  # noqa: SLF001 - what a clicked toast calls
