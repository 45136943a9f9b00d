"""PowerPoint 97-2003 (.ppt) presentations: slides in order with their titles as headings, text
boxes, speaker notes, slide numbers as pages; encrypted, older and damaged files skipped with a reason."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from qa.ingest.chunking import chunk_corpus
from qa.ingest.converted import UnreadableFileError
from qa.ingest.corpus import read_corpus
from qa.ingest.titles import document_title

pytest.importorskip("olefile", reason="the formats extra is needed: pip install -e '.[formats]'")

from qa.ingest.ppt_text import ppt_to_text  # noqa: E402

DATA = Path(__file__).parent / "data" / "ppt"
BASIC = (DATA / "basic_test_ppt_file.ppt").read_bytes()


def test_a_presentation_reads_slide_by_slide_with_titles_as_headings():
    converted = ppt_to_text(BASIC)
    assert converted.text == (
        "# This is a test title\n\nThis is a test subtitle\n\nThis is on page 1\n\n"
        "### Notes\n\nThese are the notes for page 1\n\n"
        "## This is the title on page 2\n\nThis is page two\n\n"
        "It has several blocks of text\n\nNone of them have formatting\n\n"
        "### Notes\n\nThese are the notes on page two, again lacking formatting\n"
    )
    assert [converted.text[p : p + 12] for p in converted.pages] == [
        "# This is a ",
        "## This is t",
    ]


def test_passages_of_a_presentation_carry_their_slide(tmp_path):
    (tmp_path / "briefing.ppt").write_bytes(BASIC)
    (tmp_path / "locked.ppt").write_bytes((DATA / "Password_Protected-hello.ppt").read_bytes())
    (tmp_path / "cut.ppt").write_bytes(BASIC[:6000])
    corpus = read_corpus(tmp_path)
    assert [d.source for d in corpus.documents] == ["briefing.ppt"]
    reasons = {s.source: s.reason for s in corpus.skipped}
    assert "protected by a password" in reasons["locked.ppt"]
    assert "save it as .pptx" in reasons["cut.ppt"]  # a cut file: its streams are lost
    (document,) = corpus.documents
    assert document_title(document) == "This is a test title"
    passages = chunk_corpus([document])
    two = next(p for p in passages if "This is page two" in p.text)
    assert (two.page, two.section) == (2, "This is a test title > This is the title on page 2")
    assert document.text[two.start : two.end] == two.text


def test_a_table_reads_row_by_row_its_cells_joined_and_no_row_is_cut(tmp_path):
    converted = ppt_to_text((DATA / "54111.ppt").read_bytes())
    rows = [
        f"Row {r}, Cell 1 | Row {r}, Cell 2 | Row {r}, Cell 3 | Row {r}, Cell 4"
        for r in range(1, 6)
    ]
    assert (
        converted.text
        == "\n\n".join(
            ["# Table sample", "Dummy text", "TH Cell 1 | TH Cell 2 | TH Cell 3 | TH Cell 4", *rows]
        )
        + "\n"
    )
    (tmp_path / "table.ppt").write_bytes((DATA / "54111.ppt").read_bytes())
    (document,) = read_corpus(tmp_path).documents
    passages = chunk_corpus([document])
    assert any(rows[2] in p.text for p in passages)  # a row is content, quoted whole


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"PK\x03\x04 a zip", "not a PowerPoint 97-2003 .ppt file"),
        (b"plain words", "not a PowerPoint 97-2003 .ppt file"),
    ],
)
def test_files_that_are_no_presentation_say_so(data, says):
    with pytest.raises(UnreadableFileError, match=says):
        ppt_to_text(data)


def test_a_word_file_named_ppt_is_skipped_saying_what_it_lacks():
    word = (Path(__file__).parent / "data" / "word97" / "raw_text.doc").read_bytes()
    with pytest.raises(UnreadableFileError, match="without PowerPoint 97-2003's streams"):
        ppt_to_text(word)


def test_a_record_that_runs_past_its_parent_is_never_read_past():
    """Every byte of the slide list's body overwritten with a record header claiming 4 GB:
    the reader stops at the bound instead of reading or allocating past it."""
    import struct

    import olefile

    ole = olefile.OleFileIO(io.BytesIO(BASIC))
    stream = ole.openstream("PowerPoint Document").read()
    from qa.ingest import ppt_text

    records = list(ppt_text._children(stream, 0, len(stream)))
    assert records and all(end <= len(stream) for *_, end in records)
    bad = stream[:8] + struct.pack("<HHI", 0x000F, 0x0FF0, 0xFFFFFFF0) + stream[16:]
    assert list(ppt_text._children(bad, 8, len(bad))) == []


def test_a_slide_whose_drawing_is_lost_keeps_its_placeholders_text():
    """A persist directory pointing a slide at bytes that are no slide record (a damaged
    file): the slide list's text is still read."""
    from qa.ingest import ppt_text

    real = ppt_text._record_at

    def lost(stream, offset, kind):
        if kind == ppt_text._SLIDE:
            raise ValueError("no record of type 0x03ee")
        return real(stream, offset, kind)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ppt_text, "_record_at", lost)
        text = ppt_to_text(BASIC).text
    assert text.startswith("# This is a test title\n\n") and "This is page two" in text


def test_notes_are_read_from_the_notes_page_a_slide_names_not_the_notes_master():
    """Every deck holds its notes master's "Click to edit Master text styles"; only the notes
    page a slide's SlideAtom names is read."""
    from qa.ingest import ppt_text

    text = ppt_to_text(BASIC).text
    assert text.count("### Notes") == 2 and "Master" not in text
    real = ppt_text._record_at

    def lost(stream, offset, kind):
        if kind == ppt_text._NOTES:
            raise ValueError("no record of type 0x03f0")
        return real(stream, offset, kind)

    with pytest.MonkeyPatch.context() as patch:  # a lost notes page: the slides are still read
        patch.setattr(ppt_text, "_record_at", lost)
        assert "### Notes" not in ppt_to_text(BASIC).text
