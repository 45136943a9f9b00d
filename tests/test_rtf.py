"""Rich Text Format (.rtf) files read as Word writes them: styles, tables, notes, code pages."""

from __future__ import annotations

import pytest

from qa.ingest.chunking import chunk_corpus
from qa.ingest.converted import UnreadableFileError
from qa.ingest.corpus import load_corpus
from qa.ingest.formats import convert
from qa.ingest.rtf_text import MAX_DEPTH, rtf_to_text
from tests.format_files import RTF_HEAD, write_rtf


def text_of(body: str, head: str = RTF_HEAD) -> str:
    return rtf_to_text((head + body + "}").encode("latin-1")).text


def test_styles_give_headings_and_the_document_tables_are_not_text():
    body = (
        r"\pard\plain\s15 Harbour rules\par"
        r"\pard\plain\s1 1. Fees\par"
        r"\pard\plain Boats pay ten coins.\par"
        r"\pard\plain\s2 Night fees\par"
        r"\pard\plain\outlinelevel2 Late arrivals\par"
        r"\pard\plain Five coins after dark.\par"
    )
    assert text_of(body) == (
        "# Harbour rules\n\n## 1. Fees\n\nBoats pay ten coins.\n\n### Night fees\n\n"
        "#### Late arrivals\n\nFive coins after dark.\n"
    )
    for unread in ("Calibri", "Normal", "Not the text", "Someone", "Microsoft", "Default"):
        assert unread not in text_of(body)


def test_tables_notes_fields_and_what_is_not_shown():
    body = (
        r"{\header \pard\plain Page header\par}{\footer \pard\plain Page footer\par}"
        r"\pard\plain Fees apply{\super\chftn}{\footnote \pard\plain{\super\chftn} "
        r"Since 2019.\par} to all.\par"
        r"\trowd\cellx2000\cellx4000\pard\plain\intbl Boat\cell Ten coins\cell\row"
        r"\trowd\cellx2000\cellx4000\pard\plain\intbl Ship\cell Fifty\par coins\cell\row"
        r"\pard\plain See {\field{\*\fldinst HYPERLINK \"https://example.org\"}"
        r"{\fldrslt the harbour site}}.\par"
        r"\pard\plain Kept{\v  hidden words} and{\deleted  struck words} shown.\par"
        r"{\field{\*\fldinst TOC \\o \"1-3\"}{\fldrslt \pard\plain\s20 Fees 1\par}}"
        r"{\*\unknowndestination Private data\par}"
        r"{\pict\wmetafile8\picw100 0123456789abcdef}"
        r"\pard\plain Raw {\*\blipuid 00ff}{\bin4 }{}a}done.\par"
    )
    head = RTF_HEAD.replace(r"{\*\cs10", r"{\s20\ql toc 1;}{\*\cs10")
    assert text_of(body, head) == (
        "Fees apply to all.\n\nBoat | Ten coins\n\nShip | Fifty coins\n\n"
        "See the harbour site.\n\nKept and shown.\n\nRaw done.\n\n## Notes\n\nSince 2019.\n"
    )


def test_lists_keep_their_numbers_and_drop_their_bullets():
    body = (
        r"{\listtext\pard\plain\f2 \'b7\tab}\pard\plain Dock early.\par"
        r"{\listtext\pard\plain 1.\tab}\pard\plain Pay the fee.\par"
        r"{\pntext\pard\plain (a)\tab}\pard\plain Show the permit.\par"
    )
    assert text_of(body) == "Dock early.\n\n1. Pay the fee.\n\n(a) Show the permit.\n"


def test_a_text_box_follows_the_paragraph_that_anchors_it():
    body = (
        r"\pard\plain Before {\shp{\*\shpinst\shpleft0{\sp{\sn fillColor}{\sv 255}}"
        r"{\shptxt \pard\plain Boxed note.\par}}{\shprslt{\*\do\dobxcolumn Old copy}}} after.\par"
        r"\pard\plain Next.\par"
    )
    assert text_of(body) == "Before after.\n\nBoxed note.\n\nNext.\n"


@pytest.mark.parametrize(
    ("body", "want"),
    [
        (r"\pard Caf\'e9 na\'efve \'93quoted\'94 \'97 ok\par", "Café naïve “quoted” — ok"),
        (r"\pard {\f1 \'d6\'aa\'ca\'b6\'b2\'fa\'c8\'a8}\par", "知识产权"),  # GBK font
        (r"\pard \u30693?\u-29754?\par", "知识"),
        (r"\pard {\uc2\u30693\'3f\'3f}x\par", "知x"),  # two fallback bytes skipped
        (r"\pard {\uc0\u30693}x\par", "知x"),
        (r"\pard \u-10188?\u-8930?\par", "\U0001d11e"),  # a character beyond U+FFFF
        (r"\pard a\{b\}c\\d\~e\-f\_g\par", "a{b}c\\d ef-g"),
        (r"\pard one\line two\par", "one\ntwo"),
        ("\\pard Caf\xe9 raw\\par", "Café raw"),  # an 8-bit byte written as it is
        ("\\pard # not a heading\\par", "\\# not a heading"),
    ],
)
def test_characters(body, want):
    assert text_of(body) == want + "\n"


def test_another_code_page():
    head = RTF_HEAD.replace(r"\ansicpg1252", r"\ansicpg1251")
    assert text_of(r"\pard \'cf\'f0\'e0\'e2\'e8\'eb\'e0\par", head) == "Правила\n"


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"PK\x03\x04 not rtf", "not an RTF file"),
        (b"{\\rtf1" + b"{" * (MAX_DEPTH + 5) + b"x", f"deeper than {MAX_DEPTH}"),
    ],
)
def test_unreadable(data, says):
    with pytest.raises(UnreadableFileError, match=says):
        rtf_to_text(data)


def test_a_file_cut_short_keeps_what_was_read_and_one_without_text_is_skipped(tmp_path):
    cut = (RTF_HEAD + r"\pard Dock early.\par\pard Pay {\b the").encode("ascii")
    assert rtf_to_text(cut).text == "Dock early.\n\nPay the\n"
    trailing = (RTF_HEAD + "\\pard Dock early.\\par\r\n}\r\n\x00 junk}").encode("ascii")
    assert rtf_to_text(trailing).text == "Dock early.\n"  # WordPad ends some files with a NUL
    with pytest.raises(UnreadableFileError, match="holds no text"):
        convert(tmp_path / "empty.rtf", (RTF_HEAD + r"{\pict 00ff}}").encode("ascii"))


def test_an_rtf_in_the_corpus_is_chunked_with_its_heading_path(tmp_path):
    write_rtf(
        "Harbour rules\n\n1. Fees\n\nBoats pay ten coins a day. Ships pay fifty.\n\n"
        "2. Hours\n\nThe harbour opens at dawn.\n",
        tmp_path / "rules.rtf",
    )
    documents = load_corpus(tmp_path)
    passages = chunk_corpus(documents)
    assert [d.source for d in documents] == ["rules.rtf"]
    fees = next(p for p in passages if "ten coins" in p.text)
    assert fees.section == "Harbour rules > 1. Fees"
    assert documents[0].text[fees.start : fees.end] == fees.text
