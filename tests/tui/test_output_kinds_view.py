"""The notebook view draws the output kinds read in core against a real server: a structure as a collapsible
tree, a mermaid diagram's source, a file with a button that saves the kernel's bytes, lazy content said not
loaded, a Styler table as a table. The truth comes from snippets in the same kernel."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Button, Static

from marimo_pair_tui.core.wire.sessions import Target
from marimo_pair_tui.tui.screens.pairing import PairingScreen
from marimo_pair_tui.tui.widgets.parts.media import MediaView
from marimo_pair_tui.tui.widgets.parts.structure import DiagramView, LazyView, StructureView
from marimo_pair_tui.tui.widgets.parts.table import TableView


from .support import TuiLab, kernel_json, make_app, notebook_view_drawn, wait_for

CELLS = 15


@pytest.fixture(scope="module")
def book(lab: TuiLab) -> Target:
    path, browser = lab.session("output_kinds.py", "kinds.py")
    return lab.target(path, browser)


def kernel(lab: TuiLab, target: Target, expression: str) -> Any:
    return kernel_json(lab, target, expression)


async def view_open(pilot: Any) -> PairingScreen:
    """The notebook view shown, every output drawn."""
    return await notebook_view_drawn(pilot, CELLS)


def output_of(screen: PairingScreen, name: str) -> Any:
    block = screen.notebook_view.block(screen.notebook.cell(name).id)
    assert block is not None
    return block.output_view


async def test_each_kind_is_drawn_as_the_kernel_holds_it(lab: TuiLab, book: Target, tmp_path: Path) -> None:
    tree_data = kernel(lab, book, "tree_data")
    source = kernel(lab, book, "diagram_src")
    blob = kernel(lab, book, "{'size': len(payload), 'sha256': hashlib.sha256(payload).hexdigest()}")
    labels = kernel(lab, book, "list(scores.index)")
    app = make_app(book)
    async with app.run_test(size=(120, 50)) as pilot:
        screen = await view_open(pilot)

        tree = output_of(screen, "tree").query_one(StructureView)
        assert tree.root.data == tree_data and str(tree.root.label) == "settings"
        keys = [str(child.label).split(":")[0] for child in tree.root.children]
        assert keys == list(tree_data)
        branch = tree.root.children[0]
        assert branch.is_expanded and [c.data for c in branch.children] == tree_data["a"]
        branch.collapse()
        await pilot.pause()
        assert not branch.is_expanded  # each branch folds away

        diagram = output_of(screen, "mermaid").query_one(DiagramView)
        assert str(diagram.render()).endswith(source)

        assert output_of(screen, "lazy").query(LazyView)

        table = output_of(screen, "styled").query_one(TableView)
        assert table.part.row_headers == ["player"] and [r["player"] for r in table.part.rows] == labels

        media = output_of(screen, "download").query_one(MediaView)
        await wait_for(pilot, lambda: bool(media.part.data) and media.query(Button), timeout=30,
                       what="the download's bytes fetched")
        line = str(media.query_one(".media-line", Static).render())
        assert f"{blob['size']:,} bytes" in line and "blob.bin" in line
        media.directory = tmp_path
        media.query_one(Button).press()
        await wait_for(pilot, lambda: media.saved is not None, what="the file saved")
        assert media.saved == tmp_path / "blob.bin"
        assert hashlib.sha256(media.saved.read_bytes()).hexdigest() == blob["sha256"]
        assert str(media.saved) in str(media.query_one(".media-line", Static).render())
