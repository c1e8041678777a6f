"""The pairing service's `PairingService`s: one per caller's options and environment, kept across calls.

Callers that differ in what the core reads (their URLs, token, ssh hosts,
environment) get services of their own; at most MAX_SERVICES are kept, the
least recently used idle one going first.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any, AsyncIterator, Iterator

from ...core.api import HubOptions, PairingService, Pictures, call_environ
from .. import output
from . import wire

MAX_SERVICES = 16


class ServicePool:
    """PairingServices by key, with how many calls use each and when each was last used."""

    def __init__(self, limit: int = MAX_SERVICES, pictures: Pictures | None = None) -> None:
        self.limit = limit
        self.pictures = pictures  # the process's picture browsers, shared by every PairingService (None: each its own)
        self._services: dict[tuple[Any, ...], PairingService] = {}
        self._used: dict[tuple[Any, ...], float] = {}
        self._in_use: dict[tuple[Any, ...], int] = {}
        self._lock = asyncio.Lock()

    @contextlib.asynccontextmanager
    async def service(self, options: HubOptions) -> AsyncIterator[PairingService]:
        """The PairingService for these options and the current caller's environment."""
        key = self._key(options)
        async with self._lock:
            service = self._services.get(key)
            if service is None:
                service = PairingService(options, follow_used=True, pictures=self.pictures)
                await service.__aenter__()
                service.on_prompt = output.tell_prompt
                self._services[key] = service
                await self._evict()
            self._in_use[key] = self._in_use.get(key, 0) + 1
        try:
            yield service
        finally:
            self._in_use[key] -= 1
            self._used[key] = time.monotonic()

    def __iter__(self) -> Iterator[PairingService]:
        return iter(list(self._services.values()))

    async def aclose(self) -> None:
        for service in list(self._services.values()):
            with contextlib.suppress(Exception):
                await service.aclose()
        self._services.clear()

    @staticmethod
    def _key(options: HubOptions) -> tuple[Any, ...]:
        relevant = tuple(sorted(wire.caller_environ(call_environ()).items()))
        return (tuple(options.urls), options.token, options.use_registry, tuple(options.ssh_hosts),
                options.allow_insecure_token, tuple(options.notices), relevant)

    async def _evict(self) -> None:
        idle = [k for k in self._services if not self._in_use.get(k)]
        while len(self._services) > self.limit and idle:
            oldest = min(idle, key=lambda k: self._used.get(k, 0.0))
            idle.remove(oldest)
            self._used.pop(oldest, None)
            self._in_use.pop(oldest, None)
            await self._services.pop(oldest).aclose()
