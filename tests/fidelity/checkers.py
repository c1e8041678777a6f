"""Checkers, one per output kind: does what a door shows agree with the kernel's truth?

A JSON door (headless `cells`/`output`, MCP) gives an output as `{text, parts}`
beside the cell's console and errors; each checker compares both the typed
parts and the text a model reads with the truth the corpus computed in the
kernel. Table text is held to the browser's rules for writing values
(core/parts/values.py): the rules are the reference, the values the kernel's.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any, Callable

from marimo_pair_tui.core.parts.values import page_fraction_digits, shown_value

Doc = dict[str, Any]


def walk(parts: list[Doc]) -> list[Doc]:
    """Every part of a JSON output, depth first."""
    found: list[Doc] = []
    for part in parts:
        found.append(part)
        found.extend(walk(part.get("children") or []))
    return found


def first(parts: list[Doc], kind: str) -> Doc:
    found = [p for p in walk(parts) if p["type"] == kind]
    assert found, f"no {kind} part in {[p['type'] for p in walk(parts)]}"
    return found[0]


def raw(value: Any) -> Any:
    """A truth value back as the Python value marimo sent (non-finite floats, times as text)."""
    if isinstance(value, dict) and "nonfinite" in value:
        return float(value["nonfinite"])
    if isinstance(value, dict) and "time" in value:
        return value["time"]
    return value


def same(shown: Any, truth: Any) -> bool:
    truth = raw(truth)
    if isinstance(truth, float) and math.isnan(truth):
        return shown == "NaN" or (isinstance(shown, float) and math.isnan(shown))
    if isinstance(truth, bool) or isinstance(shown, bool):
        return shown is truth
    return bool(shown == truth)


def labels_match(headers: list[str], names: list[Any]) -> bool:
    """marimo names each row-label level as the frame does, an unnamed one `Index0`, `Index1`, …"""
    return len(headers) == len(names) and all(n is None or h == n for h, n in zip(headers, names))


def text_rows(text: str) -> list[list[str]]:
    """The cells of a GFM table's body rows."""
    lines = [line for line in text.splitlines() if line.startswith("| ")][1:]
    return [[cell.strip() for cell in line.strip("|").split(" | ")] for line in lines]


def shown_cells(truth: Doc, start: int = 0, stop: int | None = None) -> list[list[str]]:
    """The rows `start:stop` of the truth's first page as the browser writes them: row labels, then values,
    every float of a column padded to the longest on the page shown."""
    columns = truth["columns"]
    head = [[raw(v) for v in row] for row in truth["head"]][start:stop]
    labels = [[raw(v) for v in row] for row in truth["labels"]][start:stop]
    kinds = {c: "number" for i, c in enumerate(columns) if any(isinstance(r[i], float) for r in head)}
    digits = page_fraction_digits(kinds, [dict(zip(columns, r)) for r in head])
    shown = []
    for i, row in enumerate(head):
        label_cells = [shown_value(v) for v in (labels[i] if labels else [])]
        shown.append(label_cells + [shown_value(v, kinds.get(c, ""), digits.get(c, 0)) for c, v in zip(columns, row)])
    return shown


def check_table_rows(part: Doc, truth: Doc, start: int = 0) -> None:
    """A table part's (or page's) row labels and values against the truth's rows from `start`."""
    headers = part["row_headers"]
    assert labels_match(headers, truth["index_names"]), (headers, truth["index_names"])
    data = [c["name"] for c in part["columns"] if not c["index"]]
    assert data == truth["columns"], (data, truth["columns"])
    rows = part["rows"]
    assert rows, "no rows"
    for i, row in enumerate(rows):
        values = truth["head"][start + i]
        assert all(same(row[c], v) for c, v in zip(data, values)), (i, row, values)
        if headers:
            assert [row[h] for h in headers] == [raw(v) for v in truth["labels"][start + i]], (i, row)


