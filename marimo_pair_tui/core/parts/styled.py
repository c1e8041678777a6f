"""A pandas Styler's HTML table (`df.style`) read into a TablePart: row labels, columns, values as shown.

marimo shows a Styler as the HTML pandas writes (`Styler.to_html`): a
`<table>` whose header cells are `th.col_heading` (one row per column level),
whose index names are `th.index_name`, and whose rows start with their labels
in `th.row_heading` (a label spanning rows of a MultiIndex once, with
`rowspan`). The values are the text the Styler formatted, so the part is
`formatted`: they are what a reader sees, not the data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # bs4 is loaded once HTML is read (parts/html.py), not to import this
    from bs4 import Tag

from .model import Column, TablePart

_LEVEL_JOIN = " / "  # a column under several header levels is named by all of them


def _classes(cell: Tag) -> list[str]:
    found = cell.get("class")
    if found is None:
        return []
    return found.split() if isinstance(found, str) else [str(c) for c in found]


def is_styled_table(node: Tag) -> bool:
    """A `<table>` written by pandas' Styler (header cells of class `col_heading`)."""
    return node.name == "table" and node.find("th", class_="col_heading") is not None


def _text(cell: Tag) -> str:
    return cell.get_text().replace("\xa0", " ").strip()


def _span(cell: Tag, name: str) -> int:
    try:
        return max(1, int(str(cell.get(name) or 1)))
    except ValueError:
        return 1


def _headers(table: Tag) -> tuple[list[str], list[str]]:
    """(index names, column names): every header level's names joined per column."""
    levels: list[list[str]] = []
    index_names: list[str] = []
    for row in table.select("thead tr"):
        names: list[str] = []
        for cell in row.find_all("th", recursive=False):
            classes = _classes(cell)
            if "col_heading" in classes:
                names.extend([_text(cell)] * _span(cell, "colspan"))
            elif "index_name" in classes:
                index_names.append(_text(cell))
        if names:
            levels.append(names)
    width = max((len(names) for names in levels), default=0)
    columns = [_LEVEL_JOIN.join(level[i] for level in levels if i < len(level)) for i in range(width)]
    return index_names, columns


def styled_table(table: Tag) -> TablePart:
    """The Styler's table: its row labels as index columns first, then its columns, values as text."""
    index_names, names = _headers(table)
    body = table.find("tbody") or table
    rows: list[list[str]] = []
    labels: list[list[str]] = []
    carried: dict[int, tuple[str, int]] = {}  # level -> (label, rows it still spans)
    for row in body.find_all("tr", recursive=False):
        heads = [c for c in row.find_all("th", recursive=False) if "row_heading" in _classes(c)]
        values = [_text(c) for c in row.find_all("td", recursive=False)]
        spanning = sum(1 for _label, left in carried.values() if left > 0)
        levels = max(len(index_names), len(heads) + spanning)
        row_labels: list[str] = []
        given = iter(heads)
        for level in range(levels):
            if level in carried and carried[level][1] > 0:
                label, left = carried[level]
                carried[level] = (label, left - 1)
                row_labels.append(label)
                continue
            cell = next(given, None)
            if cell is None:
                row_labels.append("")
                continue
            text = _text(cell)
            carried[level] = (text, _span(cell, "rowspan") - 1)
            row_labels.append(text)
        labels.append(row_labels)
        rows.append(values)
    depth = max((len(r) for r in labels), default=len(index_names))
    label_names = [(index_names[i] if i < len(index_names) and index_names[i] else "") or f"Index{i}"
                   for i in range(depth)]
    columns = [Column(name, "string", "", index=True) for name in label_names]
    columns += [Column(name, "string", "") for name in _unique(names, set(label_names))]
    records = [dict(zip([c.name for c in columns], [*row_labels, *values])) for row_labels, values in zip(labels, rows)]
    data_columns = len(columns) - depth
    return TablePart(columns=columns, rows=records, total_rows=len(records), total_columns=data_columns,
                     page_size=len(records), formatted=True)


def _unique(names: list[str], taken: set[str]) -> list[str]:
    """Column names made unique (a row of the records holds each once): a repeat gets ` (2)`."""
    out: list[str] = []
    seen = set(taken)
    for name in names:
        unique, count = name, 1
        while unique in seen:
            count += 1
            unique = f"{name} ({count})"
        seen.add(unique)
        out.append(unique)
    return out
