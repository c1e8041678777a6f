"""A real sshd on a loopback port and a marimo server "on the remote host" behind it.

The server's registry lives in the directory the ssh login sees as
XDG_STATE_HOME (sshd's SetEnv); a test's own XDG_STATE_HOME (`local_state`) is
another, empty directory, so only discovery over ssh can find the server.
tests/conftest.py registers the fixtures (pytest_plugins); test modules take
`needs_openssh` and `Remote` from here.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Iterator

import pytest

from marimo_pair_tui.core import ssh as sshmod
from tests.support.marimo_proc import MarimoServer, open_browser_session, start_marimo_server
from tests.support.sshd import Sshd, sshd_binary, start_sshd

needs_openssh = pytest.mark.skipif(
    sshd_binary() is None or shutil.which("ssh") is None or shutil.which("ssh-keygen") is None,
    reason="OpenSSH (ssh, ssh-keygen, sshd) is not installed",
)

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


class Remote:
    """The module's sshd and the marimo server 'on the remote host' (a browser session ran it)."""

    def __init__(self, sshd: Sshd, server: MarimoServer, notebook: Path, session_id: str):
        self.sshd = sshd
        self.server = server
        self.notebook = notebook
        self.session_id = session_id


def exit_masters(sshd: Sshd) -> None:
    """End the ControlMasters our tests opened to this sshd (right key and wrong key)."""
    for key in (sshd.user_key, sshd.wrong_key):
        settings = sshmod.SshSettings(options=tuple(sshd.ssh_args(key)))
        sshmod.SshHost(sshd.dest, settings).exit_master()


@pytest.fixture(scope="module")
def remote(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Remote]:
    base = tmp_path_factory.mktemp("ssh-remote")
    notebooks = base / "notebooks"
    shutil.copytree(NOTEBOOKS, notebooks, ignore=shutil.ignore_patterns("__marimo__", "__pycache__"))
    sshd = start_sshd(base / "sshd", base / "remote-state",
                      env={"XDG_CONFIG_HOME": str(base / "remote-config"), "MARIMO_SKIP_UPDATE_CHECK": "1"})
    server = None
    browser = None
    try:
        server = start_marimo_server(notebooks / "demo.py", state_home=sshd.remote_state)
        browser = open_browser_session(server, notebooks / "demo.py")
        yield Remote(sshd, server, notebooks / "demo.py", browser.session_id)
    finally:
        if browser is not None:
            browser.close()
        if server is not None:
            server.stop()
            server.cleanup_files()
        exit_masters(sshd)
        sshd.stop()


@pytest.fixture
def local_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty local XDG_STATE_HOME (and a private config dir) for this test."""
    path = tmp_path / "local-state"
    path.mkdir()
    monkeypatch.setenv("XDG_STATE_HOME", str(path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("MARIMO_PAIR_URLS", raising=False)
    return path
