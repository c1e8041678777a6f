"""Remote notebooks over the user's own OpenSSH: registry, forwards, their lifetime.

Everything goes through the `ssh` binary, so ~/.ssh/config, keys, agents and
jump hosts work as they do in a shell. Written by hand because no maintained
library drives OpenSSH this way (asyncssh and paramiko are SSH
implementations of their own and would ignore the user's ssh setup).
"""

from __future__ import annotations

from ..wire.ports import LOOPBACK, free_port, port_listening
from .connection import SshConnection
from .control import control_dir, control_path
from .failures import check_dest, classify_failure
from .forward import Forward
from .host import CALL_MARGIN, SSH_FAILED, SshHost
from .registry import RemoteScan, discovery_command, parse_discovery, remote_server
from .settings import DEFAULT_CONNECT_TIMEOUT, DEFAULT_CONTROL_PERSIST, SSH_OPTS_ENV, SshSettings, load_settings

__all__ = [
    "CALL_MARGIN", "DEFAULT_CONNECT_TIMEOUT", "DEFAULT_CONTROL_PERSIST", "LOOPBACK", "SSH_FAILED", "SSH_OPTS_ENV",
    "Forward", "RemoteScan", "SshConnection", "SshHost", "SshSettings",
    "check_dest", "classify_failure", "control_dir", "control_path", "discovery_command", "free_port",
    "load_settings", "parse_discovery", "port_listening", "remote_server",
]
