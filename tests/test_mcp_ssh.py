"""`--headless mcp --ssh DEST`: the MCP tools find and drive a notebook on an ssh host.

Uses tests/support/ssh_remote.py's real sshd on a loopback port and its marimo server "on the
remote host" (its registry is visible only through the ssh login), so only
discovery over ssh can find the server.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.mcp_client import call, mcp_session
from tests.support.ssh_remote import Remote, needs_openssh

pytestmark = needs_openssh


async def test_mcp_with_ssh_lists_and_runs_in_the_remote_notebook(
    remote: Remote, local_state: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dest = remote.sshd.dest
    monkeypatch.setenv("MARIMO_PAIR_SSH_OPTS", remote.sshd.ssh_opts())
    async with mcp_session(local_state) as session:  # without --ssh: only the (empty) local registry
        error, local = await call(session, "servers")
        assert not error and local["servers"] == []

    async with mcp_session(local_state, "--ssh", dest) as session:
        error, listed = await call(session, "servers")
        assert not error, listed
        (server,) = listed["servers"]
        assert (server["source"], server["ssh_host"]) == ("ssh", dest)
        assert (server["url"], server["pid"]) == (remote.server.url, remote.server.pid)

        error, notebooks = await call(session, "notebooks", url=remote.server.url)
        assert not error, notebooks
        (entry,) = notebooks["notebooks"]
        assert entry["path"] == str(remote.notebook) and entry["ssh_host"] == dest

        error, ran = await call(session, "execute", notebook="demo.py", code="print('x is', x)")
        assert not error, ran
        assert ran["stdout"] == "x is 41\n"
        assert ran["session"]["ssh_host"] == dest and ran["session"]["session_id"] == remote.session_id

        error, refused = await call(session, "open_notebook", path=str(remote.notebook))
        assert error and refused["error"]["kind"] == "usage" and "ssh" in refused["error"]["next"]
