"""The layers hold: `lint-imports` keeps the contracts in pyproject.toml's [tool.importlinter].

import-linter (harlequin checks its layers the same way) states the rules as
declarative contracts beside the other tool settings: the doors reach the core
only through core.api, the headless door and the app stand apart, the core never
imports a door, and the core's sub-packages import only downward. It reads the
whole import graph, so it also sees an import made through another module or
inside a function, which a rule reading one file's import lines could not.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_lint_imports_keeps_every_contract() -> None:
    lint_imports = Path(sys.executable).parent / "lint-imports"
    proc = subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, f"import-linter found broken contracts:\n{proc.stdout}{proc.stderr}"
