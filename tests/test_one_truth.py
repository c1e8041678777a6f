"""One truth about a notebook: the live model equals code_mode's snapshot whenever the kernel is idle.

Random short sequences of what agents and people do to a live session
(code_mode create/edit/run/move/delete, a browser's `POST /api/kernel/run`
with new code, a raising cell, an interrupted sleeper, a scratchpad snippet)
run against a real marimo server. After each sequence the kiosk-fed
`Notebook` and `codemode.snapshot()` must agree on every cell: code, hash,
name, order, status, errors, defs and refs.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from marimo_pair_tui.core.codemode import client as codemode
from marimo_pair_tui.core.documents import cell_json
from marimo_pair_tui.core.wire.discovery import ServerInfo
from marimo_pair_tui.core.errors import PairError
from marimo_pair_tui.core.wire.kernel import kernel_state
from marimo_pair_tui.core.servers.hub import Hub
from marimo_pair_tui.core.service.pairing_service import HubOptions, PairingService
from marimo_pair_tui.core.wire.sessions import SessionRef, Target
from tests.support.cell_lab import CellLab
from tests.support.marimo_proc import BrowserSession

T = TypeVar("T")
FIELDS = ("id", "code", "hash", "name", "status", "errors", "defs", "refs")
IDLE_TIMEOUT = 30.0
ACTIONS = ("create", "create_run", "edit", "edit_back", "run", "move", "delete", "browser_run",
           "browser_edit_run", "raise", "interrupt", "snippet")


class Loop:
    """An event loop in a thread, so one Mirror outlives hypothesis examples."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 120) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()


class Live:
    """A notebook session, its browser, and the service following it (its live mirror and operations)."""

    def __init__(self, lab: CellLab, loop: Loop) -> None:
        self.lab, self.loop = lab, loop
        self.path, self.browser = lab.fresh()
        self.names = itertools.count()
        self.service = PairingService(HubOptions(urls=[lab.server.url]))
        server = ServerInfo(url=lab.server.url, host=lab.server.host, port=lab.server.port, source="url")
        self.target = Target(server=server, notebook=str(self.path),
                             session=SessionRef(self.browser.session_id, self.browser.routing_id))
        self.pairing = loop.run(self.service.mirror(self.target)).value
        assert self.pairing.live_state == "live"
        self.last_run_code: dict[str, str] = {}

    def close(self) -> None:
        self.loop.run(self.service.aclose())


@pytest.fixture(scope="module")
def live(lab: CellLab) -> Iterator[Live]:
    loop = Loop()
    session = Live(lab, loop)
    try:
        yield session
    finally:
        session.close()
        loop.close()


def browser_post(browser: BrowserSession, path: str, body: dict[str, Any]) -> None:
    """A control request from the browser's main connection (routing id and server token)."""
    response = browser.server.post(
        path,
        headers={"Marimo-Session-Id": browser.routing_id, "Marimo-Server-Token": browser.server_token or ""},
        json=body,
    )
    assert response.status_code == 200, response.text


# ---------------------------------------------------------------- actions


@dataclass
class Step:
    """What one action works with: the live session, the cell it picked, a fresh number for the names it
    defines, and a defined name its new code may read."""

    live: Live
    target: str | None
    ids: list[str]
    n: int
    source: str
    pick: int


async def _create(step: Step, action: str) -> None:
    code = f"v{step.n} = {step.source} + 1\nprint('v{step.n}', v{step.n})"
    await step.live.service.create_cell(step.live.target, code, after=step.target, run=action == "create_run")


async def _edit(step: Step, action: str) -> None:
    assert step.target is not None
    cell = step.live.pairing.notebook.cell(step.target)
    await step.live.service.edit_cell(step.live.target, step.target, cell.code + f"\n_e{step.n} = {step.n}",
                                      expect=cell.hash)


async def _edit_back(step: Step, action: str) -> None:
    # An edit away and back: the code is what last ran, yet code_mode registered it anew.
    s, t, nb, target = step.live.service, step.live.target, step.live.pairing.notebook, step.target
    assert target is not None
    code = nb.cell(target).code
    await s.edit_cell(t, target, code + "\npass", force=True)
    assert nb.cell(target).code == code + "\npass"  # the service returned once the mirror showed it
    await s.edit_cell(t, target, code, force=True)


