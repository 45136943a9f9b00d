"""A PDF's title page: the title set large on page 1 is the document's title though every
later page repeats it as a running head in the body's size, and an author's mail address set
larger than the body (spelled out, "ann at example.org") heads no section."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.ingest.chunking import chunk, heading_level
from qa.ingest.formats import convert
from qa.ingest.pdf_text import Line, drop_furniture, layout_text
from qa.ingest.titles import document_title
from qa.types import Document
from tests.format_files import FONT_DIR

pytest.importorskip("pypdf", reason="the formats extra is needed: pip install -e '.[formats]'")
pytest.importorskip("fpdf", reason="the test extra is needed: pip install -e '.[test]'")

TITLE = "Harbour Mooring Rules"
RULES = [
    "Boats moor only at the marked berths and pay the harbour master before sunset each day.",
    "A berth left empty for three days is given to the next boat on the waiting list.",
    "Fuel is sold at the north quay between eight in the morning and six in the evening.",
    "Repairs that need a crane are booked a week ahead with the harbour office.",
]


def write_titled_pdf(path: Path) -> Path:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(False)  # the page number sits at the foot of its own page
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    for number, rule in enumerate(RULES, start=1):
        pdf.add_page()
        if number == 1:
            for text, size in ((TITLE, 24), ("Ann Lee", 17), ("ann at example.org", 12)):
                pdf.set_font("DejaVu", "", size)
                pdf.multi_cell(0, size * 0.6, text, new_x="LMARGIN", new_y="NEXT")
                pdf.ln(4)
        else:
            pdf.set_font("DejaVu", "", 10)  # the running head
            pdf.multi_cell(0, 6, TITLE, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(4)
        pdf.set_font("DejaVu", "", 17)
        pdf.multi_cell(0, 10, f"{number}. Rule {number}", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 10)
        pdf.multi_cell(0, 6, rule, new_x="LMARGIN", new_y="NEXT")
        pdf.set_y(-20)
        pdf.multi_cell(0, 6, str(number), new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


def test_a_running_head_is_dropped_but_the_large_title_it_repeats_is_kept():
    pages = [
        [Line(TITLE, 800, 24 if n == 1 else 10), Line(f"Rule {n} text.", 700, 10),
         Line(str(n), 40, 10)]
        for n in range(1, 5)
    ]  # fmt: skip
    kept = drop_furniture(pages)
    assert [[x.text for x in page] for page in kept] == [
        [TITLE, "Rule 1 text."],
        *[[f"Rule {n} text."] for n in range(2, 5)],
    ]


def test_a_pdf_title_page_gives_the_title_and_no_address_heading(tmp_path):
    path = write_titled_pdf(tmp_path / "mooring.pdf")
    text = convert(path, path.read_bytes()).text
    assert text.count(TITLE) == 1 and text.lstrip("# ").startswith(TITLE)
    heading_lines = [line for line in text.splitlines() if line.startswith("#")]
    assert not any("example.org" in line for line in heading_lines)
    assert "ann at example.org" in text  # content, not dropped
    document = Document("mooring.pdf", text)
    assert document_title(document) == TITLE
    passages = chunk(document)
    fuel = next(p for p in passages if "Fuel is sold" in p.text)
    assert fuel.section == f"{TITLE} > 3. Rule 3"
    assert all(p.section.startswith(TITLE) for p in passages)


@pytest.mark.parametrize(
    ("line", "address"),
    [
        ("ann at example.org", True),
        ("tal197 at users.sf.net", True),
        ("ann [at] example [dot] org", True),
        ("<ann@example.org>", True),
        ("https://example.org/rules", True),
        ("Life at sea", False),
        ("Meet at St. Paul", False),
        ("Ann Lee at example.org", False),
    ],
)
def test_addresses_spelled_out_are_addresses(line, address):
    from qa.ingest.non_titles import is_address, not_a_title

    assert is_address(line) is address
    assert not_a_title(line) or not address


def test_a_table_of_contents_entry_heads_nothing():
    """A Texinfo manual's contents page sets its entries in the chapters' large font, each with
    a dot leader and a page number: they are no headings, neither to the PDF converter nor to
    the chunker, so the chapters are not cited under "1 Fees . . . . 2"."""
    entry = "1 Fees . . . . . . . . . . . . 2"
    lines = [
        Line("Table of Contents", 760, 14),
        Line(entry, 720, 14),  # each entry a paragraph of its own, as Texinfo spaces them
        Line("2 Night mooring . . . . . . . . 3", 680, 14),
        Line("Boats pay ten coins a day at the harbour office.", 640, 10),
        Line("Night mooring costs five coins more.", 626, 10),
        Line("Fees are paid in coins of the harbour board only.", 612, 10),
        Line("A receipt is kept on board until the boat leaves.", 598, 10),
    ]
    text = layout_text(lines)
    assert not any(line.startswith("#") and ". ." in line for line in text.splitlines())
    assert not any(". ." in p.section for p in chunk(Document("manual.pdf", text)))
    assert heading_level(entry) is None and heading_level("Index......xii") is None
    assert heading_level("1 Fees") is not None  # the chapter's own heading still is one
