"""Every output of the corpus, read through every JSON door, against the kernel's own values.

One server runs the corpus's notebooks (a browser session each, every cell
run); one snippet per notebook computes every output's truth in the same
kernel. Each door is read once per notebook (`cells --parts`, MCP `cells`) or
once per output (`output --parts`, MCP `output`, `table` pages), and each
output is its own test for each door: a failure names the output and the door.
"""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tests.clihelp import CliResult
from tests.support import kernel_probe
from tests.support.cell_lab import CellLab
from tests.support.waiting import wait_until, wait_until_async
from tests.support.mcp_client import call, mcp_session

from .checkers import CHECKERS, check_alerts, check_table_rows, text_rows, shown_cells
from .corpus import BOOKS, OUTPUTS, Output, notebook_text, outputs, truth_program

Doc = dict[str, Any]


class Book:
    """One corpus notebook open in a session, with its outputs' truths."""

    def __init__(self, lab: CellLab, name: str) -> None:
        self.lab = lab
        self.name = name
        self.path, self.browser = lab.fresh(text=notebook_text(name))  # every cell has run when this returns
        truth = self.cli("exec", "-c", truth_program(name))
        assert truth.code == 0 and truth.json["success"], truth.stdout
        self.truths: dict[str, Doc] = json.loads(truth.json["stdout"])
        failed = {k: v for k, v in self.truths.items() if isinstance(v, dict) and "truth_failed" in v}
        assert not failed, failed
        self.notices = self.tell_notices()

    def tell_notices(self) -> Doc | None:
        """Run the cells that send a toast again, now that the service follows the session (marimo tells a
        toast once, to the clients connected then); `status`'s notices once they are told."""
        told = [o for o in outputs(self.name) if o.kind == "notice"]
        if not told:
            return None
        self.json("status")  # the service follows the session's stream from here on
        for output in told:
            self.json("run", output.name)
        titles = {self.truths[o.name]["title"] for o in told}

        def heard() -> Doc | None:
            notices: Doc = self.json("status")["notices"]
            return notices if titles <= {a["title"] for a in notices["alerts"]} else None

        return wait_until(heard, what=f"status to tell the toasts {sorted(titles)}")

    def cli(self, *args: str) -> CliResult:
        return kernel_probe.session_cli(self.lab.server, self.browser, *args)

    def json(self, *args: str) -> Doc:
        result = self.cli(*args)
        assert result.code == 0, result.stdout + result.stderr
        return result.json


@pytest.fixture(scope="module")
def books(lab: CellLab) -> dict[str, Book]:
    return {name: Book(lab, name) for name in BOOKS}


def by_name(cells: list[Doc]) -> dict[str, Doc]:
    """Cells by name, with the fields a read leaves out when empty (console, errors) made explicit."""
    return {c["name"]: {"console": [], "errors": [], **c} for c in cells}


@pytest.fixture(scope="module")
def cells_door(books: dict[str, Book]) -> dict[str, Doc]:
    """Every cell as `cells --parts` gives it (one call per notebook)."""
    found: dict[str, Doc] = {}
    for book in books.values():
        doc = book.json("cells", "--parts")
        found.update(by_name([{**c, "notices": doc.get("notices")} for c in doc["cells"]]))
    return found


def save_args(output: Output, folder: Path) -> tuple[str, ...]:
    """A file an output offers is read and saved only when asked: `--save-images` for those."""
    return ("--save-images", str(folder / output.name)) if output.kind == "media" else ()


@pytest.fixture(scope="module")
def output_door(books: dict[str, Book], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Doc]:
    """Every output as `output CELL --parts` gives it (calls four at a time through the service)."""
    saved = tmp_path_factory.mktemp("output-door")

    def read(output: Output) -> tuple[str, Doc]:
        save = save_args(output, saved)
        doc = books[output.book].json("output", output.name, "--parts", *save)
        return output.name, {**doc["cell"], "output": doc["output"], "console": doc["console"], "errors": doc["errors"],
                             **({"saved_to": save[1]} if save else {})}

    with ThreadPoolExecutor(4) as pool:
        return dict(pool.map(read, OUTPUTS))


async def mcp_tell_notices(session: Any, book: Book, where: dict[str, str]) -> Doc | None:
    """As `Book.tell_notices`, through MCP (its server follows the session from its first call)."""
    told = [o.name for o in outputs(book.name) if o.kind == "notice"]
    if not told:
        return None
    error, doc = await call(session, "status", **where)  # the server follows the session's stream from here on
    assert not error, doc
    error, doc = await call(session, "run_cells", cells=told, **where)
    assert not error, doc
    titles = {book.truths[name]["title"] for name in told}
    last: list[Any] = [None]

    async def told_all() -> dict[str, Any] | None:
        error, doc = await call(session, "status", **where)
        assert not error, doc
        last[0] = doc
        return dict(doc["notices"]) if titles <= {a["title"] for a in doc["notices"]["alerts"]} else None

    return await wait_until_async(told_all, 15, f"MCP status to tell {sorted(titles)}", detail=lambda: last[0])


