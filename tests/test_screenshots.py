"""Pictures of outputs as marimo's front end draws them, with a real Chromium on a real session.

The truth is what each cell was told to draw (a red or a blue box of a known size), counted in the
PNG's pixels; that a picture changed nothing comes from the kernel (cells, code, how often each cell
ran), the notebook file and the browser that owns the session (still its editor, still told
everything).
"""

from __future__ import annotations

import asyncio
import io
import json
import stat
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from PIL import Image

from marimo_pair_tui.core.browser import Camera
from marimo_pair_tui.core.browser.profile import DRIVER_CACHE_ENV
from marimo_pair_tui.core.errors import BrowserMissingError, CellNotFoundError, NoOutputError, ScreenshotError
from marimo_pair_tui.core.wire.connection import Connection
from marimo_pair_tui.core.wire.discovery import ServerInfo
from marimo_pair_tui.core.wire.sessions import SessionRef, Target
from tests.support.cell_lab import CellLab
from tests.support.marimo_proc import BrowserSession, open_browser_session
from tests.support.waiting import gate, wait_until_async

pytestmark = pytest.mark.asyncio(loop_scope="module")

RED, BLUE, GREEN = (255, 0, 0), (0, 0, 255), (0, 255, 0)
BOX = (120, 80)  # each box's size in CSS pixels, drawn at one device pixel per CSS pixel


def box_cell(colour: str, tag: str) -> str:
    """A cell that counts its runs in the kernel (outside marimo's reactivity) and draws one box."""
    return (f'__import__("builtins").__dict__.setdefault("pair_runs", []).append("{tag}")\n'
            f"mo.Html(\"<div style='width:{BOX[0]}px;height:{BOX[1]}px;background:{colour}'></div>\")")


def notebook_text(cells: list[str]) -> str:
    body = "".join(f"\n\n@app.cell\ndef _(mo):\n{_indent(code)}\n    return\n" for code in cells)
    return ("import marimo\n\napp = marimo.App()\n\n\n@app.cell\ndef _():\n    import marimo as mo\n"
            f"    return (mo,)\n{body}\n\nif __name__ == \"__main__\":\n    app.run()\n")


def _indent(code: str) -> str:
    return "\n".join(f"    {line}" for line in code.splitlines())


RED_BLUE = notebook_text([box_cell("#ff0000", "red"), box_cell("#0000ff", "blue")])


def pixels(png: bytes) -> tuple[tuple[int, int], dict[tuple[int, int, int], int]]:
    """The picture's size and how many of its pixels are exactly red, blue and green."""
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    rgb = image.convert("RGB")
    found = dict((colour, count) for count, colour in rgb.getcolors(rgb.width * rgb.height))
    return rgb.size, {colour: found.get(colour, 0) for colour in (RED, BLUE, GREEN)}


def whole_box(count: int) -> bool:
    """All of one box (an edge may blend with the background at a fractional position)."""
    area = BOX[0] * BOX[1]
    return 0.9 * area <= count <= area


def kernel_state(lab: CellLab, browser: BrowserSession) -> dict[str, Any]:
    """The kernel's own account: each cell's id and code, and the runs the cells counted."""
    code = ("import json as _j, builtins as _b\nimport marimo._code_mode as _cm\n"
            "async with _cm.get_context() as _ctx:\n"
            "    _cells = [[_c.id, _c.code] for _c in _ctx.cells.values()]\n"
            "print(_j.dumps({'cells': _cells, 'runs': getattr(_b, 'pair_runs', [])}))\n")
    stdout = "".join(json.loads(line[len("data: "):])["data"]
                     for event, line in _sse(lab.execute(browser, code)) if event == "stdout")
    return json.loads(stdout)


def _sse(text: str) -> list[tuple[str, str]]:
    events, event = [], ""
    for line in text.splitlines():
        if line.startswith("event: "):
            event = line[len("event: "):]
        elif line.startswith("data: "):
            events.append((event, line))
    return events


def target_of(lab: CellLab, path: Path, browser: BrowserSession) -> tuple[Connection, Target]:
    server = ServerInfo(url=lab.server.url, host=lab.server.host, port=lab.server.port, source="url")
    return Connection(server), Target(server, str(path), SessionRef(browser.session_id, browser.routing_id))


def box_ids(browser: BrowserSession) -> list[str]:
    return browser.cell_ids[1:]


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def camera() -> AsyncIterator[Camera]:
    """One warm browser for the module, as the service keeps one."""
    async with Camera() as cam:
        yield cam


