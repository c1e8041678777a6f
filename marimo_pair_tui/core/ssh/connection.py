"""A Connection to a remote server through a forward.

A transport failure there means the tunnel or the remote server, not the
local network, so it becomes an SshError that says which.
"""

from __future__ import annotations

import httpx

from ..wire.connection import Connection
from ..wire.discovery import ServerInfo
from ..errors import PairError, SshDroppedError, SshForwardError
from .forward import Forward


class SshConnection(Connection):
    """A Connection to a remote server through a local forward; ssh trouble gets its own errors."""

    def __init__(self, server: ServerInfo, forward: Forward, token: str | None = None,
                 allow_insecure_token: bool = False) -> None:
        super().__init__(server, token=token, endpoint=forward.local_url(server),
                         allow_insecure_token=allow_insecure_token)
        self.forward = forward

    def _translate_transport(self, exc: httpx.HTTPError) -> PairError:
        if isinstance(exc, httpx.TimeoutException) and not isinstance(exc, httpx.ConnectTimeout):
            return super()._translate_transport(exc)
        dest = self.forward.host.dest
        if not self.forward.alive():
            return SshDroppedError(f"The SSH connection to {dest} dropped (talking to {self.server.url} there).")
        return SshForwardError(
            f"{dest} could not reach {self.server.url} through the forward: nothing listens there "
            "(the server stopped?) or its sshd forbids TCP forwarding.",
            next=SshForwardError.default_next.replace("DEST", dest),
        )
