"""One HTTP client per marimo server: auth, the server token, errors as PairErrors.

Everything that speaks HTTP to marimo goes through `Connection`, so a wrong
URL, a dead server, a wrong token or a non-marimo port become the same clear
errors in the TUI and in headless output. The token is sent as a Bearer
header and never leaves this module in any printable form.
"""

from __future__ import annotations

import html
import ipaddress
import re
import stat
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import urlsplit

import httpx

from .tls import tls_context
from ..state import caller
from .discovery import ServerInfo
from .server_versions import standing
from ..errors import (
    AuthFailedError,
    ConnectionFailedError,
    InsecureTokenError,
    NotMarimoError,
    PairError,
    ServerError,
    StaleSessionError,
    TokenError,
)

from ..state.private import TOKEN_ENV

# Set to 1 to send a token over plain http to a non-loopback address (as --allow-insecure-token).
INSECURE_TOKEN_ENV = "MARIMO_PAIR_ALLOW_INSECURE_TOKEN"
_SERVER_TOKEN_RE = re.compile(r"<marimo-server-token[^>]*\bdata-token=\"([^\"]*)\"", re.I)
# Connect quickly (a dead port should fail fast); reads may block for as long
# as the kernel is busy, so they have no limit unless a caller sets one.
DEFAULT_TIMEOUT = httpx.Timeout(connect=5.0, read=30.0, write=30.0, pool=10.0)


def load_token(token_file: Path | str | None = None, environ: Mapping[str, str] | None = None) -> str | None:
    """The auth token from --token-file, else MARIMO_TOKEN, else None."""
    if token_file is not None:
        path = caller.path(token_file)
        try:
            token = path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise TokenError(f"Could not read the token file {path}: {exc.strerror or exc}.") from None
        except UnicodeError:
            raise TokenError(f"The token file {path} is not UTF-8 text.") from None
        if not token:
            raise TokenError(f"The token file {path} is empty.")
        return token
    env = caller.environ() if environ is None else environ
    return env.get(TOKEN_ENV) or None


def token_file_warning(token_file: Path | str | None) -> str | None:
    """A warning when the token file can be read by group or others (None when it is private)."""
    if token_file is None:
        return None
    path = caller.path(token_file)
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return None
    if not mode & 0o077:
        return None
    return (
        f"The token file {path} is readable by other users (mode {mode:04o}); "
        f"make it private with `chmod 600 {path}`."
    )


