from __future__ import annotations

import re
from pathlib import Path

import pytest

from qa.ingest.chunking import (
    SECTION_SEP,
    Span,
    blocks,
    chunk,
    group_sentences,
    heading_label,
    heading_level,
    inline_title,
    is_item_title,
    is_label,
    paragraphs,
    sentences,
    split_long,
    word_count,
)
from qa.ingest.section_path import section_number
from qa.types import Document
from tests.conftest import PLAN, TINY_DOCS


@pytest.fixture(scope="module")
def plan_doc() -> Document:
    return Document(PLAN.name, PLAN.read_text("utf-8"))


def check_invariants(doc: Document) -> list:
    passages = chunk(doc)
    paras = blocks(doc.text)
    for p in passages:
        assert doc.text[p.start : p.end] == p.text
        assert p.text == p.text.strip() and p.text
        # never crosses a block: a paragraph, or a lead-in ending in ":" with its list
        block = [a for a in paras if a.start <= p.start and p.end <= a.end]
        assert block, p.text[:60]
        lead_in = paragraphs(doc.text, block[0].start, block[0].end)[0]
        if lead_in != block[0]:
            assert doc.text[lead_in.start : lead_in.end].endswith(":")
        else:  # a plain paragraph: no blank line inside
            assert not re.search(r"\n[ \t\r]*\n", p.text), p.text[:60]
    # together they cover every non-space character of every paragraph
    covered = set()
    for p in passages:
        covered.update(range(p.start, p.end))
    for a in paras:
        missing = [
            i for i in range(a.start, a.end) if i not in covered and not doc.text[i].isspace()
        ]
        assert not missing, doc.text[missing[0] : missing[0] + 40]
    # in order and not overlapping
    for a, b in zip(passages, passages[1:], strict=False):
        assert a.end <= b.start
    return passages


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\n ",
        "?",
        "Short.",
        "中文文本。第二句！",
        "no punctuation at all",
        *TINY_DOCS.values(),
    ],
)
def test_invariants_on_edge_cases(text):
    passages = check_invariants(Document("x.txt", text))
    if not text.strip():
        assert passages == []


def test_invariants_on_plan(plan_doc):
    passages = check_invariants(plan_doc)
    assert 30 <= len(passages) <= 80


def test_plan_passage_sizes(plan_doc):
    passages = chunk(plan_doc)
    for p in passages:
        sents = sentences(p.text)
        # over the bound only when a single sentence is that long
        assert p.words <= 130 or len(sents) <= 2, p.text[:80]
    body = [p for p in passages if heading_level(p.text) is None]
    assert sum(p.words for p in body) / len(body) > 50


def test_plan_passages_fit_the_encoder(plan_doc):
    """The encoder silently truncates past 256 word pieces: no passage may reach that."""
    from tokenizers import Tokenizer

    from qa.index.embedding import bundled_model_dir

    tok = Tokenizer.from_file(str(bundled_model_dir() / "tokenizer.json"))
    tok.no_truncation()
    tok.no_padding()
    for p in chunk(plan_doc):
        assert len(tok.encode(p.text).ids) <= 256, p.text[:80]


def test_plan_sections(plan_doc):
    passages = chunk(plan_doc)
    pledge = next(p for p in passages if "credit risk compensation funds" in p.text)
    parts = pledge.section.split(SECTION_SEP)
    assert "2. Main actions" in parts
    assert any(part.startswith("(1) Promote the creation") for part in parts)
    assert parts[-1] == "Promote the development of modern service industry"
    # a plain paragraph after a bullet keeps the bullet's title
    explore = next(p for p in passages if p.text.startswith("Explore the establishment of credit"))
    assert explore.section.endswith(
        "Strengthen the disclosure of information on administrative enforcement of intellectual property rights"
    )


def test_sentences_do_not_split_abbreviations():
    text = 'Implement the "Notice" (Guofa [2014] No. 6), solidly promote it. Next one.'
    assert [text[s.start : s.end] for s in sentences(text)] == [
        'Implement the "Notice" (Guofa [2014] No. 6), solidly promote it.',
        "Next one.",
    ]


