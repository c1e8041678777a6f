"""Which Chromium pictures are taken with: --browser, else MARIMO_PAIR_BROWSER, else PATH; a clear error otherwise."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from marimo_pair_tui.core.browser import BROWSER_ENV, find_browser
from marimo_pair_tui.core.errors import BrowserMissingError


def _program(directory: Path, name: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text("#!/bin/sh\n", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_the_named_browser_wins_over_the_environment_and_path(tmp_path: Path) -> None:
    named = _program(tmp_path / "mine", "my-chromium")
    on_path = _program(tmp_path / "bin", "chromium")
    env = {BROWSER_ENV: str(_program(tmp_path / "env", "env-chromium")), "PATH": str(on_path.parent)}
    assert find_browser(named, env) == named
    assert find_browser(None, env) == Path(env[BROWSER_ENV])
    assert find_browser(None, {"PATH": str(on_path.parent)}) == on_path


def test_path_is_searched_in_order_of_the_usual_names(tmp_path: Path) -> None:
    chrome = _program(tmp_path / "bin", "google-chrome")
    assert find_browser(None, {"PATH": str(chrome.parent)}) == chrome
    chromium = _program(tmp_path / "bin", "chromium")
    assert find_browser(None, {"PATH": str(chromium.parent)}) == chromium


@pytest.mark.parametrize("how", ["missing file", "not executable", "name not on PATH"])
def test_a_wrong_browser_is_a_clear_error_naming_what_to_install(tmp_path: Path, how: str) -> None:
    if how == "missing file":
        named = str(tmp_path / "nowhere" / "chromium")
    elif how == "not executable":
        plain = tmp_path / "chromium"
        plain.write_text("", encoding="utf-8")
        named = str(plain)
    else:
        named = "no-such-chromium-here"
    with pytest.raises(BrowserMissingError) as caught:
        find_browser(named, {"PATH": str(tmp_path)})
    error = caught.value.to_json()
    assert error["kind"] == "browser_missing"
    assert named in error["message"]
    assert "apt install chromium" in error["next"] and BROWSER_ENV in error["next"]


def test_no_browser_anywhere_says_where_it_looked(tmp_path: Path) -> None:
    with pytest.raises(BrowserMissingError) as caught:
        find_browser(None, {"PATH": str(tmp_path)})
    assert "chromium" in caught.value.message and BROWSER_ENV in caught.value.message


async def test_a_picture_without_playwright_installed_is_its_clear_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The package's extra is optional: a plain install has a browser perhaps, but no Playwright.
    import sys

    from marimo_pair_tui.core.browser import Camera
    from marimo_pair_tui.core.errors import PlaywrightMissingError

    for name in [m for m in sys.modules if m == "playwright" or m.startswith("playwright.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.delitem(sys.modules, "marimo_pair_tui.core.browser.viewer", raising=False)
    monkeypatch.setitem(sys.modules, "playwright", None)  # an import of it fails as if not installed
    camera = Camera(_program(tmp_path / "bin", "chromium"))
    with pytest.raises(PlaywrightMissingError) as caught:
        await camera.cell(None, None, "Hbol")  # type: ignore[arg-type]  # (refused before either is used)
    assert caught.value.kind == "playwright_missing" and "screenshot" in (caught.value.next or "")


def test_one_launch_at_a_time_keeps_the_profile_and_another_gets_a_throwaway_one(tmp_path: Path) -> None:
    from marimo_pair_tui.core.browser.profile import Profile

    program = tmp_path / "bin" / "chromium"
    first = Profile.take(program, tmp_path / "profiles")
    second = Profile.take(program, tmp_path / "profiles")
    assert first.kept and first.path.is_dir() and first.path.parent == tmp_path / "profiles"
    assert not second.kept and second.path != first.path and second.path.is_dir()
    second.release()
    assert not second.path.exists(), "a throwaway profile is removed with its launch"
    (first.path / "Default").mkdir()
    first.release()
    again = Profile.take(program, tmp_path / "profiles")
    assert again.kept and again.path == first.path and (again.path / "Default").is_dir(), "kept for the next launch"
    other = Profile.take(tmp_path / "bin" / "google-chrome", tmp_path / "profiles")
    assert other.kept and other.path != again.path, "each browser program has its own profile"
    other.release()
    assert not other.path.exists(), "a profile no browser started in is not left behind"
    again.release()
    assert again.path.is_dir()


def test_the_guard_holds_only_the_servers_api_requests() -> None:
    from marimo_pair_tui.core.browser.guard import api_pattern

    assert api_pattern("http://127.0.0.1:2718/") == "http://127.0.0.1:2718/api/*"
    assert api_pattern("http://host/a*b?c/") == "http://host/a\\*b\\?c/api/*", "the pattern's wildcards are escaped"
