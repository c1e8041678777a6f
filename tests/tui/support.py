"""Helpers for the terminal app's tests: a marimo server per module, sessions, waiting."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any, Callable

from textual.pilot import Pilot

from marimo_pair_tui.core.wire.discovery import ServerInfo
from marimo_pair_tui.core.servers.hub import HubOptions
from marimo_pair_tui.core.wire.sessions import SessionRef, Target
from marimo_pair_tui.tui.app import PairApp, Start
from marimo_pair_tui.tui.config import Config
from marimo_pair_tui.tui.display import Display
from marimo_pair_tui.tui.screens.pairing import PairingScreen
from marimo_pair_tui.tui.widgets.run_block import RunBlock
from tests.clihelp import cli_env, run_cli
from tests.support.marimo_proc import BrowserSession, MarimoServer, open_browser_session, start_marimo_server
from tests.support.waiting import wait_until_async

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
TUI_NOTEBOOKS = Path(__file__).resolve().parent / "notebooks"


class TuiLab:
    """One server over a private directory; `session()` copies a notebook and opens it like a browser."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.dir = base / "notebooks"
        self.dir.mkdir(parents=True)
        self.server: MarimoServer = start_marimo_server(self.dir, state_home=base / "state")
        self.browsers: list[BrowserSession] = []

    def session(self, fixture: str, name: str, *, instantiate: bool = True) -> tuple[Path, BrowserSession]:
        source = TUI_NOTEBOOKS / fixture if (TUI_NOTEBOOKS / fixture).exists() else NOTEBOOKS / fixture
        path = self.dir / name
        shutil.copy(source, path)
        browser = open_browser_session(self.server, path, instantiate=instantiate)
        self.browsers.append(browser)
        return path, browser

    def target(self, path: Path, browser: BrowserSession) -> Target:
        server = ServerInfo(url=self.server.url, host=self.server.host, port=self.server.port, source="registry")
        return Target(server=server, notebook=str(path), session=SessionRef(browser.session_id, browser.routing_id))

    def close(self) -> None:
        for browser in self.browsers:
            browser.close()
        self.server.stop()
        self.server.cleanup_files()


def make_app(target: Target | None = None, *, redact: bool = True, config: Config | None = None,
             drafts: Path | None = None, options: HubOptions | None = None,
             warm_up_after: float | None = None) -> PairApp:
    """The app as the tests drive it; jedi's warm-up only where asked for (it costs seconds of CPU)."""
    start = Start("target", target=target) if target is not None else Start()
    return PairApp(options or HubOptions(), start=start, fmt=Display(redact=redact), config=config or Config(),
                   cursor_blink=False, drafts=drafts, warm_up_after=warm_up_after)


async def wait_for(pilot: Pilot, predicate: Callable[[], object], timeout: float = 20.0, what: str = "condition") -> None:
    """Let the app run until `predicate()` is true; fail after `timeout` seconds. A widget not
    mounted yet (a lookup or attribute that fails, an assertion in the predicate) counts as not yet."""
    await wait_until_async(predicate, timeout, what, pause=pilot.pause,
                           ignoring=(LookupError, AttributeError, AssertionError))


def pairing(app: PairApp) -> PairingScreen:
    screen = app.screen
    assert isinstance(screen, PairingScreen), type(screen)
    return screen


async def wait_live(pilot: Pilot, cells: int, timeout: float = 20.0) -> PairingScreen:
    """Wait until the pairing screen is live and its tree shows `cells` cells."""
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, PairingScreen), timeout, "the pairing screen")
    screen = pairing(pilot.app)  # type: ignore[arg-type]
    await wait_for(
        pilot,
        lambda: screen.session is not None and screen.session.live_state == "live" and len(screen.cell_tree.cell_ids) == cells,
        timeout,
        f"{cells} cells, live",
    )
    return screen


async def notebook_view_drawn(pilot: Pilot, cells: int) -> PairingScreen:
    """The pairing screen live with `cells` cells, every cell run, the notebook view (f7) shown with every
    output drawn."""
    screen = await wait_live(pilot, cells, timeout=60)
    await wait_for(pilot, lambda: screen.notebook.is_idle() and all(c.status for c in screen.notebook.cells),
                   timeout=60, what="every cell to have run")
    await pilot.press("f7")
    view = screen.notebook_view
    await wait_for(pilot, lambda: len(view.cell_ids) == cells
                   and all(view.block(c).output_view.drawn for c in view.cell_ids), timeout=60,  # type: ignore[union-attr]
                   what="every output drawn")
    return screen


def kernel_json(lab: "TuiLab", target: Target, expression: str) -> Any:
    """What `expression` is in the session's kernel, as JSON: the truth a view is checked against."""
    result = run_cli(["exec", "--url", lab.server.url, "--session", target.session.session_id or "", "-c",
                      f"import json as _j\nprint(_j.dumps({expression}))"], env=cli_env(lab.server.state_home))
    assert result.code == 0, result.stdout
    return json.loads(result.json["stdout"])


async def run_and_snippet_out(pilot: Pilot, screen: PairingScreen) -> tuple[RunBlock, RunBlock]:
    """On wait.py: run the cell that waits for its flag, and a snippet behind it; both stay out.
    Returns their blocks."""
    waits = screen.notebook.cell("waits")
    screen.cell_tree.focus()
    assert screen.cell_tree.select_cell(waits.id)
    await pilot.press("ctrl+g")
    await wait_for(pilot, lambda: "waiting for the flag" in screen.notebook.cell(waits.id).console_text(),
                   30, "the cell to run")
    screen.editor.load_text("print('queued')")
    await pilot.press("ctrl+r")  # waits behind the cell
    await wait_for(pilot, lambda: [b.kind for b in screen.results.blocks] == ["run", "snippet"])
    run, snippet = screen.results.blocks
    return run, snippet
