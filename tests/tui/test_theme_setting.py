"""The theme picked in the app is kept in config.toml and used at the next start."""

from __future__ import annotations

from pathlib import Path

from textual.command import CommandPalette

from marimo_pair_tui.tui.app import binding_ids
from marimo_pair_tui.tui.config import config_path, load_config
from marimo_pair_tui.tui.screens.picker import PickerScreen

from .support import make_app, wait_for

DEFAULT = "textual-dark"


def write_config(text: str) -> Path:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


async def pick_theme(pilot, name: str) -> None:
    """The user's way: ctrl+p, the "Theme" command, then the theme by name."""
    app = pilot.app
    await pilot.press("ctrl+p")
    await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette), what="the command palette")
    await pilot.press(*"theme")
    await wait_for(pilot, lambda: app.screen.query_one("CommandList").option_count > 0, what="the Theme command")
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette) and "theme" in
                   app.screen.query_one("Input").placeholder.lower(), what="the theme picker")
    await pilot.press(*name)
    await wait_for(pilot, lambda: app.screen.query_one("CommandList").option_count > 0, what=f"{name} listed")
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, PickerScreen), what="the palette to close")


async def test_a_picked_theme_is_saved_and_used_next_time() -> None:
    path = write_config('# my settings\n[keys]\nrun-snippet = "f5"  # muscle memory\n\n[ssh]\nhosts = ["gpu-box"]\n')
    app = make_app(config=load_config(known_ids=binding_ids()))
    async with app.run_test(size=(100, 30)) as pilot:
        assert app.theme == DEFAULT
        await pick_theme(pilot, "nord")
        assert app.theme == "nord"
        await wait_for(pilot, lambda: app.theme_setting.saves == 1, what="the theme saved")
    text = path.read_text(encoding="utf-8")
    assert 'theme = "nord"' in text
    # The rest of the file is as the user wrote it, comments included.
    assert '# my settings\n[keys]\nrun-snippet = "f5"  # muscle memory\n' in text
    assert 'hosts = ["gpu-box"]' in text

    config = load_config(known_ids=binding_ids())
    assert config.theme == "nord" and config.keymap == {"run-snippet": "f5"} and not config.warnings
    again = make_app(config=config)
    async with again.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(again.screen, PickerScreen))
        assert again.theme == "nord"
        assert again.theme_setting.saves == 0  # starting with it is not a change to write


async def test_a_theme_picked_without_a_config_file_creates_it() -> None:
    path = config_path()
    assert not path.exists()
    app = make_app(config=load_config(known_ids=binding_ids()))
    async with app.run_test(size=(100, 30)) as pilot:
        app.theme = "gruvbox"
        await wait_for(pilot, lambda: app.theme_setting.saves == 1, what="the theme saved")
    assert load_config().theme == "gruvbox"
    assert path.stat().st_mode & 0o077 == 0


async def test_an_unknown_theme_is_told_and_the_default_used() -> None:
    path = write_config('[app]\ntheme = "no-such-theme"\n')
    app = make_app(config=load_config(known_ids=binding_ids()))
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, PickerScreen))
        assert app.theme == DEFAULT
        told = [n.message for n in app._notifications]  # noqa: SLF001
        assert any("'no-such-theme' is not a theme" in m and str(path) in m for m in told), told
    assert 'theme = "no-such-theme"' in path.read_text(encoding="utf-8")  # kept until another is picked


def test_a_theme_that_is_not_a_name_is_a_warning() -> None:
    write_config("[app]\ntheme = 3\n")
    config = load_config(known_ids=binding_ids())
    assert config.theme is None
    assert any("app.theme must be a theme name" in w for w in config.warnings)


async def test_a_broken_file_is_not_overwritten_and_the_user_is_told() -> None:
    path = write_config('[keys\nrun-snippet = "f5"\n')
    app = make_app(config=load_config(known_ids=binding_ids()))
    async with app.run_test(size=(100, 30)) as pilot:
        app.theme = "nord"
        await wait_for(pilot, lambda: app.theme_setting.problem is not None, what="the save refused")
        assert app.theme == "nord"  # used until the app quits
        told = [n.message for n in app._notifications]  # noqa: SLF001
        assert any("is not valid TOML" in m and "app.theme was not saved" in m for m in told), told
    assert path.read_text(encoding="utf-8") == '[keys\nrun-snippet = "f5"\n'


async def test_a_symlinked_config_file_is_written_through(tmp_path: Path) -> None:
    real = tmp_path / "dotfiles" / "marimo-pair-tui.toml"
    real.parent.mkdir()
    real.write_text('[keys]\nrun-snippet = "f5"\n', encoding="utf-8")
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(real)
    app = make_app(config=load_config(known_ids=binding_ids()))
    async with app.run_test(size=(100, 30)) as pilot:
        app.theme = "nord"
        await wait_for(pilot, lambda: app.theme_setting.saves == 1, what="the theme saved")
    assert path.is_symlink()
    assert real.read_text(encoding="utf-8") == '[keys]\nrun-snippet = "f5"\n\n[app]\ntheme = "nord"\n'
