"""Scripted agent sessions that replay what goes wrong with today's tools, against our headless
commands and our MCP server, on one real marimo server serving seven notebooks.

The failures replayed (from published runs of agents pairing through curl or `marimo pair`):
"multiple sessions, cannot auto-select"; shell quoting turning code into syntax errors;
work done in the scratchpad that never became cells; cell ids mixed up with objects;
multiply-defined names fixed by editing the .py file; missing packages mid-task.
"""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.clihelp import CliResult, cli_env, run_cli
from tests.support.cell_lab import file_cells
from tests.support.waiting import wait_until
from tests.support.marimo_proc import BrowserSession, MarimoServer, open_browser_session, start_marimo_server
from tests.support.mcp_client import call, mcp_session

# Seven notebooks on one server; two share a basename.
NOTEBOOKS = ["alpha.py", "beta.py", "gamma.py", "delta.py", "epsilon.py", "sales.py", "archive/sales.py"]

TEMPLATE = '''import marimo

__generated_with = "0.25.2"
app = marimo.App()


@app.cell
def _():
    import marimo as mo

    return (mo,)


@app.cell
def define_x():
    x = 41
    return (x,)


@app.cell
def _(x):
    y = x + 1
    print("y is", y)
    return (y,)


@app.cell
def ident():
    title = {title!r}
    return (title,)


if __name__ == "__main__":
    app.run()
'''

# Code an agent would have to quote by hand in a shell: every kind of quote,
# backticks, dollar signs, triple quotes of both kinds, backslashes, non-ASCII.
TRICKY = (
    "_q = \"\"\"He said \"don't\" and `rm -rf $HOME` ${PATH} $(whoami) \\\\n ''' done\"\"\"\n"
    "_r = r'C:\\path\\to\\$file `x` \"q\"'\n"
    "_s = f\"{len(_q)}:{_r!r}:{'$'}{{}}\"\n"
    "_t = '''a \"\"\" b''' + \"`\" * 3 + '\\t' + \"é 🙂 ∑\"\n"
    "print(_q)\n"
    "print(_r)\n"
    "print(_s)\n"
    "print(repr(_t))  # ` $ \"\"\" ''' \\ é"
)


def local_output(code: str) -> str:
    """What `code` prints when Python runs it here: the kernel must print the same."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "<tricky>", "exec"), {})
    return out.getvalue()


@dataclass
class Seven:
    dir: Path
    server: MarimoServer
    browsers: dict[str, BrowserSession] = field(default_factory=dict)

    @property
    def state_home(self) -> Path:
        return self.server.state_home

    def path(self, name: str) -> Path:
        return self.dir / name

    def cli(self, *args: str, stdin: str | None = None, cwd: Path | None = None, timeout: float = 120) -> CliResult:
        data = None if stdin is None else stdin.encode("utf-8")
        return run_cli(args, env=cli_env(self.state_home), stdin=data, cwd=cwd, timeout=timeout)

    def raw_exec(self, name: str, code: str) -> str:
        """Run code in one session straight through marimo's endpoint; its stdout text."""
        response = httpx.post(
            self.server.url + "/api/kernel/execute",
            json={"code": code},
            headers={"Marimo-Stable-Session-Id": self.browsers[name].session_id or ""},
            timeout=60,
        )
        response.raise_for_status()
        stdout, event = [], None
        for line in response.text.splitlines():
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:") and event == "stdout":
                stdout.append(json.loads(line.split(":", 1)[1])["data"])
        return "".join(stdout)


@pytest.fixture(scope="module")
def seven(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seven]:
    base = tmp_path_factory.mktemp("seven")
    notebooks = base / "notebooks"
    for name in NOTEBOOKS:
        path = notebooks / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(TEMPLATE.format(title=name), encoding="utf-8")
    server = start_marimo_server(notebooks, state_home=base / "state")
    lab = Seven(notebooks, server)
    try:
        for name in NOTEBOOKS:
            lab.browsers[name] = open_browser_session(server, notebooks / name)
        yield lab
    finally:
        for browser in lab.browsers.values():
            browser.close()
        server.stop()
        server.cleanup_files()


def define_x_id(seven: Seven, name: str) -> str:
    return seven.browsers[name].cell_ids[1]


# ---------------------------------------------------------------- seven notebooks


