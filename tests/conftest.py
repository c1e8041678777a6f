"""Fixtures that run real marimo servers (see tests/support/marimo_proc.py).

Starting marimo costs one to three seconds here, so:

* read-only tests share one server: ``shared_server`` (serving a private copy
  of ``demo.py`` with a browser session that has run every cell),
* tests that change anything start their own with ``marimo_factory`` (or the
  ready-made ``demo_server``), in a private ``state_home``.

Every server is stopped by pid at teardown, and kernels with it; an atexit
hook in the helper module covers interpreter exits too.
"""

from __future__ import annotations

import compileall
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

# Make ``tests.support`` importable however pytest was started.
_ROOT = Path(__file__).resolve().parent.parent
if str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))

from tests.support.marimo_proc import (  # noqa: E402
    BrowserSession,
    MarimoServer,
    open_browser_session,
    start_marimo_server,
    stop_all_servers,
)

from tests.support.cell_lab import CellLab  # noqa: E402
from tests.support.tiers import mark_tiers, refuse_outside_world, tier_of  # noqa: E402
from tests.support.schedule import longest_first  # noqa: E402
from tests.support.services import runtime_services_dir, stop_services  # noqa: E402
from marimo_pair_tui.core.browser import WARM_ENV  # noqa: E402
from marimo_pair_tui.headless.service import wire as service_wire  # noqa: E402

# The sshd fixtures (`remote`, `local_state`) for the ssh test modules.
pytest_plugins = ["tests.support.ssh_remote"]

NOTEBOOKS_SRC = Path(__file__).resolve().parent / "notebooks"

StartServer = Callable[..., MarimoServer]
OpenBrowser = Callable[..., BrowserSession]


def pytest_configure(config: pytest.Config) -> None:
    """Bytecode for the package, once, before the workers start: the suite starts hundreds of processes of
    it, and where PYTHONDONTWRITEBYTECODE is set (CI shells often set it) none would write its cache, so
    each would compile every module it imports."""
    if not hasattr(config, "workerinput"):  # the controller (or a run without workers)
        compileall.compile_dir(str(_ROOT / "marimo_pair_tui"), quiet=1)


def _copy_notebooks(dest: Path) -> Path:
    # A copy, never the originals: marimo writes __marimo__/session caches
    # next to the notebooks it serves, and tests may edit them.
    shutil.copytree(NOTEBOOKS_SRC, dest, ignore=shutil.ignore_patterns("__marimo__", "__pycache__"))
    return dest


def _resolve_notebook(server: MarimoServer, notebook: Path | str | None) -> Path:
    if notebook is None:
        if server.target.is_dir():
            raise ValueError("server serves a directory: name the notebook")
        return server.target
    path = Path(notebook)
    if not path.is_absolute():
        base = server.target if server.target.is_dir() else server.target.parent
        path = base / path
    return path.resolve()


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Iterator[CellLab]:
    """One server per test module over a private directory; `lab.fresh()` gives each test its notebook."""
    lab = CellLab(tmp_path_factory.mktemp(request.module.__name__.rsplit(".", 1)[-1]))
    try:
        yield lab
    finally:
        lab.close()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test gets its tier marker (unit, live, e2e; see tests/support/tiers.py), and the longest
    modules go to the workers first (tests/support/schedule.py)."""
    mark_tiers(items)
    longest_first(items, [tier_of(item) for item in items])


@pytest.fixture(autouse=True)
def _unit_stays_unit(request: pytest.FixtureRequest) -> Iterator[None]:
    """A unit test that starts a process (marimo, the headless command, tmux, ssh...) fails: it belongs to another tier."""
    if request.node.get_closest_marker("unit") is None:
        yield
        return
    with refuse_outside_world():
        yield


@pytest.fixture(scope="session", autouse=True)
def _no_marimo_left_behind() -> Iterator[None]:
    """Last line of defence: stop any server still running at session end."""
    yield
    stop_all_servers()


@pytest.fixture(scope="session", autouse=True)
def _service_runtime() -> Iterator[Path]:
    """The pairing services the tests start live in a runtime directory of this session
    (exported, so every command the tests run inherits it) and exit after a short idle. They start
    no browser before a picture is asked for (tests/test_screenshot_warm.py turns that on): one
    Chromium per service the suite starts would cost the suite's machine more than the tests."""
    runtime = Path(tempfile.mkdtemp(prefix="mpt-run-", dir="/tmp"))  # short: a socket path holds ~100 bytes
    saved = {name: os.environ.get(name) for name in ("XDG_RUNTIME_DIR", service_wire.IDLE_ENV, WARM_ENV)}
    os.environ["XDG_RUNTIME_DIR"] = str(runtime)
    os.environ[service_wire.IDLE_ENV] = "120"
    os.environ[WARM_ENV] = "0"
    try:
        yield runtime
    finally:
        stop_services(runtime_services_dir(runtime))
        shutil.rmtree(runtime, ignore_errors=True)
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