async def test_each_cell_picture_shows_what_the_cell_drew(lab: CellLab, camera: Camera) -> None:
    path, browser = lab.fresh(text=RED_BLUE)
    connection, target = target_of(lab, path, browser)
    red_id, blue_id = box_ids(browser)
    async with connection:
        red = await camera.cell(connection, target, red_id)
        blue = await camera.cell(connection, target, blue_id)
        whole = await camera.notebook(connection, target)
    (width, height), counts = pixels(red)
    assert BOX[0] <= width <= 1280 and BOX[1] <= height <= 4 * BOX[1]
    assert whole_box(counts[RED]) and counts[BLUE] == 0
    (width, height), counts = pixels(blue)
    assert BOX[0] <= width <= 1280 and BOX[1] <= height <= 4 * BOX[1]
    assert whole_box(counts[BLUE]) and counts[RED] == 0
    (width, height), counts = pixels(whole)
    assert width == 1280 and height >= 2 * BOX[1]
    assert whole_box(counts[RED]) and whole_box(counts[BLUE])


async def test_a_picture_changes_nothing_and_never_takes_the_session_over(lab: CellLab, camera: Camera) -> None:
    path, browser = lab.fresh(text=RED_BLUE)
    connection, target = target_of(lab, path, browser)
    before = kernel_state(lab, browser)
    assert sorted(before["runs"]) == ["blue", "red"]
    file_before = path.read_text(encoding="utf-8")
    mark = len(browser.messages)
    async with connection:
        for cell_id in box_ids(browser):
            await camera.cell(connection, target, cell_id)
        await camera.notebook(connection, target)
    # No cell ran, no code changed: the kernel, the file and the owner's stream agree.
    assert kernel_state(lab, browser) == before
    assert path.read_text(encoding="utf-8") == file_before
    ran = [op for op in browser.ops("cell-op", since=mark)
           if op.get("cell_id") != "__scratch__" and op.get("status") in {"queued", "running"}]
    assert ran == []
    # The owner is still the session's editor (an editor-only request as its tab is accepted), the
    # viewer made no session of its own, and the owner is still told what the kernel does.
    sessions = [(rid, s["session_id"]) for rid, s in lab.server.sessions().items() if s["path"] == str(path)]
    assert sessions == [(browser.routing_id, browser.session_id)]
    assert browser.connected
    mark = len(browser.messages)
    response = httpx.post(lab.server.url + "/api/kernel/scratchpad/run", json={"code": "_owner_probe = 1"},
                          headers={"Marimo-Session-Id": browser.routing_id,
                                   "Marimo-Server-Token": lab.server.server_token(path)}, timeout=30)
    assert response.status_code == 200, response.text
    browser.wait_for_op("cell-op", since=mark, where=lambda data: data.get("cell_id") == "__scratch__")


async def test_a_kept_page_follows_the_session_and_waits_for_a_running_cell(lab: CellLab, camera: Camera,
                                                                            tmp_path: Path) -> None:
    path, browser = lab.fresh(text=RED_BLUE)
    connection, target = target_of(lab, path, browser)
    red_id = box_ids(browser)[0]
    release = tmp_path / "go"
    async with connection:
        _, counts = pixels(await camera.cell(connection, target, red_id))
        assert whole_box(counts[RED])
        green = gate(release) + box_cell("#00ff00", "green")
        edit = ("import marimo._code_mode as _cm\nasync with _cm.get_context(skip_staleness_check=True) as _ctx:\n"
                f"    _ctx.edit_cell({red_id!r}, code={green!r})\n    _ctx.run_cell({red_id!r})\n")
        mark = len(browser.messages)
        running = asyncio.get_running_loop().run_in_executor(None, lab.execute, browser, edit)
        try:
            started = browser.wait_for_op("cell-op", since=mark, timeout=30,
                                          where=lambda data: data.get("cell_id") == red_id and data.get("status") == "running")
            # While the cell runs, its output is not drawn yet: no picture of the old one.
            with pytest.raises(ScreenshotError) as caught:
                await camera.cell(connection, target, red_id, timeout=3, after=started["timestamp"])
            assert "running" in caught.value.message and caught.value.to_json()["next"]
        finally:
            release.touch()
            await running
        # The same page, kept live, now draws what the cell drew last.
        _, counts = await wait_until_async(lambda: _counts(camera, connection, target, red_id),
                                           what="the green box in the kept page")
        assert whole_box(counts[GREEN]) and counts[RED] == 0


async def _counts(camera: Camera, connection: Connection, target: Target, cell_id: str) -> Any:
    size, counts = pixels(await camera.cell(connection, target, cell_id))
    return (size, counts) if counts[GREEN] else None


async def test_cells_without_a_picture_are_clear_errors(lab: CellLab, camera: Camera) -> None:
    path, browser = lab.fresh(text=RED_BLUE)
    connection, target = target_of(lab, path, browser)
    async with connection:
        with pytest.raises(CellNotFoundError) as missing:
            await camera.cell(connection, target, "nope\"'<")
        with pytest.raises(NoOutputError) as empty:
            await camera.cell(connection, target, browser.cell_ids[0])  # `import marimo as mo` draws nothing
    assert missing.value.to_json()["kind"] == "cell_not_found" and missing.value.next
    assert empty.value.to_json()["kind"] == "no_output" and empty.value.next


