"""defs/refs remembered across processes: a read of known code never imports marimo's compiler."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

PROBE = (
    "import json, sys\n"
    "from marimo_pair_tui.core.model.analysis import static_defs_refs, cache_path\n"
    "found = static_defs_refs(sys.argv[1])\n"
    "print(json.dumps({'found': found, 'marimo': 'marimo' in sys.modules, 'path': str(cache_path())}))\n"
)


def _probe(code: str, state: Path) -> dict:
    env = {**os.environ, "XDG_STATE_HOME": str(state)}
    out = subprocess.run([sys.executable, "-c", PROBE, code], capture_output=True, text=True, env=env, check=True)
    return json.loads(out.stdout)


def test_known_code_is_answered_without_importing_marimo(tmp_path: Path) -> None:
    first = _probe("y = x + 1\nprint(y)", tmp_path)
    assert first["found"] == [["y"], ["print", "x"]] and first["marimo"] is True
    again = _probe("y = x + 1\nprint(y)", tmp_path)
    assert again["found"] == first["found"] and again["marimo"] is False
    other = _probe("z = 1", tmp_path)
    assert other["found"] == [["z"], []] and other["marimo"] is True
    broken = _probe("def (", tmp_path)
    assert broken["found"] is None
    assert _probe("def (", tmp_path) == {**broken, "marimo": False}
    path = Path(first["path"])
    assert path.is_relative_to(tmp_path) and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert "print(y)" not in path.read_text()  # names only, keyed by a hash: no code in the file


def test_a_long_lived_process_keeps_the_newest_answers_only(tmp_path: Path, monkeypatch) -> None:
    """The pairing service never exits between calls, and every code an agent edits in is new: memory
    keeps the newest CACHE_LIMIT answers (trimmed once a quarter more came), as the file does."""
    from marimo_pair_tui.core.model import analysis

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    monkeypatch.setattr(analysis, "CACHE_LIMIT", 8)
    monkeypatch.setattr(analysis, "_remembered", None)
    analysis.cache_path.cache_clear()
    analysis.static_defs_refs.cache_clear()
    try:
        for number in range(40):
            assert analysis.static_defs_refs(f"v{number} = {number}") == ((f"v{number}",), ())
        remembered = analysis._remembered
        assert remembered is not None and 8 <= len(remembered) <= 10
        assert analysis._key("v39 = 39") in remembered and analysis._key("v0 = 0") not in remembered
    finally:
        analysis.cache_path.cache_clear()
        analysis.static_defs_refs.cache_clear()