# Modules whose one-shot commands run both ways: through the pairing service (every test
# elsewhere does) and in-process (`MARIMO_PAIR_NO_SERVICE=1`); the documents and exit codes
# must not depend on it. A test marked `one_way` runs through the service only: one whose
# command's answer is the core's alone (discovery, targeting, the notebook's checks), which the
# service computes with the very code the in-process way runs, or that makes no one-shot call.
# What the way can change (streams, stdin, files named relative to the caller, exit codes, tokens,
# signals, a process or stream cut short) stays tested both ways.
BOTH_WAYS = frozenset({
    "test_headless_core", "test_cell_commands", "test_batch", "test_sse_faults",
    "test_foreign_servers", "test_private_state", "test_kernel_lifecycle",
})


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if (metafunc.module.__name__.rsplit(".", 1)[-1] in BOTH_WAYS
            and metafunc.definition.get_closest_marker("one_way") is None):
        metafunc.parametrize("headless_way", ["service", "in_process"], indirect=True, scope="module")


@pytest.fixture(scope="module", autouse=True)
def headless_way(request: pytest.FixtureRequest) -> Iterator[str]:
    """How this module's one-shot commands run: "service" unless the module runs both ways."""
    way = getattr(request, "param", "service")
    saved = os.environ.get(service_wire.NO_SERVICE_ENV)
    if way == "in_process":
        os.environ[service_wire.NO_SERVICE_ENV] = "1"
    else:
        os.environ.pop(service_wire.NO_SERVICE_ENV, None)
    try:
        yield way
    finally:
        if saved is None:
            os.environ.pop(service_wire.NO_SERVICE_ENV, None)
        else:
            os.environ[service_wire.NO_SERVICE_ENV] = saved


@pytest.fixture(autouse=True)
def _services_stopped(_service_runtime: Path) -> Iterator[None]:
    """Each test's pairing services end with it, by pid."""
    yield
    stop_services(runtime_services_dir(_service_runtime))


# ---------------------------------------------------------------- per test


@pytest.fixture
def notebooks_dir(tmp_path: Path) -> Path:
    """A private copy of tests/notebooks (demo.py, errors.py, slow.py, other.py)."""
    return _copy_notebooks(tmp_path / "notebooks")


