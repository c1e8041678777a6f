"""Tokens stay where they belong, state files stay private, `open` opens only notebooks.

- A token never travels in clear text to a plain-http server off this
  machine's loopback (unless the user opts in), and the refusal comes before
  any connection is made.
- Processes we start (marimo servers, ssh) never inherit the token.
- A token file others can read is warned about in the command's `warnings`.
- Drafts, logs and started-server records are 0600 files in 0700 directories
  whatever the umask; directories older versions left 0755 are repaired.
- `open` refuses a file that is not a marimo notebook before starting anything.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from marimo_pair_tui.core.wire.connection import Connection, token_may_travel_to
from marimo_pair_tui.core.wire.discovery import ServerInfo, parse_server_url
from marimo_pair_tui.core.errors import InsecureTokenError
from marimo_pair_tui.core.servers.hub import Hub, HubOptions, hub_options
from marimo_pair_tui.core.servers.processes import not_a_notebook, started_servers, stop_pid
from marimo_pair_tui.core.state.private import append_private, child_environ, private_dir, state_dir, write_private
from marimo_pair_tui.core.service.pairing_service import PairingService, TargetSpec
from marimo_pair_tui.tui.drafts import DraftStore, drafts_dir
from tests.clihelp import cli_env, run_cli

# Not loopback, and never resolves (RFC 2606): a build that failed to refuse would report it
# unreachable (exit 3), and nothing is ever sent anywhere.
FAR = "http://token-check.invalid:2718"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(params=[0o022, 0o000], ids=["umask022", "umask000"])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    old = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(old)


@pytest.fixture
def no_server_left(state_home: Path) -> Iterator[None]:
    yield
    for record in started_servers():
        stop_pid(int(record["pid"]))


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Fail loudly if anything sends an HTTP request (records the URL)."""
    sent: list[str] = []

    async def refuse(self: httpx.AsyncClient, request: httpx.Request, **kwargs: object) -> httpx.Response:
        sent.append(str(request.url))
        raise AssertionError(f"a request went out to {request.url}")

    monkeypatch.setattr(httpx.AsyncClient, "send", refuse)
    return sent


# -- 1a. where a token may go ---------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("http://127.0.0.1:2718", True),
        ("http://127.8.9.10:2718", True),
        ("http://[::1]:2718", True),
        ("http://localhost:2718", True),
        ("http://LOCALHOST.:2718", True),
        ("http://[::ffff:127.0.0.1]:2718", True),
        ("https://10.1.2.3:2718", True),
        ("https://example.com", True),
        ("wss://example.com/ws", True),
        ("http://10.1.2.3:2718", False),
        ("http://192.168.1.5:2718", False),
        ("http://example.com:2718", False),
        ("http://localhost.example.com:2718", False),
        ("http://0.0.0.0:2718", False),
        ("http://[fe80::1]:2718", False),
        ("ws://10.1.2.3:2718/ws", False),
    ],
)
def test_a_token_may_travel_only_over_https_or_loopback(url: str, allowed: bool) -> None:
    assert token_may_travel_to(url) is allowed


async def test_the_connection_refuses_a_clear_text_token_and_allows_the_opt_in(no_network: list[str]) -> None:
    far = parse_server_url("http://10.1.2.3:2718")
    with pytest.raises(InsecureTokenError) as caught:
        Connection(far, token="secret")
    assert "http://10.1.2.3:2718" in caught.value.message and caught.value.exit_code == 2
    assert "https" in caught.value.next and "--ssh" in caught.value.next
    assert "--allow-insecure-token" in caught.value.next
    assert "secret" not in caught.value.message + caught.value.next
    # No token, nothing to leak; https and loopback are fine; the opt-in allows it.
    for conn in (
        Connection(far),
        Connection(parse_server_url("https://10.1.2.3:2718"), token="secret"),
        Connection(parse_server_url("http://127.0.0.1:2718"), token="secret"),
        Connection(far, token="secret", allow_insecure_token=True),
    ):
        await conn.aclose()
    assert no_network == []


async def test_the_hub_gives_the_opt_in_from_the_flag_or_the_environment(no_network: list[str]) -> None:
    server = parse_server_url("http://10.1.2.3:2718")
    refused = Hub(HubOptions(urls=[server.url], token="secret", environ={}))
    with pytest.raises(InsecureTokenError):
        refused.connection(server)
    for options in (
        HubOptions(urls=[server.url], token="secret", environ={}, allow_insecure_token=True),
        HubOptions(urls=[server.url], token="secret", environ={"MARIMO_PAIR_ALLOW_INSECURE_TOKEN": "1"}),
    ):
        async with Hub(options) as hub:
            assert hub.connection(server).auth_headers() == {"Authorization": "Bearer secret"}
    # A registry server never gets the token, so nothing is refused for it.
    async with Hub(HubOptions(token="secret", environ={})) as hub:
        registry = ServerInfo(url="http://10.1.2.3:2719", host="10.1.2.3", port=2719, pid=1, source="registry")
        assert hub.connection(registry).auth_headers() == {}
    assert no_network == []