def test_sentences_cjk():
    text = "第一句。第二句！Third."
    assert [text[s.start : s.end] for s in sentences(text)] == ["第一句。", "第二句！", "Third."]


def test_heading_levels():
    assert heading_level("2. Main actions") == 1
    assert heading_level("(3) Strengthen management.") == 2
    assert heading_level("# Title") == 1
    assert heading_level("How to build an intellectual property power") == 0
    assert heading_level("——Bullet item. With text.") is None
    assert heading_level("A normal sentence that ends with a period.") is None


def test_group_sentences_balances():
    assert group_sentences([50, 50, 50], target=90, maximum=130) in (
        [(0, 1), (1, 3)],
        [(0, 2), (2, 3)],
    )
    assert group_sentences([10, 20], 90, 130) == [(0, 2)]
    assert group_sentences([], 90, 130) == []
    groups = group_sentences([30] * 10, 90, 130)
    sizes = [30 * (b - a) for a, b in groups]
    assert max(sizes) <= 130 and min(sizes) >= 60


def test_long_sentences_are_cut_at_clauses_or_words():
    text = "a b c, d e f"
    assert [text[p.start : p.end] for p in split_long(text, Span(0, len(text)), 4)] == [
        "a b c,",
        "d e f",
    ]
    long = " ".join(f"w{i}" for i in range(500)) + "."
    sizes = [p.words for p in chunk(Document("x.txt", long))]
    assert sizes == [125] * 4  # even pieces, none over sentence_max_words (160)
    cjk = "知" * 400 + "。"
    assert all(p.words <= 160 for p in chunk(Document("z.txt", cjk)))


def test_word_count_counts_cjk():
    assert word_count("two words") == 2
    assert word_count("知识产权") == 4
    assert re.sub(r"\s", "", "a b") == "ab"


# ---------------------------------------------------------------------------- property tests


def test_an_item_title_is_the_sentence_the_section_path_ends_with():
    text = "1. Actions\n\n——Grow wheat in spring. Wheat needs water.\n"
    p = chunk(Document("a.txt", text))[-1]  # the heading is a passage of its own
    first, second = (p.text[s.start : s.end] for s in sentences(p.text))
    assert is_item_title(first) and not is_item_title(second)
    assert p.section.split(SECTION_SEP)[-1] == "Grow wheat in spring"


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_words = st.text(alphabet="abcdefghij知识产权", min_size=1, max_size=9)
_sentence = st.builds(
    lambda ws, end: " ".join(ws).capitalize() + end,
    st.lists(_words, min_size=1, max_size=40),
    st.sampled_from([".", "!", "?", "。", "", " No. 6)."]),
)
_paragraph = st.one_of(
    st.builds(lambda s: " ".join(s), st.lists(_sentence, min_size=1, max_size=12)),
    st.builds(lambda s: "——" + " ".join(s), st.lists(_sentence, min_size=1, max_size=12)),
    st.builds(lambda n, s: f"{n}. {s}", st.integers(1, 9), _sentence),
    st.builds(lambda n, s: f"({n}) {s}", st.integers(1, 9), _sentence),
    st.builds(lambda s: f"# {s}", _sentence),
)
_document = st.builds(
    lambda paras, sep: sep.join(paras),
    st.lists(_paragraph, min_size=0, max_size=8),
    st.sampled_from(["\n\n", "\n \n", "\r\n\r\n", "\n\n\n"]),
)


@settings(max_examples=200, deadline=None)
@given(_document)
def test_chunking_invariants_hold_for_generated_documents(text):
    """Offsets slice back exactly, passages stay inside one paragraph, every character of
    every paragraph is covered, and no passage exceeds the size bound, even one long sentence."""
    for p in check_invariants(Document("gen.txt", text)):
        assert p.words <= 120, p.text[:60]


