"""A document that marks its section headings ("## Fees": HTML, Word and Markdown give them so)
has said which lines are headings: a short line only its shape makes a title (a copyright
line, a field's value in emphasis, a contributor's name) is content there. A document that
marks only its title (a licence saved as Markdown) still has its unmarked headings read. And a
converter writes a body line that opens as a heading would ("# generated file") escaped."""

from __future__ import annotations

from qa.ingest.chunking import chunk
from qa.ingest.converted import literal
from qa.ingest.html_text import html_to_text
from qa.types import Document

MARKED = (
    "# Harbour policy\n\n## 1. Copyright\n\n1999-2021, The Harbour Board\n\n"
    "Boats may copy this policy.\n\n## 2. Fees\n\nBoats pay ten coins.\n\n"
    "*or*\n\nThey pay in kind.\n"
)
TITLE_ONLY = (
    "# Harbour licence\n\nTERMS AND CONDITIONS\n\nBoats may copy this licence.\n\n"
    "NO WARRANTY\n\nThe board gives no warranty.\n"
)


def sections(text: str, source: str = "doc.md") -> dict[str, str]:
    """Each passage's text -> its section path."""
    return {p.text: p.section for p in chunk(Document(source, text))}


def test_in_a_document_that_marks_its_headings_a_short_line_is_content():
    got = sections(MARKED)
    assert got["1999-2021, The Harbour Board"] == "Harbour policy > 1. Copyright"
    assert got["Boats may copy this policy."] == "Harbour policy > 1. Copyright"
    assert got["*or*"] == got["They pay in kind."] == "Harbour policy > 2. Fees"
    # one marked section heading is not enough to say so: the short line heads again
    one = MARKED.replace("## 2. Fees", "2. Fees")
    assert sections(one)["Boats may copy this policy."].endswith("> 1999-2021, The Harbour Board")


def test_a_document_that_marks_only_its_title_keeps_its_unmarked_headings():
    got = sections(TITLE_ONLY)
    assert got["Boats may copy this licence."] == "Harbour licence > TERMS AND CONDITIONS"
    assert got["The board gives no warranty."] == "Harbour licence > NO WARRANTY"


def test_a_body_line_that_opens_as_a_heading_is_escaped_by_the_converters():
    assert literal("# generated file\nx = 1\n  ## b\n#tag") == (
        "\\# generated file\nx = 1\n  \\## b\n#tag"
    )
    page = b"<h1>Globs</h1><p>For example:</p><pre># generated file\n50:text/x-diff:*.diff</pre>"
    text = html_to_text(page)
    assert text == (
        "# Globs\n\nFor example:\n\n\\# generated file 50:text/x-diff:*.diff\n"
    )
    assert set(sections(text, "globs.html").values()) == {"Globs"}
