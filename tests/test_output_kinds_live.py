"""Output kinds read as marimo sends them, checked against the kernel: diagrams, structures, files, lazy
content, Styler tables, numpy arrays, dataframe editors and data explorers.

A real server runs tests/notebooks/output_kinds.py. Every expectation is
computed by a snippet in the same kernel (the mermaid source, the tree as
JSON, the download's bytes' length and hash, the Styler's formatted values
and index labels, the array's repr, the editor's frame) and compared with
what `output` gives: its text and its parts, and the files it saves.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Iterator

import pytest

from tests.support import kernel_probe
from tests.support.cell_lab import CellLab
from tests.support.marimo_proc import BrowserSession


@pytest.fixture(scope="module")
def book(lab: CellLab) -> Iterator[tuple[Path, BrowserSession]]:
    yield lab.fresh("output_kinds.py")  # returns once the browser's run of every cell completed


def output(lab: CellLab, browser: BrowserSession, cell: str, *extra: str) -> dict[str, Any]:
    result = kernel_probe.session_cli(lab.server, browser, "output", cell, "--parts", *extra)
    assert result.code == 0, result.stdout + result.stderr
    found: dict[str, Any] = result.json["output"]
    return found


def kernel(lab: CellLab, browser: BrowserSession, expression: str) -> Any:
    return kernel_probe.kernel(lab.server, browser, expression)


def test_a_mermaid_diagram_reads_as_its_source(lab: CellLab, book: tuple[Path, BrowserSession]) -> None:
    _path, browser = book
    source = kernel(lab, browser, "diagram_src")
    doc = output(lab, browser, "mermaid")
    (part,) = doc["parts"]
    assert part == {"type": "diagram", "language": "mermaid", "source": source}
    assert doc["text"] == f"```mermaid\n{source}\n```"


@pytest.mark.parametrize("cell, name, value_types", [("tree", "tree_data", "python"), ("json_view", "json_data", "json"),
                                                    ("plain_dict", "a_dict", "python")])
def test_a_structure_reads_as_the_kernels_value(lab: CellLab, book: tuple[Path, BrowserSession], cell: str, name: str,
                                                value_types: str) -> None:
    _path, browser = book
    truth = kernel(lab, browser, name)  # as JSON: tuples are lists, keys are text
    doc = output(lab, browser, cell)
    (part,) = doc["parts"]
    assert part["type"] == "structure" and part["value"] == truth and part["value_types"] == value_types
    body = doc["text"].split("\n", 1)[1] if cell == "tree" else doc["text"]
    assert json.loads(body) == truth  # the text is the same value, indented
    if cell == "tree":
        assert part["label"] == "settings" and doc["text"].startswith("settings:\n")


@pytest.mark.parametrize("cell, name, kind", [("download", "payload", "download"), ("pdf", "pdf_bytes", "pdf"),
                                              ("audio", "wav_bytes", "audio"), ("video", "mp4_bytes", "video")])
def test_a_files_bytes_are_read_and_saved_as_the_kernel_holds_them(lab: CellLab, book: tuple[Path, BrowserSession],
                                                                   tmp_path: Path, cell: str, name: str, kind: str) -> None:
    _path, browser = book
    truth = kernel(lab, browser, f"{{'size': len({name}), 'sha256': hashlib.sha256({name}).hexdigest()}}")
    doc = output(lab, browser, cell, "--save-images", str(tmp_path))
    (part,) = doc["parts"]
    assert part["type"] == "media" and part["kind"] == kind
    assert part["bytes"] == truth["size"] and part["sha256"] == truth["sha256"]
    saved = Path(part["file"])
    assert hashlib.sha256(saved.read_bytes()).hexdigest() == truth["sha256"]
    assert f"{truth['size']:,} bytes, saved to {saved}" in doc["text"]
    if kind == "download":
        assert part["filename"] == "blob.bin" and part["label"] == "Get the blob" and saved.suffix == ".bin"
        assert doc["text"].startswith('[download "Get the blob": blob.bin,')


def test_a_remote_image_is_named_and_not_fetched(lab: CellLab, book: tuple[Path, BrowserSession]) -> None:
    _path, browser = book
    url = kernel(lab, browser, "image_url")
    doc = output(lab, browser, "remote_image")
    (part,) = doc["parts"]
    assert part["type"] == "media" and part["kind"] == "image" and part["src"] == url and part["bytes"] is None
    assert part["label"] == "a cat" and f"at {url}, a remote URL: not fetched" in doc["text"]


def test_lazy_content_says_it_is_not_loaded(lab: CellLab, book: tuple[Path, BrowserSession]) -> None:
    _path, browser = book
    doc = output(lab, browser, "lazy")
    (part,) = doc["parts"]
    assert part["type"] == "lazy" and part["loaded"] is False and part["object_id"]
    assert "not loaded" in doc["text"]
    refused = kernel_probe.session_cli(lab.server, browser, "set-ui", part["object_id"], "true")
    assert refused.code == 2 and refused.json["error"]["kind"] == "not_settable"


def test_a_styled_frame_reads_as_a_table_with_its_labels_and_formatted_values(lab: CellLab,
                                                                             book: tuple[Path, BrowserSession]) -> None:
    _path, browser = book
    truth = kernel(lab, browser, "{'index': scores.index.name, 'labels': list(scores.index), "
                                 "'columns': list(scores.columns), "
                                 "'rows': [[f'{s:.1f}', t] for s, t in zip(scores['score'], scores['team'])]}")
    doc = output(lab, browser, "styled")
    (part,) = doc["parts"]
    assert part["type"] == "table" and part["formatted"] is True
    assert part["row_headers"] == [truth["index"]]
    assert [c["name"] for c in part["columns"]] == [truth["index"], *truth["columns"]]
    assert [[r[truth["index"]], *(r[c] for c in truth["columns"])] for r in part["rows"]] == \
        [[label, *row] for label, row in zip(truth["labels"], truth["rows"])]
    for label, (score, team) in zip(truth["labels"], truth["rows"]):
        assert f"| {label} | {score} | {team} |" in doc["text"]
    assert "row labels: player" in doc["text"]


def test_a_numpy_array_reads_as_its_repr(lab: CellLab, book: tuple[Path, BrowserSession]) -> None:
    _path, browser = book
    truth = kernel(lab, browser, "repr(arr)")
    doc = output(lab, browser, "array")
    assert doc["parts"] == [{"type": "text", "text": truth}] and doc["text"] == truth


def test_a_dataframe_editor_reads_its_columns_and_the_kernels_frame(lab: CellLab,
                                                                    book: tuple[Path, BrowserSession]) -> None:
    _path, browser = book
    truth = kernel(lab, browser, "{'columns': [str(c) for c in frame.columns], 'rows': len(frame), "
                                 "'value': editor.value.to_dict('records')}")
    doc = output(lab, browser, "frame_editor")
    (part,) = doc["parts"]
    assert part["type"] == "widget" and part["kind"] == "dataframe"
    assert [c["name"] for c in part["domain"]["columns"]] == truth["columns"]
    assert part["domain"]["total_rows"] == truth["rows"] and part["value"] == truth["value"]
    assert f"a frame of {truth['rows']} rows × {len(truth['columns'])} columns" in doc["text"]
    for row in truth["value"]:
        assert "| " + " | ".join(str(row[c]) for c in truth["columns"]) + " |" in doc["text"]
    refused = kernel_probe.session_cli(lab.server, browser, "set-ui", "editor", '{"transforms": []}')
    assert refused.code == 2 and refused.json["error"]["kind"] == "not_settable"


def test_a_data_explorer_reads_its_spec_and_data(lab: CellLab, book: tuple[Path, BrowserSession]) -> None:
    _path, browser = book
    truth = kernel(lab, browser, "explorer_el.value")
    doc = output(lab, browser, "explorer")
    (part,) = doc["parts"]
    assert part["type"] == "widget" and part["kind"] == "data-explorer" and part["value"] == truth
    assert part["domain"]["data"].startswith("./@file/") and f"spec: {json.dumps(truth)}" in doc["text"]