def test_seven_notebooks_cli_targets_by_path_and_basename_and_never_guesses(seven: Seven) -> None:
    for how, cwd in (
        (str(seven.path("archive/sales.py")), None),  # absolute
        ("archive/sales.py", seven.dir),  # relative to the current directory
    ):
        result = seven.cli("exec", "--notebook", how, "-c", "print(title)", cwd=cwd)
        assert (result.code, result.json["stdout"]) == (0, "archive/sales.py\n"), result
    result = seven.cli("exec", "--notebook", "gamma.py", "-c", "print(title)")
    assert (result.code, result.json["stdout"]) == (0, "gamma.py\n")
    assert result.json["session"]["session_id"] == seven.browsers["gamma.py"].session_id

    # A basename two notebooks share: the candidates, not a pick.
    result = seven.cli("exec", "--notebook", "sales.py", "-c", "print(title)")
    assert result.code == 2 and result.json["error"]["kind"] == "ambiguous_target"
    assert sorted(c["select_with"] for c in result.json["error"]["candidates"]) == sorted(
        f"--notebook {seven.path(n)}" for n in ("sales.py", "archive/sales.py")
    )

    # No target at all: every session listed with the flag that selects it, and nothing ran.
    result = seven.cli("exec", "-", stdin="import builtins\nbuiltins._mpt_guessed = True\n")
    assert result.code == 2 and result.json["error"]["kind"] == "ambiguous_target"
    candidates = result.json["error"]["candidates"]
    assert sorted(c["notebook"] for c in candidates) == sorted(str(seven.path(n)) for n in NOTEBOOKS)
    assert {c["select_with"] for c in candidates} == {f"--notebook {seven.path(n)}" for n in NOTEBOOKS}
    assert result.json["error"]["next"]
    for name in NOTEBOOKS:
        assert seven.raw_exec(name, "import builtins\nprint(hasattr(builtins, '_mpt_guessed'))") == "False\n"


async def test_seven_notebooks_mcp_targets_by_path_and_basename_and_never_guesses(seven: Seven) -> None:
    async with mcp_session(seven.state_home) as session:
        error, doc = await call(session, "execute", code="print(title)", notebook=str(seven.path("archive/sales.py")))
        assert (error, doc["stdout"]) == (False, "archive/sales.py\n")
        error, doc = await call(session, "cells", notebook="epsilon.py")
        assert not error and doc["session"]["session_id"] == seven.browsers["epsilon.py"].session_id
        assert doc["cells"][3]["code"] == "title = 'epsilon.py'"

        error, doc = await call(session, "cells", notebook="sales.py")
        assert error and doc["error"]["kind"] == "ambiguous_target" and len(doc["error"]["candidates"]) == 2

        error, doc = await call(session, "execute", code="import builtins\nbuiltins._mpt_guessed_mcp = True\n")
        assert error and doc["error"]["kind"] == "ambiguous_target"
        assert sorted(c["notebook"] for c in doc["error"]["candidates"]) == sorted(str(seven.path(n)) for n in NOTEBOOKS)
        error, doc = await call(session, "notebooks")
        assert not error and sorted(n["path"] for n in doc["notebooks"]) == sorted(str(seven.path(n)) for n in NOTEBOOKS)
    for name in NOTEBOOKS:
        assert seven.raw_exec(name, "import builtins\nprint(hasattr(builtins, '_mpt_guessed_mcp'))") == "False\n"


# ---------------------------------------------------------------- quoting


def test_tricky_code_arrives_byte_identical_through_stdin(seven: Seven) -> None:
    expected = local_output(TRICKY)
    result = seven.cli("exec", "--notebook", "beta.py", "-", stdin=TRICKY)
    assert result.code == 0 and result.json["stdout"] == expected and result.json["stderr"] == ""

    result = seven.cli("create", "--notebook", "beta.py", "--name", "tricky", "--run", "-", stdin=TRICKY)
    assert result.code == 0, result
    cell = result.json["cells"][0]
    assert cell["code"] == TRICKY and "".join(c["data"] for c in cell["console"]) == expected
    listed = seven.cli("cells", "--notebook", "beta.py").json["cells"]
    assert [c["code"] for c in listed if c["name"] == "tricky"] == [TRICKY]
    wait_until(lambda: ("tricky", TRICKY) in file_cells(seven.path("beta.py")), what="the tricky cell in the file")


async def test_tricky_code_arrives_byte_identical_through_mcp(seven: Seven) -> None:
    expected = local_output(TRICKY)
    async with mcp_session(seven.state_home) as session:
        error, doc = await call(session, "execute", code=TRICKY, notebook="gamma.py")
        assert not error and doc["stdout"] == expected and doc["stderr"] == ""
        error, doc = await call(session, "create_cell", code=TRICKY, notebook="gamma.py", name="tricky", run=True)
        assert not error and doc["cells"][0]["code"] == TRICKY
        assert "".join(c["data"] for c in doc["cells"][0]["console"]) == expected
        error, doc = await call(session, "cells", notebook="gamma.py", ids=["tricky"])
        assert not error and doc["cells"][0]["code"] == TRICKY
    wait_until(lambda: ("tricky", TRICKY) in file_cells(seven.path("gamma.py")), what="the tricky cell in the file")


