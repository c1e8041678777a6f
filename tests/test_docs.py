"""The docs build and their links hold: mkdocs in strict mode over docs/, and the README's links."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINK = re.compile(r"\]\(([^)\s]+)\)")


def test_the_site_builds_with_no_broken_link_or_anchor(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, f"mkdocs build --strict failed:\n{proc.stdout}{proc.stderr}"
    assert (tmp_path / "site" / "index.html").is_file()


def test_every_relative_link_in_the_readme_names_a_file_that_exists() -> None:
    targets = [t for t in LINK.findall((ROOT / "README.md").read_text(encoding="utf-8")) if "://" not in t]
    assert targets, "the README links to no page"
    missing = [t for t in targets if not (ROOT / t.split("#", 1)[0]).exists()]
    assert not missing, f"README links to files that do not exist: {missing}"


PATH_IN_TICKS = re.compile(r"`((?:marimo_pair_tui|tests|bench|scripts|docs|\.ci)/[^`\s]*)`")


def test_every_path_architecture_names_exists() -> None:
    named = set(PATH_IN_TICKS.findall((ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")))
    assert len(named) > 20, "ARCHITECTURE.md names too few paths for this check to mean anything"
    missing = sorted(p for p in named if not (ROOT / p).exists())
    assert not missing, f"ARCHITECTURE.md names paths that do not exist: {missing}"
