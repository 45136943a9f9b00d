"""A PDF's heading levels come from its font sizes ranked over the whole document: a manual
whose chapters ("2 Night mooring", numbered without a stop, as Texinfo sets them), sections
("2.1 Winter") and entries ("Lights") are set in three sizes cites each entry under its section
and chapter, on a page with a chapter heading as on a page without one; a numbered heading in
the body's size ("1. Berth form") nests under them and closes none."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.ingest.chunking import chunk
from qa.ingest.formats import convert
from qa.ingest.pdf_text import Fonts, Line, layout_text
from qa.types import Document
from tests.format_files import FONT_DIR

pytest.importorskip("pypdf", reason="the formats extra is needed: pip install -e '.[formats]'")
pytest.importorskip("fpdf", reason="the test extra is needed: pip install -e '.[test]'")

TITLE = "Harbour Manual"
BODY = "Boats that stay the night pay the harbour office before the gate closes at ten."
# (size, text) on each page: a title, then chapters in 17 pt, sections in 14 pt, entries in 12 pt
PAGES = [
    [(24, TITLE), (17, "1 Fees"), (10, "A day's mooring costs ten coins.")],
    [(17, "2 Night mooring"), (14, "2.1 Winter"), (12, "Lights"), (10, "Show a white light."),
     (12, "Ropes"), (10, "Double every rope.")],
    [(12, "Chains"), (10, "Chains are lent free."), (14, "2.2 Summer"), (12, "Awnings"),
     (10, "Awnings may be rigged.")],
    [(17, "Appendix A Forms"), (14, "A.1 Berth request"), (10, "Ask at the office."),
     (10, "1. Berth form"), (10, "Fill in the berth form.")],  # a numbered heading, body size
    [(17, "Index"), (10, "Berths and fees are listed here.")],
]  # fmt: skip


def write_manual(path: Path) -> Path:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    for page in PAGES:
        pdf.add_page()
        for size, text in page:
            pdf.set_font("DejaVu", "", size)
            if text.endswith("."):  # a paragraph of several lines: most lines are the body's
                text = " ".join([text] + [f"{BODY[:-1]}, as rule {n} says." for n in range(3)])
            pdf.multi_cell(0, size * 0.45, text, new_x="LMARGIN", new_y="NEXT")  # mm: 1.3 lines
            pdf.ln(4)
    pdf.output(str(path))
    return path


def sections(text: str) -> dict[str, str]:
    """Each passage with content -> its section path."""
    passages = chunk(Document("manual.pdf", text))
    return {p.text.split(" Boats")[0]: p.section for p in passages if p.text.endswith(".")}


def test_entries_nest_under_their_section_and_chapter_on_every_page(tmp_path):
    path = write_manual(tmp_path / "manual.pdf")
    text = convert(path, path.read_bytes()).text
    marks = {line.lstrip("# "): len(line) - len(line.lstrip("#")) for line in text.splitlines()}
    # one size, one level: "Chains" heads a page without a chapter or a section above it
    assert marks["Lights"] == marks["Ropes"] == marks["Chains"] == marks["Awnings"] > 0
    assert marks["2 Night mooring"] < marks["Lights"]
    assert sections(text) == {
        "A day's mooring costs ten coins.": f"{TITLE} > 1 Fees",
        "Show a white light.": f"{TITLE} > 2 Night mooring > 2.1 Winter > Lights",
        "Double every rope.": f"{TITLE} > 2 Night mooring > 2.1 Winter > Ropes",
        "Chains are lent free.": f"{TITLE} > 2 Night mooring > 2.1 Winter > Chains",
        "Awnings may be rigged.": f"{TITLE} > 2 Night mooring > 2.2 Summer > Awnings",
        "Ask at the office.": f"{TITLE} > Appendix A Forms > A.1 Berth request",
        "Fill in the berth form.": f"{TITLE} > Appendix A Forms > A.1 Berth request > 1. Berth form",
        "Berths and fees are listed here.": f"{TITLE} > Index",
    }


def test_a_page_ranks_its_sizes_by_the_documents_fonts():
    """Given the document's fonts, a page whose largest line is an entry marks it as the
    entry's rank (4th), not as the largest heading; alone, a page ranks its own sizes."""
    page = [Line("Chains", 700, 12)] + [Line(BODY, 680 - 14 * i, 10) for i in range(8)]
    fonts = Fonts.of([Line("t", 1, 24), Line("c", 1, 17), Line("s", 1, 14), *page])
    assert fonts.bigger == (24, 17, 14, 12)
    assert layout_text(page, fonts, title_page=False).startswith("#### Chains\n")
    assert layout_text(page, title_page=False).startswith("# Chains\n")


@pytest.mark.parametrize(
    ("line", "marked"),
    [
        ("2 Night mooring", True),  # a chapter numbered without a stop
        ("Appendix A Forms", True),
        ("A.1 Berth request", True),
        ("Ann Lee", False),  # a title page's author heads nothing...
        ("2. Night mooring", True),  # ranked by its size like the others
        ("(2) Night mooring", True),
        ("tal197 at users.sf.net", False),
    ],
)
def test_which_large_lines_are_marked_by_their_size(line, marked):
    page = [Line(line, 700, 17)] + [Line(BODY, 680 - 14 * i, 10) for i in range(8)]
    assert layout_text(page).startswith("# ") is marked


def test_a_short_large_line_after_the_title_page_is_a_heading():
    page = [Line("Ann Lee", 700, 17)] + [Line(BODY, 680 - 14 * i, 10) for i in range(8)]
    assert layout_text(page, title_page=False).startswith("# Ann Lee\n")
