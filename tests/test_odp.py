"""OpenDocument presentations (.odp): slides with their titles as headings, frames, tables and
notes in order, slide numbers as pages; other OpenDocument kinds named .odp said so."""

from __future__ import annotations

import io
import zipfile

import pytest

from qa.ingest.chunking import chunk_corpus
from qa.ingest.converted import UnreadableFileError
from qa.ingest.corpus import read_corpus
from qa.ingest.titles import document_title

pytest.importorskip("lxml", reason="the formats extra is needed: pip install -e '.[formats]'")

from qa.ingest.odp_text import odp_to_text  # noqa: E402

ODP_CONTENT = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
    ' xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"'
    ' xmlns:presentation="urn:oasis:names:tc:opendocument:xmlns:presentation:1.0"'
    ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
    ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0">'
    "<office:body><office:presentation>{pages}</office:presentation></office:body>"
    "</office:document-content>"
)


def _frame(kind: str, *paragraphs: str) -> str:
    paras = "".join(f"<text:p>{p}</text:p>" for p in paragraphs)
    return (
        f'<draw:frame presentation:class="{kind}"><draw:text-box>{paras}</draw:text-box>'
        "</draw:frame>"
    )


# three slides as Impress writes them: a title slide, a titled slide with a bulleted list and
# notes, and an untitled slide with a table and a text box in a group
PAGES = (
    '<draw:page draw:name="page1">'
    + _frame("title", "Harbour rules")
    + _frame("subtitle", "Board briefing, March 2024")
    + "</draw:page>"
    + '<draw:page draw:name="page2">'
    + _frame("title", "Fees")
    + '<draw:frame presentation:class="outline"><draw:text-box><text:list><text:list-item>'
    "<text:p>Boats pay ten coins a day.</text:p></text:list-item><text:list-item>"
    "<text:p>Ships pay<text:s/> fifty coins a day.</text:p></text:list-item></text:list>"
    "</draw:text-box></draw:frame>"
    + "<presentation:notes>"
    + _frame("notes", "Fees were last raised in 2019.")
    + "</presentation:notes></draw:page>"
    + '<draw:page draw:name="page3"><draw:frame><table:table>'
    "<table:table-row><table:table-cell><text:p>Vessel</text:p></table:table-cell>"
    "<table:table-cell><text:p>Fee</text:p></table:table-cell></table:table-row>"
    "<table:table-row><table:table-cell><text:p>Ferry</text:p></table:table-cell>"
    "<table:table-cell><text:p>Five</text:p></table:table-cell></table:table-row>"
    "</table:table></draw:frame><draw:g>"
    + _frame("", "The harbour master may waive fees for rescue boats.")
    + "</draw:g></draw:page>"
)


def deck(pages: str = PAGES, body: str = "presentation") -> bytes:
    out = io.BytesIO()
    content = ODP_CONTENT.format(pages=pages)
    if body != "presentation":
        content = content.replace("office:presentation>", f"office:{body}>")
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("mimetype", "application/vnd.oasis.opendocument.presentation")
        package.writestr("content.xml", content)
        package.writestr("META-INF/manifest.xml", "<manifest/>")
    return out.getvalue()


def test_a_deck_reads_slide_by_slide_with_titles_as_headings():
    converted = odp_to_text(deck())
    assert converted.text == (
        "# Harbour rules\n\nBoard briefing, March 2024\n\n"
        "## Fees\n\nBoats pay ten coins a day.\n\nShips pay fifty coins a day.\n\n"
        "### Notes\n\nFees were last raised in 2019.\n\n"
        "## Slide 3\n\nVessel | Fee\n\nFerry | Five\n\n"
        "The harbour master may waive fees for rescue boats.\n"
    )
    assert [converted.text[p : p + 7] for p in converted.pages] == ["# Harbo", "## Fees", "## Slid"]


def test_passages_of_a_deck_carry_their_slide_as_page(tmp_path):
    (tmp_path / "briefing.odp").write_bytes(deck())
    (tmp_path / "sheet.odp").write_bytes(deck(body="spreadsheet"))
    corpus = read_corpus(tmp_path)
    assert [d.source for d in corpus.documents] == ["briefing.odp"]
    assert corpus.skipped[0].reason == (
        "it is an OpenDocument file holding a spreadsheet, not a presentation; give it the "
        "suffix .ods"
    )
    (document,) = corpus.documents
    assert document_title(document) == "Harbour rules"
    fees = next(p for p in chunk_corpus([document]) if "ten coins" in p.text)
    assert (fees.page, fees.section) == (2, "Harbour rules > Fees")


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"PK\x03\x04 cut short", "not a readable OpenDocument .odp file"),
        (deck(pages=""), "no slides"),
    ],
)
def test_unreadable_decks_say_why(data, says):
    with pytest.raises(UnreadableFileError, match=says):
        odp_to_text(data)


def test_a_drawing_reads_page_by_page_named_pages_by_their_names(tmp_path):
    from qa.ingest.formats import convert

    shapes = (
        "<draw:custom-shape><text:p>Board</text:p></draw:custom-shape>"
        "<draw:custom-shape><text:p>Harbour master</text:p></draw:custom-shape>"
        "<draw:connector/><draw:frame><draw:text-box><text:p>Pilots report to the"
        "<text:s/>harbour master.</text:p></draw:text-box></draw:frame>"
    )
    pages = (
        f'<draw:page draw:name="Org chart">{shapes}</draw:page>'
        '<draw:page draw:name="page2"><draw:rect><text:p>Fees: see the list.</text:p>'
        "</draw:rect></draw:page>"
    )
    drawing = deck(pages=pages, body="drawing")
    converted = convert(tmp_path / "chart.odg", drawing)
    assert converted.text == (
        "# Org chart\n\nBoard\n\nHarbour master\n\nPilots report to the harbour master.\n\n"
        "## Page 2\n\nFees: see the list.\n"
    )
    assert len(converted.pages) == 2
    (tmp_path / "chart.odg").write_bytes(drawing)
    (tmp_path / "deck.odg").write_bytes(deck())
    corpus = read_corpus(tmp_path)
    assert [d.source for d in corpus.documents] == ["chart.odg"]
    assert corpus.skipped[0].reason == (
        "it is an OpenDocument file holding a presentation, not a drawing; give it the suffix .odp"
    )
    empty = '<draw:page draw:name="page1"><draw:rect/></draw:page>'
    with pytest.raises(UnreadableFileError, match="its pages hold no text"):
        convert(tmp_path / "x.odg", deck(pages=empty, body="drawing"))