# ---------------------------------------------------------------- cells, not scratchpad


def exported_run(notebook: Path, out: Path) -> str:
    """`marimo export script` the notebook, run the script with python; its stdout."""
    export = subprocess.run(
        [sys.executable, "-m", "marimo", "export", "script", str(notebook), "-o", str(out), "-f"],
        capture_output=True, text=True, timeout=120,
    )
    assert export.returncode == 0, export.stderr
    ran = subprocess.run([sys.executable, str(out)], capture_output=True, text=True, timeout=120)
    assert ran.returncode == 0, ran.stderr
    return ran.stdout


def test_cells_created_through_the_cli_are_in_the_file_and_run_as_a_script(seven: Seven, tmp_path: Path) -> None:
    notebook = seven.path("beta.py")
    first = seven.cli("create", "--notebook", "beta.py", "--name", "total", "--run", "-", stdin="total = y * 10\n")
    assert first.code == 0, first
    second = seven.cli("create", "--notebook", "beta.py", "--after", "total", "--run", "-",
                       stdin='print("total is", total)\n')
    assert second.code == 0 and second.json["cells"][0]["console"][0]["data"] == "total is 420\n"
    cells = wait_until(
        lambda: (lambda found: found if ("total", "total = y * 10") in found else None)(file_cells(notebook)),
        what="the new cells in the file",
    )
    assert ("_", 'print("total is", total)') in cells
    stdout = exported_run(notebook, tmp_path / "beta_script.py")
    assert "y is 42\n" in stdout and "total is 420\n" in stdout


async def test_cells_created_through_mcp_are_in_the_file_and_run_as_a_script(seven: Seven, tmp_path: Path) -> None:
    notebook = seven.path("gamma.py")
    async with mcp_session(seven.state_home) as session:
        error, doc = await call(session, "create_cell", code="share = y / 2", notebook="gamma.py", name="share", run=True)
        assert not error, doc
        error, doc = await call(session, "create_cell", code='print("share is", share)', notebook="gamma.py",
                                after="share", run=True)
        assert not error and doc["cells"][0]["console"][0]["data"] == "share is 21.0\n"
    wait_until(lambda: ("share", "share = y / 2") in file_cells(notebook), what="the new cell in the file")
    stdout = exported_run(notebook, tmp_path / "gamma_script.py")
    assert "share is 21.0\n" in stdout


# ---------------------------------------------------------------- multiply-defined names


def test_multiply_defined_name_is_refused_through_the_cli_and_nothing_applied(seven: Seven) -> None:
    notebook = seven.path("delta.py")
    before = notebook.read_bytes()
    result = seven.cli("create", "--notebook", "delta.py", "-", stdin="x = 5\n")
    assert result.code == 1
    error = result.json["error"]
    assert error["kind"] == "multiply_defined"
    assert error["names"] == {"x": [define_x_id(seven, "delta.py")]}
    assert error["cells"] == [{"id": define_x_id(seven, "delta.py"), "name": "define_x"}]
    assert "define_x" in error["message"] and "Nothing was applied" in error["next"]
    assert notebook.read_bytes() == before
    assert [c["id"] for c in seven.cli("cells", "--notebook", "delta.py").json["cells"]] == seven.browsers["delta.py"].cell_ids


async def test_multiply_defined_name_is_refused_through_mcp_and_nothing_applied(seven: Seven) -> None:
    notebook = seven.path("delta.py")
    before = notebook.read_bytes()
    async with mcp_session(seven.state_home) as session:
        error, doc = await call(session, "create_cell", code="x = 5\ny = 0", notebook="delta.py")
        assert error and doc["error"]["kind"] == "multiply_defined"
        assert set(doc["error"]["names"]) == {"x", "y"}
        assert {"id": define_x_id(seven, "delta.py"), "name": "define_x"} in doc["error"]["cells"]
        assert "Nothing was applied" in doc["error"]["next"]
        error, doc = await call(session, "cells", notebook="delta.py")
        assert [c["id"] for c in doc["cells"]] == seven.browsers["delta.py"].cell_ids
    assert notebook.read_bytes() == before


# ---------------------------------------------------------------- missing packages


def _installed(module: str) -> bool:
    probe = subprocess.run([sys.executable, "-c", f"import importlib.util as u; print(u.find_spec({module!r}) is not None)"],
                           capture_output=True, text=True, check=True)
    return probe.stdout.strip() == "True"


