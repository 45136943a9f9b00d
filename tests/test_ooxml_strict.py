"""Office files saved as Strict Open XML read as the usual (Transitional) kind does: a real
Strict workbook (Apache POI's), and Word and PowerPoint files made Strict here by renaming their
namespaces as Office's Strict save does."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest

from qa.ingest.converted import UnreadableFileError
from qa.ingest.formats import convert
from qa.ingest.ooxml_strict import is_strict, transitional
from tests.format_files import write_docx

DATA = Path(__file__).parent / "data" / "xlsx"
_TRANSITIONAL = re.compile(rb"http://schemas\.openxmlformats\.org/(\w+)/2006/([\w-]+)")


def _strict(data: bytes) -> bytes:
    """A Transitional package renamed into Strict's namespaces (the inverse of transitional)."""

    def uri(m: re.Match) -> bytes:
        if m.group(1) == b"package":  # the package's own namespaces are the same in Strict
            return m.group(0)
        name = {b"extended-properties": b"extendedProperties"}.get(m.group(2), m.group(2))
        return b"http://purl.oclc.org/ooxml/" + m.group(1) + b"/" + name

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as package:
        for info in source.infolist():
            body = source.read(info)
            if info.filename.endswith((".xml", ".rels")):
                body = _TRANSITIONAL.sub(uri, body)
            package.writestr(info, body)
    return out.getvalue()


def test_a_strict_workbook_reads_its_title_sheets_and_rows():
    data = (DATA / "SampleSS.strict.xlsx").read_bytes()
    assert is_strict(data)
    text = convert(Path("sample.xlsx"), data).text
    assert text.startswith("# Sample Spreadsheet\n\n## First Sheet\n\nTest spreadsheet\n\n")
    assert "cb=1: 1 | cb=10: 10 | cb=2: 2 | cb=sum: 13" in text
    assert transitional(transitional(data)) == transitional(data)  # Transitional stays as it is


def test_strict_word_and_powerpoint_files_read_as_the_usual_kind(tmp_path):
    pytest.importorskip("docx", reason="the formats extra is needed: pip install -e '.[formats]'")
    pptx = pytest.importorskip("pptx", reason="the formats extra is needed")
    usual = write_docx("# Harbour rules\n\n## Fees\n\nBoats pay ten coins.\n", tmp_path / "a.docx")
    strict = _strict(usual.read_bytes())
    assert is_strict(strict) and not is_strict(usual.read_bytes())
    assert convert(Path("rules.docx"), strict).text == convert(usual, usual.read_bytes()).text
    deck = pptx.Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[1])
    slide.shapes.title.text = "Fees"
    slide.placeholders[1].text = "Boats pay ten coins."
    deck.save(str(tmp_path / "a.pptx"))
    data = (tmp_path / "a.pptx").read_bytes()
    assert convert(Path("deck.pptx"), _strict(data)).text == "# Fees\n\nBoats pay ten coins.\n"


def test_a_strict_zip_bomb_is_refused_before_it_is_read(monkeypatch):
    import qa.ingest.ooxml_strict as ooxml_strict

    monkeypatch.setattr(ooxml_strict, "MAX_UNPACKED_BYTES", 1_000)
    with pytest.raises(UnreadableFileError, match="over the 1,000-byte limit"):
        transitional((DATA / "SampleSS.strict.xlsx").read_bytes())