def insecure_token_allowed(environ: Mapping[str, str] | None = None) -> bool:
    """True when MARIMO_PAIR_ALLOW_INSECURE_TOKEN opts in to clear-text tokens."""
    env = caller.environ() if environ is None else environ
    return env.get(INSECURE_TOKEN_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


def token_may_travel_to(url: str) -> bool:
    """True when a token may be sent to `url`: over https (wss), or to a loopback address.

    A plain http URL on any other host (another machine's address, a DNS
    name other than localhost) would carry the token in clear text across
    a network.
    """
    parts = urlsplit(url)
    if parts.scheme.lower() in {"https", "wss"}:
        return True
    host = (parts.hostname or "").rstrip(".").lower()
    if host == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


def _detail(response: httpx.Response) -> str | None:
    try:
        payload = response.json()
    except (ValueError, RecursionError):
        return None
    if isinstance(payload, dict) and isinstance(payload.get("detail"), str):
        return payload["detail"]
    return None


class Connection:
    """An async HTTP client bound to one server, with errors already translated."""

    def __init__(self, server: ServerInfo, token: str | None = None, *, endpoint: str | None = None,
                 allow_insecure_token: bool = False) -> None:
        # The one gate for the token: a server's own URL (for a remote one, as seen on
        # its ssh host, where the forward ends) must be https or loopback.
        if token and not allow_insecure_token and not token_may_travel_to(server.url):
            raise InsecureTokenError(
                f"Refusing to send the token in clear text to {server.url}: it is plain http "
                "to an address that is not this machine's loopback."
            )
        self.server = server
        self._token = token
        # Where requests go: the server's URL, or a local forward to it (core/ssh/).
        self._endpoint = endpoint or server.url
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._client = httpx.AsyncClient(
            base_url=self._endpoint, headers=headers, timeout=DEFAULT_TIMEOUT, verify=tls_context(),
        )
        self._server_token: str | None = None
        self._version: str | None = None

    @property
    def url(self) -> str:
        """The URL this process reaches the server at (HTTP and websockets)."""
        return self._endpoint

    @property
    def label(self) -> str:
        """The server as messages name it: its own URL, and the ssh host it runs on."""
        if self.server.ssh_host:
            return f"{self.server.url} on {self.server.ssh_host}"
        return self.server.url

    def auth_headers(self) -> dict[str, str]:
        """Headers a websocket to this server needs (auth only)."""
        return {"Authorization": f"Bearer {self._token}"} if self._token else {}

    async def aclose(self) -> None:
        await self._client.aclose()

    async def __aenter__(self) -> "Connection":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def _translate_transport(self, exc: httpx.HTTPError) -> PairError:
        if isinstance(exc, httpx.ConnectError):
            return ConnectionFailedError(f"Could not connect to {self.label}: connection refused or host unreachable.")
        if isinstance(exc, httpx.ConnectTimeout):
            return ConnectionFailedError(f"Connecting to {self.label} timed out.")
        if isinstance(exc, httpx.TimeoutException):
            return ConnectionFailedError(f"{self.label} stopped answering (timed out).")
        if isinstance(exc, httpx.UnsupportedProtocol):
            return ConnectionFailedError(f"{self.label} is not an http(s) URL.")
        return ConnectionFailedError(f"Talking to {self.label} failed: {exc.__class__.__name__}.")

    def raise_for_status(self, response: httpx.Response, *, what: str) -> None:
        """Turn a non-2xx answer into the matching PairError."""
        status = response.status_code
        if 200 <= status < 300:
            return
        if status in (401, 403):
            refusal = _detail(response) or ""
            if "server token" in refusal.lower():
                raise ServerError(f"{self.label} refused {what}: {refusal}.")
            if self._token:
                raise AuthFailedError(f"{self.label} rejected the token ({status}).")
            raise AuthFailedError(
                f"{self.label} requires a token ({status}).",
                next="Set MARIMO_TOKEN or pass --token-file PATH with the server's token.",
            )
        detail = _detail(response)
        if detail and detail.startswith(("Invalid session id", "Invalid stable session id")):
            raise StaleSessionError(f"{detail} (on {self.label}).")
        if status == 404 and detail is None:
            raise NotMarimoError(f"{self.label} answered 404 for {what}: it does not look like a marimo server.")
        if status >= 500:
            raise ServerError(f"{self.label} failed {what} with {status}{': ' + detail if detail else ''}.")
        raise ServerError(f"{self.label} refused {what} with {status}{': ' + detail if detail else ''}.")

    async def request(self, method: str, path: str, *, what: str | None = None, **kwargs: Any) -> httpx.Response:
        """Send one request; transport failures and bad statuses raise PairErrors."""
        try:
            response = await self._client.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise self._translate_transport(exc) from None
        self.raise_for_status(response, what=what or f"{method} {path}")
        return response

    def stream(self, method: str, path: str, **kwargs: Any) -> Any:
        """A raw streaming request (caller translates errors); used for SSE."""
        return self._client.stream(method, path, **kwargs)

    def translate(self, exc: httpx.HTTPError) -> PairError:
        return self._translate_transport(exc)

    async def json(self, method: str, path: str, *, what: str | None = None, **kwargs: Any) -> Any:
        """A request whose answer must be JSON; anything else means not marimo."""
        response = await self.request(method, path, what=what, **kwargs)
        try:
            return response.json()
        except (ValueError, RecursionError):
            raise NotMarimoError(
                f"{self.label} answered {what or path} with something that is not JSON: "
                "it does not look like a marimo server."
            ) from None

    async def health(self) -> bool:
        """True when /health answers as marimo does."""
        try:
            payload = await self.json("GET", "/health", what="the health check")
        except PairError:
            return False
        return isinstance(payload, dict) and payload.get("status") == "healthy"

    async def status(self) -> dict[str, Any]:
        """GET /api/status: mode, version, session count (auth required on token servers)."""
        payload = await self.json("GET", "/api/status", what="the status request")
        if not isinstance(payload, dict):
            raise NotMarimoError(f"{self.label}: /api/status did not answer like marimo.")
        return payload

    async def marimo_version(self) -> str | None:
        """The server's marimo version: the registry's word, else /api/status's (None when neither says).

        A version that passes is kept for the connection's life; one that does not is asked again
        each time, so a server upgraded and restarted on its port is seen as such.
        """
        if self.server.version:
            return self.server.version
        if self._version is not None:
            return self._version
        try:
            status = await self.status()
        except (NotMarimoError, ServerError):
            return None  # a status it will not give: the requests that follow report what is wrong
        version = status.get("version")
        if not isinstance(version, str) or not version:
            return None
        if standing(version) != "too_old":
            self._version = version
        return version

    async def server_token(self) -> str:
        """The skew-protection token embedded in the server's HTML page (cached)."""
        if self._server_token is None:
            response = await self.request("GET", "/", what="the notebook page")
            match = _SERVER_TOKEN_RE.search(response.text)
            if match is None:
                raise NotMarimoError(
                    f"{self.label} served a page without marimo's server token: "
                    "it does not look like a marimo edit server."
                )
            self._server_token = html.unescape(match.group(1))
        return self._server_token

    async def control_headers(self, routing_id: str) -> dict[str, str]:
        """Headers the kernel control endpoints need (routing id + server token)."""
        return {
            "Marimo-Session-Id": routing_id,
            "Marimo-Server-Token": await self.server_token(),
        }
