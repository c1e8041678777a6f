"""What a cell's code defines and reads, by marimo's own compiler, remembered across processes.

The live stream's `variables` events name only notebook variables and miss
cells the kernel never ran; code_mode's snapshot falls back on the compiler
for those. Every door computes defs/refs through `static_defs_refs`.

Importing marimo's compiler imports all of marimo (~0.3 s here), more than a
one-shot read of a live notebook costs otherwise. The answers depend only on
the code and marimo's version, so they are kept in a small file under the
state directory (0600): a process that reads a notebook it has read before
never imports the compiler.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import os
import sys
import tempfile
import threading
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from ..state.private import private_dir, state_dir

Found = tuple[tuple[str, ...], tuple[str, ...]]
CACHE_LIMIT = 5000  # entries kept in the file and in memory (the newest)

_lock = threading.Lock()
_remembered: dict[str, list[list[str]] | None] | None = None  # None: not read yet
_added = False


def _marimo_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("marimo")
    except PackageNotFoundError:
        return "unknown"


@lru_cache(maxsize=1)
def cache_path() -> Path:
    return state_dir() / "analysis" / f"marimo-{_marimo_version()}.json"


def _key(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8", "surrogatepass")).hexdigest()[:24]


def _load() -> dict[str, list[list[str]] | None]:
    global _remembered
    if _remembered is None:
        try:
            data = json.loads(cache_path().read_text(encoding="utf-8"))
            _remembered = data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            _remembered = {}
        atexit.register(save)
    return _remembered


def save() -> None:
    """Write what was learnt (atomically, 0600 in a 0700 directory); a failure only loses the cache."""
    global _added
    with _lock:
        if not _added or _remembered is None:
            return
        entries = list(_remembered.items())[-CACHE_LIMIT:]
        _added = False
    path = cache_path()
    try:
        private_dir(path.parent)
        handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".analysis-")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(dict(entries), out)
        os.replace(temp, path)
    except OSError:
        pass


@contextmanager
def _real_std_streams() -> Iterator[None]:
    """Importing marimo reads `sys.stdout.encoding`; inside the terminal app stdout is the app's
    print capture, which has none. The import sees the process's real streams."""
    saved = sys.stdout, sys.stderr
    if all(hasattr(stream, "encoding") for stream in saved):
        yield
        return
    sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


def _compile(code: str) -> Found | None:
    with _real_std_streams():
        from marimo._ast.compiler import compile_cell
        from marimo._types.ids import CellId_t

    try:
        cell = compile_cell(code, cell_id=CellId_t("__mpt_static__"))
    except Exception:  # a syntax error, or code the compiler refuses
        return None
    return tuple(sorted(cell.defs)), tuple(sorted(cell.refs))


@lru_cache(maxsize=4096)
def static_defs_refs(code: str) -> Found | None:
    """(defs, refs) of `code`, as code_mode's snapshot computes them; None if it does not compile."""
    global _added
    key = _key(code)
    with _lock:
        remembered = _load()
        if key in remembered:
            known = remembered[key]
            return None if known is None else (tuple(known[0]), tuple(known[1]))
    found = _compile(code)
    with _lock:
        remembered[key] = None if found is None else [list(found[0]), list(found[1])]
        _added = True
        if len(remembered) > CACHE_LIMIT + CACHE_LIMIT // 4:
            # A long-lived process (the pairing service) keeps the newest, as the file does:
            # every code an agent edits in is new.
            for old in list(remembered)[:-CACHE_LIMIT]:
                del remembered[old]
    return found
