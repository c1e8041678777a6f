"""A draft that cannot be saved: the editor keeps its text, the user is told once, work goes on.

The obstacles are real ones that stop root too (the tests run as root in CI,
where a chmod stops nothing): a file where the drafts directory or its parent
should be, and, where this machine lets the test mount a small tmpfs, a full
disk (ENOSPC) and a read-only file system (EROFS).
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from textual.pilot import Pilot

from marimo_pair_tui.tui.app import PairApp
from marimo_pair_tui.tui.drafts import DraftStore, save_problem
from marimo_pair_tui.tui.screens.pairing import PairingScreen
from marimo_pair_tui.tui.screens.pairing.draft import NOT_SAVED
from tests.support.disks import fill

from .support import TuiLab, make_app, wait_for, wait_live
from .test_pairing import codes, select

Obstacle = tuple[Path, Path, Callable[[], None]]  # the drafts directory, what is in the way, its removal


def _mount(what: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["mount", *what], capture_output=True, text=True, timeout=30)


@contextmanager
def small_tmpfs(where: Path) -> Iterator[Path]:
    """A 64 KiB tmpfs at `where` (skips the test where mounting is not allowed)."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root and mount(8)")
    where.mkdir()
    mounted = _mount(["-t", "tmpfs", "-o", "size=64k,mode=0700", "tmpfs", str(where)])
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield where
    finally:
        if subprocess.run(["umount", str(where)], capture_output=True, timeout=30).returncode != 0:
            subprocess.run(["umount", "-l", str(where)], capture_output=True, timeout=30)


@contextmanager
def obstacle(kind: str, base: Path) -> Iterator[Obstacle]:
    if kind == "parent-is-a-file":  # mkdir meets ENOTDIR
        blocker = base / "state"
        blocker.write_text("a file, not a directory\n")
        yield blocker / "drafts", blocker, blocker.unlink
    elif kind == "file-in-the-way":  # mkdir meets EEXIST: the drafts directory is a file
        drafts = base / "drafts"
        drafts.write_text("a file, not a directory\n")
        yield drafts, drafts, drafts.unlink
    elif kind == "disk-full":  # the write meets ENOSPC
        with small_tmpfs(base / "small") as mounted:
            drafts = mounted / "drafts"
            drafts.mkdir(mode=0o700)
            filler = fill(mounted)
            yield drafts, mounted, filler.unlink
    elif kind == "read-only":  # the write meets EROFS
        with small_tmpfs(base / "small") as mounted:
            drafts = mounted / "drafts"
            drafts.mkdir(mode=0o700)
            assert _mount(["-o", "remount,ro", str(mounted)]).returncode == 0

            def writable() -> None:
                assert _mount(["-o", "remount,rw", str(mounted)]).returncode == 0

            try:
                yield drafts, mounted, writable
            finally:
                _mount(["-o", "remount,rw", str(mounted)])
    else:
        raise ValueError(kind)


def advice(kind: str, drafts: Path, blocker: Path) -> str:
    """What the notification must say: the path in the way and the remedy."""
    if kind in ("parent-is-a-file", "file-in-the-way"):
        return f"{blocker} is a file where a directory should be: move it aside."
    if kind == "disk-full":
        return f"The disk holding {drafts} is full: free some space there."
    return f"{drafts} is on a read-only file system: make it writable."


def on_disk(path: Path, drafts: Path) -> str | None:
    draft = DraftStore(str(path), drafts).load()
    return draft.text if draft is not None else None


def told(app: PairApp, since: int) -> list[tuple[str, str, str]]:
    return [(n.title, n.message, n.severity) for n in list(app._notifications)[since:]]  # noqa: SLF001


async def type_and_fail(pilot: Pilot, screen: PairingScreen, text: str) -> None:
    """Type `text` into the editor and let the draft's save (after the typing pause) fail."""
    keeper = screen.draft
    before = keeper.failed_saves
    await pilot.press(*text)
    await wait_for(pilot, lambda: keeper.failed_saves > before, what="a failed save of the draft")


