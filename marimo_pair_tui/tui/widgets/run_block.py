"""One run in the results pane: a header that ends with the outcome, and the output."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from ..inert import inert

BODY_LIMIT = 64 * 1024  # characters of output kept per run; the oldest go first


class RunBlock(Vertical):
    """`▶ snippet · 14:02:11 · running…`, then `✓ … · 0.12 s · ok` when done."""

    DEFAULT_CSS = """
    RunBlock {
        height: auto;
        margin: 0 0 1 0;
    }
    RunBlock > .run-header {
        height: 1;
        text-style: bold;
    }
    RunBlock > .run-body {
        height: auto;
    }
    RunBlock.-failed > .run-header { color: $error; }
    RunBlock.-ok > .run-header { color: $success; }
    RunBlock.-running > .run-header { color: $warning; }
    """

    def __init__(self, kind: str, title: str, started: str, *, ascii: bool = False) -> None:
        super().__init__(classes="-running")
        self.kind = kind
        self.title = title
        self.started = started
        self.ascii = ascii
        self.body = Text()
        self.finished: bool | None = None
        self._header = Static(classes="run-header", markup=False)
        self._body = Static(classes="run-body", markup=False)
        self._body.display = False
        self._render_header("running" + ("..." if ascii else "…"), "▶" if not ascii else ">")

    def compose(self) -> ComposeResult:
        yield self._header
        yield self._body

    def _render_header(self, tail: str, mark: str) -> None:
        dot = " | " if self.ascii else " · "
        self.header_text = inert(f"{mark} {self.kind} {self.title}{dot}{tail}{dot}{self.started}")
        self._header.update(Text(self.header_text, no_wrap=True, overflow="ellipsis"))

    def append(self, text: str, style: str = "") -> None:
        """Add output as it arrives (stderr in red), its control characters shown, not obeyed."""
        if not text:
            return
        self.body.append(inert(text), style=style or None)
        if len(self.body) > BODY_LIMIT:
            self.body = self.body[len(self.body) - BODY_LIMIT :]
        self._body.display = True
        self._body.update(self.body)

    def line(self, text: str, style: str = "") -> None:
        """Add a full line, starting on a new line if needed."""
        if self.body.plain and not self.body.plain.endswith("\n"):
            self.append("\n")
        self.append(text.rstrip("\n") + "\n", style)

    def finish(self, ok: bool, summary: str) -> None:
        self.finished = ok
        self.set_class(ok, "-ok")
        self.set_class(not ok, "-failed")
        self.remove_class("-running")
        mark = ("+" if ok else "x") if self.ascii else ("✓" if ok else "✗")
        self._render_header(summary, mark)

    @property
    def text(self) -> str:
        return self.header_text + "\n" + self.body.plain
