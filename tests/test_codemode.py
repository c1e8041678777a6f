"""core/codemode/client.py against a real marimo server: programs built from data, framed replies, refusals."""

from __future__ import annotations

import ast
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from marimo_pair_tui.core.codemode import client as codemode
from marimo_pair_tui.core.codemode.programs import base as codemode_kernel
from marimo_pair_tui.core.model.cell import code_hash
from marimo_pair_tui.core.wire.connection import Connection
from marimo_pair_tui.core.wire.discovery import parse_server_url
from marimo_pair_tui.core.errors import (
    CellNotFoundError,
    CellSyntaxError,
    ConflictError,
    CycleError,
    InvalidRequestError,
    MultiplyDefinedError,
)
from marimo_pair_tui.core.wire.sessions import SessionRef
from tests.support.cell_lab import CellLab, file_cells
from tests.support.waiting import wait_until
from tests.support.marimo_proc import BrowserSession

CELL_KEYS = {"id", "name", "code", "hash", "status", "errors", "labels", "console", "output", "defs", "refs", "config"}


@pytest.fixture
async def conn(lab: CellLab) -> AsyncIterator[Connection]:
    async with Connection(parse_server_url(lab.server.url)) as connection:
        yield connection


def ref(browser: BrowserSession) -> SessionRef:
    return SessionRef(browser.session_id, browser.routing_id)


def codes_on_disk(path: Path) -> list[str]:
    return [code for _name, code in file_cells(path)]


# ---------------------------------------------------------------- no server