def test_windows_line_endings_split_paragraphs():
    text = "1. Crops\r\n\r\nGrow wheat. Harvest it.\r\n\r\n2. Animals\r\n\r\nKeep goats.\r\n"
    assert [text[p.start : p.end] for p in paragraphs(text)] == [
        "1. Crops",
        "Grow wheat. Harvest it.",
        "2. Animals",
        "Keep goats.",
    ]
    goats = [p for p in chunk(Document("w.txt", text)) if p.text == "Keep goats."]
    assert goats and goats[0].section == "2. Animals"


# lines that open no section: numbered provisions and clauses ...
PROVISIONS = [
    "(3) Member States shall notify the Commission of those provisions by 25 May 2018.",
    "1. Member States shall ensure that penalties are effective.",
    "2. The licensee must keep the notice intact",
    "(4) Such measures are reviewed every year.",
    "2.2 By clicking to accept and/or using this kit, you hereby agree to the terms of the Agreement.",
    "1.2.2 misrepresent or mask either your identity or that of your application when using it;",
    "3.1 copy, publish, distribute and transmit the Information;",
    "2.1 For the purpose of this Section,",
]
# ... and short lines that name nothing: notes, addresses, sentence pieces, definitions
NOT_TITLES = [
    "[Delivered in person before a joint session]",
    "[ As delivered in person before a joint session ]",
    "[Recorded on film and tape] [See APP Note.]",
    "(French text omitted)",
    "<https://example.org/licenses/shield/1.0.0>",
    "http://www.example.org/licenses/",
    "licensing@example.org",
    ". transfer the software or this agreement to any third party; or",
    "the code be disclosed or distributed in source code form and",
    "In the annual message of December, 1870, my predecessor declared that--",
    "The President. Mr. Speaker——",
    "1.2 'Compatible Licence' means",
    "Single-line: the name upstream uses for the software",
    "Depends: foo-data (>= 1.2-3)",
    "URL: https://example.org/licensing/licence",
    "(9) in Austria: the court of law in Vienna",
    "- Files (mandatory)",
    "· support services",
    "* PURGE",
    "Table 2. Numeric status codes",
    "Example 1. tri-licensed files",
    'And they all looked at me and said, "I think you\'re right."',
    "The President. You don't want to do that, huh? [Laughter]",
    "For example, the emacsen-common package could contain something like",
    "dpkg-source -x .../path/to/filename.dsc",
    "January 2020 http://license.example.org/MulanPSL2",
]


@pytest.mark.parametrize("line", PROVISIONS + NOT_TITLES)
def test_a_line_that_names_no_section_is_content(line):
    assert heading_level(line) is None
    doc = Document("reg.txt", f"Article 5\n\n{line}\n\nThe next paragraph.\n")
    passages = chunk(doc)
    assert any(p.text == line for p in passages)
    # it heads nothing: no section path names it, the next paragraph stays under the heading
    assert all(line not in p.section for p in passages)
    assert {p.text: p.section for p in passages}["The next paragraph."] == "Article 5"
    check_invariants(doc)


@pytest.mark.parametrize(
    "line", ["2. Main actions", "(1) Promote the creation of rights", "1.2. Scope", "1.5 Modifications."]
)
def test_a_numbered_topic_is_still_a_heading(line):
    assert heading_level(line) in (1, 2)


@pytest.mark.parametrize(
    "line",
    [
        "Appendix A: Sample Code",
        "6.1.10. /var/spool/cron : cron and at jobs",
        "Part 1. [On Our Foreign Relations.]",
        "iPhone SDK Agreement",
    ],
)
def test_a_title_with_a_colon_a_note_or_a_lower_case_letter_is_still_a_heading(line):
    assert heading_level(line) is not None


def test_a_long_legal_sentence_stays_whole():
    words = " ".join(f"w{i}" for i in range(150))
    sentence = f"Licensee shall, subject to the terms {words} of this agreement, comply."
    doc = Document("lic.txt", f"Section 1\n\n{sentence}\n")
    passages = chunk(doc)
    assert [p.text for p in passages if p.text != "Section 1"] == [sentence]
    very_long = " ".join(f"v{i}" for i in range(400)) + "."
    pieces = [p for p in chunk(Document("x.txt", very_long)) if p.text]
    assert len(pieces) > 1 and all(p.words <= 160 for p in pieces)  # past the encoder: cut


