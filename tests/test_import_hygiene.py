"""The headless door and core never import Textual: agents pay no UI start-up cost.

Which core modules a door may import is a contract in pyproject.toml (tests/test_layers.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def _modules_after(statement: str) -> set[str]:
    code = f"{statement}\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return set(json.loads(out))


def test_headless_cli_does_not_import_textual() -> None:
    modules = _modules_after("import marimo_pair_tui.headless.cli.entry")
    assert "marimo_pair_tui.headless.cli.entry" in modules
    assert not {m for m in modules if m == "textual" or m.startswith("textual.")}


def test_headless_command_run_does_not_import_textual() -> None:
    code = (
        "import sys, runpy\n"
        "sys.argv = ['marimo-pair-tui', '--headless', '--no-service', 'servers']\n"
        "try:\n    runpy.run_module('marimo_pair_tui', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "sys.stderr.write(str(any(m.split('.')[0] == 'textual' for m in sys.modules)))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={"XDG_STATE_HOME": "/nonexistent-state", "PATH": ""})
    assert json.loads(proc.stdout.splitlines()[0])["servers"] == []
    assert proc.stderr.strip().endswith("False")


def test_core_does_not_import_textual() -> None:
    modules = _modules_after(
        "import marimo_pair_tui.core.servers.hub, marimo_pair_tui.core.wire.execute, marimo_pair_tui.core.wire.kernel"
    )
    assert not {m for m in modules if m.split('.')[0] == "textual"}


def test_headless_command_imports_no_ui_or_html_parser() -> None:
    """A call that reads no HTML output pays for no HTML parser (BeautifulSoup loads with the first one)."""
    code = (
        "import sys, runpy\n"
        "sys.argv = ['marimo-pair-tui', '--headless', '--no-service', 'servers']\n"
        "try:\n    runpy.run_module('marimo_pair_tui', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "sys.stderr.write(str(sorted({m.split('.')[0] for m in sys.modules} & {'rich', 'textual', 'pygments', 'bs4', 'markdownify', 'soupsieve', 'tomlkit'})))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={"XDG_STATE_HOME": "/nonexistent-state", "PATH": ""})
    assert json.loads(proc.stdout.splitlines()[0])["servers"] == []
    assert proc.stderr.strip().endswith("[]")


def test_the_thin_client_loads_no_heavy_standard_modules() -> None:
    """Every one-shot call pays for what the client imports: `socket` (enum, selectors), `json` (re, enum)
    and typing cost it milliseconds of a ~100 ms call. Without site (which may load some of them itself, as
    an editable install's finder does) the client's own imports show."""
    root = str(Path(__file__).resolve().parent.parent)
    code = ("import sys; before = set(sys.modules)\n"
            "import marimo_pair_tui.__main__, marimo_pair_tui.headless.service.client\n"
            "print(' '.join(sorted(set(sys.modules) - before)))")
    proc = subprocess.run([sys.executable, "-S", "-c", code], capture_output=True, text=True, check=True,
                          env={"PYTHONPATH": root, "PATH": ""})
    loaded = set(proc.stdout.split())
    assert "marimo_pair_tui.headless.service.client" in loaded
    assert not loaded & {"socket", "selectors", "enum", "re", "json", "typing", "collections", "pathlib"}, sorted(loaded)
