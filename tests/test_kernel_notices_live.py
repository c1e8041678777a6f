"""What marimo tells besides cells, and anywidget models, read in every door against a real server.

A toast sent by code in the kernel (`mo.status.toast`, marimo's `alert`) shows in
`status`, `cells` and as a `watch` line; the environment state marimo sends on
connection shows in `status`. An anywidget counter's state is read from its model
in `cells` and `output`, and in `ui`, and each is compared with what the kernel
says (`counter.widget.count`); `set-ui` sets a trait, refuses one not in the state.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

import pytest

from tests.clihelp import CliResult, cli_env, start_cli
from tests.support import kernel_probe as probe
from tests.support.cell_lab import CellLab
from tests.support.waiting import wait_until
from tests.support.kernel_probe import session_cli
from tests.support.marimo_proc import BrowserSession

TOAST = "import marimo as _mo\n_mo.status.toast({title!r}, '<b>3</b> rows written', kind='danger')"


@pytest.fixture(scope="module")
def counter_nb(lab: CellLab) -> Iterator[tuple[Path, BrowserSession]]:
    yield lab.fresh("anywidget_counter.py")


def cli(lab: CellLab, browser: BrowserSession, *args: str) -> CliResult:
    return session_cli(lab.server, browser, *args)


def widget_part(document: dict[str, Any]) -> dict[str, Any]:
    cells = document["cells"] if "cells" in document else [document]
    for cell in cells:
        for part in (cell["output"] or {}).get("parts") or []:
            if part["type"] == "widget" and part["kind"] == "anywidget":
                return part
    raise AssertionError(f"no anywidget part in {document}")


def kernel_state(lab: CellLab, browser: BrowserSession) -> dict[str, Any]:
    """The widget's traits as the kernel holds them (bytes by size, as the doors show them)."""
    return probe.kernel(lab.server, browser, "{k: ({'bytes': len(v)} if isinstance(v, bytes) else v) "
                                             "for k, v in counter.value.items()}")


def test_a_toast_reads_in_status_and_cells(lab: CellLab, counter_nb: tuple[Path, BrowserSession]) -> None:
    _, browser = counter_nb
    assert cli(lab, browser, "status").code == 0  # the service follows the session from here on
    title = "Saved from the kernel"
    assert cli(lab, browser, "exec", "-c", TOAST.format(title=title)).code == 0
    status = wait_until(lambda: (doc := cli(lab, browser, "status").json)["notices"]["alerts"] and doc,
                        what="the toast in status")
    (alert,) = [a for a in status["notices"]["alerts"] if a["title"] == title]
    assert (alert["kind"], alert["description"], alert["variant"]) == ("alert", "**3** rows written", "danger")
    cells = cli(lab, browser, "cells", "--no-outputs").json
    assert title in [a["title"] for a in cells["notices"]["alerts"]]


def test_environment_state_is_told_on_connection(lab: CellLab, counter_nb: tuple[Path, BrowserSession]) -> None:
    _, browser = counter_nb
    environment = cli(lab, browser, "status").json["notices"]["environment"]
    assert set(environment) == {"kernel", "server"}  # marimo sends both to every client that connects
    assert not environment["kernel"]["restart_required"]


def test_watch_prints_a_toast_as_it_comes(lab: CellLab, counter_nb: tuple[Path, BrowserSession]) -> None:
    _, browser = counter_nb
    assert cli(lab, browser, "status").code == 0
    proc = start_cli(["watch", "--timeout", "60", "--url", lab.server.url, "--session", browser.session_id or ""],
                     env=cli_env(lab.server.state_home))
    try:
        assert proc.stdout is not None
        json.loads(proc.stdout.readline())  # the state on attach: watch is listening
        title = "Told while watched"
        assert cli(lab, browser, "exec", "-c", TOAST.format(title=title)).code == 0
        notices = []
        while not notices:
            line = json.loads(proc.stdout.readline())
            if "notice" in line:
                notices.append(line["notice"])
        assert (notices[0]["kind"], notices[0]["title"]) == ("alert", title)
    finally:
        proc.kill()
        proc.wait()


def test_anywidget_state_reads_as_the_kernel_holds_it(lab: CellLab, counter_nb: tuple[Path, BrowserSession]) -> None:
    _, browser = counter_nb
    truth = kernel_state(lab, browser)
    assert truth["blob"] == {"bytes": 4}
    assert widget_part(cli(lab, browser, "cells", "--parts").json)["value"] == truth
    # changed by code in the kernel: marimo tells every client the model's new state
    assert cli(lab, browser, "exec", "-c", "counter.widget.count = 9").code == 0
    truth = kernel_state(lab, browser)
    assert truth["count"] == 9
    wait_until(lambda: widget_part(cli(lab, browser, "cells", "--parts").json)["value"] == truth,
               what="cells showing the kernel's count")
    output = cli(lab, browser, "output", "widget", "--parts").json["output"]
    assert widget_part({"output": output})["value"] == truth
    ui = probe.elements(lab.server, browser)["counter"]
    assert ui["value"] == truth and ui["settable"] and ui["domain"]["model_id"]


def test_set_ui_sets_a_trait_and_refuses_others(lab: CellLab, counter_nb: tuple[Path, BrowserSession]) -> None:
    _, browser = counter_nb
    result = cli(lab, browser, "set-ui", "counter", '{"count": 5}')
    assert result.code == 0, result.stdout
    assert probe.kernel(lab.server, browser, "[counter.widget.count, shown]") == [5, 5]  # its reader re-ran
    assert result.json["element"]["value"]["count"] == 5
    truth = kernel_state(lab, browser)
    assert widget_part(cli(lab, browser, "cells", "--parts").json)["value"] == truth
    for value, why in (('{"nope": 1}', "nope is not part of its state"), ('{"blob": 1}', "blob is binary")):
        refused = cli(lab, browser, "set-ui", "counter", value)
        assert refused.code == 2 and refused.json["error"]["kind"] == "invalid_value"
        assert why in refused.json["error"]["message"] and "count, label" in refused.json["error"]["next"]
    assert probe.kernel(lab.server, browser, "counter.widget.count") == 5  # nothing sent
