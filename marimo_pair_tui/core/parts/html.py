"""marimo's HTML outputs read into parts.

marimo renders rich outputs as HTML with its own custom elements
(`<marimo-ui-element>` around `<marimo-slider>`, `<marimo-table>`,
`<marimo-vega>`, …) whose `data-*` attributes hold JSON. BeautifulSoup walks
the tree; each custom element becomes its part (widgets.py, tables.py,
charts.py); flex `<div>`s, tabs, accordions, callouts and stats become layouts;
whatever is left is prose, converted to markdown by markdownify.
"""

from __future__ import annotations

import json
import re
from typing import Any

from bs4 import BeautifulSoup, NavigableString, Tag
from markdownify import MarkdownConverter

from .images import image_from_src, svg_image
from .model import LayoutPart, LazyPart, MarkdownPart, Part, TextPart, WidgetPart, walk
from .frames import KINDS as FRAME_KINDS, frame_widget
from .media import download_part, tag_media
from .structure import json_output_part, mermaid_part
from .styled import is_styled_table, styled_table
from .progress import progress_part
from .charts import plotly_chart, vega_chart
from .tables import table_part
from .widgets import describe_widget, widget_part

_LANGUAGE = re.compile(r"language-([\w+-]+)")
_FLEX = re.compile(r"display:\s*flex")
_COLUMN = re.compile(r"flex-direction:\s*column")
_BLANKS = re.compile(r"\n{3,}")
MAX_HTML = 2_000_000  # characters of HTML parsed; past it the rest is dropped (flagged in the text)


def attr(tag: Tag, name: str, default: Any = None) -> Any:
    """A `data-*` attribute's JSON value (bs4 has already undone the HTML escaping)."""
    raw = tag.get(name)
    if raw is None:
        return default
    if isinstance(raw, list):  # bs4 splits class-like attributes
        raw = " ".join(raw)
    try:
        return json.loads(raw)
    except ValueError:
        return raw


