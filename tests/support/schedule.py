"""The order in which the test workers are handed modules: the longest first.

With `--dist loadfile` each module runs whole on one worker, and xdist hands modules out in
collection order as workers free up (`--no-loadscope-reorder`; its own reorder puts modules with
the most tests first, which says little about time). A long module handed out last runs alone
while the other workers idle, so the longest go first and the quick unit modules fill the end.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest

# The longest modules, longest first, as a `--durations=0` run of the whole suite measured them
# (setup, call and teardown summed by module). A module not named here keeps its place after
# these, the live and e2e ones before the unit ones.
LONGEST = (
    "tests/test_headless_core.py", "tests/test_packaging.py", "tests/test_cell_commands.py",
    "tests/test_pairing_service.py", "tests/test_kernel_lifecycle.py", "tests/test_chart_fidelity.py",
    "tests/tui/test_notebook_view.py", "tests/test_ui_kinds_live.py", "tests/test_mcp_server.py",
    "tests/test_sse_faults.py", "tests/fidelity/test_pane_doors.py", "tests/test_batch.py",
    "tests/test_output_encoding.py", "tests/test_foreign_servers.py", "tests/test_ssh.py",
    "tests/test_server_versions_live.py", "tests/test_agent_setup.py", "tests/tui/test_snapshots.py",
    "tests/test_agent_scenarios.py", "tests/test_doctor_live.py", "tests/test_widget_fidelity.py",
    "tests/test_service_liveness.py", "tests/tui/test_pairing.py", "tests/test_codemode.py",
    "tests/test_service_faults.py", "tests/test_screenshots.py", "tests/test_live_and_open.py",
    "tests/fidelity/test_headless_doors.py", "tests/test_service_soak.py",
)
_TIER_RANK = {"e2e": 0, "live": 0, "unit": 1}


def longest_first(items: list[pytest.Item], tiers: Sequence[str]) -> None:
    """Sort `items` in place (stable: a module's tests stay together and in order); `tiers[i]` is items[i]'s."""
    rank = {path: number for number, path in enumerate(LONGEST)}
    keys = {id(item): (rank.get(item.nodeid.split("::", 1)[0], len(LONGEST)), _TIER_RANK.get(tier, 0))
            for item, tier in zip(items, tiers)}
    items.sort(key=lambda item: keys[id(item)])
