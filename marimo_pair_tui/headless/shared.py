"""What both doors do alike around a call: write a complete document to a file, and say which
outputs and image files a read asks for. The command line and the MCP server import it; neither
imports the other for it."""

from __future__ import annotations

from ..core.api import Document, UsageError, call_path, documents
from .output import dumps_line


def save_document(path: str, document: Document) -> str:
    """Write a complete document to `path` (JSON, UTF-8); its absolute path. A usage error if it cannot."""
    target = call_path(path)
    try:
        target.write_text(dumps_line(document) + "\n", encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"Could not write {target}: {exc.strerror or exc}.",
                         next="Pass a writable file path (its directory must exist).") from None
    return str(target)


def output_mode(raw: bool, no_outputs: bool = False) -> documents.OutputMode:
    """The outputs a read gives: none, text and handles, or marimo's own data besides."""
    return False if no_outputs else ("raw" if raw else True)


def image_files(save_images: str | None) -> documents.ImageFiles | None:
    """Where the outputs' images are written (a usage error when the directory cannot be made)."""
    return documents.ImageFiles(save_images) if save_images else None
