"""`<marimo-progress>` read into a ProgressPart.

marimo's progress_bar and spinner render one element whose `data-progress`
is the count done, or `true` for a spinner (no total known); `data-total`,
`data-rate` (items a second) and `data-eta` (seconds left) come only when
marimo computed them. The element is re-sent at most every 150 ms while the
cell runs, and once more when the bar closes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:  # bs4 is loaded once HTML is read (parts/html.py), not to import this
    from bs4 import Tag

from .model import ProgressPart

Attr = Callable[["Tag", str, Any], Any]


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return value


def _count(value: Any) -> int | None:
    number = _number(value)
    return int(number) if number is not None else None


def progress_part(el: Tag, attr: Attr) -> ProgressPart:
    """The progress a `<marimo-progress>` element shows; a value of the wrong type reads as absent."""
    progress = attr(el, "data-progress", True)
    title, subtitle = attr(el, "data-title", ""), attr(el, "data-subtitle", "")
    return ProgressPart(title=str(title) if title is not None else "",
                        subtitle=str(subtitle) if subtitle is not None else "",
                        current=_count(progress), total=_count(attr(el, "data-total", None)),
                        rate=_number(attr(el, "data-rate", None)), eta=_number(attr(el, "data-eta", None)))


def _seconds(value: float) -> str:
    return f"{value:.1f}s" if value < 60 else f"{int(value // 60)}m{int(value % 60):02d}s"


def progress_text(part: ProgressPart) -> str:
    """One line: `[progress] Loading · items 30/100 (30%) — 12.5/s, eta 5.6s`; `[spinner] Thinking`."""
    label = " · ".join(t for t in (part.title, part.subtitle) if t)
    if part.spinner:
        return "[spinner]" + (f" {label}" if label else "")
    fraction = part.fraction
    total = f"/{part.total:,}" if part.total is not None else ""
    share = f" ({fraction:.0%})" if fraction is not None else ""
    head = f"[progress]{' ' + label if label else ''} {part.current:,}{total}{share}"
    if part.done:
        return head + " done"
    extra = []
    if part.rate is not None:
        extra.append(f"{part.rate:g}/s" if part.rate >= 1 or part.rate == 0 else f"{_seconds(1 / part.rate)} per item")
    if part.eta is not None:
        extra.append(f"eta {_seconds(part.eta)}")
    return head + (" — " + ", ".join(extra) if extra else "")
