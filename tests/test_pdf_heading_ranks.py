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
from qa.ingest.pdf_text import Fonts, Line, chapter_openers, drop_furniture, layout_text
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


def write_manual(path: Path, pages: list = PAGES) -> Path:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    for page in pages:
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


def test_a_title_pages_sizes_rank_no_heading():
    """Ranked with the title page's 25 pt title and 17 pt subtitle, chapters in 14 pt would be
    ``###``, below a numbered line the chunker finds in a long table of contents (level 1)."""
    body = [Line(BODY, 680 - 14 * i, 10) for i in range(8)]
    pages = [[Line(TITLE, 760, 25), Line("Release 4.6", 730, 17), *body],
             [Line("1.1 Scope", 760, 14), *body]]  # fmt: skip
    assert Fonts.of_pages(pages).bigger == (14,)
    assert Fonts.of_pages(pages[:1]).bigger == (25, 17)  # a one-page document: its own sizes
    assert layout_text(pages[1], Fonts.of_pages(pages), title_page=False).startswith("# 1.1 Scope")


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
        ("Release 4.6.2.0", False),  # a version stamp set large heads nothing
        ("Copyright © 2015 The Harbour Board", False),
    ],
)
def test_which_large_lines_are_marked_by_their_size(line, marked):
    page = [Line(line, 700, 17)] + [Line(BODY, 680 - 14 * i, 10) for i in range(8)]
    assert layout_text(page).startswith("# ") is marked


def test_a_short_large_line_after_the_title_page_is_a_heading():
    page = [Line("Ann Lee", 700, 17)] + [Line(BODY, 680 - 14 * i, 10) for i in range(8)]
    assert layout_text(page, title_page=False).startswith("# Ann Lee\n")


WORDS = "Fees Lights Ropes Chains Awnings Berths Cranes Fuel Tides Locks Buoys".split()


def test_running_feet_that_carry_the_page_number_are_dropped():
    """A book's feet name the chapter on even pages and the section on odd ones, each with the
    page's printed number ("8 Chapter 2. Fees", "2.3. Night rates 9"): no one of them repeats on
    half the pages, but the printed numbers follow the pages, so each is furniture. A larger
    "Chapter 4" atop printed page 4 is a heading, not furniture."""
    # a new chapter every third page, a new section every page: no foot repeats
    feet = ["{n} Chapter {c}. {chapter}", "{c}.{n}. {section} {n}"]
    pages = []
    for i in range(8):
        n = i + 3  # printed numbers start at 3: a title page and a contents page come first
        top = Line("Chapter 4", 760, 17) if n == 4 else Line(WORDS[i], 760, 10)
        pages.append([top, Line(f"Boats moor at berth {n}.", 700, 10),
                      Line(feet[n % 2].format(n=n, c=n // 3, chapter=WORDS[n // 3], section=WORDS[n]), 40, 10)])  # fmt: skip
    texts = [[x.text for x in page] for page in drop_furniture(pages)]
    assert texts == [[x.text for x in page[:2]] for page in pages]
    assert texts[1] == ["Chapter 4", "Boats moor at berth 4."]


def test_numbers_at_line_ends_that_do_not_follow_the_pages_are_text():
    pages = [[Line(WORDS[n], 760, 10), Line(f"{WORDS[n + 1]} to {n * 7}", 40, 10)]
             for n in range(6)]  # fmt: skip
    assert drop_furniture(pages) == pages


def test_a_chapters_running_head_and_a_page_number_extracted_second_are_dropped():
    """A chapter's running head ("The Root Filesystem", atop each of its pages but on fewer than
    half the document's) and the page number a PDF gives second, though it sits at the page's
    foot, are furniture; the footnote that ends the extracted page is text."""
    pages = []
    for i in range(10):
        head = "The Harbour" if i < 4 else "The Quay"
        pages.append([Line(head, 748, 10), Line(str(i + 1), 40, 10),
                      Line(f"{WORDS[i]} are checked.", 700, 10),
                      Line(f"{i + 1} A note on {WORDS[i].lower()}.", 70, 8)])  # fmt: skip
    texts = [[x.text for x in page] for page in drop_furniture(pages)]
    assert texts == [[x.text for x in page[2:]] for page in pages]


def test_a_heading_repeated_atop_pages_far_apart_is_kept():
    pages = [[Line("Rationale" if i % 4 == 0 else WORDS[i], 748, 10),
              Line(f"{WORDS[i]} are checked.", 700, 10)] for i in range(10)]  # fmt: skip
    assert drop_furniture(pages) == pages


def test_a_title_in_the_size_of_the_parts_stays_the_title(tmp_path):
    """A book's title page sets its title ("harbour rules 5.4", which no rule reads as a title
    line, so its size marks it "#") in the size its parts have later ("Moorings"): the parts
    rank below the title, or each part would be read as the title said again."""
    pages = [
        [(24, "harbour rules 5.4"), (12, "Ann Lee")],
        [(24, "Moorings"), (14, "Fees"), (10, "A day's mooring costs ten coins.")],
        [(24, "Repairs"), (14, "Cranes"), (10, "Cranes are booked a week ahead.")],
    ]
    path = tmp_path / "book.pdf"
    write_manual(path, pages)
    text = convert(path, path.read_bytes()).text
    assert sections(text) == {
        "A day's mooring costs ten coins.": "harbour rules 5.4 > Moorings > Fees",
        "Cranes are booked a week ahead.": "harbour rules 5.4 > Repairs > Cranes",
    }


def test_a_sphinx_chapter_opener_heads_its_sections(tmp_path):
    """Sphinx opens a chapter with "CHAPTER", its number in words and its name, the last two
    in its sections' size: the opener is one heading, and the sections nest in it."""
    pages = [
        [(24, TITLE), (12, "Ann Lee")],
        [(10, "CHAPTER"), (14, "TWO"), (14, "NIGHT MOORING"), (14, "2.1 Lights"),
         (10, "Show a white light."), (10, "Keep the deck clear.")],
        [(10, "CHAPTER"), (14, "THREE"), (14, "REPAIRS"), (14, "3.1 Cranes"),
         (10, "Cranes are booked a week ahead."), (10, "Pay before lifting.")],
    ]  # fmt: skip
    path = tmp_path / "sphinx.pdf"
    write_manual(path, pages)
    text = convert(path, path.read_bytes()).text
    assert sections(text) == {
        "Show a white light.": f"{TITLE} > TWO NIGHT MOORING > 2.1 Lights",
        "Keep the deck clear.": f"{TITLE} > TWO NIGHT MOORING > 2.1 Lights",
        "Cranes are booked a week ahead.": f"{TITLE} > THREE REPAIRS > 3.1 Cranes",
        "Pay before lifting.": f"{TITLE} > THREE REPAIRS > 3.1 Cranes",
    }


def test_a_number_alone_in_the_bodys_size_opens_no_chapter():
    body = [Line(BODY, 640 - 14 * i, 10) for i in range(6)]
    page = [Line("12", 700, 10), Line("USA", 686, 10), *body]
    assert chapter_openers([page]) == [page]
