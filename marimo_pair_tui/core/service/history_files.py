"""The code history of each notebook, kept on disk so it outlives the process that recorded it.

One 0600 file per notebook and server under the private state directory
(core/state/private.py), named by a hash of the server and the notebook's
path: a restarted service, the app and the MCP server all read and add to
the same record. Each process writes what it recorded merged with what the
file holds (under a lock, so two writers lose nothing), and re-reads the file
before answering when another process wrote it since.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ..model.history import CodeChange, CodeHistory, parse_changes
from ..model.notebook import Notebook
from ..model.unseen import Seen
from ..state.private import FILE_MODE, private_dir, state_dir, write_private
from ..wire.sessions import Target

FORMAT = 1

HistoryKey = tuple[str, str, str]


def history_key(target: Target) -> HistoryKey:
    """The server (its ssh host and its URL there) and the notebook's path: the same across sessions."""
    return (target.server.ssh_host or "", target.server.url, target.notebook)


def history_path(key: HistoryKey) -> Path:
    digest = hashlib.sha256(json.dumps(key).encode("utf-8")).hexdigest()[:24]
    return state_dir() / "history" / f"{digest}.json"


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold the notebook's history lock (a 0600 file beside it) while reading and writing it."""
    private_dir(path.parent)
    fd = os.open(path.with_suffix(".lock"), os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, FILE_MODE)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _stamp(path: Path) -> float | None:
    try:
        return path.stat().st_mtime_ns / 1e9
    except OSError:
        return None


class HistoryFiles:
    """The histories this process keeps, one per notebook, each saved as it grows."""

    def __init__(self) -> None:
        self.door = "cli"  # the door this process serves: its own changes are recorded as made through it
        self._held: dict[HistoryKey, CodeHistory] = {}
        self._read: dict[HistoryKey, float | None] = {}  # the file's stamp when last read or written
        self.problem: str | None = None  # why the last write failed, said once with the next read

    def attach(self, notebook: Notebook, target: Target) -> CodeHistory:
        """The notebook's history (read from its file the first time) becomes the model's."""
        key = history_key(target)
        history = self._held.get(key)
        if history is None:
            history = self._held[key] = CodeHistory(door=self.door)
            self.refresh(key)
            history.on_record = lambda _changes: self.save(key)
        history.door = self.door
        notebook.history = history
        return history

    def refresh(self, key: HistoryKey) -> None:
        """Take in what other processes wrote to the file since this one last read or wrote it."""
        path = history_path(key)
        stamp = _stamp(path)
        if stamp is None or stamp == self._read.get(key, -1.0):
            return
        self._take(self._held[key], path)
        self._read[key] = stamp

    def _take(self, history: CodeHistory, path: Path) -> None:
        """Merge what the file holds into `history`: its changes and, when newer, its state seen."""
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        if isinstance(raw, dict):
            history.merge(parse_changes(raw.get("changes")))
            history.take_seen(Seen.from_json(raw.get("seen")))

    def catch_up(self, notebook: Notebook, target: Target) -> list[CodeChange]:
        """Record what changed in the notebook while nothing followed it (core/model/unseen.py)."""
        history = self.attach(notebook, target)
        key = history_key(target)
        self.refresh(key)
        found = history.catch_up(notebook)
        if not found:  # (recorded changes are saved as they are recorded, the state seen with them)
            self.save(key)
        return found

    def save(self, key: HistoryKey) -> None:
        """Write the history merged with the file's (a failure is kept to be told, never raised in the stream)."""
        history = self._held[key]
        path = history_path(key)
        try:
            with _locked(path):
                self._take(history, path)
                document = {"format": FORMAT, "server": key[1], "ssh_host": key[0] or None, "notebook": key[2],
                            "changes": [c.to_json() for c in history.changes],
                            "seen": history.seen.to_json() if history.seen is not None else None}
                write_private(path, json.dumps(document))
            self._read[key] = _stamp(path)
            self.problem = None
        except OSError as error:
            self.problem = f"The code history could not be saved at {path}: {error.strerror or error}."

    def path_of(self, target: Target) -> Path:
        return history_path(history_key(target))
