"""Target resolution over listed sessions: pure units on built entries."""

from __future__ import annotations

from pathlib import Path

import pytest

from marimo_pair_tui.core.wire.discovery import ServerInfo
from marimo_pair_tui.core.errors import AmbiguousTargetError, NoServerError, NoSessionError, UnknownSessionError
from marimo_pair_tui.core.wire.sessions import NotebookEntry, SessionRef, resolve_target

A = ServerInfo(url="http://127.0.0.1:1", host="127.0.0.1", port=1, source="registry")
B = ServerInfo(url="http://127.0.0.1:2", host="127.0.0.1", port=2, source="registry")


def _entries(root: Path) -> list[NotebookEntry]:
    return [
        NotebookEntry(A, str(root / "one" / "demo.py"), [SessionRef("sess-a", "s_a")]),
        NotebookEntry(A, str(root / "two" / "demo.py"), [SessionRef("sess-b", "s_b")]),
        NotebookEntry(B, str(root / "other.py"), [SessionRef("sess-c", "s_c"), SessionRef("sess-d", "s_d")]),
        NotebookEntry(B, str(root / "solo.py"), [SessionRef(None, "s_old")]),
    ]


def test_session_by_stable_or_routing_id(tmp_path: Path) -> None:
    entries = _entries(tmp_path)
    assert resolve_target(entries, session="sess-c").session.routing_id == "s_c"
    target = resolve_target(entries, session="s_b")
    assert (target.session.session_id, target.server, target.notebook) == ("sess-b", A, str(tmp_path / "two" / "demo.py"))


def test_notebook_by_absolute_relative_and_basename(tmp_path: Path) -> None:
    entries = _entries(tmp_path)
    assert resolve_target(entries, notebook=str(tmp_path / "one" / "demo.py")).session.session_id == "sess-a"
    assert resolve_target(entries, notebook="two/demo.py", cwd=tmp_path).session.session_id == "sess-b"
    assert resolve_target(entries, notebook="solo.py").session.routing_id == "s_old"


def test_duplicate_basename_is_ambiguous_and_lists_full_paths(tmp_path: Path) -> None:
    with pytest.raises(AmbiguousTargetError) as info:
        resolve_target(_entries(tmp_path), notebook="demo.py")
    flags = [c["select_with"] for c in info.value.details["candidates"]]
    assert flags == [f"--notebook {tmp_path / 'one' / 'demo.py'}", f"--notebook {tmp_path / 'two' / 'demo.py'}"]
    assert info.value.exit_code == 2


def test_notebook_with_two_sessions_lists_session_flags(tmp_path: Path) -> None:
    with pytest.raises(AmbiguousTargetError) as info:
        resolve_target(_entries(tmp_path), notebook="other.py")
    assert [c["select_with"] for c in info.value.details["candidates"]] == ["--session sess-c", "--session sess-d"]


def test_untargeted_with_many_sessions_lists_every_candidate(tmp_path: Path) -> None:
    with pytest.raises(AmbiguousTargetError) as info:
        resolve_target(_entries(tmp_path))
    candidates = info.value.details["candidates"]
    assert len(candidates) == 5
    assert [c["select_with"] for c in candidates] == [
        f"--notebook {tmp_path / 'one' / 'demo.py'}",
        f"--notebook {tmp_path / 'two' / 'demo.py'}",
        "--session sess-c",
        "--session sess-d",
        f"--notebook {tmp_path / 'solo.py'}",
    ]


def test_single_session_is_chosen_without_flags(tmp_path: Path) -> None:
    only = _entries(tmp_path)[:1]
    assert resolve_target(only).session.session_id == "sess-a"


def test_unknown_session_and_unknown_notebook(tmp_path: Path) -> None:
    entries = _entries(tmp_path)
    with pytest.raises(UnknownSessionError) as info:
        resolve_target(entries, session="sess-gone")
    assert "sess-a" in info.value.message
    assert "closed or restarted" not in info.value.next
    with pytest.raises(NoSessionError) as info2:
        resolve_target(entries, notebook="missing.py")
    assert "missing.py" in info2.value.message


def test_an_unserved_notebook_says_how_to_open_it(tmp_path: Path) -> None:
    with pytest.raises(NoSessionError) as caught:
        resolve_target(_entries(tmp_path), notebook="elsewhere.py")
    assert "notebooks with sessions:" in caught.value.message
    assert "marimo-pair-tui --headless open elsewhere.py" in caught.value.next


def test_no_servers_versus_no_sessions() -> None:
    with pytest.raises(NoServerError):
        resolve_target([])
    with pytest.raises(NoSessionError):
        resolve_target([], servers=[A])


def test_every_candidate_names_a_selector_that_picks_it_alone(tmp_path: Path) -> None:
    """Two servers serving the same notebook, one session each: `--notebook PATH` would pick both."""
    path = str(tmp_path / "shared.py")
    entries = [
        NotebookEntry(server=A, path=path, sessions=[SessionRef("sess-x", "s_x")]),
        NotebookEntry(server=B, path=path, sessions=[SessionRef("sess-y", "s_y")]),
        NotebookEntry(server=A, path=str(tmp_path / "alone.py"), sessions=[SessionRef("sess-z", "s_z")]),
    ]
    with pytest.raises(AmbiguousTargetError) as caught:
        resolve_target(entries)
    candidates = caught.value.details["candidates"]
    selectors = [c["select_with"] for c in candidates]
    assert selectors == ["--session sess-x", "--session sess-y", f"--notebook {tmp_path / 'alone.py'}"]
    for candidate in candidates:  # following the advice resolves to exactly that candidate
        flags = candidate["select_with"].split()
        chosen = resolve_target(entries, **{flags[0].lstrip("-"): flags[1]})
        assert chosen.session.session_id == candidate["session_id"]
    with pytest.raises(AmbiguousTargetError) as again:
        resolve_target(entries, notebook=path)
    assert [c["select_with"] for c in again.value.details["candidates"]] == ["--session sess-x", "--session sess-y"]
