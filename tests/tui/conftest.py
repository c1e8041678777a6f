"""Fixtures for the terminal app's tests.

Each test module shares one marimo server (`lab`); each test copies its own
notebook onto it. State and config live in per-test temporary directories,
so drafts and key maps never leak between tests or from the user.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .support import TuiLab


@pytest.fixture(autouse=True)
def _private_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    state = tmp_path / "tui-state"
    config = tmp_path / "tui-config"
    state.mkdir()
    config.mkdir()
    monkeypatch.setenv("XDG_STATE_HOME", str(state))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    monkeypatch.delenv("MARIMO_PAIR_ASCII", raising=False)
    monkeypatch.delenv("MARIMO_PAIR_URLS", raising=False)
    monkeypatch.delenv("MARIMO_TOKEN", raising=False)
    return state


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TuiLab]:
    lab = TuiLab(tmp_path_factory.mktemp("tui-lab"))
    try:
        yield lab
    finally:
        lab.close()
