"""One verifying TLS context per process.

httpx builds a context for every client it makes, and building one reads the
CA bundle (~15 ms here): a one-shot call made two clients, the pairing
service makes one per server and one per discovery. Every client shares this.
"""

from __future__ import annotations

import functools
import ssl

import httpx


@functools.lru_cache(maxsize=1)
def tls_context() -> ssl.SSLContext:
    return httpx.create_ssl_context()
