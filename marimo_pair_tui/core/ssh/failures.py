"""ssh trouble as PairErrors the user can act on.

A destination that ssh would read as an option is refused before ssh runs;
ssh's own failures (exit 255) are told apart only by its stderr, so that text
is mapped onto the SshError family here.
"""

from __future__ import annotations

from ..errors import (
    SshAuthError,
    SshDroppedError,
    SshError,
    SshForwardError,
    SshHostKeyError,
    SshUnknownHostError,
    SshUnreachableError,
    UsageError,
)


def check_dest(dest: str) -> str:
    """A destination ssh will take as a host (never as an option)."""
    text = dest.strip()
    if not text or text.startswith("-") or any(c.isspace() for c in text):
        raise UsageError(
            f"{dest!r} is not an ssh destination.",
            next="Pass a Host alias from ~/.ssh/config, user@host, or ssh://user@host:port.",
        )
    return text


def last_lines(text: str, count: int = 3) -> str:
    """The end of ssh's stderr on one line, without its host-key chatter."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip() and not line.startswith("Warning: Permanently added")]
    return " ".join(lines[-count:])


def classify_failure(dest: str, stderr: str, *, doing: str = "connecting") -> SshError:
    """Turn ssh's exit-255 stderr into the matching SshError."""
    said = last_lines(stderr)
    low = stderr.lower()
    quoted = f" (ssh said: {said.rstrip('.')})" if said else ""
    if any(s in low for s in ("could not resolve hostname", "name or service not known",
                              "nodename nor servname", "temporary failure in name resolution",
                              "no address associated with hostname")):
        return SshUnknownHostError(f"ssh does not know the host {dest!r}{quoted}.")
    if "host key verification failed" in low or "remote host identification has changed" in low:
        return SshHostKeyError(f"ssh refused {dest}'s host key{quoted}.")
    if any(s in low for s in ("permission denied", "too many authentication failures",
                              "no more authentication methods", "authentication failed")):
        return SshAuthError(f"{dest} refused the authentication{quoted}.")
    if any(s in low for s in ("port forwarding failed", "forwarding request failed",
                              "cannot listen to port", "could not request local forwarding",
                              "bind: address already in use")):
        return SshForwardError(f"ssh could not set up the port forward to {dest}{quoted}.")
    if "connection refused" in low:
        return SshUnreachableError(f"{dest} refused the SSH connection{quoted}.")
    if "timed out" in low or "timeout" in low:
        return SshUnreachableError(f"Connecting to {dest} over SSH timed out{quoted}.")
    if "no route to host" in low or "network is unreachable" in low:
        return SshUnreachableError(f"{dest} is unreachable{quoted}.")
    if any(s in low for s in ("closed by remote host", "connection closed", "broken pipe",
                              "connection reset", "packet_write_wait", "client_loop: send disconnect")):
        return SshDroppedError(f"The SSH connection to {dest} dropped while {doing}{quoted}.")
    return SshError(f"ssh to {dest} failed while {doing}{quoted or ' (no message)'}.")
