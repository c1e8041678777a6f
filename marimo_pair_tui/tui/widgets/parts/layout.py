"""Layout parts: stacks, tabs, accordions, callouts and stats, around their children's widgets."""

from __future__ import annotations

from typing import Callable

from rich.text import Text
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Collapsible, Static, TabbedContent, TabPane

from ....core.api import LayoutPart, Part
from ...terminal_text import escape_controls
from .plain import markup_safe, plain

Build = Callable[[Part], Widget]

CALLOUT_KINDS = ("info", "warn", "danger", "success", "neutral")
ARROWS = {"increase": "▲", "decrease": "▼"}


class HStack(Horizontal):
    """Children side by side, each taking an equal share of the width."""

    DEFAULT_CSS = """
    HStack {
        height: auto;
        width: 1fr;
    }
    HStack > * {
        width: 1fr;
        margin-right: 1;
    }
    """


class VStack(Vertical):
    """Children one under the other."""

    DEFAULT_CSS = """
    VStack {
        height: auto;
        width: 1fr;
    }
    """


class TabbedParts(TabbedContent):
    """Tabbed children: one pane per child, titled by the tab's label."""

    DEFAULT_CSS = """
    TabbedParts {
        height: auto;
        width: 1fr;
    }
    """

    def __init__(self, panes: list[TabPane]) -> None:
        super().__init__()
        for pane in panes:
            self.compose_add_child(pane)


class Accordion(Vertical):
    """Collapsed sections, one title line each; enter or a click opens one."""

    DEFAULT_CSS = """
    Accordion {
        height: auto;
        width: 1fr;
    }
    Accordion > Collapsible {
        border-top: none;
        padding: 0;
        background: transparent;
    }
    Accordion > Collapsible > CollapsibleTitle {
        padding: 0;
    }
    Accordion > Collapsible > Contents {
        padding: 0 0 0 2;
    }
    """


class Callout(Vertical):
    """A bordered box in the callout kind's colour, its kind as the title."""

    DEFAULT_CSS = """
    Callout {
        height: auto;
        width: 1fr;
        border: round $primary;
        border-title-color: $text-muted;
        padding: 0 1;
    }
    Callout.-warn { border: round $warning; }
    Callout.-danger { border: round $error; }
    Callout.-success { border: round $success; }
    Callout.-neutral { border: round $foreground 40%; }
    """


class Stat(Static):
    """`Users  1,234  ▲ +12%`: a stat's label, value and caption on one line."""

    DEFAULT_CSS = """
    Stat {
        height: auto;
        width: 1fr;
    }
    """

    def __init__(self, part: LayoutPart) -> None:
        detail = part.detail
        text = Text()
        if detail.get("label"):
            text.append(escape_controls(str(detail["label"])) + "  ", style="dim")
        text.append(escape_controls(str(detail.get("value", ""))), style="bold")
        caption = detail.get("caption")
        if caption:
            arrow = ARROWS.get(str(detail.get("direction")), "")
            style = {"increase": "green", "decrease": "red"}.get(str(detail.get("direction")), "dim")
            text.append(f"  {arrow} " if arrow else "  ", style=style)
            text.append(escape_controls(str(caption)), style=style)
        super().__init__(text)


def _label(part: LayoutPart, index: int) -> str:
    return part.labels[index] if index < len(part.labels) and part.labels[index] else f"{index + 1}"


def layout_widget(part: LayoutPart, build: Build) -> Widget:
    """The container for a layout part, its children built by `build`."""
    children = [build(child) for child in part.children]
    if part.kind == "hstack":
        return HStack(*children)
    if part.kind == "tabs":
        panes = [TabPane(plain(_label(part, i)), child) for i, child in enumerate(children)]
        return TabbedParts(panes)
    if part.kind == "accordion":
        return Accordion(*(Collapsible(child, title=markup_safe(_label(part, i)), collapsed=True)
                           for i, child in enumerate(children)))
    if part.kind == "callout":
        kind = str(part.detail.get("kind") or "info")
        box = Callout(*children, classes=f"-{kind}" if kind in CALLOUT_KINDS else "")
        box.border_title = markup_safe(kind)
        return box
    if part.kind == "stat":
        return Stat(part)
    return VStack(*children)