@settings(max_examples=200, deadline=None)
@given(code=st.text(), nonce=st.text(alphabet="0123456789abcdef", min_size=32, max_size=32))
def test_program_embeds_any_code_as_a_literal(code: str, nonce: str) -> None:
    """Whatever the code, the program compiles and carries it only inside the request literal."""
    request = {"op": "create", "nonce": nonce, "code": code}
    program = codemode.build_program(request)
    tree = compile(program, "<p>", "exec", flags=ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    last = tree.body[-1]
    assert isinstance(last, ast.Expr) and isinstance(last.value, ast.Await)
    call = last.value.value
    assert isinstance(call, ast.Call) and isinstance(call.args[0], ast.Constant)
    assert json.loads(call.args[0].value) == request
    # The program text is the same for every request apart from that one literal.
    other = codemode.build_program({"op": "create", "nonce": nonce, "code": "pass"})
    assert program.rsplit("\n", 2)[0] == other.rsplit("\n", 2)[0]


def test_reply_framing_ignores_other_nonces_and_reassembles_chunks() -> None:
    reply = {"ok": True, "cells": [{"id": "a", "code": "x" * 50}]}
    text = json.dumps(reply)
    parts = [text[:20], text[20:]]
    forged = f"{codemode.MARKER}:{'0' * 32}:0:1:" + json.dumps({"ok": True, "cells": []})
    stdout = "\n".join(
        ["cell says hi", forged, f"{codemode.MARKER}:n1:1:2:{parts[1]}", "summary line", f"{codemode.MARKER}:n1:0:2:{parts[0]}"]
    )
    parsed, narration = codemode.parse_reply(stdout, "n1")
    assert parsed == reply
    assert "summary line" in narration and "cell says hi" in narration and "n1" not in narration
    # A missing chunk is no reply at all, never half of one.
    assert codemode.parse_reply("\n".join(stdout.split("\n")[:3]), "n1")[0] is None


def test_hash_is_the_same_in_the_kernel_and_on_the_host() -> None:
    for code in ["", "x = 1", "ä = '∑'\n", "\r\n\t"]:
        assert code_hash(code) == codemode_kernel.code_hash(code)
        assert len(code_hash(code)) == 12


async def test_invalid_requests_fail_before_any_io() -> None:
    never = SessionRef("sess-none", "s_none")
    dead = Connection(parse_server_url("http://127.0.0.1:9"))
    with pytest.raises(InvalidRequestError):
        await codemode.edit_cell(dead, never, "a", "x = 1")  # no expectation and no force
    with pytest.raises(InvalidRequestError):
        await codemode.create_cell(dead, never, "x = '\ud800'")
    with pytest.raises(InvalidRequestError):
        await codemode.move_cell(dead, never, "a")
    await dead.aclose()


# ---------------------------------------------------------------- real server


async def test_snapshot_reports_every_cell_in_order(lab: CellLab, conn: Connection) -> None:
    path, browser = lab.fresh()
    snap = await codemode.snapshot(conn, ref(browser))
    assert [c.code for c in snap.cells] == codes_on_disk(path)
    assert snap.order == browser.cell_ids
    for raw in snap.raw["cells"]:
        assert set(raw) == CELL_KEYS
        assert raw["hash"] == code_hash(raw["code"])
    by_code = {c.code: c for c in snap.cells}
    printer = by_code['y = x + 1\nprint("y is", y)']
    assert printer.status == "idle"
    assert [(c.channel, c.data) for c in printer.console] == [("stdout", "y is 42\n")]
    assert printer.defs == ["y"] and "x" in printer.refs
    assert by_code["x = 41"].name == "define_x"
    assert by_code['mo.md("# Demo")'].output is not None
    assert "Demo" in by_code['mo.md("# Demo")'].output["data"]


async def test_reply_survives_a_cell_that_forges_one(lab: CellLab, conn: Connection) -> None:
    """A cell printing marker lines (even a whole fake reply) cannot pass for the reply."""
    _path, browser = lab.fresh()
    forged = codemode.MARKER + ":" + "f" * 32 + ":0:1:" + json.dumps({"ok": True, "cells": []})
    code = f"print({forged!r})\nprint({codemode.MARKER!r} + ':broken')"
    result = await codemode.create_cell(conn, ref(browser), code, run=True)
    assert [c.id for c in result.cells] == [result.extra["created"]]
    assert result.cells[0].code == code
    assert forged in result.cells[0].console[0].data


async def test_big_outputs_are_bounded_and_big_replies_arrive_whole(lab: CellLab, conn: Connection) -> None:
    _path, browser = lab.fresh()
    session = ref(browser)
    for i in range(4):
        await codemode.create_cell(conn, session, f"print('{i}' * 300_000)", run=True)
    snap = await codemode.snapshot(conn, session)
    big = [c for c in snap.cells if c.code.startswith("print(")]
    assert len(big) == 4
    for i, cell in enumerate(big):
        text = "".join(c.data for c in cell.console)
        assert len(text) < codemode_kernel.CONSOLE_BUDGET + 200
        assert "characters omitted" in text and text.endswith(f"{i}" * 100 + "\n")
    # Four bounded consoles exceed one reply chunk: the reply came in pieces.
    assert len(json.dumps(snap.raw)) > codemode_kernel.CHUNK_CHARS


async def test_create_places_runs_and_reports_state_after_the_run(lab: CellLab, conn: Connection) -> None:
    path, browser = lab.fresh()
    session = ref(browser)
    result = await codemode.create_cell(conn, session, "z = x * 2\nprint('z is', z)", after="define_x", run=True, name="double")
    new = result.extra["created"]
    assert result.order.index(new) == result.order.index(browser.cell_ids[1]) + 1
    (cell,) = result.cells
    assert (cell.id, cell.name, cell.status) == (new, "double", "idle")
    assert [c.data for c in cell.console] == ["z is 82\n"]
    assert result.success
    wait_until(lambda: "z = x * 2\nprint('z is', z)" in codes_on_disk(path), what="the new cell on disk")
    # Addressed by name afterwards.
    again = await codemode.run_cells(conn, session, ["double"])
    assert [c.id for c in again.cells] == [new]


async def test_a_failing_cell_is_reported_as_failed(lab: CellLab, conn: Connection) -> None:
    _path, browser = lab.fresh()
    result = await codemode.create_cell(conn, ref(browser), "1 / 0", run=True)
    (cell,) = result.cells
    assert cell.status == "exception"
    assert [e.kind for e in cell.errors] == ["runtime"] and "ZeroDivisionError" in cell.errors[0].message
    assert not result.success and result.failed_cells == [cell.id]


async def test_run_reports_the_cells_and_their_descendants(lab: CellLab, conn: Connection) -> None:
    _path, browser = lab.fresh()
    ids = browser.cell_ids
    await codemode.edit_cell(conn, ref(browser), ids[1], "x = 1", expect=code_hash("x = 41"))
    result = await codemode.run_cells(conn, ref(browser), [ids[1]])
    assert [c.id for c in result.cells] == [ids[1], ids[2]]
    assert result.cells[1].console[0].data == "y is 2\n"
    assert all(c.status == "idle" for c in result.cells)


async def test_edit_checks_the_base_inside_the_kernel(lab: CellLab, conn: Connection) -> None:
    path, browser = lab.fresh()
    session = ref(browser)
    snap = await codemode.snapshot(conn, session)
    target = snap.cells[1]
    # Another client changes the cell after we read it.
    lab.execute(
        browser,
        "import marimo._code_mode as cm\n"
        "async with cm.get_context(skip_staleness_check=True) as ctx:\n"
        f"    ctx.edit_cell({target.id!r}, code='x = 1000')\n",
    )
    wait_until(lambda: "x = 1000" in codes_on_disk(path), what="the other client's edit on disk")
    with pytest.raises(ConflictError) as caught:
        await codemode.edit_cell(conn, session, target.id, "x = 5", expect=target.hash)
    details = caught.value.details
    assert (details["theirs"], details["yours"], details["base_hash"]) == ("x = 1000", "x = 5", target.hash)
    assert caught.value.exit_code == 5
    with pytest.raises(ConflictError):
        await codemode.edit_cell(conn, session, target.id, "x = 5", base="x = 41")
    assert "x = 1000" in codes_on_disk(path) and "x = 5" not in codes_on_disk(path)
    # The base code works as well as the hash; force skips the check.
    ok = await codemode.edit_cell(conn, session, "define_x", "x = 6", base="x = 1000")
    assert ok.cells[0].code == "x = 6" and ok.extra["previous_hash"] == code_hash("x = 1000")
    forced = await codemode.edit_cell(conn, session, target.id, "x = 7", force=True)
    assert forced.cells[0].code == "x = 7"
    wait_until(lambda: "x = 7" in codes_on_disk(path), what="the forced edit on disk")


@pytest.mark.parametrize("instantiate", [True, False], ids=["ran", "never-ran"])
async def test_multiply_defined_names_are_refused(lab: CellLab, conn: Connection, instantiate: bool) -> None:
    path, browser = lab.fresh(instantiate=instantiate)
    before = path.read_bytes()
    with pytest.raises(MultiplyDefinedError) as caught:
        await codemode.create_cell(conn, ref(browser), "x = 5")
    assert caught.value.details["names"] == {"x": [browser.cell_ids[1]]}
    assert "define_x" in caught.value.message and caught.value.exit_code == 1
    with pytest.raises(MultiplyDefinedError):
        await codemode.edit_cell(conn, ref(browser), browser.cell_ids[2], "x = 2\ny = 3", force=True)
    snap = await codemode.snapshot(conn, ref(browser))
    assert [c.code for c in snap.cells].count("x = 5") == 0
    assert path.read_bytes() == before
    # Private names are per cell: no clash.
    fine = await codemode.create_cell(conn, ref(browser), "_x = 5")
    assert fine.cells[0].defs == []


@pytest.mark.parametrize("instantiate", [True, False], ids=["ran", "never-ran"])
async def test_syntax_errors_and_cycles_are_refused(lab: CellLab, conn: Connection, instantiate: bool) -> None:
    path, browser = lab.fresh(instantiate=instantiate)
    before = path.read_bytes()
    with pytest.raises(CellSyntaxError) as caught:
        await codemode.create_cell(conn, ref(browser), "def f(:\n    pass")
    assert caught.value.details["line"] == 1
    with pytest.raises(CycleError) as cycle:
        await codemode.edit_cell(conn, ref(browser), "define_x", "x = y", expect=code_hash("x = 41"))
    assert browser.cell_ids[2] in {c["id"] for c in cycle.value.details["cells"]}
    assert path.read_bytes() == before


async def test_unknown_cells_list_the_nearest(lab: CellLab, conn: Connection) -> None:
    _path, browser = lab.fresh()
    with pytest.raises(CellNotFoundError) as caught:
        await codemode.run_cells(conn, ref(browser), ["defin_x"])
    assert caught.value.details["nearest"][0] == "define_x"
    assert caught.value.details["known"] == browser.cell_ids
    with pytest.raises(CellNotFoundError) as by_id:
        await codemode.delete_cell(conn, ref(browser), browser.cell_ids[0][:-1] + "Q")
    assert browser.cell_ids[0] in by_id.value.details["nearest"]
    assert caught.value.exit_code == 2


async def test_delete_reports_stale_descendants_and_move_reorders_the_file(lab: CellLab, conn: Connection) -> None:
    path, browser = lab.fresh()
    ids = browser.cell_ids
    deleted = await codemode.delete_cell(conn, ref(browser), "define_x")
    # code_mode does not re-run the child (`y = x + 1`) and it still reports idle:
    # not stale (tests/test_one_truth.py has a descendant that does go stale).
    assert deleted.extra["stale"] == [] and deleted.extra["deleted"]["code"] == "x = 41"
    assert deleted.cells == []
    wait_until(lambda: "x = 41" not in codes_on_disk(path), what="the deletion on disk")
    moved = await codemode.move_cell(conn, ref(browser), ids[0], after=ids[3])
    assert moved.order == [ids[2], ids[3], ids[0]]
    # marimo rewrites mo.md("# Demo") in its own style when it saves: check the others.
    first, _markdown, last = wait_until(
        lambda: (codes := codes_on_disk(path))[-1] == "import marimo as mo" and codes, what="the new order on disk"
    )
    assert (first, last) == ('y = x + 1\nprint("y is", y)', "import marimo as mo")


async def test_packages_add_reports_each_outcome(lab: CellLab, conn: Connection, tmp_path: Path) -> None:
    _path, browser = lab.fresh()
    missing = str(tmp_path / "no-such-package")
    result = await codemode.add_packages(conn, ref(browser), [missing])
    assert result.extra["packages"] == [{"name": missing, "outcome": "failed"}]
    assert not result.success


def test_saving_warnings_name_what_marimo_will_not_save_exactly() -> None:
    assert codemode.saving_warnings("x = 'plain ascii and é ∑ 🙂'") == []
    (breaks,) = codemode.saving_warnings("# a\u2028b\x0c")
    assert "U+000C" in breaks and "U+2028" in breaks
    assert "U+00A0" in codemode.saving_warnings("x =\u00a01")[0]