@pytest.fixture
def not_installed(request: pytest.FixtureRequest) -> Iterator[str]:
    """A small pure-Python package the server's environment lacks; uninstalled again afterwards."""
    name = request.param
    if _installed(name):
        pytest.skip(f"{name} is already installed in the server's environment: nothing to replay")
    try:
        yield name
    finally:
        if _installed(name):
            subprocess.run([sys.executable, "-m", "pip", "uninstall", "-y", "-q", name], capture_output=True, timeout=120)


@pytest.mark.parametrize("not_installed", ["humanize"], indirect=True)
def test_missing_import_is_fixed_with_packages_add_through_the_cli(seven: Seven, not_installed: str) -> None:
    created = seven.cli("create", "--notebook", "epsilon.py", "--run", "-",
                        stdin="import humanize\nprint(humanize.intcomma(1234567))\n")
    assert created.code == 1, created
    cell_id = created.json["created"]
    assert created.json["failed"] == [cell_id]
    assert "ModuleNotFoundError" in created.stderr + str(created.json["cells"][0])

    added = seven.cli("packages", "add", "humanize", "--notebook", "epsilon.py", timeout=300)
    assert added.code == 0, added
    assert [p["outcome"] for p in added.json["packages"]] == ["success"]

    rerun = seven.cli("run", cell_id, "--notebook", "epsilon.py")
    assert rerun.code == 0, rerun
    assert rerun.json["cells"][0]["status"] == "idle"
    assert rerun.json["cells"][0]["console"][0]["data"] == "1,234,567\n"


@pytest.mark.parametrize("not_installed", ["inflection"], indirect=True)
async def test_missing_import_is_fixed_with_add_packages_through_mcp(seven: Seven, not_installed: str) -> None:
    async with mcp_session(seven.state_home) as session:
        error, doc = await call(session, "create_cell", notebook="epsilon.py", run=True,
                                code='import inflection\nprint(inflection.underscore("DeviceType"))')
        assert error and doc["success"] is False
        cell_id = doc["created"]
        assert doc["failed"] == [cell_id] and "ModuleNotFoundError" in str(doc["cells"][0])

        error, doc = await call(session, "add_packages", packages=["inflection"], notebook="epsilon.py", timeout=300)
        assert not error and [p["outcome"] for p in doc["packages"]] == ["success"], doc

        error, doc = await call(session, "run_cells", cells=[cell_id], notebook="epsilon.py")
        assert not error and doc["cells"][0]["console"][0]["data"] == "device_type\n"
        error, doc = await call(session, "cells", notebook="epsilon.py", ids=[cell_id])
        assert doc["cells"][0]["status"] == "idle" and "errors" not in doc["cells"][0]


# ---------------------------------------------------------------- unknown cell ids


def near_miss(cell_id: str) -> str:
    return cell_id[:-1] + ("A" if cell_id[-1] != "A" else "B")


def test_unknown_cell_id_lists_nearby_ids_through_the_cli(seven: Seven) -> None:
    real = define_x_id(seven, "sales.py")
    notebook = str(seven.path("sales.py"))
    for command in (["run", near_miss(real)], ["delete", near_miss(real)], ["edit", near_miss(real), "--force", "-c", "x = 1"]):
        result = seven.cli(*command, "--notebook", notebook)
        assert result.code == 2, (command, result)
        error = result.json["error"]
        assert error["kind"] == "cell_not_found" and real in error["nearest"]
        assert f"Nearest: {', '.join(error['nearest'])}" in error["message"] and error["next"]
    assert [c["id"] for c in seven.cli("cells", "--notebook", notebook).json["cells"]] == seven.browsers["sales.py"].cell_ids


async def test_unknown_cell_id_lists_nearby_ids_through_mcp(seven: Seven) -> None:
    real = define_x_id(seven, "archive/sales.py")
    notebook = str(seven.path("archive/sales.py"))
    async with mcp_session(seven.state_home) as session:
        error, doc = await call(session, "run_cells", cells=[near_miss(real)], notebook=notebook)
        assert error and doc["error"]["kind"] == "cell_not_found" and real in doc["error"]["nearest"]
        error, doc = await call(session, "cells", ids=[near_miss(real)], notebook=notebook)
        assert error and doc["error"]["kind"] == "cell_not_found" and real in doc["error"]["nearest"]
        # An object where an id belongs: a structured refusal that says what to pass.
        error, doc = await call(session, "run_cells", cells=[{"id": real}], notebook=notebook)
        assert error and doc["error"]["kind"] == "invalid_request"
        assert doc["error"]["arguments"][0]["argument"] == "cells.0" and "strings" in doc["error"]["next"]