@pytest.fixture
def state_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private XDG_STATE_HOME, exported to this test's environment, so the
    code under test finds the same server registry the servers write to
    (``<state_home>/marimo/servers/``)."""
    path = tmp_path / "state"
    path.mkdir()
    monkeypatch.setenv("XDG_STATE_HOME", str(path))
    return path


@pytest.fixture
def marimo_factory(state_home: Path) -> Iterator[StartServer]:
    """``start(target, token=None, *, extra_args=(), state_home=None, env=None,
    timeout=60, port=None)`` -> MarimoServer (``port``: that port, e.g. to restart a server). Servers use this test's ``state_home``
    unless told otherwise and are stopped (by pid) at teardown."""
    started: list[MarimoServer] = []
    default_state_home = state_home

    def start(
        target: Path | str,
        token: str | None = None,
        *,
        extra_args: Sequence[str] = (),
        state_home: Path | None = None,
        env: dict[str, str] | None = None,
        timeout: float = 60.0,
        port: int | None = None,
    ) -> MarimoServer:
        server = start_marimo_server(
            target,
            state_home=state_home if state_home is not None else default_state_home,
            token=token,
            extra_args=extra_args,
            env=env,
            timeout=timeout,
            port=port,
        )
        started.append(server)
        return server

    try:
        yield start
    finally:
        for server in reversed(started):
            server.stop()
        for server in started:
            server.cleanup_files()


@pytest.fixture
def browser_factory() -> Iterator[OpenBrowser]:
    """``open(server, notebook=None, *, instantiate=True, wait_for_run=True,
    timeout=60, routing_id=None, query=None)`` -> BrowserSession.
    ``notebook`` may be relative to the served directory; None means the
    served file. Sockets are closed at teardown (server-side sessions live
    on). A second browser on a notebook whose session already has a
    connected editor becomes a read-only viewer (``browser.kiosk``)."""
    opened: list[BrowserSession] = []

    def open_(
        server: MarimoServer,
        notebook: Path | str | None = None,
        **kwargs: object,
    ) -> BrowserSession:
        browser = open_browser_session(
            server, _resolve_notebook(server, notebook), **kwargs  # type: ignore[arg-type]
        )
        opened.append(browser)
        return browser

    try:
        yield open_
    finally:
        for browser in reversed(opened):
            browser.close()


@pytest.fixture
def demo_server(marimo_factory: StartServer, notebooks_dir: Path) -> MarimoServer:
    """A fresh no-token server of this test serving ``notebooks_dir/demo.py``
    (no session yet; open one with ``browser_factory``)."""
    return marimo_factory(notebooks_dir / "demo.py")


# ---------------------------------------------------------------- shared


class _Shared:
    def __init__(self, server: MarimoServer, browser: BrowserSession, notebook: Path):
        self.server = server
        self.browser = browser
        self.notebook = notebook


@pytest.fixture(scope="session")
def _shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_Shared]:
    base = tmp_path_factory.mktemp("shared-marimo")
    notebooks = _copy_notebooks(base / "notebooks")
    state = base / "state"
    state.mkdir()
    notebook = notebooks / "demo.py"
    server = start_marimo_server(notebook, state_home=state)
    try:
        browser = open_browser_session(server, notebook)
    except BaseException:
        server.stop()
        raise
    try:
        yield _Shared(server, browser, notebook)
    finally:
        browser.close()
        server.stop()
        server.cleanup_files()


@pytest.fixture(scope="session")
def shared_server(_shared: _Shared) -> MarimoServer:
    """One no-token server for the whole run, serving a copy of demo.py, whose
    session was opened and run by a browser that stays connected. READ ONLY:
    do not edit, run or interrupt anything in it."""
    return _shared.server


@pytest.fixture(scope="session")
def shared_browser(_shared: _Shared) -> BrowserSession:
    """The connected BrowserSession that owns ``shared_server``'s session
    (``.session_id`` is the stable ``sess-…`` id, ``.routing_id`` its tab)."""
    return _shared.browser


@pytest.fixture(scope="session")
def shared_notebook(_shared: _Shared) -> Path:
    """Absolute path of the demo.py that ``shared_server`` serves."""
    return _shared.notebook


@pytest.fixture
def shared_state_home(_shared: _Shared, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point XDG_STATE_HOME at ``shared_server``'s own state dir for this test,
    so discovery sees exactly that one server. Do not combine with
    ``state_home``/``marimo_factory`` in the same test."""
    path = _shared.server.state_home
    monkeypatch.setenv("XDG_STATE_HOME", str(path))
    return path