async def test_the_service_refuses_before_any_request(no_network: list[str]) -> None:
    options = HubOptions(urls=[FAR], token="secret", environ={})
    async with PairingService(options) as service:
        with pytest.raises(InsecureTokenError):
            await service.notebooks()
        with pytest.raises(InsecureTokenError):
            await service.servers()
        with pytest.raises(InsecureTokenError):
            await service.execute(TargetSpec(), "1")
        with pytest.raises(InsecureTokenError):
            await service.open(str(Path(__file__).parent / "notebooks" / "demo.py"))
    assert no_network == []


@pytest.mark.parametrize("command", [["exec", "-c", "1"], ["cells"], ["servers"]])
def test_headless_commands_refuse_at_once(command: list[str], state_home: Path, tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text("secret\n")
    token_file.chmod(0o600)
    result = run_cli([*command, "--url", FAR, "--token-file", str(token_file)], env=cli_env(state_home))
    assert result.code == 2, result.stdout + result.stderr
    error = result.json["error"]
    assert error["kind"] == "insecure_token"
    assert FAR in error["message"] and "--allow-insecure-token" in error["next"]
    assert "secret" not in result.stdout + result.stderr


def test_marimo_token_from_the_environment_is_refused_too(state_home: Path) -> None:
    result = run_cli(["cells", "--url", FAR], env=cli_env(state_home, MARIMO_TOKEN="secret"))
    assert result.code == 2 and result.json["error"]["kind"] == "insecure_token"


def test_the_flag_is_on_every_command_that_takes_a_token_file() -> None:
    from marimo_pair_tui.headless.cli.entry import headless
    from marimo_pair_tui.tui.entry import tui

    commands = dict(headless.commands)
    takes_token = [c for c in commands.values() if any(p.name == "token_file" for p in c.params)]
    assert {"exec", "cells", "servers", "mcp", "open"} <= {c.name for c in takes_token}
    for command in [*takes_token, tui]:
        assert any(p.name == "allow_insecure_token" for p in command.params), command.name


# -- 1c. loose token files --------------------------------------------------------------


def test_a_loose_token_file_is_warned_about(tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text("secret\n")
    token_file.chmod(0o640)
    options = hub_options([], token_file, environ={})
    assert options.token == "secret"
    (notice,) = options.notices
    assert str(token_file) in notice and f"chmod 600 {token_file}" in notice and "0640" in notice
    token_file.chmod(0o600)
    assert hub_options([], token_file, environ={}).notices == ()
    assert hub_options([], None, environ={"MARIMO_TOKEN": "x"}).notices == ()


def test_a_loopback_token_server_works_and_a_loose_token_file_is_in_the_warnings(
    marimo_factory, notebooks_dir: Path, state_home: Path, tmp_path: Path, no_server_left: None
) -> None:
    env = cli_env(state_home)
    server = marimo_factory(notebooks_dir / "demo.py", token="loopback-token")
    token_file = tmp_path / "token"
    token_file.write_text("loopback-token\n")
    token_file.chmod(0o644)
    targeting = ["--url", server.url, "--token-file", str(token_file)]

    opened = run_cli(["open", *targeting, "--no-run", str(notebooks_dir / "demo.py")], env=env)
    assert opened.code == 0, opened.stdout + opened.stderr
    assert any(f"chmod 600 {token_file}" in w for w in opened.json["warnings"])

    ran = run_cli(["exec", *targeting, "-c", "print(6 * 7)"], env=env)
    assert ran.code == 0, ran.stdout + ran.stderr
    assert ran.json["stdout"] == "42\n"
    (warning,) = [w for w in ran.json["warnings"] if "token file" in w]
    assert str(token_file) in warning and "chmod 600" in warning

    token_file.chmod(0o600)
    quiet = run_cli(["exec", *targeting, "-c", "print(1)"], env=env)
    assert quiet.code == 0 and not [w for w in quiet.json["warnings"] if "token file" in w]


# -- 1b. no token in the processes we start ---------------------------------------------


def test_child_environ_drops_the_token_and_keeps_the_rest() -> None:
    env = child_environ({"MARIMO_TOKEN": "secret", "SSH_AUTH_SOCK": "/tmp/agent", "HOME": "/home/me"}, EXTRA="1")
    assert env == {"SSH_AUTH_SOCK": "/tmp/agent", "HOME": "/home/me", "EXTRA": "1"}


def test_a_started_server_never_sees_marimo_token_and_its_files_are_private(
    notebooks_dir: Path, state_home: Path, no_server_left: None
) -> None:
    old = os.umask(0o022)
    try:
        env = cli_env(state_home, MARIMO_TOKEN="do-not-leak")
        opened = run_cli(["open", "--no-run", str(notebooks_dir / "demo.py")], env=env)
    finally:
        os.umask(old)
    assert opened.code == 0, opened.stdout + opened.stderr
    assert opened.json["started_server"] is True
    probe = "import os\nprint(repr(os.environ.get('MARIMO_TOKEN')))"
    ran = run_cli(["exec", "--notebook", str(notebooks_dir / "demo.py"), "-c", probe], env=env)
    assert ran.code == 0, ran.stdout + ran.stderr
    assert ran.json["stdout"] == "None\n"

    ours = state_home / "marimo-pair-tui"
    log = Path(opened.json["log"])
    (record,) = (ours / "started").glob("*.json")
    assert mode(log) == 0o600 and mode(record) == 0o600
    assert mode(ours) == mode(ours / "logs") == mode(ours / "started") == 0o700
    assert json.loads(record.read_text())["log"] == str(log)


# -- 2. private state files ----------------------------------------------------------------


def test_drafts_logs_and_records_are_private_whatever_the_umask(umask: int, state_home: Path) -> None:
    store = DraftStore(str(state_home / "nb.py"))
    store.save("x = 1  # code is private")
    assert store.load() is not None and store.load().text == "x = 1  # code is private"  # type: ignore[union-attr]
    assert mode(store.path) == 0o600
    assert mode(drafts_dir()) == mode(state_dir()) == 0o700
    assert not list(drafts_dir().glob("*.tmp"))

    record = state_dir() / "started" / "1234.json"
    write_private(record, "{}")
    with append_private(state_dir() / "logs" / "marimo-1234.log") as log:
        log.write(b"hello\n")
    assert mode(record) == 0o600 and mode(state_dir() / "logs" / "marimo-1234.log") == 0o600
    assert mode(state_dir() / "started") == mode(state_dir() / "logs") == 0o700


def test_state_directories_and_files_from_older_versions_are_repaired(state_home: Path) -> None:
    ours = state_dir()
    for directory in (ours, ours / "drafts", ours / "logs", ours / "started"):
        directory.mkdir(parents=True, exist_ok=True)
        directory.chmod(0o755)
    log = ours / "logs" / "marimo-1.log"
    log.write_text("old\n")
    log.chmod(0o644)
    (ours / "started" / "1.json").write_text("{}")  # no pid: dropped as dead

    assert started_servers() == []
    assert mode(ours) == mode(ours / "started") == 0o700

    with append_private(log) as out:
        out.write(b"new\n")
    assert mode(log) == 0o600 and mode(ours / "logs") == 0o700 and log.read_text() == "old\nnew\n"

    DraftStore(str(state_home / "nb.py")).save("y = 2")
    assert mode(ours / "drafts") == 0o700

    outside = state_home / "not-ours"
    outside.mkdir()
    outside.chmod(0o755)
    private_dir(ours / "analysis")
    assert mode(outside) == 0o755, "only our own state directories are touched"


# -- 3. open opens notebooks only ---------------------------------------------------------------


NOT_NOTEBOOKS = {
    "shadow": "root:*:19000:0:99999:7:::\n",
    "script.py": "import os\nprint(os.getcwd())\n",
    "half.py": "import marimo\nprint('no app')\n",
    "notes.md": "# Notes\n\nplain markdown\n",
    "data.txt": "import marimo\napp = marimo.App()\n",
    "UPPER.PY": "import marimo\napp = marimo.App()\n",
}
NOTEBOOKS = {
    "nb.py": "import marimo\n\napp = marimo.App()\n",
    "doc.md": "---\ntitle: x\nmarimo-version: 0.25.2\n---\n\n# x\n",
    "doc.qmd": "---\nmarimo-version: 0.25.2\n---\n",
    "late.py": "# " + "padding " * 200 + "\nimport marimo\napp = marimo.App()\n",
}


def test_not_a_notebook_agrees_with_marimo(tmp_path: Path) -> None:
    from marimo._server.files.directory_scanner import is_marimo_app

    for name, text in {**NOT_NOTEBOOKS, **NOTEBOOKS}.items():
        path = tmp_path / name
        path.write_text(text)
        assert (not_a_notebook(path) is None) is is_marimo_app(str(path)), name
    for name in NOTEBOOKS:
        assert not_a_notebook(tmp_path / name) is None
    empty = tmp_path / "new.py"
    empty.write_text("")
    assert not_a_notebook(empty) is None, "an empty .py is a new notebook to marimo"


@pytest.mark.parametrize("name", ["shadow", "script.py", "notes.md"])
def test_open_refuses_what_is_not_a_notebook_before_starting_anything(
    name: str, state_home: Path, tmp_path: Path, no_server_left: None
) -> None:
    path = tmp_path / name
    path.write_text(NOT_NOTEBOOKS[name])
    result = run_cli(["open", str(path)], env=cli_env(state_home))
    assert result.code == 2, result.stdout + result.stderr
    error = result.json["error"]
    assert error["kind"] == "usage" and "is not a notebook" in error["message"] and str(path) in error["message"]
    assert "marimo" in error["next"]
    assert started_servers() == []
    assert not (state_dir() / "logs").exists()


async def test_open_notebook_refuses_in_the_service_too(tmp_path: Path, no_network: list[str]) -> None:
    from marimo_pair_tui.core.errors import UsageError

    path = tmp_path / "passwd"
    path.write_text("root:x:0:0:root:/root:/bin/bash\n")
    async with PairingService(HubOptions(use_registry=False)) as service:
        with pytest.raises(UsageError, match="is not a notebook"):
            await service.open(str(path))
    assert no_network == []