def check_table(out: Doc, truth: Doc, cell: Doc) -> None:
    part = first(out["parts"], "table")
    assert part["total_rows"] == truth["rows"], (part["total_rows"], truth["rows"])
    assert part["total_columns"] == len(truth["columns"])
    assert len(part["rows"]) == min(truth["rows"], part["page_size"])
    check_table_rows(part, truth)
    text = out["text"]
    header = [h.strip().rsplit(" (", 1)[0] for h in text.splitlines()[0].strip().strip("|").split(" | ")]
    assert header[len(part["row_headers"]):] == truth["columns"], header
    assert text_rows(text) == shown_cells(truth)[: len(text_rows(text))]
    assert len(text_rows(text)) == min(truth["rows"], 10)
    assert f"({truth['rows']:,} rows × {len(truth['columns'])} columns" in text
    if truth["rows"] > 10:
        assert f"… {truth['rows'] - 10:,} more rows" in text
    if truth["index_names"]:
        assert f"row labels: {', '.join(part['row_headers'])}" in text


def _numbers(values: list[Any]) -> list[float]:
    return [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]


def check_chart(out: Doc, truth: Doc, cell: Doc) -> None:
    part = first(out["parts"], "chart")
    assert part["description"] in out["text"]
    if "traces" not in truth:  # altair
        assert part["library"] == "vega-lite"
        (dataset,) = part["data"]
        if dataset["rows"] is None:  # data in a file on the server that this read did not fetch: said, no number
            assert dataset["unread"] and "not fetched" in part["description"] and " rows" not in part["description"]
            return
        assert dataset["rows"] == truth["rows"]
        assert {f["name"] for f in dataset["fields"]} == set(truth["fields"])
        assert f"mark {truth['mark']}" in part["description"] and f"{truth['rows']} rows" in part["description"]
        return
    assert part["library"] == "plotly"
    assert len(part["data"]) == len(truth["traces"])
    if truth["title"]:
        assert f'"{truth["title"]}"' in part["description"]
    for trace, expected in zip(part["data"], truth["traces"]):
        assert trace["type"] == expected["type"] and trace["points"] == expected["points"], (trace, expected)
        assert trace["name"] == (expected["name"] or "")
        fields = {f["name"]: f for f in trace["fields"]}
        for axis in ("x", "y", "values", "labels"):
            values = expected[axis]
            if values is None:
                continue
            field = fields[axis]
            numbers = _numbers(values)
            if numbers and len(numbers) == len(values):
                assert [field["min"], field["max"]] == [min(numbers), max(numbers)], (axis, field)
            else:
                assert field["values"] == list(dict.fromkeys(values)), (axis, field)
            assert field["distinct"] == len(set(map(json.dumps, values)))


def check_image(out: Doc, truth: Doc, cell: Doc) -> None:
    part = first(out["parts"], "image")
    if part["width"] is None:  # a file on the server that this read did not fetch: said, no size
        assert part["src"] and f"on the server at {part['src']}" in out["text"] and "×" not in out["text"]
        return
    assert (part["width"], part["height"]) == (truth["width"], truth["height"])
    assert f"{truth['width']}×{truth['height']}" in out["text"]


# marimo's Python classes as the frontend's element kinds (mo.ui.array and mo.ui.dictionary are both
# `marimo-dict`, a run_button a `marimo-button`).
KIND = {"array": "dict", "dictionary": "dict", "run_button": "button"}


def _plain_domain(value: Any) -> Any:
    value = raw(value)
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+", value):
        return value.split(".")[0]  # the frontend's datetime keeps whole seconds
    return value


def check_widget_part(part: Doc, truth: Doc) -> None:
    assert part["kind"] == KIND.get(truth["kind"], truth["kind"].replace("_", "-")), (part["kind"], truth["kind"])
    assert part["label"] == truth["label"] and part["value"] == truth["value"], (part, truth)
    for key, value in truth["domain"].items():
        if value is not None and not (key in ("start", "stop") and "steps" in truth["domain"]):
            assert part["domain"].get(key) == _plain_domain(value), (key, part["domain"], value)
    inner = [p for p in walk(part.get("children") or []) if p["type"] == "widget"]
    for child in truth.get("children", []):
        assert any(p["value"] == child["value"] and p["label"] == child["label"] for p in inner), (
            f"inner element {child['kind']} {child['label']!r} = {child['value']!r} not shown", part)


def _value_text(value: Any) -> str:
    """A value as a widget's line writes it: JSON (strings escaped, so the line stays one line), None as `none`."""
    return "none" if value is None else json.dumps(value, ensure_ascii=False)