async def test_a_token_server_is_pictured_without_the_token_in_the_browser(tmp_path: Path,
                                                                            marimo_factory: Any) -> None:
    notebook = tmp_path / "boxes.py"
    notebook.write_text(RED_BLUE, encoding="utf-8")
    server = marimo_factory(notebook, token="s3cret-token")
    browser = open_browser_session(server, notebook)
    try:
        info = ServerInfo(url=server.url, host=server.host, port=server.port, source="url")
        target = Target(info, str(notebook), SessionRef(browser.session_id, browser.routing_id))
        async with Connection(info, "s3cret-token") as connection, Camera() as cam:
            _, counts = pixels(await cam.cell(connection, target, box_ids(browser)[1]))
            assert whole_box(counts[BLUE])
            view = next(iter(cam._views.values()))
            assert "s3cret-token" not in view.page.url
            assert all("s3cret-token" not in c["value"] for c in await view.page.context.cookies())
    finally:
        browser.close()


async def test_a_wrong_browser_path_is_a_clear_error(lab: CellLab, tmp_path: Path) -> None:
    path, browser = lab.fresh(text=RED_BLUE)
    connection, target = target_of(lab, path, browser)
    not_a_browser = tmp_path / "chromium"
    not_a_browser.write_text("#!/bin/sh\nexit 3\n", encoding="utf-8")
    not_a_browser.chmod(0o755)
    async with connection:
        for wrong in (tmp_path / "no-such-chromium", not_a_browser):
            async with Camera(browser=str(wrong)) as cam:
                with pytest.raises(BrowserMissingError) as caught:
                    await cam.cell(connection, target, box_ids(browser)[0])
            error = caught.value.to_json()
            assert error["kind"] == "browser_missing" and str(wrong) in error["message"]
            assert "apt install chromium" in error["next"]


# What the page's scripts cost to fetch: for each of marimo's scripts, the bytes that came over the
# network and the size of its body (a body from the HTTP cache is not transferred again).
# The page's scripts, by name: [bytes transferred, body bytes]. The browser's timing buffer holds 250
# entries, so which late scripts are in it varies from load to load: compare the ones both loads have.
SCRIPT_FETCHES = """() => Object.fromEntries(performance.getEntriesByType("resource")
  .filter((entry) => entry.name.includes("/assets/") && entry.name.endsWith(".js"))
  .map((entry) => [entry.name, [entry.transferSize, entry.encodedBodySize]]))"""
# The page asks to run a cell and to read the server's version: [status, body] of each.
PAGE_REQUESTS = """async () => {
  const run = await fetch("api/kernel/run", {method: "POST", headers: {"Content-Type": "application/json"},
                                             body: JSON.stringify({cellIds: [], codes: []})});
  const read = await fetch("api/version");
  return [[run.status, await run.text()], [read.status, await read.text()]];
}"""


async def test_the_page_only_reads_and_a_later_launch_loads_the_front_end_from_its_cache(
        lab: CellLab, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))  # a profile of this test's own
    monkeypatch.delenv(DRIVER_CACHE_ENV, raising=False)  # and a driver code cache of its own
    driver_code = tmp_path / "state" / "marimo-pair-tui" / "driver-code"
    path, browser = lab.fresh(text=RED_BLUE)
    connection, target = target_of(lab, path, browser)
    red_id = box_ids(browser)[0]
    fetched: list[dict[str, list[int]]] = []
    async with connection:
        for _launch in range(2):
            async with Camera() as cam:
                _, counts = pixels(await cam.cell(connection, target, red_id))
                assert whole_box(counts[RED]) and cam.profile_kept
                view = next(iter(cam._views.values()))
                fetched.append(await view.page.evaluate(SCRIPT_FETCHES))
                (run_status, run_body), (read_status, _) = await view.page.evaluate(PAGE_REQUESTS)
                assert run_status == 403 and json.loads(run_body) == {"detail": "This view is read-only."}
                assert read_status == 200, "reads go through"
    first, second = fetched
    assert stat.S_IMODE(driver_code.stat().st_mode) == 0o700 and any(driver_code.rglob("*")), \
        "Playwright's driver kept its compiled code, privately"
    assert len(first) > 100 and all(sent >= body > 0 for sent, body in first.values()), \
        "the first launch fetched every script"
    both = first.keys() & second.keys()
    assert len(both) > 100 and all(second[name][0] < second[name][1] for name in both), \
        "the next launch took the scripts' bodies from the kept cache"
    assert kernel_state(lab, browser)["runs"].count("red") == 1, "the refused run never reached the kernel"