async def _run(step: Step, action: str) -> None:
    assert step.target is not None
    await step.live.service.run_cells(step.live.target, [step.target])


async def _move(step: Step, action: str) -> None:
    assert step.target is not None
    other = step.ids[(step.pick // 7) % len(step.ids)]
    if other != step.target:
        await step.live.service.move_cell(step.live.target, step.target, after=other)


async def _delete(step: Step, action: str) -> None:
    assert step.target is not None
    p = step.live.pairing
    result = (await step.live.service.delete_cell(step.live.target, step.target)).value
    snap = await codemode.snapshot(p.connection, p.target.session)
    statuses = {c.id: c.status for c in snap.cells}
    for cid in result.extra["stale"]:  # only cells a snapshot calls stale
        assert statuses[cid] == "stale", (cid, statuses)


async def _browser_run(step: Step, action: str) -> None:
    live, target = step.live, step.target
    assert target is not None
    code = live.pairing.notebook.cell(target).code + f"\n_b{step.n} = {step.n}"
    if action == "browser_edit_run":  # a real browser also sends the edit to the document
        browser_post(live.browser, "/api/document/transaction",
                     {"changes": [{"type": "set-code", "cellId": target, "code": code}]})
    browser_post(live.browser, "/api/kernel/run", {"cellIds": [target], "codes": [code]})
    await live.pairing.wait_until(lambda m: m.cell(target).run_code == code or m.get(target) is None, 20)


async def _raise(step: Step, action: str) -> None:
    await step.live.service.create_cell(step.live.target, f"raise ValueError('boom {step.n}')", after=step.target,
                                        run=True)


async def _interrupt(step: Step, action: str) -> None:
    live, n, nb = step.live, step.n, step.live.pairing.notebook
    created = (await live.service.create_cell(live.target, f"import time as _t{n}\n_t{n}.sleep(30)",
                                              after=step.target)).value
    sleeper = created.extra["created"]
    assert nb.get(sleeper) is not None  # read-your-writes: the mirror shows the new cell
    browser_post(live.browser, "/api/kernel/run", {"cellIds": [sleeper], "codes": [nb.cell(sleeper).code]})
    assert await live.pairing.wait_until(lambda m: m.cell(sleeper).runtime == "running", 20)
    await live.service.interrupt(live.target)
    assert await live.pairing.wait_until(lambda m: m.cell(sleeper).status == "interrupted", 20), \
        cell_json(nb.cell(sleeper))


async def _snippet(step: Step, action: str) -> None:
    await step.live.service.execute(step.live.target, f"print('snippet {step.n}')")


def _always(step: Step) -> bool:
    return True


def _picked(step: Step) -> bool:
    return step.target is not None


# Each action: when it applies (else it is skipped), and what it does.
DOING: dict[str, tuple[Callable[[Step], bool], Callable[[Step, str], Coroutine[Any, Any, None]]]] = {
    "create": (_always, _create), "create_run": (_always, _create), "edit": (_picked, _edit),
    "edit_back": (_picked, _edit_back), "run": (_picked, _run),
    "move": (lambda step: len(step.ids) > 1 and step.target is not None, _move),
    "delete": (lambda step: len(step.ids) > 3 and step.target is not None, _delete),
    "browser_run": (_picked, _browser_run), "browser_edit_run": (_picked, _browser_run),
    "raise": (_always, _raise), "interrupt": (_always, _interrupt), "snippet": (_always, _snippet),
}


async def act(live: Live, action: str, pick: int) -> str:
    """Do one thing to the notebook; returns a line for the failure report."""
    nb = live.pairing.notebook
    ids = nb.cell_ids
    target = ids[pick % len(ids)] if ids else None
    if action in ("run", "browser_run", "browser_edit_run") and target is not None and "sleep(" in nb.cell(target).code:
        return f"{action}: not the sleeper {target}"  # it would hold the kernel for 30 s
    defined = sorted({name for c in nb.cells for name in c.defs if name.startswith("v")})
    step = Step(live, target, ids, next(live.names), defined[pick % len(defined)] if defined else "1", pick)
    applies, doing = DOING.get(action, (lambda step: False, _snippet))
    if not applies(step):
        return f"{action}: skipped"
    try:
        await doing(step, action)
    except PairError as exc:  # a refusal (e.g. a name another cell defines) applies nothing
        return f"{action} {target}: refused {exc.message[:80]}"
    return f"{action} {target}"


async def wait_idle(live: Live, history: list[str] | None = None) -> None:
    """Until the kernel says idle, the mirror has nothing queued or running, and both agree twice."""
    p = live.pairing
    deadline = time.monotonic() + IDLE_TIMEOUT
    calm = 0
    while calm < 2:
        state = await kernel_state(p.connection, p.target.session)
        model_idle = await p.wait_until(lambda m: m.is_idle(), max(0.1, deadline - time.monotonic()))
        calm = calm + 1 if state == "idle" and model_idle else 0
        assert time.monotonic() < deadline, (
            f"not idle: kernel {state}, model idle {model_idle}; running: {p.notebook.running_cell_ids()} "
            f"{[p.notebook.cell(c).code[:60] for c in p.notebook.running_cell_ids() if p.notebook.get(c)]}; "
            f"after: {'; '.join(history or [])}")
        running = [c for c in p.notebook.running_cell_ids() if p.notebook.get(c)]
        if running and all("sleep(30)" in p.notebook.cell(c).code for c in running):
            # Only the interrupt step's own 30 s sleepers run (marimo ran one again after a later step):
            # they are the scenario's scaffolding, not what is compared; stop them as that step does.
            await live.service.interrupt(live.target)
        if calm < 2:  # an event that arrives meanwhile wakes this early
            await p.wait_until(lambda m: False, 0.1)


async def compare(live: Live, history: list[str]) -> None:
    p = live.pairing
    await wait_idle(live, history)
    snap = await codemode.snapshot(p.connection, p.target.session)
    # The snapshot program's own run must reach the mirror before reading it.
    assert await p.wait_until(lambda m: m.is_idle(), 10)
    model = p.notebook
    assert model.cell_ids == snap.order, history
    diffs = []
    for ours, theirs in zip(model.cells, snap.cells):
        mine, truth = cell_json(ours), cell_json(theirs)
        for key in FIELDS:
            if mine.get(key) != truth.get(key):  # a field left out is empty on that side
                diffs.append(f"{theirs.id} {key}: live={mine.get(key)!r} snapshot={truth.get(key)!r}")
    assert not diffs, "\n".join(["after: " + "; ".join(history), *diffs])


# One session serves every example, so a failing sequence cannot be replayed
# from the same state: no shrinking, the report names the whole history.
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture],
          phases=(Phase.explicit, Phase.generate), print_blob=False)