def check_widget(out: Doc, truth: Doc, cell: Doc) -> None:
    part = first(out["parts"], "widget")
    check_widget_part(part, truth)
    line = next(line for line in out["text"].splitlines() if part["object_id"] in line)
    assert f"= {_value_text(truth['value'])}" in line, line
    if truth["label"]:
        assert f'"{truth["label"]}"' in line
    for child in truth.get("children", []):
        assert _value_text(child["value"]) in out["text"], (child, out["text"])


def check_widgets(out: Doc, truth: Doc, cell: Doc) -> None:
    parts = [p for p in walk(out["parts"]) if p["type"] == "widget"]
    assert len(parts) == len(truth["children"])
    for part, expected in zip(parts, truth["children"]):
        check_widget_part(part, expected)
        assert f'"{expected["label"]}" = {_value_text(expected["value"])}' in out["text"]


def _prose(markdown: str) -> str:
    """Markdown as the words it says (emphasis marks dropped, spaces collapsed)."""
    return " ".join(re.sub(r"[*_`]", "", markdown).split())


def check_markdown(out: Doc, truth: Doc, cell: Doc) -> None:
    markdown = first(out["parts"], "markdown")["markdown"]
    lines = markdown.splitlines()
    for heading, level in zip(truth["headings"], truth["levels"]):
        assert f"{'#' * level} {heading}" in lines, (heading, markdown)
    for item in truth["items"]:
        assert f"- {item}" in lines
    assert markdown in out["text"]


def check_md_table(out: Doc, truth: Doc, cell: Doc) -> None:
    markdown = first(out["parts"], "markdown")["markdown"]
    rows = [[c.strip() for c in line.strip("|").split("|")] for line in markdown.splitlines() if "---" not in line]
    assert rows == truth["rows"], (rows, truth["rows"])


def check_markdown_text(out: Doc, truth: Doc, cell: Doc) -> None:
    assert _prose(first(out["parts"], "markdown")["markdown"]) == truth["text"]
    assert _prose(out["text"]) == truth["text"]


def check_stat(out: Doc, truth: Doc, cell: Doc) -> None:
    part = first(out["parts"], "layout")
    assert part["kind"] == "stat"
    assert {k: part["detail"][k] for k in truth} == truth, part["detail"]
    assert all(str(v) in out["text"] for v in truth.values())


def _texts(part: Doc) -> list[str]:
    return [_prose(p["markdown"]) for p in walk([part]) if p["type"] == "markdown"]


def check_callout(out: Doc, truth: Doc, cell: Doc) -> None:
    part = first(out["parts"], "layout")
    assert part["kind"] == "callout" and part["detail"]["kind"] == truth["kind"]
    assert _texts(part) == [truth["text"]] and truth["text"] in out["text"]


def check_stack(out: Doc, truth: Doc, cell: Doc) -> None:
    part = first(out["parts"], "layout")
    assert part["kind"] == truth["kind"] and _texts(part) == truth["texts"]
    assert [w for w in truth["texts"] if w in out["text"]] == truth["texts"]


def check_tabs(out: Doc, truth: Doc, cell: Doc) -> None:
    part = first(out["parts"], "layout")
    assert part["labels"] == truth["labels"] and _texts(part) == truth["texts"]
    for label, text in zip(truth["labels"], truth["texts"]):
        assert f'"{label}"' in out["text"] and text in out["text"]


def check_text(out: Doc, truth: Doc, cell: Doc) -> None:
    assert first(out["parts"], "text")["text"] == truth["text"]
    assert out["text"] == truth["text"]


def check_console(out: Doc | None, truth: Doc, cell: Doc) -> None:
    stdout = "".join(e["data"] for e in cell["console"] if e["channel"] == "stdout")
    assert stdout == truth["console"], (stdout, truth)


