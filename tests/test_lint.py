"""The package, its tests, the benchmarks and the scripts pass ruff: the rules and the complexity limit in
pyproject.toml's [tool.ruff] (tests and benchmarks have their per-file exceptions there, each with its reason)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("tree", ["marimo_pair_tui", "tests", "bench", "scripts"])
def test_ruff_finds_no_problems(tree: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--output-format", "concise", tree],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, f"ruff found problems in {tree}/:\n{proc.stdout}{proc.stderr}"