def test_an_underlined_line_is_a_heading_and_a_rule_is_nothing():
    text = (
        "Public Licence\n==============\n\n1. Definitions\n--------------\n\n"
        "A term means a word.\n\n-----\n\nExhibit A - Notice\n------------------\n\n"
        "This notice applies.\n"
    )
    assert heading_level("1. Definitions\n--------------") == 1
    assert heading_level("Public Licence\n==============") == 0
    assert heading_level("-----") is None
    passages = chunk(Document("lic.txt", text))
    by_text = {p.text: p.section for p in passages}
    assert by_text["A term means a word."] == "Public Licence > 1. Definitions"
    assert by_text["This notice applies."] == "Public Licence > Exhibit A - Notice"
    assert "-----" not in by_text  # a rule is no passage
    check_invariants(Document("lic.txt", text))


def test_a_lead_in_ending_in_a_colon_stays_with_its_list():
    text = (
        "Intro.\n\nThe field to use for this version is:\n\n Format: https://example.org/1.0/\n\n"
        "Other text follows here.\n\nAs examples:\n\nWe should build roads.\n\n"
        "We should train nurses.\n\nI have called for sacrifice.\n"
    )
    passages = [p.text for p in chunk(Document("x.txt", text))]
    assert "The field to use for this version is:\n\n Format: https://example.org/1.0/" in passages
    assert "As examples:\n\nWe should build roads.\n\nWe should train nurses." in passages
    assert "I have called for sacrifice." in passages  # not an item of the list
    check_invariants(Document("x.txt", text))


def test_a_lead_in_never_swallows_the_next_section():
    text = "See also:\n\n2. Main actions\n\nAct now.\n"
    passages = chunk(Document("x.txt", text))
    assert [p.text for p in passages] == ["See also:", "2. Main actions", "Act now."]




@pytest.mark.parametrize("line", ["Exhibit A", "Terms and Conditions", "Plug-in", "Annex B", "---- Part 6: Notice (BSD) -----"])
def test_short_titles_ending_in_a_letter_or_a_plain_word_stay_headings(line):
    assert heading_level(line) == 0


LICENCE = """Example Licence

1. Definitions.

"Work" means the software.

2. Grant of Copyright License. Subject to the terms of this License, you may copy the Work.

3. Grant of Patent License. Each Contributor grants you a patent license to make the Work.
The grant ends when you sue a Contributor.

4. Notice to U.S. Government End Users. The Work is a commercial item.

4.1 Use by Agencies. An agency may use the Work.

10. a. A derived work may carry another licence.
"""


def test_a_provision_with_an_inline_title_is_content_and_opens_its_section():
    doc = Document("licence.txt", LICENCE)
    by_text = {p.text: p.section for p in chunk(doc)}
    grant = next(t for t in by_text if t.startswith("3. Grant of Patent"))
    assert heading_level(grant) is None  # content, ranked and quoted like any passage
    assert by_text[grant] == "Example Licence > 3. Grant of Patent License"
    copying = next(t for t in by_text if t.startswith("2. Grant of Copyright"))
    assert by_text[copying] == "Example Licence > 2. Grant of Copyright License"
    notice = next(t for t in by_text if t.startswith("4. Notice"))
    assert by_text[notice] == "Example Licence > 4. Notice to U.S. Government End Users"
    agencies = next(t for t in by_text if t.startswith("4.1 Use"))
    assert by_text[agencies] == SECTION_SEP.join(  # no stop after "4.1", and it sits under 4
        ["Example Licence", "4. Notice to U.S. Government End Users", "4.1 Use by Agencies"]
    )
    # "a." is a list letter, not a title: the clause stays under the section before it
    derived = next(t for t in by_text if t.startswith("10. a."))
    assert by_text[derived] == by_text[agencies]
    assert by_text['"Work" means the software.'] == "Example Licence > 1. Definitions"
    check_invariants(doc)


