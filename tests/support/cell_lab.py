"""One marimo server per test module, and a fresh notebook session per test.

Cell-operation tests change notebooks, so each gets its own copy of a
fixture notebook (and so its own kernel) on a server the module shares:
one server start instead of one per test.
"""

from __future__ import annotations

import secrets
import shutil
from pathlib import Path

import httpx

from marimo._ast.parse import parse_notebook

from .marimo_proc import BrowserSession, MarimoServer, open_browser_session, start_marimo_server

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


class CellLab:
    """A server over a private directory; `fresh()` opens a new notebook session."""

    def __init__(self, base: Path) -> None:
        self.dir = base / "notebooks"
        self.dir.mkdir(parents=True)
        self.server: MarimoServer = start_marimo_server(self.dir, state_home=base / "state")
        self.browsers: list[BrowserSession] = []

    def fresh(
        self, fixture: str = "demo.py", *, text: str | None = None, instantiate: bool = True
    ) -> tuple[Path, BrowserSession]:
        """A new copy of a fixture notebook (or `text`) with a session; all cells run if `instantiate`."""
        path = self.dir / f"nb_{secrets.token_hex(4)}.py"
        if text is None:
            shutil.copy(NOTEBOOKS / fixture, path)
        else:
            path.write_text(text, encoding="utf-8")
        browser = open_browser_session(self.server, path, instantiate=instantiate)
        self.browsers.append(browser)
        return path, browser

    def execute(self, browser: BrowserSession, code: str) -> str:
        """Run code as another client would (raw execute endpoint); the SSE text back."""
        response = httpx.post(
            self.server.url + "/api/kernel/execute",
            json={"code": code},
            headers={"Marimo-Stable-Session-Id": browser.session_id or ""},
            timeout=60,
        )
        response.raise_for_status()
        return response.text

    def close(self) -> None:
        for browser in self.browsers:
            browser.close()
        self.server.stop()
        self.server.cleanup_files()


def file_cells(path: Path) -> list[tuple[str, str]]:
    """(name, code) of each cell as marimo parses the notebook file; raises if it does not parse."""
    notebook = parse_notebook(path.read_text(encoding="utf-8"), filepath=str(path))
    assert notebook is not None and notebook.valid, f"{path} is not a valid marimo notebook"
    return [(cell.name, cell.code) for cell in notebook.cells]