def check_error(out: Doc, truth: Doc, cell: Doc) -> None:
    said = f"{truth['type']}: {truth['message']}"
    part = first(out["parts"], "error")
    assert [e["message"] for e in part["errors"]] == [said]
    assert said in out["text"] and [e["message"] for e in cell["errors"]] == [said]
    tracebacks = [e["data"] for e in cell["console"] if "traceback" in e["mimetype"]]
    assert tracebacks and tracebacks[-1].rstrip("\n").splitlines()[-1] == said
    assert tracebacks[-1].startswith("Traceback (most recent call last):") and "<span" not in tracebacks[-1]


CHECKERS: dict[str, Callable[[Any, Doc, Doc], None]] = {
    "table": check_table, "chart": check_chart, "plot": check_image, "image": check_image,
    "widget": check_widget, "widgets": check_widgets, "markdown": check_markdown, "md_table": check_md_table,
    "markdown_text": check_markdown_text, "stat": check_stat, "callout": check_callout, "stack": check_stack,
    "tabs": check_tabs, "text": check_text, "console": check_console, "error": check_error,
}


# ------------------------------------------------------------------ the newest kinds

def check_diagram(out: Doc, truth: Doc, cell: Doc) -> None:
    part = first(out["parts"], "diagram")
    assert part == {"type": "diagram", **truth}, part
    assert out["text"] == f"```{truth['language']}\n{truth['source']}\n```"


def check_structure(out: Doc, truth: Doc, cell: Doc) -> None:
    part = first(out["parts"], "structure")
    assert (part["value"], part["label"], part["value_types"]) == (truth["value"], truth["label"], truth["value_types"])
    text = out["text"]
    if truth["label"]:
        head, _, text = text.partition("\n")
        assert head == f"{truth['label']}:"
    assert json.loads(text) == truth["value"]  # the text is the same value


def _sha256(path: str) -> str:
    import hashlib
    from pathlib import Path

    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def check_media(out: Doc, truth: Doc, cell: Doc) -> None:
    """A file's bytes as the kernel holds them once read (and the file they were saved to, when a door was
    asked to save them: `saved_to`), or where the server keeps them."""
    part = first(out["parts"], "media")
    assert part["kind"] == truth["kind"]
    assert {k: part[k] for k in ("filename", "label") if k in truth} == {k: truth[k] for k in ("filename", "label")
                                                                         if k in truth}
    text = out["text"]
    assert text.startswith(f"[{truth['kind']}" + (f' "{truth["label"]}"' if truth.get("label") else "") + ":"), text
    if truth.get("filename"):
        assert f": {truth['filename']}, " in text
    if part["bytes"] is None:  # a file the server keeps, not fetched by this read: named, no size made up
        assert part["src"].startswith("./@file/") and part["sha256"] is None and not part["unread"], part
        assert f"on the server at {part['src']}" in text and " bytes" not in text
        return
    assert (part["bytes"], part["sha256"]) == (truth["bytes"], truth["sha256"]), (part, truth)
    if cell.get("saved_to"):  # a door asked to save files: this one is saved there
        assert part["file"] and part["file"].startswith(cell["saved_to"]), part
    if part["file"]:
        assert _sha256(part["file"]) == truth["sha256"]  # the saved file is the kernel's bytes
        assert f"{truth['bytes']:,} bytes, saved to {part['file']}" in text
    else:
        assert text.endswith(f"{truth['bytes']:,} bytes]"), text


def check_remote(out: Doc, truth: Doc, cell: Doc) -> None:
    part = first(out["parts"], "media")
    assert (part["kind"], part["src"], part["label"]) == (truth["kind"], truth["src"], truth["label"]), part
    assert part["bytes"] is None and part["file"] is None and part["unread"] == "a remote URL: not fetched"
    assert f"at {truth['src']}, a remote URL: not fetched" in out["text"]


def check_lazy(out: Doc, truth: Doc, cell: Doc) -> None:
    part = first(out["parts"], "lazy")
    assert part["loaded"] is False and part["object_id"]
    assert "not loaded" in out["text"]
    assert truth["hidden"] not in out["text"] and truth["hidden"] not in json.dumps(out["parts"])  # nothing made up


