"""Outputs for agents, against a real server running tests/notebooks/outputs_gallery.py.

What an agent reads (`cells`, `output`) is text and typed parts, images are
files or MCP image content, never base64 in the JSON; chart data marimo keeps
in virtual files is fetched so the chart can be drawn.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

import pytest

from tests.clihelp import cli_env, run_cli
from tests.support.cell_lab import CellLab
from tests.support.marimo_proc import BrowserSession
from tests.support.mcp_client import mcp_session


@pytest.fixture(scope="module")
def gallery(lab: CellLab) -> Iterator[tuple[Path, BrowserSession]]:
    yield lab.fresh("outputs_gallery.py")  # returns once the browser's run of every cell completed


def cli(lab: CellLab, browser: BrowserSession, *args: str) -> dict[str, Any]:
    result = run_cli([*args, "--url", lab.server.url, "--session", browser.session_id or ""],
                     env=cli_env(lab.server.state_home))
    assert result.code == 0, result.stderr + result.stdout
    return result.json


def test_cells_give_text_and_parts_and_no_base64(lab: CellLab, gallery: tuple[Path, BrowserSession]) -> None:
    _path, browser = gallery
    doc = cli(lab, browser, "cells", "--parts")
    by_name = {c["name"]: c for c in doc["cells"]}
    assert "| name (str) | qty (int64) | price (float64) |" in by_name["pandas_small"]["output"]["text"]
    assert "… 4,990 more rows" in by_name["pandas_large"]["output"]["text"]
    assert by_name["ui_slider"]["output"]["text"].startswith('slider "n" = 3 (1..10)')
    assert by_name["matplotlib_figure"]["output"]["parts"][0]["type"] == "image"
    assert "base64" not in json.dumps(doc)  # figures are sizes and (when saved) files, never inline


def test_output_saves_a_figure_as_a_png_file(lab: CellLab, gallery: tuple[Path, BrowserSession], tmp_path: Path) -> None:
    _path, browser = gallery
    doc = cli(lab, browser, "output", "matplotlib_figure", "--parts", "--save-images", str(tmp_path / "imgs"))
    (image,) = doc["output"]["parts"]
    assert image["type"] == "image" and image["file"] and doc["images"] == [image["file"]]
    data = Path(image["file"]).read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) == image["bytes"]
    assert f"saved to {image['file']}" in doc["output"]["text"]


def test_a_chart_with_data_in_a_virtual_file_is_fetched_and_drawn(lab: CellLab, gallery: tuple[Path, BrowserSession],
                                                                 tmp_path: Path) -> None:
    _path, browser = gallery
    doc = cli(lab, browser, "output", "altair_ui", "--parts", "--save-images", str(tmp_path))
    (chart,) = doc["output"]["parts"]
    assert chart["type"] == "chart" and "; 20 rows; fields x (number" in chart["description"]  # the data was fetched
    assert chart["image"]["file"] and Path(chart["image"]["file"]).read_bytes().startswith(b"\x89PNG")


def test_an_image_served_as_a_virtual_file_is_fetched(lab: CellLab, gallery: tuple[Path, BrowserSession],
                                                      tmp_path: Path) -> None:
    _path, browser = gallery
    doc = cli(lab, browser, "output", "pil_mo_image", "--parts", "--save-images", str(tmp_path))
    (image,) = doc["output"]["parts"]
    assert image["bytes"] > 0 and image["width"] and Path(image["file"]).read_bytes().startswith(b"\x89PNG")


def test_an_unwritable_image_directory_is_a_usage_error(lab: CellLab, gallery: tuple[Path, BrowserSession],
                                                        tmp_path: Path) -> None:
    _path, browser = gallery
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    result = run_cli(["output", "matplotlib_figure", "--save-images", str(blocker / "imgs"), "--url", lab.server.url,
                      "--session", browser.session_id or ""], env=cli_env(lab.server.state_home))
    assert result.code == 2 and result.json["error"]["kind"] == "usage"
    assert str(blocker) in result.json["error"]["message"] and result.json["error"]["next"]


async def test_mcp_output_hands_the_plot_over_as_image_content(lab: CellLab, gallery: tuple[Path, BrowserSession]) -> None:
    path, _browser = gallery
    async with mcp_session(lab.server.state_home) as session:
        result = await session.call_tool("output", {"cell": "matplotlib_figure", "notebook": str(path), "parts": True})
        chart = await session.call_tool("output", {"cell": "altair_chart", "notebook": str(path)})
    assert not result.is_error
    images = [c for c in result.content if c.type == "image"]
    assert len(images) == 1 and images[0].mime_type == "image/png"
    import base64

    assert base64.b64decode(images[0].data).startswith(b"\x89PNG")
    assert result.structured_content["output"]["parts"][0]["type"] == "image"
    assert [c.type for c in chart.content] == ["text", "image"]  # the chart, drawn
