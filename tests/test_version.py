"""`--version` and `--headless version`: ours, marimo's, Textual's and Python's version, at once.

The package's `__version__` is the one source: the build reads it into the metadata, and the
commands print it. Whether the built wheel's metadata agrees is tests/test_packaging.py's.
"""

from __future__ import annotations

import json
import platform
import subprocess
import sys
from importlib import metadata

import marimo
import pytest

import marimo_pair_tui
from marimo_pair_tui import about
from tests.clihelp import cli_env, run_cli


def test_versions_are_the_installed_ones() -> None:
    assert about.versions() == {
        "marimo_pair_tui": marimo_pair_tui.__version__,
        "marimo": marimo.__version__,
        "textual": metadata.version("textual"),
        "python": platform.python_version(),
    }


def test_the_installed_metadata_reads_the_package_version() -> None:
    assert metadata.version("marimo-pair-tui") == marimo_pair_tui.__version__


def test_a_missing_distribution_is_named_not_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    real = metadata.version

    def without_textual(name: str) -> str:
        if name == "textual":
            raise metadata.PackageNotFoundError(name)
        return real(name)

    monkeypatch.setattr(metadata, "version", without_textual)
    assert about.version_document()["textual"] is None
    assert "textual not installed" in about.version_text()


def _tool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "marimo_pair_tui", *args], capture_output=True, text=True,
                          env=cli_env(), timeout=60)


@pytest.mark.live
def test_version_line_through_the_fast_path_and_the_app_s_option() -> None:
    versions = about.versions()
    line = (f"marimo-pair-tui {versions['marimo_pair_tui']} (marimo {versions['marimo']}, "
            f"textual {versions['textual']}, Python {versions['python']})\n")
    assert _tool("--version").stdout == line
    assert _tool("--ascii", "--version").stdout == line  # the app's click option, past the fast path
    assert "--version" in _tool("--help").stdout


def test_the_version_command_of_the_headless_group(capsys: pytest.CaptureFixture[str]) -> None:
    from marimo_pair_tui.headless.cli.entry import main

    main(["version"])  # what `version --help` and the group's help name
    assert json.loads(capsys.readouterr().out) == {"success": True, **about.versions()}


@pytest.mark.live
@pytest.mark.parametrize("args", [["version"], ["--version"], ["--no-service", "--version"]])
def test_headless_version_is_one_json_document(args: list[str]) -> None:
    result = run_cli(args)
    assert result.code == 0, result.stderr
    assert result.json == {"success": True, **about.versions()}


@pytest.mark.live
def test_version_imports_neither_marimo_nor_textual_nor_click() -> None:
    code = (
        "import sys, runpy\n"
        "sys.argv = ['marimo-pair-tui', '--version']\n"
        "runpy.run_module('marimo_pair_tui', run_name='__main__')\n"
        "sys.stderr.write(repr(sorted({m.split('.')[0] for m in sys.modules} & {'marimo', 'textual', 'click', 'httpx'})))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=cli_env(), timeout=60)
    assert proc.stdout.startswith("marimo-pair-tui ")
    assert proc.stderr.strip() == "[]"
    assert json.loads(_tool("--headless", "version").stdout)["success"] is True
