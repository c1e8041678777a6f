"""The headless door and core never import Textual: agents pay no UI start-up cost."""

from __future__ import annotations

import json
import subprocess
import sys


def _modules_after(statement: str) -> set[str]:
    code = f"{statement}\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return set(json.loads(out))


def test_headless_cli_does_not_import_textual() -> None:
    modules = _modules_after("import marimo_pair_tui.headless.cli")
    assert "marimo_pair_tui.headless.cli" in modules
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


def test_headless_command_does_not_import_rich() -> None:
    code = (
        "import sys, runpy\n"
        "sys.argv = ['marimo-pair-tui', '--headless', '--no-service', 'servers']\n"
        "try:\n    runpy.run_module('marimo_pair_tui', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "sys.stderr.write(str(sorted({m.split('.')[0] for m in sys.modules} & {'rich', 'textual', 'pygments'})))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={"XDG_STATE_HOME": "/nonexistent-state", "PATH": ""})
    assert json.loads(proc.stdout.splitlines()[0])["servers"] == []
    assert proc.stderr.strip().endswith("[]")


# The doors reach the core through these modules alone: the service, the
# directory, the documents and the errors. Anything else a door needs is
# named by the service (it re-exports the few value types the doors render).
DOOR_MAY_IMPORT = {"service", "directory", "documents", "errors"}


def _core_modules(source: str, depth: int) -> set[str]:
    """The core modules `source` imports; `depth`: the dots a relative import needs to reach marimo_pair_tui/."""
    import ast

    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                if node.level != depth:
                    continue
                full = module
            elif module.startswith("marimo_pair_tui."):
                full = module.removeprefix("marimo_pair_tui.")
            else:
                continue
            if full == "core":
                names.update(alias.name for alias in node.names)
            elif full.startswith("core."):
                names.add(full.split(".")[1])
        elif isinstance(node, ast.Import):
            names.update(a.name.split(".")[2] for a in node.names if a.name.startswith("marimo_pair_tui.core."))
    return names


def _core_imports(package: str) -> dict[str, set[str]]:
    """The core modules each file of a door imports: {file: {module, ...}}."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "marimo_pair_tui"
    found: dict[str, set[str]] = {}
    for path in sorted((root / package).rglob("*.py")):
        depth = len(path.relative_to(root).parts)
        modules = _core_modules(path.read_text(encoding="utf-8"), depth)
        if modules:
            found[str(path.relative_to(root))] = modules
    return found


def test_the_doors_import_only_the_service_directory_documents_and_errors() -> None:
    for package in ("headless", "tui"):
        imports = _core_imports(package)
        assert imports, f"{package} reaches the core somewhere"
        strays = {file: sorted(mods - DOOR_MAY_IMPORT) for file, mods in imports.items() if mods - DOOR_MAY_IMPORT}
        assert not strays, f"{package} imports core modules other than {sorted(DOOR_MAY_IMPORT)}: {strays}"


def test_the_import_rule_sees_every_spelling_of_a_stray_import() -> None:
    for source in ("from ..core.hub import Hub", "from ..core import hub, service",
                   "import marimo_pair_tui.core.hub", "from marimo_pair_tui.core.hub import Hub",
                   "def f():\n    from ..core.hub import Hub"):
        assert _core_modules(source, depth=2) - DOOR_MAY_IMPORT == {"hub"}, source
    assert _core_modules("from ...core.hub import Hub", depth=2) == set()  # a different package's core
    assert _core_modules("from ..core.service import PairingService", depth=2) == {"service"}
