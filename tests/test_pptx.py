"""PowerPoint (.pptx) decks: titles as headings, bodies, tables, groups, notes, slide numbers."""

from __future__ import annotations

import io
import zipfile

import pytest

from qa.ingest.chunking import chunk_corpus
from qa.ingest.converted import UnreadableFileError
from qa.ingest.corpus import load_corpus, read_corpus

pytest.importorskip("pptx", reason="the formats extra is needed: pip install -e '.[formats]'")

from qa.ingest.pptx_text import pptx_to_text  # noqa: E402


def deck() -> bytes:
    """Three slides as PowerPoint's default layouts make them: a title slide, a titled bullet
    slide with speaker notes, and an untitled slide with a table and a group of text boxes."""
    from pptx import Presentation
    from pptx.util import Inches

    prs = Presentation()
    first = prs.slides.add_slide(prs.slide_layouts[0])
    first.shapes.title.text = "Harbour rules"
    first.placeholders[1].text = "Board briefing, March 2024"
    fees = prs.slides.add_slide(prs.slide_layouts[1])
    fees.shapes.title.text = "Fees"
    body = fees.placeholders[1].text_frame
    body.text = "Boats pay ten coins a day."
    body.add_paragraph().text = "Ships pay fifty coins a day."
    body.add_paragraph().text = "# not a heading"
    fees.notes_slide.notes_text_frame.text = "Fees were last raised in 2019."
    rest = prs.slides.add_slide(prs.slide_layouts[6])
    table = rest.shapes.add_table(2, 2, Inches(1), Inches(1), Inches(4), Inches(1)).table
    for (row, col), text in {
        (0, 0): "Vessel",
        (0, 1): "Fee",
        (1, 0): "Ferry",
        (1, 1): "Five",
    }.items():
        table.cell(row, col).text = text
    group = rest.shapes.add_group_shape()
    group.shapes.add_textbox(
        Inches(1), Inches(3), Inches(3), Inches(1)
    ).text_frame.text = "The harbour master may waive fees for rescue boats."
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()


def test_a_deck_reads_slide_by_slide_with_titles_as_headings():
    converted = pptx_to_text(deck())
    assert converted.text == (
        "# Harbour rules\n\nBoard briefing, March 2024\n\n"
        "## Fees\n\nBoats pay ten coins a day.\n\nShips pay fifty coins a day.\n\n"
        "\\# not a heading\n\n### Notes\n\nFees were last raised in 2019.\n\n"
        "## Slide 3\n\nVessel | Fee\n\nFerry | Five\n\n"
        "The harbour master may waive fees for rescue boats.\n"
    )
    starts = [converted.text[p : p + 9] for p in converted.pages]
    assert starts == ["# Harbour", "## Fees\n\n", "## Slide "]


def test_passages_of_a_deck_carry_their_slide_as_page_and_heading_path(tmp_path):
    (tmp_path / "briefing.pptx").write_bytes(deck())
    documents = load_corpus(tmp_path)
    passages = chunk_corpus(documents)
    fees = next(p for p in passages if "ten coins" in p.text)
    assert (fees.page, fees.section) == (2, "Harbour rules > Fees")
    waive = next(p for p in passages if "waive" in p.text)
    assert waive.page == 3
    assert documents[0].text[fees.start : fees.end] == fees.text


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"\xd0\xcf\x11\xe0 an old .ppt", "not a readable PowerPoint .pptx file"),
        (b"PK\x03\x04 cut short", "not a readable PowerPoint .pptx file"),
    ],
)
def test_unreadable_decks_say_why(data, says):
    with pytest.raises(UnreadableFileError, match=says):
        pptx_to_text(data)


def test_a_word_file_named_pptx_is_skipped_and_the_rest_read(tmp_path):
    from tests.format_files import write_docx

    write_docx("Rules\n\nDock early.\n", tmp_path / "memo.pptx")
    (tmp_path / "briefing.pptx").write_bytes(deck())
    corpus = read_corpus(tmp_path)
    assert [d.source for d in corpus.documents] == ["briefing.pptx"]
    assert [s.source for s in corpus.skipped] == ["memo.pptx"]
    reason = corpus.skipped[0].reason
    assert "is not a PowerPoint file" in reason and "wordprocessingml" in reason
    assert "BytesIO" not in reason
    assert zipfile.is_zipfile(tmp_path / "memo.pptx")


def test_a_picture_in_the_title_placeholder_gives_no_title():
    from types import SimpleNamespace

    from qa.ingest.pptx_text import _title

    picture = SimpleNamespace(has_text_frame=False)  # python-pptx's PlaceholderPicture
    assert _title(SimpleNamespace(shapes=SimpleNamespace(title=picture))) == ""
    assert _title(SimpleNamespace(shapes=SimpleNamespace(title=None))) == ""
