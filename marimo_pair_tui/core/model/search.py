"""Search a notebook's cells as they are read: names, code, and the output and console text.

The text searched is the text a reader of the cells document gets: a cell's
output as its compact `text` (its parts written as text, core/parts), its
console as its writes read by `output_text` (core/parts/plain.py), one after
the other (its lines are numbered across the writes). Matching is line by
line, as grep(1) does: a match never spans two lines, `^` and `$` are a
line's start and end, and a match of no characters is not reported.

Reading an output's text costs a parse the first time; each output's and
console write's text is kept (`TextCache`) for as long as that object lives,
so a search repeated over an unchanged notebook costs only the matching.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from ..errors import BadPatternError, InvalidRequestError
from ..parts.plain import output_text
from ..parts.text import parts_text
from .cell import Cell
from .outputs import ConsoleEntry, Output

T = TypeVar("T")

Where = Literal["name", "code", "output", "console"]
WHERE: tuple[Where, ...] = ("name", "code", "output", "console")  # a cell's texts, in the order they are searched
SCOPES: dict[str, tuple[Where, ...]] = {
    "all": WHERE, "code": ("code",), "output": ("output", "console"), "names": ("name",),
}
LINE_CHARS = 200  # characters of a matching line given; a longer one is a window around its match
BEFORE = 60  # characters before the match such a window keeps
MATCH_CHARS = 200  # characters of the matched text given
ELLIPSIS = "…"
# What a regular expression may hold that matches a line alone but not within the whole text (a text's
# start or end, a look around that sees past a line's end): such a pattern is matched line by line only.
_LINE_BOUND = re.compile(r"\\[AZz]|\(\?<?[=!]")


@dataclass(frozen=True)
class Query:
    """What is searched for: the pattern as given, compiled, and where."""

    pattern: str
    regex: bool
    ignore_case: bool
    scope: str
    compiled: re.Pattern[str] = field(compare=False, repr=False)
    # Matches the whole text when some line of it holds a match (None: no such shortcut for this pattern).
    sieve: re.Pattern[str] | None = field(default=None, compare=False, repr=False)

    @property
    def wheres(self) -> tuple[Where, ...]:
        return SCOPES[self.scope]


def query(pattern: str, *, regex: bool = False, ignore_case: bool = False, scope: str = "all") -> Query:
    """A query, checked: an empty pattern or a regular expression that does not compile is a
    `BadPatternError` (its message says why), an unknown scope an `InvalidRequestError`."""
    if scope not in SCOPES:
        raise InvalidRequestError(f"No scope {scope!r} to search in.", next=f"Pass one of: {', '.join(SCOPES)}.",
                                  scope=scope)
    if not pattern:
        raise BadPatternError("An empty pattern matches everything: nothing to search for.", pattern=pattern)
    flags = re.IGNORECASE if ignore_case else 0
    try:
        compiled = re.compile(pattern if regex else re.escape(pattern), flags)
    except re.error as error:
        raise BadPatternError(f"Not a valid regular expression: {error}.", pattern=pattern,
                              position=error.pos) from None
    return Query(pattern, regex, ignore_case, scope, compiled, _sieve(pattern, regex, flags))


def _sieve(pattern: str, regex: bool, flags: int) -> re.Pattern[str] | None:
    """The pattern for the whole text: text as written is found in it exactly when it is in one of its
    lines; a regular expression, with `^` and `$` at each line, unless it holds a `_LINE_BOUND`."""
    if not regex:
        return re.compile(re.escape(pattern), flags)
    return None if _LINE_BOUND.search(pattern) else re.compile(pattern, flags | re.MULTILINE)


@dataclass(frozen=True)
class Match:
    """One match: the cell, which of its texts, the line (from 1), the match's span in that line
    (`start` from 0, `end` past its last character) and the whole line."""

    cell_id: str
    cell_name: str
    where: Where
    line: int
    start: int
    end: int
    line_text: str

    @property
    def text(self) -> str:
        return self.line_text[self.start:self.end]

    def shown(self) -> tuple[str, int]:
        """The line as given (a window around the match when it is long, cut ends marked) and where
        in it the window starts."""
        line = self.line_text
        if len(line) <= LINE_CHARS:
            return line, 0
        first = max(0, min(self.start - BEFORE, len(line) - LINE_CHARS))
        window = line[first:first + LINE_CHARS]
        return (ELLIPSIS if first else "") + window + (ELLIPSIS if first + LINE_CHARS < len(line) else ""), first

    def to_json(self) -> dict[str, Any]:
        text = self.text
        return {"cell": self.cell_id, "name": self.cell_name, "where": self.where, "line": self.line,
                "span": [self.start, self.end],
                "match": text if len(text) <= MATCH_CHARS else text[:MATCH_CHARS] + ELLIPSIS,
                "text": self.shown()[0]}


@dataclass(frozen=True)
class Found:
    """The matches (the first `limit`), how many there are in all, in how many cells, of how many searched."""

    query: Query
    matches: list[Match]
    count: int
    cells: int
    searched: int

    @property
    def truncated(self) -> bool:
        return self.count > len(self.matches)


class TextCache:
    """The text of each output and console write, kept while the object lives and its data is unchanged.

    Keyed by the object's identity and checked against the object itself (a weak reference, dropped
    with the object), so a new output is read afresh, and a console write that grew (consecutive
    prints merge into one write) is read again.
    """

    def __init__(self) -> None:
        self._texts: dict[int, tuple[weakref.ref[Any], object, str]] = {}

    def __len__(self) -> int:
        return len(self._texts)

    def text(self, owner: T, data: object, read: Callable[[T], str]) -> str:
        """`read(owner)`, or what it gave last time for this `owner` holding this `data`."""
        key = id(owner)
        kept = self._texts.get(key)
        if kept is not None and kept[0]() is owner and kept[1] is data:
            return kept[2]
        text = read(owner)
        self._texts[key] = (weakref.ref(owner, lambda _ref: self._texts.pop(key, None)), data, text)
        return text


TEXTS = TextCache()  # one per process: outputs are objects of the live mirrors


def cell_texts(cell: Cell, wheres: Iterable[Where], texts: TextCache = TEXTS) -> Iterator[tuple[Where, str]]:
    """The texts of `cell` a search looks at, in order."""
    for where in wheres:
        if where == "name":
            yield where, cell.name
        elif where == "code":
            yield where, cell.code
        elif where == "output" and cell.output is not None:
            yield where, texts.text(cell.output, cell.output.data, _output_text)
        elif where == "console" and cell.console:
            # One text, as the cell printed it: its lines are numbered across the writes.
            yield where, "".join(texts.text(entry, entry.data, _console_text) for entry in cell.console)


def _output_text(output: Output) -> str:
    return parts_text(output.parts)  # the output's `text` in the cells document


def _console_text(entry: ConsoleEntry) -> str:
    return output_text(entry.mimetype, entry.data)


def line_matches(cell: Cell, where: Where, text: str, pattern: re.Pattern[str]) -> Iterator[Match]:
    """The matches of `pattern` in `text`, line by line; a match of no characters is left out."""
    for number, line in enumerate(text.split("\n"), 1):
        for hit in pattern.finditer(line):
            if hit.end() > hit.start():
                yield Match(cell.id, cell.name, where, number, hit.start(), hit.end(), line)


def search(cells: Iterable[Cell], wanted: Query, *, limit: int | None = None, texts: TextCache = TEXTS) -> Found:
    """Every match of `wanted` in `cells`, in notebook order (within a cell: name, code, output,
    console); the first `limit` are kept, all are counted."""
    matches: list[Match] = []
    count = hit_cells = searched = 0
    pattern, sieve = wanted.compiled, wanted.sieve
    for cell in cells:
        searched += 1
        before = count
        for where, text in cell_texts(cell, wanted.wheres, texts):
            if not text or (sieve is not None and sieve.search(text) is None):
                continue  # no line of it can match
            for match in line_matches(cell, where, text, pattern):
                count += 1
                if limit is None or len(matches) < limit:
                    matches.append(match)
        hit_cells += count > before
    return Found(wanted, matches, count, hit_cells, searched)
