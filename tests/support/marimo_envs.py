"""A second Python environment holding another marimo release, so tests can run a real server of it.

`marimo_python(version, cache_dir)` returns an interpreter whose `import marimo` is that release:
this one when it is the installed release, else a venv built once and kept in `cache_dir` (the
pytest cache): made without pip, its own site-packages hold only that marimo
(`pip install --no-deps --target`), and a .pth file appends this environment's site-packages, so
marimo's dependencies are the ones already installed (nothing else is downloaded; a build takes
seconds). Two workers building at once each build aside and the first rename wins.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path


def installed_marimo() -> str:
    return importlib.metadata.version("marimo")


def _python_of(env: Path) -> Path:
    return env / "bin" / "python"


def _site_packages(env: Path) -> Path:
    (found,) = env.glob("lib/python*/site-packages")
    return found


def _build(version: str, env: Path, ours: str) -> None:
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env)], check=True, capture_output=True)
    site = _site_packages(env)
    (site / "_shared_dependencies.pth").write_text(ours + "\n", encoding="utf-8")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-compile", "--target", str(site),
         f"marimo=={version}"],
        check=True, capture_output=True, timeout=600,
    )
    shown = subprocess.run([str(_python_of(env)), "-c", "import marimo; print(marimo.__version__)"],
                           check=True, capture_output=True, text=True).stdout.strip()
    if shown != version:
        raise RuntimeError(f"the environment built for marimo {version} imports marimo {shown}")


def marimo_python(version: str, cache_dir: Path) -> str:
    """An interpreter that imports marimo `version` (built into `cache_dir` when not installed here)."""
    if version == installed_marimo():
        return sys.executable
    ours = sysconfig.get_paths()["purelib"]
    key = hashlib.sha256(f"{sys.executable}\n{ours}".encode()).hexdigest()[:10]
    env = cache_dir / f"marimo-{version}-{key}"
    if _python_of(env).exists():
        return str(_python_of(env))
    cache_dir.mkdir(parents=True, exist_ok=True)
    aside = Path(tempfile.mkdtemp(prefix=f".building-{version}-", dir=cache_dir))
    try:
        _build(version, aside / "env", ours)
        try:
            (aside / "env").rename(env)
        except OSError:
            if not _python_of(env).exists():  # not another worker's finished build: a real failure
                raise
    finally:
        shutil.rmtree(aside, ignore_errors=True)
    return str(_python_of(env))
