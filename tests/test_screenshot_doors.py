"""`screenshot` through every door, with a real Chromium on a real session: the command (through the
pairing service), the MCP tool and the app's key.

The truth is what each cell was told to draw (a red or a blue box of a known size), counted in the
PNG's pixels (tests/test_screenshots.py's helpers); the camera itself is tested there.
"""

from __future__ import annotations

import base64
import io
import os
import stat
from pathlib import Path

import pytest
from mcp.types import ImageContent
from PIL import Image

from marimo_pair_tui.core import documents
from marimo_pair_tui.core.browser import WARM_ENV, find_browser
from marimo_pair_tui.tui.screens.picture import PictureScreen
from marimo_pair_tui.tui.widgets.parts.images import ImageView
from tests.clihelp import cli_env, run_cli
from tests.support.cell_lab import CellLab
from tests.support.marimo_proc import _descendants
from tests.support.mcp_client import document, mcp_session
from tests.support.services import stop_services
from tests.support.waiting import wait_until
from tests.test_pairing_service import Calls
from tests.test_document_types import assert_matches
from tests.test_screenshots import BLUE, RED, RED_BLUE, box_ids, pixels, whole_box
from tests.tui.support import make_app, wait_for, wait_live
from marimo_pair_tui.core.wire.discovery import ServerInfo
from marimo_pair_tui.core.wire.sessions import SessionRef, Target


def _targeting(lab: CellLab, path: Path) -> list[str]:
    return ["--url", lab.server.url, "--notebook", str(path)]


def test_the_command_writes_the_picture_and_names_it(lab: CellLab, tmp_path: Path) -> None:
    path, browser = lab.fresh(text=RED_BLUE)
    red, _blue = box_ids(browser)
    state = tmp_path / "state"
    env = cli_env(state)
    result = run_cli(["screenshot", red, *_targeting(lab, path)], env=env)
    assert result.code == 0, result.stdout + result.stderr
    doc = result.json
    assert_matches(doc, documents.screenshot_document)
    picture = Path(doc["file"])
    # Unasked, a private file under the state directory, named by notebook and cell.
    assert picture.parent == state / "marimo-pair-tui" / "screenshots" and picture.name.startswith(f"{path.stem}-{red}-")
    assert stat.S_IMODE(picture.stat().st_mode) == 0o600
    png = picture.read_bytes()
    (width, height), counts = pixels(png)
    assert (doc["width"], doc["height"], doc["bytes"], doc["cell"]) == (width, height, len(png), red)
    assert whole_box(counts[RED]) and counts[BLUE] == 0
    # The whole notebook, to the file asked for (relative to the caller's directory).
    whole = run_cli(["screenshot", "--out", "boxes.png", *_targeting(lab, path)], env=env, cwd=tmp_path)
    assert whole.code == 0, whole.stdout + whole.stderr
    assert whole.json["file"] == str(tmp_path / "boxes.png") and whole.json["cell"] is None
    _, counts = pixels((tmp_path / "boxes.png").read_bytes())
    assert whole_box(counts[RED]) and whole_box(counts[BLUE])


def test_a_wrong_browser_is_a_usage_error_naming_what_to_install(lab: CellLab, tmp_path: Path) -> None:
    path, browser = lab.fresh(text=RED_BLUE)
    red = box_ids(browser)[0]
    missing = tmp_path / "no-such-chromium"
    # --browser, and MARIMO_PAIR_BROWSER, which the call carries to the service
    for args, env, source in ((["--browser", str(missing)], cli_env(tmp_path / "state"), "--browser"),
                              ([], cli_env(tmp_path / "state", MARIMO_PAIR_BROWSER=str(missing)), "MARIMO_PAIR_BROWSER")):
        result = run_cli(["screenshot", red, *args, *_targeting(lab, path)], env=env)
        assert result.code == 2, result.stdout + result.stderr
        error = result.json["error"]
        assert error["kind"] == "browser_missing" and str(missing) in error["message"] and source in error["message"]
        assert "apt install chromium" in error["next"] and "MARIMO_PAIR_BROWSER" in error["next"]
    # --browser wins over the environment variable.
    chromium = str(find_browser(None, {"PATH": os.environ.get("PATH", "")}))
    won = run_cli(["screenshot", red, "--browser", chromium, *_targeting(lab, path)],
                  env=cli_env(tmp_path / "state", MARIMO_PAIR_BROWSER=str(missing)))
    assert won.code == 0, won.stdout + won.stderr