class _Markdown(MarkdownConverter):
    """markdownify, taught marimo's markdown: paragraph spans, code-block languages, TeX."""

    def convert_span(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        if "paragraph" in (el.get("class") or []):
            return f"\n\n{text.strip()}\n\n" if "_inline" not in parent_tags else text
        return text

    def convert_marimo_tex(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        body = text.strip()
        for left, right in (("||(", "||)"), ("||[", "||]")):
            if body.startswith(left) and body.endswith(right):
                inner = body[len(left):-len(right)]
                return f"${inner}$" if left == "||(" else f"\n\n$${inner}$$\n\n"
        return body


def _language(el: Tag) -> str:
    for node in (el, el.parent):
        if isinstance(node, Tag):
            found = _LANGUAGE.search(" ".join(node.get("class") or []))
            if found:
                return found.group(1)
    return ""


def to_markdown(markup: str | Tag) -> str:
    """Markdown for an HTML fragment (GFM tables, ATX headings, fenced code)."""
    converter = _Markdown(heading_style="ATX", bullets="-", code_language_callback=_language,
                          escape_underscores=False, escape_asterisks=False, escape_misc=False)
    soup = markup if isinstance(markup, Tag) else BeautifulSoup(markup, "html.parser")
    text = converter.convert_soup(soup)
    return _BLANKS.sub("\n\n", text).strip()


def label_text(value: Any) -> str:
    """A widget label or tab title: marimo sends rendered markdown HTML; keep its text."""
    if not value:
        return ""
    text = str(value)
    return to_markdown(text) if "<" in text else text


def parse_html(markup: str) -> list[Part]:
    """The parts of one HTML output."""
    cut = len(markup) > MAX_HTML
    soup = BeautifulSoup(markup[:MAX_HTML], "html.parser")
    parts = _nodes(list(soup.contents))
    if cut:
        parts.append(TextPart(f"… output cut at {MAX_HTML:,} of {len(markup):,} characters"))
    return parts


def _is_special(node: Any) -> bool:
    if not isinstance(node, Tag):
        return False
    name = node.name or ""
    if name.startswith("marimo-") and name not in ("marimo-tex",):
        return True
    if name in ("img", "svg", "iframe", "video", "audio"):
        return True
    if name == "table" and is_styled_table(node):
        return True
    if name == "pre" and "text-xs" in (node.get("class") or []):
        return True
    return name == "div" and bool(_FLEX.search(str(node.get("style") or "")))


def _has_special(node: Tag) -> bool:
    return node.find(_is_special) is not None


def _nodes(nodes: list[Any]) -> list[Part]:
    parts: list[Part] = []
    prose: list[Any] = []

    def flush() -> None:
        if prose:
            text = to_markdown("".join(str(item) for item in prose))
            if text:
                parts.append(MarkdownPart(text))
            prose.clear()

    for node in nodes:
        if _is_special(node):
            flush()
            parts.extend(_special(node))
        elif isinstance(node, Tag) and _has_special(node):
            flush()
            parts.extend(_nodes(list(node.contents)))
        elif isinstance(node, (Tag, NavigableString)):
            prose.append(node)
    flush()
    return parts


def _children(node: Tag) -> list[Part]:
    """Each child element of a layout as one part list, flattened in order."""
    out: list[Part] = []
    for child in list(node.contents):
        if isinstance(child, Tag):
            found = _nodes([child])
            if len(found) > 1:
                out.append(LayoutPart("vstack", found))
            else:
                out.extend(found)
        elif str(child).strip():
            out.append(TextPart(str(child).strip()))
    return out


def _special(node: Tag) -> list[Part]:
    name = node.name or ""
    if name == "pre":
        return [TextPart(node.get_text())]
    if name == "div":
        kind = "vstack" if _COLUMN.search(str(node.get("style") or "")) else "hstack"
        return [LayoutPart(kind, _children(node))]
    media = tag_media(node) if name in ("img", "iframe", "video", "audio") else None
    if media is not None:
        return [media]
    if name == "table":
        return [styled_table(node)]
    if name == "img":
        src = str(node.get("src") or "")
        image = image_from_src(src, alt=str(node.get("alt") or ""))
        return [image] if image is not None else [TextPart(f"[image: {src[:200]}]")]
    if name == "svg":
        return [svg_image(str(node))]
    if name in ("iframe", "video", "audio"):
        return [TextPart(f"[{name}: {str(node.get('src') or '')[:200]}]")]
    if name == "marimo-ui-element":
        inner = next((c for c in node.children if isinstance(c, Tag)), None)
        if inner is None:
            return []
        return _element(inner, str(node.get("object-id") or ""))
    return _element(node, None)


def _leaf_text(markup: str) -> str:
    """A structure's leaf written as HTML: a UI element (a slider inside `mo.ui.array` or
    `mo.ui.dictionary`) as its one line, with its value; other markup as its text."""
    if "<marimo-ui-element" not in markup:
        return label_text(markup)
    widgets = [p for p in walk(parse_html(markup)) if isinstance(p, WidgetPart)]
    return "; ".join(describe_widget(w) for w in widgets) or label_text(markup)


def _leaf_widgets(value: Any) -> list[Part]:
    """The UI elements among a structure's leaves, as parts: each can be read and set by its object id."""
    if isinstance(value, dict):
        return [p for v in value.values() for p in _leaf_widgets(v)]
    if isinstance(value, list):
        return [p for v in value for p in _leaf_widgets(v)]
    if isinstance(value, str) and value.startswith("text/html:") and "<marimo-ui-element" in value:
        return [p for p in parse_html(value.partition(":")[2]) if isinstance(p, WidgetPart)]
    return []


def _element(el: Tag, object_id: str | None) -> list[Part]:
    """One marimo custom element (inside its `<marimo-ui-element>` when it has an object id)."""
    for reader in (_data_element, _chart_element, _layout_element):
        parts = reader(el, object_id)
        if parts is not None:
            return parts
    name = el.name or ""
    if name == "marimo-mime-renderer":
        from .parse import parse_output  # a mimebundle inside HTML: the same reader, one level down

        return parse_output(str(attr(el, "data-mime", "text/plain")), attr(el, "data-data", ""))
    if object_id is not None or name.startswith("marimo-"):
        inner = _nodes([c for c in el.children if isinstance(c, Tag)]) if el.find(_is_special) else []
        return [widget_part(el, object_id or "", attr, label_text, inner)]
    return [MarkdownPart(to_markdown(str(el)))]


def _data_element(el: Tag, object_id: str | None) -> list[Part] | None:
    """An element that shows data: a table, a progress bar, a JSON tree, a diagram, a download, lazy
    content; None for any other element."""
    name = el.name or ""
    if name == "marimo-table":
        return [table_part(el, object_id, attr)]
    if name == "marimo-progress":
        return [progress_part(el, attr)]
    if name == "marimo-json-output":
        return [json_output_part(el, attr, _leaf_text), *_leaf_widgets(attr(el, "data-json-data", None))]
    if name == "marimo-mermaid":
        return [mermaid_part(el, attr)]
    if name == "marimo-download":
        return [download_part(el, object_id, attr, label_text)]
    if name == "marimo-lazy":
        return [LazyPart(object_id)]
    return None


def _chart_element(el: Tag, object_id: str | None) -> list[Part] | None:
    """A dataframe viewer or a chart (Vega-Lite, Plotly); None for any other element."""
    name = el.name or ""
    if name.removeprefix("marimo-") in FRAME_KINDS:
        return [frame_widget(el, object_id or "", attr, label_text)]
    if name == "marimo-vega":
        return [vega_chart(attr(el, "data-spec", {}), object_id)]
    if name == "marimo-plotly":
        return [plotly_chart(attr(el, "data-figure", {}), object_id)]
    return None


def _layout_element(el: Tag, object_id: str | None) -> list[Part] | None:
    """A layout that holds other outputs: a callout, a stat, tabs or an accordion; None for any other element."""
    name = el.name or ""
    if name == "marimo-callout-output":
        return [LayoutPart("callout", parse_html(str(attr(el, "data-html", ""))),
                           detail={"kind": attr(el, "data-kind", "neutral")})]
    if name == "marimo-stat":
        detail = {key: attr(el, f"data-{key}") for key in ("value", "label", "caption", "direction")}
        return [LayoutPart("stat", [], detail={k: v for k, v in detail.items() if v is not None})]
    if name in ("marimo-tabs", "marimo-accordion"):
        return [_panes(el, object_id, tabs=name == "marimo-tabs")]
    return None


def _panes(el: Tag, object_id: str | None, *, tabs: bool) -> LayoutPart:
    """Tabs or an accordion: one pane per child, titled by the element's labels."""
    titles = attr(el, "data-tabs" if tabs else "data-labels", []) or []
    titles = titles if isinstance(titles, list) else [titles]  # a malformed attribute is one title, not a crash
    panes: list[Part] = [LayoutPart("vstack", _nodes(list(c.contents))) for c in el.children if isinstance(c, Tag)]
    return LayoutPart("tabs" if tabs else "accordion", panes, labels=[label_text(t) for t in titles],
                      detail={"object_id": object_id} if object_id else {})