@given(steps=st.lists(st.tuples(st.sampled_from(ACTIONS), st.integers(0, 10_000)), min_size=1, max_size=3))
def test_live_model_equals_the_snapshot_when_idle(live: Live, steps: list[tuple[str, int]]) -> None:
    history: list[str] = []

    async def scenario() -> None:
        for action, pick in steps:
            history.append(await act(live, action, pick))
        await compare(live, history)

    live.loop.run(scenario())


def test_every_action_kind_once_then_one_truth(live: Live) -> None:
    """Each action at least once, whatever hypothesis drew (the sequence above is random)."""
    history: list[str] = []

    async def scenario() -> None:
        for pick, action in enumerate(ACTIONS):
            history.append(await act(live, action, pick * 3 + 1))
            await compare(live, history)

    live.loop.run(scenario(), timeout=300)


def test_delete_reports_only_descendants_that_go_stale(lab: CellLab) -> None:
    """code_mode's delete in autorun mode does not re-run descendants: they stay idle, so not `stale`."""
    path, browser = lab.fresh()

    async def scenario() -> None:
        async with Hub(HubOptions(urls=[lab.server.url])) as hub:
            conn = hub.connection(ServerInfo(url=lab.server.url, host=lab.server.host, port=lab.server.port,
                                             source="url"))
            ref = SessionRef(browser.session_id, browser.routing_id)
            # `define_x` has a child (`y = x + 1`) that ran, and a never-run one, registered by code_mode.
            pending = (await codemode.create_cell(conn, ref, "w = x * 3")).extra["created"]
            result = await codemode.delete_cell(conn, ref, "define_x")
            snap = await codemode.snapshot(conn, ref)
            status = {c.id: c.status for c in snap.cells}
            printer = snap.order[1]
            assert status[printer] == "idle" and status[pending] == "stale"
            assert result.extra["stale"] == [pending]
            assert [c.id for c in result.cells] == [pending]

    asyncio.run(scenario())
    del path