@pytest.mark.parametrize(
    "line",
    [
        "5.1. The rights granted under this License will terminate. Then more.",
        "1. We agree that it is fine. Then more.",
        "2. Main actions",
        "(1) Promote the creation of rights. The plan says how.",
    ],
)
def test_a_sentence_or_a_title_alone_opens_no_inline_title(line):
    assert inline_title(line) is None


def test_a_contents_list_heads_nothing():
    text = (
        "Filesystem Hierarchy Standard\n\nChapter 5. The /var Hierarchy\n\nTable of Contents\n\n"
        "5.1. Purpose\n5.2. Requirements\n\n5.1. Purpose\n\nThis directory holds variable data.\n"
    )
    by_text = {p.text: p.section for p in chunk(Document("fhs.txt", text))}
    title = "Filesystem Hierarchy Standard"
    assert by_text["5.1. Purpose\n5.2. Requirements"] == f"{title} > Table of Contents"
    # the contents closed the heading before it, as any heading of its level does, and the
    # heading after it closes it: neither heads the sections that follow
    assert by_text["This directory holds variable data."] == f"{title} > 5.1. Purpose"


def test_the_title_a_document_opens_with_heads_all_of_it():
    text = (
        "# Debian Perl Policy\n\nAbstract\n\nThis policy is for maintainers.\n\n"
        "1. About\n\nIt covers Perl.\n"
    )
    by_text = {p.text: p.section for p in chunk(Document("perl.md", text))}
    # short lines after the title are its parts; before, each replaced the one before it
    assert by_text["This policy is for maintainers."] == "Debian Perl Policy > Abstract"
    # the title said again in the text adds nothing to the path
    again = "# JDBM License v1.00\n\nJDBM LICENSE v1.00\n\nYou may copy it.\n"
    assert [p.section for p in chunk(Document("jdbm.md", again))] == ["JDBM License v1.00"] * 3
    covers = by_text["It covers Perl."].split(SECTION_SEP)
    assert covers[0] == "Debian Perl Policy" and covers[-1] == "1. About"
    # a heading marked as the title was is the next top section, as in any markdown file
    sections = "# Introduction\n\nIt starts here.\n\n# Usage\n\nRun it.\n"
    by_text = {p.text: p.section for p in chunk(Document("guide.md", sections))}
    assert by_text["Run it."] == "Usage"
    # a numbered first line is a section, not the title
    numbered = "1. Scope\n\nIt applies.\n\nCredits\n\nMany helped.\n"
    assert [p.section for p in chunk(Document("n.txt", numbered))][-1] == "Credits"


@pytest.mark.parametrize(
    "line",
    [
        "Version 1.0",
        "Version 1.1, 3 January 2010",
        "Last updated: 9 October 2018",
        "Posted Date: December 19, 2018",
        "Effective date: 6/1/2020",
        "Rev. 2013-7-29",
        "^[8]",
        "[4] For example, to include the multiarch triplet",
        "Copyright (c) 2001 Silver Egg Technology",
        "Copyright © 1999, 2001 Raphaël Hertzog, Brendan O'Dea",
        "© 2004 National ICT Australia Ltd",
    ],
)
def test_a_date_or_version_stamp_a_footnote_or_a_copyright_is_no_heading(line):
    assert heading_level(line) is None


@pytest.mark.parametrize(
    "line",
    [
        "## Version 4.6.2",
        "Version 1.0\n-----------",
        "Agreement version 4.4.1",
        "2019",
        "COPYRIGHT AND PERMISSION NOTICE",
    ],
)
def test_a_marked_version_heading_or_a_title_with_a_version_stays_a_heading(line):
    assert heading_level(line) is not None