def check_styled(out: Doc, truth: Doc, cell: Doc) -> None:
    """A Styler's table: its row labels and the values as the Styler itself writes them."""
    part = first(out["parts"], "table")
    assert part["formatted"] is True
    headers = part["row_headers"]
    assert labels_match(headers, truth["index_names"]), (headers, truth["index_names"])
    data = [c["name"] for c in part["columns"] if not c["index"]]
    assert data == truth["columns"], data
    assert (part["total_rows"], part["total_columns"]) == (truth["rows"], len(truth["columns"]))
    assert [[r[h] for h in headers] for r in part["rows"]] == truth["labels"]
    assert [[r[c] for c in data] for r in part["rows"]] == truth["values"]
    assert text_rows(out["text"]) == [labels + values for labels, values in zip(truth["labels"], truth["values"])]
    assert f"({truth['rows']:,} rows × {len(truth['columns'])} columns" in out["text"]
    assert f"row labels: {', '.join(headers)}" in out["text"]


def check_frame_widget(out: Doc, truth: Doc, cell: Doc) -> None:
    """`mo.ui.dataframe` / `mo.ui.data_explorer`: the kernel's value (the frame as records, the spec)."""
    part = first(out["parts"], "widget")
    assert part["kind"] == truth["kind"] and part["value"] == truth["value"], (part, truth)
    text = out["text"]
    if truth["kind"] == "data-explorer":
        assert part["domain"]["data"].startswith("./@file/")
        assert f"spec: {json.dumps(truth['value'])}" in text
        return
    assert [c["name"] for c in part["domain"]["columns"]] == truth["columns"]
    assert part["domain"]["total_rows"] == truth["rows"]
    assert f"a frame of {truth['rows']:,} rows × {len(truth['columns'])} columns" in text
    assert text_rows(text) == [[str(row[c]) for c in truth["columns"]] for row in truth["value"]]


def check_progress(out: Doc, truth: Doc, cell: Doc) -> None:
    """A finished progress bar: the kernel's final count and total, done."""
    (bar,) = [p for p in walk(out["parts"]) if p["type"] == "progress"]
    assert {k: bar[k] for k in truth} == truth, bar
    done = truth["current"] >= truth["total"]
    assert bar["kind"] == "bar" and bar["done"] is done and bar["fraction"] == min(1.0, truth["current"] / truth["total"])
    share = f"{truth['current'] / truth['total']:.0%}"
    said = f"[progress] {truth['title']} · {truth['subtitle']} {truth['current']:,}/{truth['total']:,} ({share})"
    assert said + (" done" if done else "") in out["text"], out["text"]


def check_appended(out: Doc, truth: Doc, cell: Doc) -> None:
    """A cell that appended and replaced outputs: exactly what was left, in order."""
    texts = [p["markdown"] for p in walk(out["parts"]) if p["type"] == "markdown"]
    assert texts == truth["texts"]
    assert out["text"] == "\n\n".join(truth["texts"])


def check_anywidget(out: Doc, truth: Doc, cell: Doc) -> None:
    """An anywidget's model state against the kernel's `widget.value` (binary traits by size)."""
    part = first(out["parts"], "widget")
    assert part["kind"] == "anywidget" and part["value"] == truth, (part["value"], truth)
    line = next(line for line in out["text"].splitlines() if part["object_id"] in line)
    shown = line.split(" = ", 1)[1].rsplit(f" [{part['object_id']}]", 1)[0]
    assert json.loads(shown) == truth, line


def check_notice(out: Doc | None, truth: Doc, cell: Doc) -> None:
    """A toast is no output (nothing drawn in the cell); a door that carries the notices has it."""
    assert out is None or (not out["parts"] and not out["text"]), out
    if "notices" in cell:  # the cells doors: the document's notices
        check_alerts(cell["notices"], truth)


def check_alerts(notices: Doc | None, truth: Doc) -> None:
    alerts = [a for a in (notices or {}).get("alerts", []) if a["title"] == truth["title"]]
    assert len(alerts) == 1, notices
    assert (_prose(alerts[0]["description"]), alerts[0]["variant"]) == (truth["words"], truth["variant"]), alerts


CHECKERS.update({
    "diagram": check_diagram, "structure": check_structure, "media": check_media, "remote": check_remote,
    "lazy": check_lazy, "styled": check_styled, "frame_widget": check_frame_widget, "progress": check_progress,
    "appended": check_appended, "anywidget": check_anywidget, "notice": check_notice,
})
