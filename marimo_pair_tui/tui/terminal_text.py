"""Text from outside the app (kernels, cells, files, servers, other clients), made inert.

Rich and Textual pass control characters through to the terminal (they drop
only BEL, BS, VT, FF and CR), so printed `\\x1b[2J` would clear the screen and
an OSC 52 sequence would write the clipboard. Everything the app draws that
came from outside goes through `escape_controls` where it becomes a label or a Rich
`Text`: control characters are shown, not obeyed.

- C0 controls except newline and tab become their Unicode control pictures
  (ESC is `␛`, NUL `␀`), DEL becomes `␡`: one visible cell each.
- C1 controls (U+0080-U+009F, which some terminals obey like ESC sequences)
  and the bidirectional embeddings, overrides and isolates (which reorder what
  is shown, "Trojan Source") become `⟨U+009B⟩`.

Everything else is left as it is, so text without those characters is
unchanged, and two different texts that hold no control pictures and no `⟨`
stay different once inert.
"""

from __future__ import annotations

_BIDI = (*range(0x202A, 0x202F), *range(0x2066, 0x206A))

_TABLE: dict[int, str] = {code: chr(0x2400 + code) for code in range(0x20) if code not in (0x09, 0x0A)}
_TABLE[0x7F] = "\u2421"
_TABLE.update({code: f"⟨U+{code:04X}⟩" for code in (*range(0x80, 0xA0), *_BIDI)})


def escape_controls(text: str) -> str:
    """`text` with the characters a terminal would obey shown in a visible form."""
    return text.translate(_TABLE)