@pytest.mark.parametrize(
    "text, label",
    [
        ("2. Main actions", True),
        ("Version 1.0, 3 January 2010", True),
        ("^[8]", True),
        ("^[1] Command binaries that are not essential are kept elsewhere.", False),
        ("This licence was last updated in 2018.", False),
        # a table of contents' entries run together: navigation, not content
        ("Linux ........ 39 6.1.1. / : Root directory ........ 39 6.1.2. /bin : X .... 39", True),
        ("1 Fees . . . . 2 2 Night mooring . . . . 3", True),
        ("Boats wait... 3 hours. Fees ........ 2 coins are paid at the gate each day.", False),
        # an address alone: its words ("licenses", "policy") echo questions it cannot answer
        ("http://www.apache.org/licenses/LICENSE-2.0", True),
        ("  <harbour-policy@lists.example.org>\n", True),
        ("ann [at] example [dot] org", True),
        ("You may obtain a copy of the License at http://www.apache.org/licenses/", False),
        ("Write to harbour-policy@lists.example.org with your questions.", False),
    ],
)
def test_a_heading_a_stamp_or_a_bare_footnote_mark_is_a_label(text, label):
    # ranking puts labels last: they state nothing a question asks for
    assert is_label(text) is label


def test_a_title_pages_authors_head_nothing_but_a_heading_after_it_does():
    text = (
        "Debian Perl Policy\n\nRaphael Hertzog\n\nThe Debian Policy Mailing List\n\n"
        "<debian-policy@lists.debian.org>\n\nversion 4.6.2.0\n\nCopyright (c) 1999 Raphael Hertzog\n\n"
        "This manual is free software.\n\nAbstract\n\nIt covers Perl.\n"
    )
    paths = paths_by_text(Document("perl.txt", text))
    assert paths["This manual is free software."] == ["Debian Perl Policy"]
    assert paths["Raphael Hertzog"] == ["Debian Perl Policy"]  # content of the title page
    assert paths["It covers Perl."] == ["Debian Perl Policy", "Abstract"]
    # a short line after the title page's last stamp is a heading again
    licence = "Foo Licence\n\nVersion 1.0\n\nTERMS AND CONDITIONS\n\nYou may copy it.\n"
    paths = paths_by_text(Document("foo.txt", licence))
    assert paths["You may copy it."] == ["Foo Licence", "TERMS AND CONDITIONS"]


def test_a_title_over_its_version_and_address_lines_is_the_title():
    text = (
        "                 Apache License\n           Version 2.0, January 2004\n"
        "        http://www.apache.org/licenses/\n\nTERMS AND CONDITIONS\n\n1. Definitions.\n\n"
        "A term means a word.\n"
    )
    paths = paths_by_text(Document("apache.txt", text))
    assert paths["A term means a word."] == ["Apache License", "TERMS AND CONDITIONS", "1. Definitions"]
    # a first paragraph of two ordinary lines is no title
    prose = "Boats must dock early.\nThe harbour master checks them.\n\nNets are mended.\n"
    assert paths_by_text(Document("harbour.txt", prose))["Nets are mended."] == [""]


def test_a_stamp_after_the_title_heads_no_section():
    text = (
        "Hazel Community Licence\n\nVersion 1.0, 3 January 2010\n\nThis licence sets terms.\n\n"
        "1. Definitions\n\nA term means a word.\n\nTerms\n\nLast updated: 9 October 2018\n\n"
        "The terms follow.\n"
    )
    paths = paths_by_text(Document("licence.txt", text))
    assert paths["Version 1.0, 3 January 2010"] == ["Hazel Community Licence"]  # content now
    assert paths["This licence sets terms."] == ["Hazel Community Licence"]
    assert paths["A term means a word."] == ["Hazel Community Licence", "1. Definitions"]
    # a stamp under a heading leaves that heading open
    assert paths["The terms follow."] == ["Hazel Community Licence", "Terms"]