@pytest.mark.parametrize("kind", ["parent-is-a-file", "file-in-the-way", "disk-full", "read-only"])
async def test_a_draft_that_cannot_be_saved_is_kept_told_once_and_saved_once_it_can(
        lab: TuiLab, tmp_path: Path, kind: str) -> None:
    path, browser = lab.session("demo.py", f"unsaved_{kind.replace('-', '_')}.py")
    with obstacle(kind, tmp_path) as (drafts, blocker, remove):
        app = make_app(lab.target(path, browser), drafts=drafts)
        async with app.run_test(size=(110, 32)) as pilot:
            screen = await wait_live(pilot, 4)
            keeper = screen.draft
            since = len(app._notifications)  # noqa: SLF001

            # A snippet typed in pieces: every save fails, nothing of the text is lost.
            screen.editor.focus()
            await pilot.pause()
            for piece, whole in (("print(x", "print(x"), (" + 1", "print(x + 1"), (")", "print(x + 1)")):
                await type_and_fail(pilot, screen, piece)
                assert screen.editor.text == whole
            assert keeper.failing and screen.editor.border_subtitle == NOT_SAVED
            # Running still works.
            await pilot.press("ctrl+r")
            await wait_for(pilot, lambda: screen.results.blocks and screen.results.blocks[-1].finished is not None,
                           30, "the snippet")
            assert screen.results.blocks[-1].finished is True and "42" in screen.results.blocks[-1].body.plain

            # Applying still works: a cell loaded, changed in pieces, applied to the file.
            await select(pilot, screen, "define_x")
            await pilot.press("ctrl+l", "end")
            await type_and_fail(pilot, screen, "  # kept")
            await type_and_fail(pilot, screen, " here")
            assert screen.editor.text == "x = 41  # kept here"
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: "x = 41  # kept here" in codes(path), 30, "the applied cell on disk")
            await wait_for(pilot, lambda: screen.editor.base == "x = 41  # kept here", what="the editor's new base")
            assert screen.editor.text == "x = 41  # kept here"  # not cleared, not replaced
            assert keeper.failed_saves >= 6 and keeper.failing

            errors = [(title, message) for title, message, severity in told(app, since) if severity == "error"]
            assert len(errors) == 1, errors  # one notification for every failed save
            title, message = errors[0]
            assert title == "Draft not saved"
            assert advice(kind, drafts, blocker) in message, message
            assert str(DraftStore(str(path), drafts).path) in message
            assert "The text stays in the editor" in message
            assert not any(t == "Draft saved" for t, _m, _s in told(app, since))
            assert on_disk(path, drafts) is None  # nothing reached the disk

            # The obstacle goes: the next save works, and that is told once.
            remove()
            await pilot.press(*"!")
            await wait_for(pilot, lambda: not keeper.failing, what="the draft saved again")
            assert screen.editor.border_subtitle == ""
            await pilot.press("backspace")
            await wait_for(pilot, lambda: on_disk(path, drafts) == "x = 41  # kept here",
                           what="the draft on disk with the editor text")
            draft = DraftStore(str(path), drafts).load()
            assert draft is not None and draft.text == screen.editor.text == "x = 41  # kept here"
            assert draft.cell_id == screen.notebook.cell("define_x").id and draft.base == "x = 41  # kept here"
            again = [m for t, m, _s in told(app, since) if t == "Draft saved"]
            assert len(again) == 1 and str(keeper.store.path) in again[0], again
            assert len([1 for *_rest, severity in told(app, since) if severity == "error"]) == 1


def test_the_advice_names_what_stands_in_the_way(tmp_path: Path) -> None:
    """Each failure the keeper can meet gets the path and the remedy (the errors are the real ones)."""
    blocker = tmp_path / "file"
    blocker.write_text("x")
    store = DraftStore("/nb.py", blocker / "drafts")
    with pytest.raises(NotADirectoryError) as caught:
        store.save("code")
    assert f"{blocker} is a file where a directory should be" in save_problem(caught.value, store)

    as_dir = DraftStore("/nb.py", tmp_path / "drafts")
    as_dir.path.mkdir(parents=True)  # a directory where the draft file goes
    with pytest.raises(IsADirectoryError) as caught_dir:
        as_dir.save("code")
    assert f"{as_dir.path} is a directory where the draft file should be" in save_problem(caught_dir.value, as_dir)

    assert "is full: free some space" in save_problem(OSError(errno.ENOSPC, "No space left on device"), as_dir)
    assert "fix its permissions" in save_problem(PermissionError(errno.EACCES, "Permission denied"), as_dir)
