"""Helpers that run real marimo servers and browser-like clients for tests."""

from .marimo_proc import (
    DEFAULT_SESSION_TIMEOUT,
    DEFAULT_START_TIMEOUT,
    BrowserSession,
    MarimoServer,
    MarimoStartError,
    free_port,
    iter_cell_ops,
    new_routing_id,
    open_browser_session,
    start_marimo_server,
    stop_all_servers,
)

__all__ = [
    "DEFAULT_SESSION_TIMEOUT",
    "DEFAULT_START_TIMEOUT",
    "BrowserSession",
    "MarimoServer",
    "MarimoStartError",
    "free_port",
    "iter_cell_ops",
    "new_routing_id",
    "open_browser_session",
    "start_marimo_server",
    "stop_all_servers",
]
