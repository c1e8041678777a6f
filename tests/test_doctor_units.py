"""`doctor`'s checks on their own: the terminal read from its variables, wrong modes with their fix,
a missing extra with how to add it, a server's version against the supported range, and no token
in a report."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from marimo_pair_tui.core.api import MARIMO_MINIMUM, ServerInfo, marimo_standing
from marimo_pair_tui.headless.doctor import clipboard, places, software, terminal
from marimo_pair_tui.headless.doctor.findings import EXIT_PROBLEMS, REDACTED, Finding, report
from marimo_pair_tui.headless.doctor.human import lines
from marimo_pair_tui.headless.doctor.servers import server_finding


# -- the terminal, from its variables ----------------------------------------------------------


@pytest.mark.parametrize(("env", "name"), [
    ({"TERM": "xterm-kitty"}, "kitty"),
    ({"TERM": "xterm-256color", "TERM_PROGRAM": "WezTerm"}, "wezterm"),
    ({"TERM": "xterm-256color", "TERM_PROGRAM": "iTerm.app"}, "iterm2"),
    ({"TERM": "xterm-256color", "VTE_VERSION": "7600"}, "vte"),
    ({"TERM": "foot"}, "foot"),
    ({"TERM": "xterm-256color", "WT_SESSION": "abc"}, "windows-terminal"),
    ({"TERM": "xterm"}, None),
])
def test_the_terminal_is_named_from_its_variables(env: dict[str, str], name: str | None) -> None:
    assert terminal.terminal_name(env) == name


def test_graphics_without_a_terminal_to_ask_are_guessed_from_the_environment() -> None:
    kitty = terminal.graphics({"TERM": "xterm-kitty"}, asked=None)
    assert (kitty.status, kitty.facts["renderer"], kitty.facts["source"]) == ("ok", "kitty", "environment")
    in_tmux = terminal.graphics({"TERM": "tmux-256color", "TMUX": "/tmp/tmux-0/default,1,0"}, asked=None)
    assert in_tmux.facts["renderer"] == "halfcell" and "tmux" in in_tmux.detail


def test_the_terminal_s_answer_and_the_setting_win_over_a_guess() -> None:
    asked = terminal.graphics({"TERM": "xterm-kitty"}, asked="sixel")
    assert (asked.facts["renderer"], asked.facts["source"]) == ("sixel", "query")
    chosen = terminal.graphics({"TERM": "xterm-kitty", "MARIMO_PAIR_IMAGES": "halfcell"}, asked="sixel")
    assert (chosen.facts["renderer"], chosen.facts["source"]) == ("halfcell", "setting")
    off = terminal.graphics({"MARIMO_PAIR_IMAGES": "off"}, asked="sixel")
    assert off.facts["renderer"] is None and off.status == "ok"


def test_a_setting_that_names_no_renderer_is_a_warning_with_the_choices() -> None:
    finding = terminal.graphics({"MARIMO_PAIR_IMAGES": "svga"}, asked=None)
    assert finding.status == "warning"
    assert finding.next is not None and "sixel" in finding.next and "off" in finding.next


@pytest.mark.parametrize(("env", "system", "status"), [
    ({"TERM": "xterm-256color", "COLORTERM": "truecolor"}, "truecolor", "ok"),
    ({"TERM": "xterm-256color"}, "256", "ok"),
    ({"TERM": "xterm-kitty"}, "256", "ok"),
    ({"TERM": "xterm"}, "standard", "warning"),
    ({"TERM": "dumb"}, None, "warning"),
    ({}, None, "warning"),
    ({"TERM": "xterm-256color", "NO_COLOR": "1"}, None, "ok"),
    ({"TERM": "xterm", "TEXTUAL_COLOR_SYSTEM": "truecolor"}, "truecolor", "ok"),
])
def test_colours_follow_colorterm_term_and_the_overrides(env: dict[str, str], system: str | None, status: str) -> None:
    finding = terminal.colours(env)
    assert (finding.facts["system"], finding.status) == (system, status)
    assert (finding.next is not None) == (status == "warning")


def test_the_terminal_facts_keep_ssh_addresses_out() -> None:
    finding = terminal.facts({"TERM": "xterm", "SSH_CONNECTION": "10.0.0.1 5000 10.0.0.2 22"}, tty=False)
    assert finding.facts["environment"]["SSH_CONNECTION"] == "set"
    assert "10.0.0.1" not in str(finding.to_json()) and "over SSH" in finding.detail


# -- the clipboard -------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "status"), [("on", "ok"), ("external", "warning"), ("off", "warning"), (None, "warning")])
def test_inside_tmux_the_clipboard_follows_set_clipboard(value: str | None, status: str) -> None:
    asked: list[str] = []

    def option(name: str) -> str | None:
        asked.append(name)
        return value

    finding = clipboard.clipboard({"TMUX": "/tmp/tmux-0/default,1,0", "TERM": "tmux-256color"}, option)
    assert asked == ["set-clipboard"]
    assert (finding.status, finding.facts["set-clipboard"]) == (status, value)
    if status == "warning":
        assert finding.next is not None and "set -g set-clipboard on" in finding.next


def test_outside_tmux_the_clipboard_is_what_the_terminal_is_known_for() -> None:
    def no_tmux(name: str) -> str | None:
        raise AssertionError("tmux asked outside tmux")

    assert clipboard.clipboard({"TERM": "xterm-kitty"}, no_tmux).status == "ok"
    vte = clipboard.clipboard({"TERM": "xterm-256color", "VTE_VERSION": "7600"}, no_tmux)
    assert vte.status == "warning" and vte.next is not None and "OSC 52" in vte.next
    assert clipboard.clipboard({"TERM": "screen", "STY": "1.pts-0"}, no_tmux).status == "warning"
    assert clipboard.clipboard({"TERM": "xterm"}, no_tmux).status == "unknown"


# -- private directories ------------------------------------------------------------------------


def test_a_directory_others_can_reach_is_a_problem_with_its_fix(tmp_path: Path) -> None:
    root = tmp_path / "state"
    (root / "logs").mkdir(parents=True)
    log = root / "logs" / "service.log"
    log.write_text("printed by a notebook")
    root.chmod(0o755)
    (root / "logs").chmod(0o755)
    log.chmod(0o644)
    finding = places.private_directory("state", root, "drafts")
    assert finding.status == "problem"
    assert finding.next is not None
    for fix in (f"chmod 700 {root}", f"chmod 700 {root / 'logs'}", f"chmod 600 {log}"):
        assert fix in finding.next
    assert {e["path"] for e in finding.facts["exposed"]} == {str(root), str(root / "logs"), str(log)}
    for path, mode in ((root, 0o700), (root / "logs", 0o700), (log, 0o600)):  # the fixes, applied
        os.chmod(path, mode)
    assert places.private_directory("state", root, "drafts").status == "ok"


def test_a_loose_entry_inside_a_private_directory_is_out_of_reach(tmp_path: Path) -> None:
    root = tmp_path / "state"
    (root / "tour" / "__marimo__").mkdir(parents=True)
    (root / "tour" / "__marimo__").chmod(0o755)
    root.chmod(0o700)
    (root / "tour").chmod(0o700)
    assert places.private_directory("state", root, "drafts").status == "ok"


def test_a_missing_directory_is_fine(tmp_path: Path) -> None:
    finding = places.private_directory("runtime", tmp_path / "absent", "sockets")
    assert finding.status == "ok" and finding.facts["exists"] is False


# -- extras ---------------------------------------------------------------------------------------


def test_a_missing_extra_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "mcp", None)  # (as if not installed: the import system's own block)
    found = {f.check: f for f in software.extras({"PATH": str(tmp_path)})}
    assert found["extra:mcp"].status == "warning" and found["extra:mcp"].facts["installed"] is False
    assert found["extra:mcp"].next == "pip install 'marimo-pair-tui[mcp]'"
    assert found["extra:charts"].status == "ok" and found["extra:charts"].facts["version"]
    browser = found["browser"]  # an empty PATH and no MARIMO_PAIR_BROWSER: no Chromium
    assert browser.status == "warning" and browser.next is not None and "MARIMO_PAIR_BROWSER" in browser.next


def test_a_named_browser_is_reported(tmp_path: Path) -> None:
    program = tmp_path / "chromium"
    program.write_text("#!/bin/sh\n")
    program.chmod(0o700)
    found = {f.check: f for f in software.extras({"PATH": "", "MARIMO_PAIR_BROWSER": str(program)})}
    assert found["browser"].status == "ok" and found["browser"].facts["path"] == str(program)


# -- versions --------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["0.0.1", MARIMO_MINIMUM, "999.0.0", None])
def test_a_server_s_version_becomes_its_standing(version: str | None) -> None:
    server = ServerInfo(url="http://127.0.0.1:2718", host="127.0.0.1", port=2718, pid=1, version=version,
                        source="registry")
    finding = server_finding(server)
    standing = marimo_standing(version)
    assert finding.facts["standing"] == standing and finding.facts["version"] == version
    expected = {"supported": "ok", "too_old": "problem", "newer": "warning", "unknown": "unknown"}[standing]
    assert finding.status == expected
    assert (finding.next is None) == (expected == "ok")


def test_marimo_here_is_checked_against_the_range(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(software, "version_of", lambda name: None)
    missing = software.marimo()
    assert missing.status == "problem" and missing.next is not None and MARIMO_MINIMUM in missing.next
    monkeypatch.setattr(software, "version_of", lambda name: "0.0.1")
    old = software.marimo()
    assert old.facts["standing"] == marimo_standing("0.0.1")


# -- the report -------------------------------------------------------------------------------------


def test_problems_set_the_exit_code_and_warnings_do_not() -> None:
    fine, code = report([Finding("a", "ok", "fine"), Finding("b", "warning", "meh", next="do x")])
    assert (fine["ok"], fine["problems"], fine["warnings"], code) == (True, 0, 1, 0)
    bad, code = report([Finding("a", "problem", "broken", next="fix it")])
    assert (bad["ok"], bad["problems"], code) == (False, 1, EXIT_PROBLEMS)
    assert "1 problem" in bad["summary"]


def test_a_token_never_appears_in_the_report() -> None:
    token = "s3cret-token-value"
    document, _ = report(
        [Finding("server:x", "problem", f"http://h:1/?access_token={token} refused", next=f"token {token}",
                 facts={"warnings": [f"Bearer {token}"], "url": "http://h:1/?access_token=other&x=1"})],
        secrets=[token, ""],
    )
    text = str(document)
    assert token not in text and "other" not in text
    assert REDACTED in document["checks"][0]["detail"]
    assert "\n".join(lines(document)).count(REDACTED) >= 2


def test_the_readable_form_carries_every_check_and_its_next_step() -> None:
    document, _ = report([Finding("colours", "warning", "16 colours", next="use xterm-256color"),
                          Finding("tool", "ok", "marimo-pair-tui 0.1.0")])
    text = "\n".join(lines(document))
    assert "1 warning" in text.splitlines()[0]
    assert "warning  colours  16 colours" in text and "-> use xterm-256color" in text and "tool" in text


def test_a_broken_config_file_is_a_warning_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    assert places.config_file(path).facts["exists"] is False
    path.write_text("[keys\nrun = 1\n")
    broken = places.config_file(path)
    assert broken.status == "warning" and "not valid TOML" in broken.detail
    assert broken.next is not None and str(path) in broken.next
    path.write_text('[keys]\nrun-snippet = "f5"\n')
    read = places.config_file(path)
    assert (read.status, read.facts["sections"]) == ("ok", ["keys"])