async def test_the_tool_returns_the_picture_as_image_content(lab: CellLab, tmp_path: Path) -> None:
    path, browser = lab.fresh(text=RED_BLUE)
    blue = box_ids(browser)[1]
    async with mcp_session(tmp_path / "state") as session:
        result = await session.call_tool("screenshot", {"cell": blue, "url": lab.server.url, "notebook": str(path)})
        assert not result.is_error, result
        doc = document(result)
        images = [c for c in result.content if isinstance(c, ImageContent)]
        assert len(images) == 1 and images[0].mime_type == "image/png"
        png = base64.b64decode(images[0].data)
        (width, height), counts = pixels(png)
        assert whole_box(counts[BLUE]) and counts[RED] == 0
        assert (doc["width"], doc["height"], doc["bytes"]) == (width, height, len(png)) and "file" not in doc
        failed = await session.call_tool("screenshot", {"cell": "no-such-cell", "url": lab.server.url,
                                                        "notebook": str(path)})
        assert failed.is_error and document(failed)["error"]["kind"] == "cell_not_found"
        assert not any(isinstance(c, ImageContent) for c in failed.content)


async def test_the_app_key_shows_the_selected_cells_picture(lab: CellLab, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    path, browser = lab.fresh(text=RED_BLUE)
    red = box_ids(browser)[0]
    server = ServerInfo(url=lab.server.url, host=lab.server.host, port=lab.server.port, source="url")
    target = Target(server, str(path), SessionRef(browser.session_id, browser.routing_id))
    app = make_app(target)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await wait_live(pilot, len(browser.cell_ids))
        assert screen.cell_tree.select_cell(red)
        # No Chromium: a notification says what to install, and nothing opens.
        monkeypatch.setenv("MARIMO_PAIR_BROWSER", str(tmp_path / "no-such-chromium"))
        await pilot.press("alt+p")
        await wait_for(pilot, lambda: any("apt install chromium" in str(n.message) for n in app._notifications),
                       what="the notification naming what to install")
        assert not isinstance(app.screen, PictureScreen)
        monkeypatch.delenv("MARIMO_PAIR_BROWSER")
        await pilot.press("alt+p")
        await wait_for(pilot, lambda: isinstance(app.screen, PictureScreen), timeout=60, what="the picture dialog")
        shown = app.screen
        assert isinstance(shown, PictureScreen)
        await wait_for(pilot, lambda: any(view.loaded for view in shown.query(ImageView)), what="the picture drawn")
        view = shown.query_one(ImageView)
        assert view.image_widget is not None and view.picture is not None and view.picture.image is not None
        _, counts = pixels(shown.part.data)
        assert whole_box(counts[RED]) and counts[BLUE] == 0
        assert view.picture.image.size == Image.open(io.BytesIO(shown.part.data)).size
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen, what="the pairing screen again")
        # With the notebook view shown, the picture comes under the cell's output instead.
        await pilot.press("f7")
        await wait_for(pilot, lambda: screen.notebook_view.block(red) is not None, what="the notebook view")
        await pilot.press("alt+p")
        block = screen.notebook_view.block(red)
        await wait_for(pilot, lambda: block.picture is not None and all(v.loaded for v in block.picture.query(ImageView)),
                       timeout=60, what="the picture under the cell")
        assert app.screen is screen, "no dialog over the notebook view"
        _, counts = pixels(block.picture.part.data)
        assert whole_box(counts[RED]) and counts[BLUE] == 0


def _browsers_under(pid: int) -> list[int]:
    """The Chromium main processes (not its helpers) among `pid`'s descendants, from /proc."""
    found = []
    for child in _descendants(pid):
        try:
            argv = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"chrom" in Path(argv[0].decode(errors="replace")).name.encode() and not any(
                arg.startswith(b"--type=") for arg in argv):
            found.append(child)
    return found


def test_the_service_starts_its_browser_with_itself_and_callers_share_it(lab: CellLab, tmp_path: Path) -> None:
    path, browser = lab.fresh(text=RED_BLUE)
    red, blue = box_ids(browser)
    calls = Calls(tmp_path)
    try:
        started = calls.run("service", "start", env=calls.env(**{WARM_ENV: "1"}))
        assert started.code == 0, started.stdout + started.stderr
        pid = started.json["pid"]
        wait_until(lambda: len(_browsers_under(pid)) == 1, timeout=60,
                   what="`service start` starting the picture browser before any call")
        # Two callers whose environments differ get PairingServices of their own, and one browser.
        for cell, colour, extra in ((red, RED, {}), (blue, BLUE, {"MARIMO_PAIR_TEST_CALLER": "second"})):
            result = calls.run("screenshot", cell, *_targeting(lab, path), env=calls.env(**{WARM_ENV: "1"}, **extra))
            assert result.code == 0, result.stdout + result.stderr
            assert whole_box(pixels(Path(result.json["file"]).read_bytes())[1][colour])
        assert calls.status()["pid"] == pid and len(_browsers_under(pid)) == 1, "one Chromium for both callers"
    finally:
        stop_services(calls.directory)