def test_a_numbered_heading_glued_to_the_paragraph_before_it_is_a_heading():
    text = (
        "Terms\n\nCustomer may change the Terms URL.\n2. Payment Terms.\n\n"
        "Customer will pay all fees.\n2.1 Invoices\nGoogle sends invoices monthly.\n"
    )
    paths = paths_by_text(Document("tos.txt", text))
    assert paths["Customer may change the Terms URL."] == ["Terms"]
    assert paths["2. Payment Terms."] == ["Terms", "2. Payment Terms"]
    assert paths["Customer will pay all fees."] == ["Terms", "2. Payment Terms"]
    assert paths["Google sends invoices monthly."] == ["Terms", "2. Payment Terms", "2.1 Invoices"]


@pytest.mark.parametrize(
    "paragraph",
    [
        # a list of numbered items of one depth
        "We use these parts.\n1. Apache Commons.\n2. Google Guava.",
        # a sentence wrapped after its number, going on in lower case or in capitals
        "Copies are allowed.\n3. All Advertising Materials Mentioning Features\nmust say so.",
        "IT IS PROVIDED AS IS.\n2.8 RECIPIENT UNDERSTANDS THAT ALTHOUGH\nTHE LICENSES ARE SET FORTH.",
        "It ends here.\n4. Terms of the\nAgreement apply.",
        # a line after a lead-in, not after a sentence's end
        "The parts are:\n1. Apache Commons",
    ],
)
def test_numbered_lines_of_a_list_or_a_wrapped_sentence_stay_in_their_paragraph(paragraph):
    assert paragraphs(paragraph) == [Span(0, len(paragraph))]


def paths_by_text(doc: Document) -> dict[str, list[str]]:
    """Each passage's text and the labels of its section path, once the chunk invariants hold."""
    check_invariants(doc)
    return {p.text: p.section.split(SECTION_SEP) for p in chunk(doc)}


NESTED_NUMBERS = (
    "Licence\n\n4. File syntax\n\n4.1. Values\n\nA value is one line.\n\n(1) Options\n\n"
    "An option follows.\n\n4.1.1. Examples\n\nAn example is given.\n\n4.2 Lists\n\n"
    "A list has items.\n\n5.1 Orphans\n\nNo section five opened.\n\n6.0 Notices\n\n"
    "Notices are kept.\n\n6.1 Copies\n\nCopies carry notices.\n",
    {
        "A value is one line.": ["Licence", "4. File syntax", "4.1. Values"],
        "An option follows.": ["Licence", "4. File syntax", "4.1. Values", "(1) Options"],
        # a deeper number closes what was open under its parent, a sibling the one before it
        "An example is given.": ["Licence", "4. File syntax", "4.1. Values", "4.1.1. Examples"],
        "A list has items.": ["Licence", "4. File syntax", "4.2 Lists"],
        # no open section is numbered 5: the line is a section of its own level, closing 4
        "No section five opened.": ["Licence", "5.1 Orphans"],
        "Copies carry notices.": ["Licence", "6.0 Notices", "6.1 Copies"],
    },
)
# a plain numbered line nests under the markdown heading its number extends
NESTED_UNDER_MARKDOWN = (
    "# Guide\n\n## 7. Scope\n\n7.1 Users\n\nUsers are people.\n",
    {"Users are people.": ["Guide", "7. Scope", "7.1 Users"]},
)
ROMAN_PARTS = (
    "Research License\n\nI. DEFINITIONS\n\nA term is defined here.\n\nV. GENERAL TERMS\n\n"
    "1. Trademark\n\nNo trademark is licensed.\n\n1.1 Marks\n\nMarks stay with us.\n\n"
    "2. Integration\n\nThis is the whole agreement.\n\nVI. NOTICES\n\nNotices go by mail.\n",
    {
        "No trademark is licensed.": ["Research License", "V. GENERAL TERMS", "1. Trademark"],
        "Marks stay with us.": ["Research License", "V. GENERAL TERMS", "1. Trademark", "1.1 Marks"],
        "This is the whole agreement.": ["Research License", "V. GENERAL TERMS", "2. Integration"],
        # the next part closes the sections of the one before
        "Notices go by mail.": ["Research License", "VI. NOTICES"],
    },
)


