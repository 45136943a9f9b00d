"""A PDF's bullet item whose bullet glyph is set in a smaller font than its text (as in many
generated PDFs: a symbol font at 8 pt before 10 pt text) is one paragraph with its wrapped
lines: the line's size is the size most of it is set in, so the item's sentence is not cut in
two at the wrap."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.ingest.chunking import chunk
from qa.ingest.formats import convert
from qa.types import Document
from tests.format_files import FONT_DIR

pytest.importorskip("pypdf", reason="the formats extra is needed: pip install -e '.[formats]'")
pytest.importorskip("fpdf", reason="the test extra is needed: pip install -e '.[test]'")

ITEM = (
    "Applications must be able to extend the database in any way when they are installed, "
    "to add both new rules for determining type, and new information about specific types."
)


def write_bulleted_pdf(path: Path) -> Path:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_page()
    pdf.set_font("DejaVu", "", 10)
    pdf.multi_cell(0, 6, "There are two requirements for the way the database is stored:")
    pdf.ln(4)
    pdf.set_font("DejaVu", "", 7)  # the bullet glyph, smaller
    pdf.write(4.5, "• ")
    pdf.set_font("DejaVu", "", 10)
    pdf.write(4.5, ITEM)  # wraps onto a second line, in the text's size
    pdf.ln(10)
    pdf.multi_cell(0, 6, "This specification uses the base directory layout.")
    pdf.output(str(path))
    return path


def test_a_bullet_item_in_a_smaller_glyph_stays_one_paragraph(tmp_path):
    path = write_bulleted_pdf(tmp_path / "spec.pdf")
    text = convert(path, path.read_bytes()).text
    assert "• " + ITEM in text  # whole: the wrapped line joined back to its bullet
    passages = [p.text for p in chunk(Document("spec.pdf", text))]
    assert any(ITEM in p for p in passages)  # one passage holds the whole sentence
