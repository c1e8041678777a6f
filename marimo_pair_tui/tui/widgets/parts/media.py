"""A file an output offers (download, pdf, audio, video, a remote image): a line naming it and a button to save it.

The terminal cannot play or show these; the line says what the file is
(name, mimetype, size, or the URL it is at) and `Save` writes its bytes, as
the kernel holds them, into the directory the app was started in (a name
already taken gets ` (2)`), then says where.
"""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Static

from ....core.api import MediaPart, media_suffix, media_text
from .plain import plain_text


def free_path(directory: Path, name: str) -> Path:
    """`name` in `directory`, or `stem (2).ext`, … when it is taken: a save never overwrites."""
    path = directory / name
    count = 1
    while path.exists():
        count += 1
        path = directory / f"{Path(name).stem} ({count}){Path(name).suffix}"
    return path


def file_name(part: MediaPart) -> str:
    """The name a saved file gets: the download's own, else the kind with the file's extension."""
    name = Path(part.filename).name if part.filename else ""
    return name or f"{part.kind}{media_suffix(part)}"


class MediaView(Horizontal):
    """One line for the file, and `Save` once its bytes are here."""

    DEFAULT_CSS = """
    MediaView {
        height: auto;
        width: 1fr;
    }
    MediaView > .media-line {
        width: 1fr;
        height: auto;
        padding: 0 1 0 0;
    }
    MediaView > Button {
        min-width: 8;
        height: 1;
        border: none;
    }
    """

    def __init__(self, part: MediaPart, directory: Path | None = None) -> None:
        super().__init__()
        self.part = part
        self.directory = directory
        self.saved: Path | None = None

    def compose(self) -> ComposeResult:
        yield Static(plain_text(media_text(self.part)), classes="media-line")
        if self.part.data:
            yield Button("Save", id="media-save", compact=True)

    @on(Button.Pressed, "#media-save")
    def _save(self, event: Button.Pressed) -> None:
        event.stop()
        self.save()

    def save(self) -> Path | None:
        """Write the bytes; the line and a notice say where (or why not)."""
        directory = self.directory or Path.cwd()
        path = free_path(directory, file_name(self.part))
        try:
            path.write_bytes(self.part.data)
        except OSError as error:
            self.notify(f"Could not save {path}: {error.strerror or error}", severity="error")
            return None
        self.saved = path
        self.query_one(".media-line", Static).update(plain_text(f"{media_text(self.part)} — saved to {path}"))
        self.notify(f"Saved to {path}")
        return path
