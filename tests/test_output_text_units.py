"""One output's text, one reading: what the app's previews, the model's console text and the documents show."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from marimo_pair_tui.core.api import output_text
from marimo_pair_tui.core.model.outputs import ConsoleEntry
from marimo_pair_tui.core.parts import parse_output, parts_text

FIXTURES = Path(__file__).parent / "fixtures" / "outputs"
HTML_OUTPUTS = sorted(p.stem for p in FIXTURES.glob("*.json")
                      if json.loads(p.read_text())["output"]["mimetype"].startswith(("text/html", "text/markdown")))


@pytest.mark.parametrize("kind", HTML_OUTPUTS)
def test_an_html_output_reads_as_the_headless_documents_text(kind: str) -> None:
    """Recorded from a real marimo server: the app's line of an output is the `text` every document gives it."""
    output = json.loads((FIXTURES / f"{kind}.json").read_text())["output"]
    assert output_text(output["mimetype"], output["data"]) == parts_text(parse_output(output["mimetype"], output["data"]))


def test_html_becomes_readable_text() -> None:
    markdown = '<span class="markdown prose"><h1 id="demo">Demo</h1><p>a &amp; b &lt;c&gt; <b>bold</b></p>' \
               "<ul><li>one</li><li>two</li></ul><script>alert(1)</script><style>p{}</style></span>"
    text = output_text("text/html", markdown)
    assert "Demo" in text.splitlines()[0] and "a & b <c>" in text and "one" in text and "two" in text
    assert "alert" not in text and "p{}" not in text and "<" not in text.replace("<c>", "")
    table = output_text("text/html", "<table><tr><th>x</th><th>y</th></tr><tr><td>1</td><td>2</td></tr></table>")
    assert [line.replace(" ", "") for line in table.splitlines()][::2] == ["|x|y|", "|1|2|"]
    assert "a\n   b" in output_text("text/html", "<pre>a\n   b</pre>")  # preformatted text keeps its spaces
    assert output_text("text/markdown", "<p>Hi &amp; bye</p>") == "Hi & bye"


def test_output_text_by_mimetype() -> None:
    assert output_text("text/plain", "x < y") == "x < y"  # plain text is not parsed as HTML
    assert output_text("text/plain", "y is 42\n") == "y is 42\n"  # a console write keeps its newline
    assert output_text("image/png", "iVBOR...") == "[image/png image]"
    assert output_text("application/json", '{"a": 1}') == '{"a": 1}'
    assert output_text("text/plain", {"a": 1}) == '{"a": 1}'
    assert output_text("application/vnd.marimo+error",
                       [{"type": "exception", "msg": "boom", "exception_type": "ValueError"}]) == "ValueError: boom"
    highlighted = '<span class="codehilite"><div class="highlight"><pre>Traceback &lt;x&gt;\n</pre></div></span>'
    assert output_text("application/vnd.marimo+traceback", highlighted) == "Traceback <x>\n"
    assert output_text("application/x-unknown", "<b>x</b>") == "[application/x-unknown]"
    assert output_text(None, None) == ""


def test_the_models_console_text_is_the_same_reading() -> None:
    markup = "<p>first</p><ul><li>one</li></ul>"
    assert ConsoleEntry("stdout", "text/html", markup).text == output_text("text/html", markup)