@pytest.fixture(scope="module")
def mcp_door(lab: CellLab, books: dict[str, Book], tmp_path_factory: pytest.TempPathFactory
             ) -> dict[str, dict[str, Doc]]:
    """Every cell as the MCP server's `cells` tool gives it, and every output as its `output` tool does;
    the notices of its `status` tool by notebook (`mcp_status`)."""
    saved = tmp_path_factory.mktemp("mcp-door")

    async def read() -> dict[str, dict[str, Doc]]:
        found: dict[str, dict[str, Doc]] = {"mcp_cells": {}, "mcp_output": {}, "mcp_status": {}}
        async with mcp_session(lab.server.state_home) as session:
            for name, book in books.items():
                where = {"notebook": str(book.path)}
                found["mcp_status"][name] = await mcp_tell_notices(session, book, where) or {}
                error, doc = await call(session, "cells", parts=True, **where)
                assert not error, doc
                found["mcp_cells"].update(by_name([{**c, "notices": doc.get("notices")} for c in doc["cells"]]))
                for output in outputs(name):
                    save = {"save_images": str(saved / output.name)} if save_args(output, saved) else {}
                    error, doc = await call(session, "output", cell=output.name, parts=True, **where, **save)
                    assert not error, doc
                    found["mcp_output"][output.name] = {**doc["cell"], "output": doc["output"],
                                                        "console": doc["console"], "errors": doc["errors"],
                                                        **({"saved_to": save["save_images"]} if save else {})}
        return found

    return asyncio.run(read())


DOORS = ["cells", "output", "mcp_cells", "mcp_output"]


@pytest.fixture(scope="module")
def doors(cells_door: dict[str, Doc], output_door: dict[str, Doc], mcp_door: dict[str, dict[str, Doc]]
          ) -> dict[str, dict[str, Doc]]:
    return {"cells": cells_door, "output": output_door, "mcp_cells": mcp_door["mcp_cells"],
            "mcp_output": mcp_door["mcp_output"]}


@pytest.mark.parametrize("door", DOORS)
@pytest.mark.parametrize("output", OUTPUTS, ids=lambda o: o.name)
def test_door_shows_the_kernels_truth(books: dict[str, Book], doors: dict[str, dict[str, Doc]],
                                      output: Output, door: str) -> None:
    cell = doors[door][output.name]
    truth = books[output.book].truths[output.name]
    CHECKERS[output.kind](cell["output"], truth, cell)


TABLES = [o for o in OUTPUTS if o.kind == "table"]


@pytest.mark.parametrize("output", TABLES, ids=lambda o: o.name)
def test_table_pages_show_the_kernels_rows(books: dict[str, Book], output: Output) -> None:
    """`table CELL --page 1 --page-size 3`: rows 3 to 5 of the frame, labels and values, as the kernel has them."""
    book = books[output.book]
    truth = book.truths[output.name]
    result = book.cli("table", output.name, "--page", "1", "--page-size", "3")
    if truth["rows"] <= 3:  # no second page: refused, naming the last page
        assert result.code == 2 and result.json["error"]["kind"] == "page_out_of_range", result.stdout
        assert result.json["error"]["total_rows"] == truth["rows"]
        return
    assert result.code == 0, result.stdout
    page = result.json
    assert page["total_rows"] == truth["rows"] and page["last_page"] == (truth["rows"] - 1) // 3
    check_table_rows(page, truth, start=3)
    assert len(page["rows"]) == min(3, truth["rows"] - 3)
    assert text_rows(page["text"]) == shown_cells(truth, 3, 3 + len(page["rows"]))


NOTICES = [o for o in OUTPUTS if o.kind == "notice"]


@pytest.mark.parametrize("door", ["status", "mcp_status"])
@pytest.mark.parametrize("output", NOTICES, ids=lambda o: o.name)
def test_status_tells_the_kernels_toast(books: dict[str, Book], mcp_door: dict[str, dict[str, Doc]],
                                        output: Output, door: str) -> None:
    """`status` (CLI and MCP): the toast a cell sent, its title and words as the kernel wrote them."""
    book = books[output.book]
    notices = book.notices if door == "status" else mcp_door["mcp_status"][output.book]
    check_alerts(notices, book.truths[output.name])