@pytest.mark.parametrize(
    "text, expected",
    [NESTED_NUMBERS, NESTED_UNDER_MARKDOWN, ROMAN_PARTS],
    ids=["a dotted number nests under the section it extends", "under a markdown heading",
         "a part in Roman numerals holds the numbered sections after it"],
)
def test_numbered_sections_nest_under_their_parents(text, expected):
    by_text = paths_by_text(Document("spec.md", text))
    assert {line: by_text[line] for line in expected} == expected


def test_a_section_number_drops_trailing_zeros():
    assert section_number("4.1. Single-line values") == ("4", "1")
    assert section_number("2.0 Use of the Software") == ("2",)
    assert section_number("## 3. Scope") == ("3",)
    assert section_number("(1) Options") == section_number("Chapter 5") == ()


def test_a_label_has_its_spaces_made_plain():
    text = "5.2.\u00a0Program   Dependencies\n\nPrograms depend on perl.\n"
    by_text = {p.text: p.section for p in chunk(Document("perl.txt", text))}
    assert by_text["Programs depend on perl."] == "5.2. Program Dependencies"


def test_the_bundled_licence_cites_each_provision_under_its_number():
    path = Path(__file__).parent.parent / "eval" / "other" / "corpus" / "apache_2_0.txt"
    doc = Document(path.name, path.read_text("utf-8"))
    passages = chunk(doc)
    leaves = {p.section.split(SECTION_SEP)[-1] for p in passages}
    for number, title in [(2, "Grant of Copyright License"), (4, "Redistribution"),
                          (7, "Disclaimer of Warranty"), (9, "Accepting Warranty or Additional Liability")]:
        assert f"{number}. {title}" in leaves
    patent = next(p for p in passages if "patent license to make" in p.text)
    assert patent.section.endswith("3. Grant of Patent License")
    assert not any(leaf.startswith("http") for leaf in leaves)
    check_invariants(doc)


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "Mr. Speaker, Mr. President, Members of Congress: I come. We go.",
            ["Mr. Speaker, Mr. President, Members of Congress: I come.", "We go."],
        ),
        ("John F. Kennedy spoke. Dr. Smith came.", ["John F. Kennedy spoke.", "Dr. Smith came."]),
        (
            "Notice to U.S. Government End Users. The Software is commercial.",
            ["Notice to U.S. Government End Users.", "The Software is commercial."],
        ),
    ],
)
def test_a_title_or_an_initial_ends_no_sentence(text, expected):
    assert [text[s.start : s.end] for s in sentences(text)] == expected


def test_a_numbered_lead_in_is_no_heading_but_a_numbered_title_with_a_colon_is():
    assert heading_level("3.1 If a Contributor Distributes the Program in any form, then:") is None
    assert heading_level("3. LICENSE CONDITIONS:") == 1


def test_a_short_provision_with_an_inline_title_is_never_a_title_line():
    line = "2.6. Font Software. If the Software includes font software -"
    assert heading_level(line) is None and inline_title(line) == (1, "2.6. Font Software")
    assert heading_label("10. Limitation of Liability.  \u200b") == "10. Limitation of Liability"


@pytest.mark.parametrize(
    "line",
    [
        "6. OpenVPN Technologies, Inc. is the sole distributor of the Software.",
        "1. Copyright © Unicode, Inc. All rights reserved.",
    ],
)
def test_a_company_name_is_no_inline_title(line):
    assert inline_title(line) is None


def test_a_list_letter_may_follow_an_inline_title():
    line = "3. TERMS FOR SPECIFIC COMPONENTS. a. Fonts. You may use the fonts."
    assert inline_title(line) == (1, "3. TERMS FOR SPECIFIC COMPONENTS")


def test_an_initial_before_a_sentence_opener_ends_the_sentence():
    text = "as described in Exhibit A. You must also keep this notice. John F. Kennedy spoke."
    assert [text[s.start : s.end] for s in sentences(text)] == [
        "as described in Exhibit A.",
        "You must also keep this notice.",
        "John F. Kennedy spoke.",
    ]
