"""Key remapping from config.toml, the help screen, the command palette, ids on every binding."""

from __future__ import annotations

import os
from pathlib import Path

from textual.binding import Binding

from marimo_pair_tui.tui.app import PairApp, binding_ids
from marimo_pair_tui.tui.config import config_path, load_config
from marimo_pair_tui.tui.screens.help import HelpScreen
from marimo_pair_tui.tui.screens.pairing import PairingScreen
from marimo_pair_tui.tui.screens.picker import PickerScreen

from .support import make_app, wait_for

KEYS_PAGE = Path(__file__).resolve().parents[2] / "docs" / "app.md"


def write_config(text: str) -> Path:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_config_lives_in_the_user_config_dir() -> None:
    assert config_path() == Path(os.environ["XDG_CONFIG_HOME"]) / "marimo-pair-tui" / "config.toml"


def test_every_binding_has_an_id_and_the_app_page_documents_it() -> None:
    from marimo_pair_tui.tui.screens.confirm_delete import ConfirmDeleteScreen
    from marimo_pair_tui.tui.screens.conflict import ConflictScreen
    from marimo_pair_tui.tui.widgets.cell_tree import CellTree

    for cls in (PairApp, PickerScreen, PairingScreen, ConflictScreen, ConfirmDeleteScreen, HelpScreen, CellTree):
        for binding in cls.BINDINGS:
            assert isinstance(binding, Binding) and binding.id, (cls.__name__, binding)
    page = KEYS_PAGE.read_text(encoding="utf-8")
    missing = [i for i in binding_ids() if f"`{i}`" not in page]
    assert not missing, f"docs/app.md does not document {missing}"


def test_bad_config_becomes_warnings() -> None:
    write_config('[keys]\nrun-snippet = "f6"\nno-such-action = "f7"\nrefresh = 3\n')
    config = load_config(known_ids=binding_ids())
    assert config.keymap == {"run-snippet": "f6"}
    assert any("no-such-action" in w for w in config.warnings)
    assert any("keys.refresh" in w for w in config.warnings)
    write_config("[keys\n")
    assert "not valid TOML" in load_config(known_ids=binding_ids()).warnings[0]


async def test_remapped_keys_work_and_show_in_help(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "no-servers"))
    write_config('[keys]\npicker-refresh = "f6"\nrun-snippet = "f8,ctrl+e"\nbogus = "f9"\n')
    config = load_config(known_ids=binding_ids())
    app = make_app(config=config)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        assert isinstance(screen, PickerScreen)
        await wait_for(pilot, lambda: screen.refreshes >= 1)
        screen.server_tree.focus()
        # f5 no longer refreshes; f6 does (workers are exclusive: count finished refreshes).
        before = screen.refreshes
        await pilot.press("f6")
        await wait_for(pilot, lambda: screen.refreshes > before, what="a refresh from f6")

        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        rows = {binding_id: keys for _where, keys, _what, binding_id in app.screen.rows}  # type: ignore[attr-defined]
        assert rows["picker-refresh"] == "f6"
        assert rows["run-snippet"] == "f8 / ^e"
        assert rows["apply-cell"] == "^s"
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, PickerScreen))
        assert any("bogus" in n.message for n in app._notifications)  # noqa: SLF001


async def test_command_palette_lists_the_screens_actions(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "no-servers"))
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        assert isinstance(screen, PickerScreen)
        await wait_for(pilot, lambda: screen.refreshes >= 1)
        before = screen.refreshes
        await pilot.press("ctrl+p")
        await pilot.press(*"look for servers")
        from textual.command import CommandPalette

        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
        palette = app.screen
        await wait_for(pilot, lambda: palette.query("CommandList").first().option_count > 0, what="palette hits")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.refreshes > before, what="the palette's refresh")
