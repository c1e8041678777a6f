"""JSON text every reader gets whole: one line, inert on a terminal, in the stream's own encoding.

Standard library only, so that the thin service client can write its few
documents with it too. What it escapes beyond `json.dumps`:
- DEL and the C1 controls (U+007F-U+009F): U+009B starts a control sequence
  on some terminals, as ESC does (json escapes ESC and the other C0 controls);
- U+2028 and U+2029, which str.splitlines() and JavaScript break lines on
  (U+0085, NEL, is a C1 control);
- lone surrogates (text decoded with surrogateescape), which no strict
  encoder writes.
On a stream whose encoding cannot hold all of Unicode (latin-1, ascii, a C
locale's), every non-ASCII character is a \\u escape: the parsed JSON is the
same, and the bytes are plain ASCII.
"""

from __future__ import annotations

import codecs
import json
import re

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, TextIO

_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def unicode_capable(encoding: str | None) -> bool:
    """Whether a stream in `encoding` can take any character (None: a stream of str, as StringIO)."""
    if encoding is None:
        return True
    try:
        return codecs.lookup(encoding).name.startswith("utf")  # utf-8, utf-16, utf-32, their -le/-be/-sig
    except LookupError:
        return False


def dumps_line(document: Any, encoding: str | None = None) -> str:
    """`document` as one line of JSON text that a stream in `encoding` can write."""
    text = json.dumps(document, ensure_ascii=not unicode_capable(encoding), separators=(",", ":"))
    return _UNSAFE.sub(_escape, text)


def write_line(stream: TextIO, document: Any) -> None:
    """Write `document` on `stream` as one line (in its encoding) and flush."""
    stream.write(dumps_line(document, getattr(stream, "encoding", None)) + "\n")
    stream.flush()
