"""A PDF that draws its word gaps as TJ offsets (TeX does), in a font whose code 32 is a wide
glyph, converts with its words apart: pypdf alone takes that glyph's width for a space's and
glues every line whose gaps are narrower into one run of letters."""

from __future__ import annotations

import pytest

from qa.ingest.formats import convert
from qa.ingest.pdf_word_gaps import WORD_GAP, count_word_gaps

pypdf = pytest.importorskip(
    "pypdf", reason="the formats extra is needed: pip install -e '.[formats]'"
)

LINES = ["Boats that stay the night pay the harbour office.", "The gate closes at ten."]


def tj_pdf(lines: list[str], gap: int, letter_gap: int = 0) -> bytes:
    """One page; each line one TJ array, its words ``gap`` thousandths of an em apart (and
    each word's letters ``letter_gap`` apart); code 32 of the font is 700 wide."""

    def word(w: str) -> str:
        return f"{-letter_gap}".join(f"({c})" for c in w) if letter_gap else f"({w})"

    ops = ["BT", "/F1 11 Tf", "14 TL", "72 720 Td"]
    ops += [f"[{f'{gap}'.join(word(w) for w in line.split())}] TJ T*" for line in lines]
    stream = "\n".join([*ops, "ET"]).encode()
    widths = " ".join(["700"] + ["500"] * 94)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /FirstChar 32 /LastChar 126 "
        b"/Widths [%s] >>" % widths.encode(),
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def text_of(tmp_path, data: bytes) -> str:
    path = tmp_path / "harbour.pdf"
    path.write_bytes(data)
    return convert(path, data).text


@pytest.mark.parametrize("gap", [-150, -174, -250, -340])
def test_word_gaps_drawn_as_tj_offsets_are_spaces(tmp_path, gap):
    text = text_of(tmp_path, tj_pdf(LINES, gap))
    assert "pay the harbour office" in text and "The gate closes at ten." in text
    assert "paytheharbour" not in text


def test_letter_spacing_and_kerning_keep_a_word_whole(tmp_path):
    text = text_of(tmp_path, tj_pdf(LINES, -250, letter_gap=60))
    assert "harbour office" in text and "h a r" not in text


def test_the_hook_is_in_place_and_set_once():
    # this pypdf has the hook; a second call is a no-op
    assert count_word_gaps() and count_word_gaps()
    from pypdf._text_extraction._text_extractor import TextExtraction

    assert getattr(TextExtraction.process_tj_offset, "_planqa_word_gap", False)
    assert 100 < WORD_GAP < 200  # a thin space (1/6 em) or less is no word gap
