"""The suite's tiers, so a run can pick one: ``pytest -m unit`` (seconds), ``-m live``, ``-m e2e``.

* unit: in-process only: no server and no process (neither marimo, nor the headless command, the
  pairing service or a tool such as mypy, nor tmux, sshd or ssh);
* live: real processes: marimo servers (the fixtures that start them, or a module that starts its
  own), the headless command and the pairing service (also against the fault tests' fake servers),
  the tool checks (mypy, ruff, MkDocs);
* e2e: the real outside world around them: tmux, sshd, other Unix users.

A test's tier comes from what it uses: its fixtures (with everything they use in turn) or, for
modules that start their servers themselves, the tables below. A tier marker written on a test or
module wins. A unit test that starts marimo, tmux or sshd anyway fails (see `refuse_outside_world`),
so the unit tier stays what it says.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

TIERS = ("unit", "live", "e2e")

# Fixtures that start a real marimo server (each, or something it uses).
LIVE_FIXTURES = frozenset({
    "lab", "marimo_factory", "demo_server", "browser_factory", "_shared", "shared_server",
})
# Fixtures that start sshd or make Unix users.
E2E_FIXTURES = frozenset({"remote", "users"})

# Modules whose tests start servers (or the app in tmux, or sshd) themselves, by file name.
LIVE_MODULES = frozenset({
    # marimo servers
    "test_agent_scenarios", "test_big_outputs", "test_app_doors", "test_pane_doors", "test_successor",
    "test_open_close", "test_open_input", "test_open_long_run", "test_live_and_open", "test_server_versions_live",
    # the headless command and the pairing service (against nothing, or the fault tests' fake servers)
    "test_foreign_servers", "test_sse_faults", "test_pairing_service", "test_service_answers",
    "test_service_faults", "test_service_regressions", "test_headless_core", "test_private_state",
    "test_mcp_server", "test_import_hygiene", "test_analysis_cache", "test_doctor_live", "test_agent_setup",
    # completion asks jedi, which runs its own Python process
    "test_completion_units",
    # the tool checks
    "test_docs", "test_lint", "test_types", "test_layers",
})
E2E_MODULES = frozenset({
    "test_e2e_tmux", "test_inert", "test_ssh", "test_mcp_ssh", "test_service_users",
    # a real Chromium drawing marimo's front end
    "test_screenshots", "test_screenshot_doors",
})

# Besides any Python process, what a unit test may not start: a terminal multiplexer, ssh.
_OUTSIDE = ("tmux", "sshd", "ssh")


def tier_of(item: pytest.Item) -> str:
    """The tier a collected test belongs to (see the module's docstring)."""
    written = [name for name in TIERS if item.get_closest_marker(name) is not None]
    if written:
        return written[0]
    fixtures = set(getattr(item, "fixturenames", ()))
    module = Path(str(item.fspath)).stem
    if fixtures & E2E_FIXTURES or module in E2E_MODULES:
        return "e2e"
    if fixtures & LIVE_FIXTURES or module in LIVE_MODULES:
        return "live"
    return "unit"


def mark_tiers(items: Sequence[pytest.Item]) -> None:
    """Add each test's tier marker (collection hook's body)."""
    for item in items:
        tier = tier_of(item)
        if item.get_closest_marker(tier) is None:
            item.add_marker(getattr(pytest.mark, tier))


def _outside_world(args: Any) -> str | None:
    """What an argv starts, if it is something a unit test may not start."""
    argv = [str(arg) for arg in ([args] if isinstance(args, (str, bytes, Path)) else list(args))]
    if not argv:
        return None
    if "-m" in argv and argv.index("-m") + 1 < len(argv) and argv[argv.index("-m") + 1] == "marimo":
        return "a marimo server"
    program = Path(argv[0])
    if program.name.startswith("python") or program.parent == Path(sys.executable).parent:
        return "a Python process (the headless command, the pairing service, a tool)"
    return program.name if program.name in _OUTSIDE else None


@contextmanager
def refuse_outside_world() -> Iterator[None]:
    """While open, starting marimo, tmux, sshd or ssh from this process fails the test."""
    original = subprocess.Popen._execute_child  # type: ignore[attr-defined]

    def guarded(self: subprocess.Popen[Any], args: Any, *rest: Any, **kwargs: Any) -> Any:
        what = _outside_world(args)
        if what is not None:
            raise AssertionError(
                f"a unit test started {what} ({args!r}): mark it live or e2e, or use a fixture that says so"
            )
        return original(self, args, *rest, **kwargs)

    subprocess.Popen._execute_child = guarded  # type: ignore[attr-defined]
    try:
        yield
    finally:
        subprocess.Popen._execute_child = original  # type: ignore[attr-defined]