# ---------------------------------------------------------------- the model alone


def _ready(*cells: tuple[str, str]) -> Any:
    from marimo_pair_tui.core.model.notebook import Notebook

    nb = Notebook()
    nb.apply_event({"op": "kernel-ready", "data": {"cell_ids": [c for c, _ in cells], "codes": [k for _, k in cells],
                                                   "names": ["_"] * len(cells)}})
    for cid, _code in cells:
        for status in ("queued", "running", "idle"):
            nb.apply_event({"op": "cell-op", "data": {"cell_id": cid, "status": status}})
    return nb


def _set_code(nb: Any, cid: str, code: str, source: str) -> None:
    nb.apply_event({"op": "notebook-document-transaction", "data": {"transaction": {
        "source": source, "changes": [{"type": "set-code", "cellId": cid, "code": code}]}}})


def test_a_code_mode_edit_back_to_the_code_that_ran_stays_stale_until_run() -> None:
    nb = _ready(("a", "x = 1"))
    _set_code(nb, "a", "x = 2", "code-mode")
    _set_code(nb, "a", "x = 1", "code-mode")
    assert nb.cell("a").status == "stale"  # the kernel registered it anew and has not run it
    for status in ("queued", "running", "idle"):
        nb.apply_event({"op": "cell-op", "data": {"cell_id": "a", "status": status}})
    assert nb.cell("a").status == "idle"
    # A browser's document edit to the code the kernel already ran is not stale.
    nb.apply_event({"op": "execution", "data": {"cell_id": "a", "phase": "planned", "code": "x = 3"}})
    _set_code(nb, "a", "x = 3", "frontend")
    assert nb.cell("a").status == "idle" and nb.cell("a").hash == cell_json(nb.cell("a"))["hash"]


def test_a_missing_name_is_the_cells_own_exception_and_errors_follow_labels() -> None:
    nb = _ready(("a", "x = 1"), ("b", "y = x + 1\nprint(y)"))
    nb.apply_event({"op": "notebook-document-transaction", "data": {"transaction": {
        "source": "code-mode", "changes": [{"type": "set-name", "cellId": "a", "name": "base"}]}}})
    missing = [{"type": "exception", "exception_type": "NameError", "raising_cell": "a",
                "msg": "Name `x` is not defined. It was expected to be defined in "}]
    nb.apply_event({"op": "cell-op", "data": {"cell_id": "b", "status": "running"}})
    nb.apply_event({"op": "cell-op", "data": {"cell_id": "b", "output": {
        "mimetype": "application/vnd.marimo+error", "data": missing}}})
    nb.apply_event({"op": "cell-op", "data": {"cell_id": "b", "status": "idle"}})
    b = nb.cell("b")
    assert b.status == "exception"  # marimo's run result; "Ancestor raised" would be cancelled
    assert [e.message for e in b.errors] == ["Name `x` is not defined. It was expected to be defined in cell base"]
    assert b.refs == {"print", "x"} and b.defs == {"y"}  # the compiler's, as code_mode says
    nb.apply_event({"op": "notebook-document-transaction", "data": {"transaction": {
        "source": "code-mode", "changes": [{"type": "delete-cell", "cellId": "a"}]}}})
    # A snapshot names a deleted cell by its id: so does the model.
    assert [e.message for e in b.errors] == ["Name `x` is not defined. It was expected to be defined in cell a"]


def test_code_that_does_not_compile_keeps_the_graphs_defs_and_refs() -> None:
    nb = _ready(("a", "x = 1"))
    nb.apply_event({"op": "variables", "data": {"variables": [{"name": "x", "declared_by": ["a"], "used_by": []}]}})
    _set_code(nb, "a", "x = (", "frontend")
    assert nb.cell("a").defs == {"x"} and nb.cell("a").refs == set()
