"""A line of a PDF: a footnote's raised number is left out where it annotates a word, kept where
the footnote itself opens; a raised number with no footnote of that number (an exponent, a
formula's numerator) stays; a ligature glyph is spelled out."""

from __future__ import annotations

import pytest

from qa.ingest.formats import convert
from qa.ingest.pdf_lines import Piece, footnote_labels, line_of, without_markers
from tests.format_files import FONT_DIR

BODY = "Boats that stay the night pay the harbour office before the gate closes at ten."


def body(y: float, text: str = BODY) -> list[Piece]:
    return [Piece(text, y, 10)]


def lines_of(rows: list[list[Piece]]) -> list:
    return [line_of(row) for row in rows]


def test_a_raised_small_number_with_its_footnote_is_left_out():
    marked = [Piece("The setup will differ by site.", 700, 10), Piece("6", 704, 7.5),
              Piece(" Ask the office.", 700, 10)]  # fmt: skip
    rows = [body(714), marked, *[body(686 - 12 * i) for i in range(6)],
            [Piece("6", 62, 6), Piece(" Harbours keep their own rules.", 60, 8)]]  # fmt: skip
    labels = footnote_labels(lines_of(rows))
    assert labels == {"6"}
    assert line_of(without_markers(marked, line_of(marked), labels)).text == (
        "The setup will differ by site. Ask the office."
    )
    note = without_markers(rows[-1], line_of(rows[-1]), labels)  # the footnote keeps its number
    assert line_of(note).text == "6 Harbours keep their own rules."


def test_an_exponent_or_a_lone_numerator_is_no_footnote():
    power = [Piece("A berth holds 10", 700, 10), Piece("6", 704, 7), Piece(" grams.", 700, 10)]
    rows = [power, *[body(686 - 12 * i) for i in range(6)], [Piece("1", 300, 7)]]
    labels = footnote_labels(lines_of(rows))
    assert labels == frozenset()  # a "1" with no words is a formula's, not a footnote
    assert (
        line_of(without_markers(power, line_of(power), labels)).text == "A berth holds 106 grams."
    )


def test_a_number_on_the_line_is_kept_even_when_a_footnote_has_it():
    level = [Piece("Berth", 700, 10), Piece(" 6", 700, 10), Piece(" is free.", 700, 10)]
    rows = [level, *[body(686 - 12 * i) for i in range(6)],
            [Piece("6", 62, 6), Piece(" Harbours keep their own rules.", 60, 8)]]  # fmt: skip
    labels = footnote_labels(lines_of(rows))
    assert line_of(without_markers(level, line_of(level), labels)).text == "Berth 6 is free."


def new_pdf():
    """An A4 page in 10 pt DejaVu Sans, to write on."""
    pytest.importorskip("pypdf", reason="the formats extra is needed: pip install -e '.[formats]'")
    fpdf = pytest.importorskip("fpdf", reason="the test extra is needed: pip install -e '.[test]'")
    pdf = fpdf.FPDF(format="A4")
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_page()
    pdf.set_font("DejaVu", "", 10)
    return pdf


def raised(pdf, text: str) -> None:
    """Write ``text`` small and 1.5 mm up (as DocBook's and LaTeX's PDFs set a footnote mark),
    then go on from the line's baseline."""
    x, y = pdf.get_x(), pdf.get_y()
    pdf.set_font("DejaVu", "", 7)
    pdf.set_xy(x, y - 1.5)
    pdf.write(5, text)
    pdf.set_xy(pdf.get_x(), y)
    pdf.set_font("DejaVu", "", 10)


def test_a_pdf_with_a_footnote_converts_without_its_marker(tmp_path):
    pdf = new_pdf()
    for _ in range(4):
        pdf.multi_cell(0, 5, BODY, new_x="LMARGIN", new_y="NEXT")
    pdf.write(5, "The setup will differ by site.")
    raised(pdf, "6")
    pdf.write(5, " Ask the office. A berth holds 10")
    raised(pdf, "3")
    pdf.write(5, " ropes.")
    pdf.ln(8)
    for _ in range(3):
        pdf.multi_cell(0, 5, BODY, new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(-30)
    pdf.set_font("DejaVu", "", 6)
    pdf.write(4, "6")
    pdf.set_font("DejaVu", "", 8)
    pdf.write(4, " Harbours keep their own rules.")
    path = tmp_path / "harbour.pdf"
    pdf.output(str(path))
    text = convert(path, path.read_bytes()).text
    assert "The setup will differ by site. Ask the office." in text
    assert "A berth holds 103 ropes." in text  # no footnote 3: kept as drawn
    assert "6 Harbours keep their own rules." in text


def test_control_characters_are_no_text():
    assert line_of([Piece("and NAMESPACE file \x08", 700, 10)]).text == "and NAMESPACE file"
    assert line_of([Piece("\x08", 700, 10)]).text == ""


def test_ligature_glyphs_are_spelled_out(tmp_path):
    """LaTeX draws "fi" as one glyph, which pypdf gives as U+FB01: MiniLM reads "speciﬁed" as
    word pieces ending in an unknown one, and BM25 never matches it to "specified"."""
    assert line_of([Piece("The buﬀer is speciﬁed in the ﬁrst ﬂag", 700, 10)]).text == (
        "The buffer is specified in the first flag"
    )
    pdf = new_pdf()
    pdf.multi_cell(0, 5, "The buﬀer size is speciﬁed at open time.")
    path = tmp_path / "streams.pdf"
    pdf.output(str(path))
    assert "The buffer size is specified at open time." in convert(path, path.read_bytes()).text


def test_an_accent_drawn_apart_joins_its_letter_where_unicode_has_the_pair():
    text = "M¨uller's Pad´e table; ¯x and ¯y; ’˜a/’ and xˆy in code"
    assert line_of([Piece(text, 700, 10)]).text == (
        "Müller's Padé table; ¯x and ȳ; ’˜a/’ and xˆy in code"
    )
