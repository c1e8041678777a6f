"""`grep` against a real marimo server: the CLI and the MCP tool find the text the kernel printed and
showed, with the value the kernel itself computes, and answer while a cell holds the kernel busy."""

from __future__ import annotations

import threading
from typing import Any

from tests.support.cell_lab import CellLab
from tests.support.kernel_probe import kernel, session_cli
from tests.support.mcp_client import call, mcp_session
from tests.support.waiting import gate, wait_until, wait_until_async

NOTEBOOK = '''\
import marimo

__generated_with = "0.25.2"
app = marimo.App()


@app.cell
def totals():
    total = sum(range(10**4))
    print(f"total={total}")
    return (total,)


@app.cell
def halves(total):
    f"half is {total // 2}"
    return


@app.cell
def quiet():
    note = "nothing printed here"
    return


if __name__ == "__main__":
    app.run()
'''


def test_the_cli_finds_what_the_kernel_printed_and_showed(lab: CellLab) -> None:
    _path, browser = lab.fresh(text=NOTEBOOK)
    total, half = kernel(lab.server, browser, "[total, total // 2]")

    printed = session_cli(lab.server, browser, "grep", r"total=\d+", "--regex", "--in", "output")
    assert printed.code == 0, printed.stdout
    doc = printed.json
    [match] = doc["matches"]
    assert match["match"] == f"total={total}" and match["text"] == f"total={total}"
    assert (match["name"], match["where"], match["line"], match["span"]) == ("totals", "console", 1,
                                                                          [0, len(f"total={total}")])
    assert doc["count"] == 1 and doc["cells"] == 1 and doc["searched"] == 3

    shown = session_cli(lab.server, browser, "grep", "HALF IS", "--ignore-case", "--in", "output").json
    [match] = shown["matches"]
    assert (match["name"], match["where"]) == ("halves", "output")
    assert str(half) in match["text"]  # the output's text, as `cells` gives it

    everywhere = session_cli(lab.server, browser, "grep", "total").json
    assert {(m["name"], m["where"]) for m in everywhere["matches"]} == {
        ("totals", "name"), ("totals", "code"), ("totals", "console"), ("halves", "code")}

    none = session_cli(lab.server, browser, "grep", "no such text")
    assert none.code == 0 and none.json["count"] == 0 and none.json["matches"] == []

    bad = session_cli(lab.server, browser, "grep", "(unclosed", "--regex")
    assert bad.code == 2 and bad.json["error"]["kind"] == "bad_pattern"
    assert "missing )" in bad.json["error"]["message"] and bad.json["error"]["next"]


async def test_grep_answers_while_a_cell_holds_the_kernel_busy_on_both_doors(lab: CellLab) -> None:
    path, browser = lab.fresh(text=NOTEBOOK)
    total = kernel(lab.server, browser, "total")
    release = path.parent / f"release-{path.stem}"
    holder = threading.Thread(target=lab.execute, args=(browser, gate(release)))
    try:
        async with mcp_session(lab.server.state_home) as session:
            error, idle = await call(session, "grep", pattern="total=", notebook=str(path))  # attach while idle
            assert not error and idle["kernel"]["idle"], idle
            holder.start()

            async def busy_grep() -> dict[str, Any] | None:
                error, doc = await call(session, "grep", pattern=r"total=(\d+)", regex=True, scope="output",
                                        notebook=str(path))
                assert not error, doc
                return None if doc["kernel"]["idle"] else doc

            busy = await wait_until_async(busy_grep, 60, "a search that says the kernel is busy", interval=0)
            # A search that went through the kernel would have waited for the gated snippet.
            assert holder.is_alive() and not release.exists()
            assert [m["match"] for m in busy["matches"]] == [f"total={total}"]

            def busy_cli() -> dict[str, Any] | None:
                result = session_cli(lab.server, browser, "grep", f"total={total}")
                assert result.code == 0, result.stdout
                return None if result.json["kernel"]["idle"] else result.json

            doc = wait_until(busy_cli, 60, "the command's answer while busy")
            assert holder.is_alive() and not release.exists()
            assert [m["where"] for m in doc["matches"]] == ["console"]
    finally:
        release.touch()
        holder.join(timeout=30)
