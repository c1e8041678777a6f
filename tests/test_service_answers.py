"""Every one-shot call through the pairing service answers: one JSON document and its exit code.

The service's code changing on disk (an edit, an upgrade) while calls come and
go, a service stopping with a call half handed over, and a call in flight
while clients of two versions take turns: each made real against real
service processes (and a real marimo kernel where code runs).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sys
from pathlib import Path

from marimo_pair_tui.headless import service_wire
from tests.clihelp import CliResult
from tests.support.cell_lab import wait_until
from tests.test_pairing_service import Calls, calls, services_for  # noqa: F401  (the fixture)


def package_copy(calls: Calls) -> Path:
    """Another copy of the package (a checkout being edited): the directory to run it from."""
    alt = calls.runtime / "alt"
    shutil.copytree(Path(service_wire.__file__).parent.parent, alt / "marimo_pair_tui",
                    ignore=shutil.ignore_patterns("__pycache__"))
    return alt


def one_document(result: CliResult) -> dict:
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert len(lines) == 1, f"exit {result.code}: stdout {result.stdout!r}, stderr {result.stderr!r}"
    return json.loads(lines[0])


def test_a_command_whose_code_does_not_load_answers_with_a_document(calls: Calls) -> None:
    """A file caught half-saved when the service first loads the commands (a name used before the
    edit that defines it is saved): the call gets a JSON error, not an exit code alone."""
    alt = package_copy(calls)
    module = alt / "marimo_pair_tui" / "headless" / "kernel_commands.py"
    whole = module.read_text()
    module.write_text(whole + "\nHALF_SAVED = NOT_YET_DEFINED\n")
    env = calls.env()
    broken = calls.run("servers", env=env, cwd=alt)
    document = one_document(broken)
    assert broken.code == 1
    assert document["error"]["kind"] == "internal"
    assert "NameError" in document["error"]["message"] and "NOT_YET_DEFINED" in document["error"]["message"]
    assert "--no-service" in document["error"]["next"]
    [first] = services_for(calls.socket())

    module.write_text(whole)  # the edit completed: another version, another service
    whole_again = calls.run("servers", env=env, cwd=alt)
    assert whole_again.code == 0, whole_again.stderr
    assert one_document(whole_again) == {"servers": [], "warnings": []}
    assert calls.status(env)["pid"] != first
