"""The package as a registry and a user get it.

The sdist and the wheel are built (`uv build`: the wheel from the sdist) and checked as a registry
checks an upload (`twine check --strict`, known classifiers, the license as an SPDX expression with
its file). The wheel is then installed as users install tools, with `uv tool install` and with
`pipx install` (pip underneath): a regular install in a fresh directory, run by name from another
directory in a clean environment (no PYTHONPATH, nothing of the checkout on PATH), and its
commands answer as the metadata says. One build serves both installs; each install serves its tests.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
from trove_classifiers import classifiers as KNOWN_CLASSIFIERS

import marimo_pair_tui
from marimo_pair_tui.guide import text as guide_text
from marimo_pair_tui.headless.service import wire as service_wire
from tests.support.packaging import ROOT, TOOL, Dist, Installed, build, pipx_install, uv_tool_install

# Installing resolves every dependency from the registries: minutes on a busy machine, not the default 120 s.
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Dist:
    return build(tmp_path_factory.mktemp("dist"))


@pytest.fixture(scope="module", params=["uv tool", "pipx"])
def installed(request: pytest.FixtureRequest, dist: Dist, tmp_path_factory: pytest.TempPathFactory) -> Installed:
    install = uv_tool_install if request.param == "uv tool" else pipx_install
    return install(dist.wheel, tmp_path_factory.mktemp(request.param.replace(" ", "-")))


def run_tool(installed: Installed, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The installed command by name, as a user's shell runs it: its own bin directory on PATH, a
    fresh home and state directory, the tests' runtime directory (where their services are stopped)."""
    home = cwd / "home"
    home.mkdir(exist_ok=True)
    env = {
        "PATH": f"{installed.command.parent}:/usr/bin:/bin",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "XDG_STATE_HOME": str(home / "state"),
        "XDG_RUNTIME_DIR": os.environ["XDG_RUNTIME_DIR"],
        service_wire.IDLE_ENV: os.environ.get(service_wire.IDLE_ENV, "120"),
    }
    return subprocess.run([TOOL, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def ok(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 0, f"exit {proc.returncode}\nstdout: {proc.stdout}\nstderr: {proc.stderr}"
    return proc.stdout


def installed_version(installed: Installed, distribution: str) -> str:
    """A distribution's version as its installed metadata directory names it."""
    (info,) = installed.site_packages().glob(f"{distribution}-*.dist-info")
    return info.name[len(distribution) + 1:-len(".dist-info")]


# ------------------------------------------------------------------ what a registry checks


def test_twine_accepts_the_sdist_and_the_wheel(dist: Dist) -> None:
    proc = subprocess.run([sys.executable, "-m", "twine", "check", "--strict", str(dist.sdist), str(dist.wheel)],
                          capture_output=True, text=True, timeout=120, env={**os.environ, "NO_COLOR": "1"})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count("PASSED") == 2, proc.stdout


def test_metadata_has_one_version_an_spdx_license_and_known_classifiers(dist: Dist) -> None:
    metadata = dist.metadata()
    lines = metadata.splitlines()
    assert dist.version() == marimo_pair_tui.__version__
    assert "License-Expression: Apache-2.0" in lines
    assert "License-File: LICENSE" in lines
    assert not [line for line in lines if line.startswith("License:")]  # the deprecated free-text field
    found = [line.split(": ", 1)[1] for line in lines if line.startswith("Classifier: ")]
    assert found and not [c for c in found if c not in KNOWN_CLASSIFIERS]
    assert not [c for c in found if c.startswith("License ::")]  # refused beside a license expression
    urls = [line.split(", ", 1)[1] for line in lines if line.startswith("Project-URL: ")]
    assert urls and all(url.startswith("https://") for url in urls)


def test_both_archives_carry_the_license_and_the_wheel_its_data(dist: Dist) -> None:
    license_text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in license_text and "Version 2.0, January 2004" in license_text
    with zipfile.ZipFile(dist.wheel) as wheel:
        names = wheel.namelist()
        (licensed,) = [n for n in names if n.endswith(".dist-info/licenses/LICENSE")]
        assert wheel.read(licensed).decode("utf-8") == license_text
    for data in ("marimo_pair_tui/guide/SKILL.md", "marimo_pair_tui/notebooks/tour.py",
                 "marimo_pair_tui/tui/screens/pairing/screen.tcss"):
        assert data in names
    with tarfile.open(dist.sdist) as sdist:
        top = f"marimo_pair_tui-{dist.version()}"
        member = sdist.extractfile(f"{top}/LICENSE")
        assert member is not None and member.read().decode("utf-8") == license_text


# ------------------------------------------------------------------ what a user gets


def test_the_install_is_the_wheel_not_the_checkout(installed: Installed, dist: Dist, tmp_path: Path) -> None:
    (info,) = installed.site_packages().glob("marimo_pair_tui-*.dist-info")
    direct = json.loads((info / "direct_url.json").read_text())
    assert "archive_info" in direct and "dir_info" not in direct, direct  # a wheel, not an editable checkout
    assert direct["url"].endswith(dist.wheel.name)
    proc = subprocess.run([str(installed.venv / "bin" / "python"), "-c", "import marimo_pair_tui; print(marimo_pair_tui.__file__)"],
                          cwd=tmp_path, env={"PATH": "/usr/bin:/bin"}, capture_output=True, text=True, timeout=60)
    assert Path(ok(proc).strip()).is_relative_to(installed.site_packages())


def test_version_says_what_the_metadata_says(installed: Installed, dist: Dist, tmp_path: Path) -> None:
    marimo, textual = installed_version(installed, "marimo"), installed_version(installed, "textual")
    python = ok(subprocess.run([str(installed.venv / "bin" / "python"), "-c", "import platform; print(platform.python_version())"],
                               capture_output=True, text=True, timeout=60)).strip()
    line = ok(run_tool(installed, "--version", cwd=tmp_path))
    assert line == f"{TOOL} {dist.version()} (marimo {marimo}, textual {textual}, Python {python})\n"
    expected = {"success": True, "marimo_pair_tui": dist.version(), "marimo": marimo, "textual": textual, "python": python}
    for args in (("--headless", "version"), ("--headless", "--version")):
        assert json.loads(ok(run_tool(installed, *args, cwd=tmp_path))) == expected


def test_servers_goes_through_a_service_of_the_install(installed: Installed, dist: Dist, tmp_path: Path) -> None:
    assert json.loads(ok(run_tool(installed, "--headless", "servers", cwd=tmp_path))) == {"servers": [], "warnings": []}
    status = json.loads(ok(run_tool(installed, "--headless", "service", "status", cwd=tmp_path)))
    assert status["running"] is True and status["calls"] == 1, status
    assert status["version"].startswith(f"{dist.version()}+")
    program = Path(f"/proc/{status['pid']}/cmdline").read_bytes().split(b"\0")[0].decode()
    assert Path(program).is_relative_to(installed.venv)  # the install's own Python runs it
    assert json.loads(ok(run_tool(installed, "--headless", "service", "stop", cwd=tmp_path)))["stopped"] is True


def test_the_guide_is_the_shipped_skill_file(installed: Installed, tmp_path: Path) -> None:
    assert ok(run_tool(installed, "--headless", "guide", cwd=tmp_path)) == guide_text()


def test_mcp_help_is_there_without_the_mcp_extra(installed: Installed, tmp_path: Path) -> None:
    out = ok(run_tool(installed, "--headless", "mcp", "--help", cwd=tmp_path))
    assert out.startswith(f"Usage: {TOOL} --headless mcp [OPTIONS]")
    assert "Serve the headless commands as MCP tools over stdio" in out
    assert "--token-file PATH" in out
