"""The JSON reaches the caller whole in any locale, and is inert on a terminal.

Real commands against a real marimo server, through the pairing service and
in-process (--no-service), with stdout in latin-1, in ASCII under the C
locale, and in UTF-8 (Python's UTF-8 mode under LC_ALL=C). The kernel's own
text is the oracle: the parsed JSON gives back exactly what the snippet
printed, while the raw bytes are what the caller's encoding can hold and
carry no terminal control character.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

import pytest
from hypothesis import given, strategies as st

from marimo_pair_tui.headless.json_text import dumps_line
from tests.clihelp import cli_env
from tests.support.cell_lab import NOTEBOOKS, CellLab
from tests.support.marimo_proc import BrowserSession, open_browser_session

WAYS = {"service": [], "in_process": ["--no-service"]}
LOCALES = {  # name: (environment, the encoding stdout then has)
    "latin-1": ({"PYTHONIOENCODING": "latin-1"}, "latin-1"),
    "C-ascii": ({"LC_ALL": "C", "PYTHONIOENCODING": "ascii"}, "ascii"),
    "C-utf8-mode": ({"LC_ALL": "C"}, "utf-8"),
}
# What must never reach a terminal raw: C0 controls but newline, DEL, C1 (U+009B is a CSI), and the
# Unicode line/paragraph separators.
CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def headless(lab: CellLab, way: str, args: list[str], env: dict[str, str] | None = None,
             timeout: float = 90) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "marimo_pair_tui", "--headless", *WAYS[way], *args],
                          env={**cli_env(lab.server.state_home), **(env or {})},
                          capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL)


def target(lab: CellLab, browser: BrowserSession) -> list[str]:
    return ["--url", lab.server.url, "--session", browser.session_id or ""]


def lines_in(raw: bytes, encoding: str) -> list[dict]:
    """The JSON lines of `raw`, which must be text in `encoding` with no control character."""
    text = raw.decode(encoding)  # strict: every byte is what the caller's encoding holds
    assert not CONTROL.search(text.replace("\n", "")), text
    return [json.loads(line) for line in text.splitlines()]


@pytest.fixture(scope="module")
def session(lab: CellLab) -> BrowserSession:
    return lab.fresh()[1]


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("way", WAYS)
def test_exec_documents_and_streams_reach_the_caller_in_any_locale(
    lab: CellLab, session: BrowserSession, way: str, locale: str
) -> None:
    env, encoding = LOCALES[locale]
    done = headless(lab, way, ["exec", "-c", 'print("done \u2713")', *target(lab, session)], env)
    assert done.returncode == 0, done.stderr
    (document,) = lines_in(done.stdout, encoding)
    assert document["success"] is True and document["stdout"] == "done \u2713\n"
    done.stderr.decode(encoding)

    streamed = headless(lab, way, ["exec", "--stream", "-c", 'print("done \u2713")', *target(lab, session)], env)
    assert streamed.returncode == 0, streamed.stderr
    *chunks, summary = lines_in(streamed.stdout, encoding)
    assert "".join(c["data"] for c in chunks if c.get("stream") == "stdout") == "done \u2713\n"
    assert summary["success"] is True and summary["stdout"] == "done \u2713\n"


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("way", WAYS)
def test_watch_lines_reach_the_caller_in_any_locale(lab: CellLab, way: str, locale: str) -> None:
    env, encoding = LOCALES[locale]
    folder = lab.dir / f"done \u2713 {way} {locale}"
    folder.mkdir()
    notebook = folder / "caf\u00e9.py"
    shutil.copy(NOTEBOOKS / "demo.py", notebook)
    browser = open_browser_session(lab.server, notebook)
    lab.browsers.append(browser)
    watched = headless(lab, way, ["watch", "--until-idle", "--timeout", "60", *target(lab, browser)], env)
    assert watched.returncode == 0, watched.stderr
    *changes, summary = lines_in(watched.stdout, encoding)
    assert changes and summary["reason"] == "idle"
    assert summary["session"]["notebook"] == str(notebook), "the path the server serves, character for character"


@pytest.mark.parametrize("locale", ["latin-1", "C-ascii"])
@pytest.mark.parametrize("way", WAYS)
def test_a_prompt_is_told_on_stdout_and_narrated_on_stderr_in_any_locale(
    lab: CellLab, way: str, locale: str
) -> None:
    env, encoding = LOCALES[locale]
    _path, browser = lab.fresh()
    proc = subprocess.Popen(
        [sys.executable, "-m", "marimo_pair_tui", "--headless", *WAYS[way], "exec", "--stream",
         "-c", 'print("got", input("ready \u2713? "))', *target(lab, browser)],
        env={**cli_env(lab.server.state_home), **env}, stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert proc.stdout is not None and proc.stderr is not None
        (told,) = lines_in(proc.stdout.readline(), encoding)
        assert told == {"waiting_for_input": {"cell": "__scratch__", "prompt": "ready \u2713? "}}
        said = proc.stderr.readline().decode(encoding)
        assert "the snippet waits for input: 'ready " in said and "answer TEXT" in said
        answered = headless(lab, way, ["answer", "yes \u2713", *target(lab, browser)])
        assert answered.returncode == 0, answered.stderr
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    err.decode(encoding)
    *chunks, summary = lines_in(out, encoding)
    assert summary["success"] is True and summary["stdout"].endswith("got yes \u2713\n")
    assert "".join(c["data"] for c in chunks if c.get("stream") == "stdout") == summary["stdout"]


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize("way", WAYS)
def test_control_characters_are_escaped_on_stdout_and_given_back_exactly(
    lab: CellLab, session: BrowserSession, way: str, stream: bool
) -> None:
    # A CSI as one C1 character and as ESC [, DEL, NEL and the line separator, from the kernel.
    code = 'print("\\x9b31m red \\x1b[31m red \\x7f \\x85 \\u2028 done \\u2713")'
    expected = "\x9b31m red \x1b[31m red \x7f \x85 \u2028 done \u2713\n"
    result = headless(lab, way, ["exec", *(["--stream"] if stream else []), "-c", code, *target(lab, session)])
    assert result.returncode == 0, result.stderr
    raw = result.stdout.decode("utf-8")
    assert "\u2713" in raw, "a UTF-8 stdout keeps printable text as it is"
    assert not re.search(b"[\x80-\x9f]", result.stdout.replace("\u2713".encode(), b"")), result.stdout
    assert "\\u009b31m" in raw and "\\u001b[31m" in raw
    *chunks, summary = lines_in(result.stdout, "utf-8")
    assert summary["stdout"] == expected
    if stream:
        assert "".join(c["data"] for c in chunks if c.get("stream") == "stdout") == expected


# Any text at all, lone surrogates (from surrogateescape) included.
ANY_TEXT = st.text(st.characters(blacklist_categories=()), max_size=40)


@given(st.dictionaries(ANY_TEXT, ANY_TEXT, max_size=4), st.sampled_from(["utf-8", "latin-1", "ascii", "cp1252", None]))
def test_any_text_is_one_inert_line_the_encoding_holds_and_parses_back(document: dict, encoding: str | None) -> None:
    line = dumps_line(document, encoding)
    if encoding is not None:
        line.encode(encoding)  # strict
    if encoding not in ("utf-8", None):
        assert line.isascii()
    assert line.splitlines() == [line]
    assert not CONTROL.search(line) and not re.search("[\ud800-\udfff]", line)
    assert json.loads(line) == document


@pytest.mark.parametrize("locale", ["latin-1", "C-ascii"])
@pytest.mark.parametrize("way", WAYS)
def test_the_guide_reaches_the_caller_in_any_locale(lab: CellLab, way: str, locale: str) -> None:
    env, encoding = LOCALES[locale]
    result = headless(lab, way, ["guide"], env)
    assert result.returncode == 0, result.stderr
    text = result.stdout.decode(encoding)  # strict
    from marimo_pair_tui.guide import text as guide_text

    whole = guide_text()
    assert text == whole.encode(encoding, "backslashreplace").decode(encoding)
    assert any(ord(c) > 127 for c in whole), "the guide holds a character the locale cannot: the test proves something"
