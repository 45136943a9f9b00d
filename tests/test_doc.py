"""Word 97-2003 .doc files: a real one, and the piece table, fields, tables and notes."""

from __future__ import annotations

import struct
from collections import Counter
from pathlib import Path

import pytest

from qa.ingest import doc_text
from qa.ingest.converted import UnreadableFileError
from qa.ingest.corpus import read_corpus
from qa.ingest.formats import convert

pytest.importorskip("olefile", reason="the formats extra is needed: pip install -e '.[formats]'")

WORD97 = Path(__file__).parent / "data" / "word97"


def test_a_real_word_97_document_reads_as_word_shows_it(tmp_path):
    data = (WORD97 / "raw_text.doc").read_bytes()
    text = convert(Path("raw_text.doc"), data).text
    shown = (WORD97 / "raw_text.txt").read_text("utf-8")
    assert Counter(text.split()) == Counter(shown.split())
    assert text.startswith("I love word documents. They are lovely.")
    assert (
        text.split("\n\n")[1]
        == "Sample text is hard. That is where http://hipsum.co comes in handy."
    )
    (tmp_path / "notes.doc").write_bytes(data)
    corpus = read_corpus(tmp_path)
    assert [d.source for d in corpus.documents] == ["notes.doc"] and not corpus.skipped


@pytest.mark.parametrize(
    ("name", "read"),
    [
        # Apache POI's test files (tests/data/word97/README.md): what POI's tests expect
        ("endingnote.doc", ["Text, text, text.", "## Notes", "Ending note text"]),
        ("footnote.doc", ["Test text", "## Notes", "TestFootnote", "TestEndnote"]),
        ("Bug41898.doc", ["This is a line of text.", "すれはテキスト行です。"]),
        (
            "test-fields.doc",
            ["Here is a link to an endnote", "Field in text box: 2", "## Notes",
             "Footnote with field: Fridrich Strba", "Field in EndNote. File size: 0"],
        ),
    ],
)  # fmt: skip
def test_text_boxes_follow_the_body_and_endnotes_the_footnotes(name, read):
    text = convert(Path(name), (WORD97 / name).read_bytes()).text
    blocks = text.strip().split("\n\n")
    assert [b for b in blocks if b in read] == read  # each read, in this order
    # the comment's text ("Some annotation" is its anchor) and headers stay out
    assert "TestComment" not in text and "Header" not in text


def test_a_text_box_holding_a_table_reads_as_rows():
    text = convert(Path("Bug46817.doc"), (WORD97 / "Bug46817.doc").read_bytes()).text
    assert "Gmina Cekcyn | Elżbieta Czubak, Teresa Jaśtak" in text
    assert text.index("mgr inż. Jacek Brygman") < text.index("Gmina Cekcyn")  # after the body


def _streams(pieces: list[tuple[str, bool]], main: int, notes: int = 0) -> tuple[bytes, bytes]:
    """A WordDocument stream (FIB, then each piece's characters) and a table stream holding
    the piece table, as Word 97 writes them: (text, stored as Windows-1252 bytes?) per piece."""
    word = bytearray(0x400)
    struct.pack_into("<HH", word, 0, 0xA5EC, 193)
    struct.pack_into("<H", word, 0x0A, 0x0200)  # the table is 1Table
    struct.pack_into("<ii", word, 0x4C, main, notes)
    cps, pcds = [0], b""
    for text, compressed in pieces:
        fc = len(word)
        word += text.encode("cp1252" if compressed else "utf-16-le")
        stored = (fc * 2) | 0x40000000 if compressed else fc
        pcds += struct.pack("<HIH", 0, stored, 0)
        cps.append(cps[-1] + len(text))
    plc = struct.pack(f"<{len(cps)}I", *cps) + pcds
    clx = b"\x01" + struct.pack("<h", 2) + b"\x00\x00" + b"\x02" + struct.pack("<I", len(plc)) + plc
    table = b"\x00" * 16 + clx
    struct.pack_into("<II", word, 0x1A2, 16, len(clx))
    return bytes(word), table


def _text(pieces, main, notes=0) -> str:
    word, table = _streams(pieces, main, notes)
    chars = doc_text._characters(word, doc_text._pieces(word, table))
    blocks = doc_text._blocks(chars[:main]) + doc_text._notes(chars[main : main + notes])
    return doc_text.join_blocks(blocks)


def test_pieces_in_both_encodings_fields_tables_and_notes():
    body = (
        "Harbour rules\r"
        'Boats pay \x13 HYPERLINK "https://example.org" \x14ten coins\x15 a day\x02.\r'
        "Fee\x07Amount\x07\x07Boat\x07Ten\x07\x07"
        "Line one\x0bline two\x0cNext page: caf"
    )
    tail = "é 知识产权\r"
    notes = "\x02 Since 2019.\r"
    main = len(body) + len(tail)
    text = _text([(body, True), (tail, False), (notes, True)], main, len(notes))
    assert text == (
        "Harbour rules\n\nBoats pay ten coins a day.\n\nFee | Amount\n\nBoat | Ten\n\n"
        "Line one\nline two\n\nNext page: café 知识产权\n\n## Notes\n\nSince 2019.\n"
    )


def test_nested_fields_keep_their_results():
    text = "See \x13 REF a \x14\x13 PAGE \x14page 4\x15\x15 now.\r"
    assert _text([(text, True)], len(text)) == "See page 4 now.\n"


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"PK\x03\x04 a docx renamed", "not a Word 97-2003 .doc file"),
        (b"{\\rtf1 an rtf renamed}", "not a Word 97-2003 .doc file"),
    ],
)
def test_other_files_are_refused(data, says):
    with pytest.raises(UnreadableFileError, match=says):
        doc_text.doc_to_text(data)


def test_damaged_and_old_streams_are_refused():
    word, table = _streams([("Text.\r", True)], 6)
    with pytest.raises(UnreadableFileError, match="piece table is missing or damaged"):
        doc_text._pieces(word, b"\x00" * len(table))
    with pytest.raises(UnreadableFileError, match="cut short"):
        doc_text._fib_base(word[:100])
    old = bytearray(word)
    struct.pack_into("<H", old, 2, 105)  # Word 95
    assert doc_text._fib_base(bytes(old))[1] < doc_text._WORD97


def test_an_encrypted_or_old_real_document_says_so(tmp_path):
    """The FIB's flags and version are read from the real file's WordDocument stream."""
    olefile = pytest.importorskip("olefile")
    path = tmp_path / "locked.doc"
    path.write_bytes((WORD97 / "raw_text.doc").read_bytes())
    with olefile.OleFileIO(str(path), write_mode=True) as ole:
        word = bytearray(ole.openstream("WordDocument").read())
        flags = struct.unpack_from("<H", word, 0x0A)[0]
        struct.pack_into("<H", word, 0x0A, flags | 0x0100)
        ole.write_stream("WordDocument", bytes(word))
    with pytest.raises(UnreadableFileError, match="encrypted with a password"):
        doc_text.doc_to_text(path.read_bytes())
    with olefile.OleFileIO(str(path), write_mode=True) as ole:
        struct.pack_into("<HH", word, 0, 0xA5DC, 104)  # Word 95, saved with fast save
        struct.pack_into("<H", word, 0x0A, 0x0004)
        ole.write_stream("WordDocument", bytes(word))
    with pytest.raises(
        UnreadableFileError, match="Word 6 or Word 95 document saved with fast save"
    ):
        doc_text.doc_to_text(path.read_bytes())


@pytest.mark.parametrize(
    ("lid", "text"),
    [
        (0x0409, "Café rules"),
        (0x0419, "Правила порта"),
        (0x0405, "Pravidla přístavu"),
        (0x0804, "港口规则"),
    ],
)
def test_a_word_95_document_is_read_in_its_language_code_page(lid, text):
    code_page = {0x0409: "cp1252", 0x0419: "cp1251", 0x0405: "cp1250", 0x0804: "gbk"}[lid]
    body = f"{text}\r\x00Fee\r".encode(code_page)
    word = bytearray(0x300)
    struct.pack_into("<HHHH", word, 0, 0xA5DC, 101, 0, lid)
    struct.pack_into("<I", word, 0x18, len(word))
    struct.pack_into("<ii", word, 0x34, len(body), 0)  # bytes
    chars, stories = doc_text._word6_characters(bytes(word) + body + b"tail", 0)
    assert stories["main"] == (0, len(chars)) and stories["footnotes"] == (len(chars),) * 2
    assert doc_text.join_blocks(doc_text._blocks(chars)) == f"{text}\n\nFee\n"


def test_a_word_95_document_whose_text_is_not_its_languages_is_skipped():
    """Word 6 in English, text in Russian fonts: read as Western it would be "Ïðàâèëà"."""
    body = "Правила порта\r".encode("cp1251")
    word = bytearray(0x300)
    struct.pack_into("<HHHH", word, 0, 0xA5DC, 101, 0, 0x0409)
    struct.pack_into("<I", word, 0x18, len(word))
    struct.pack_into("<ii", word, 0x34, len(body), 0)
    with pytest.raises(UnreadableFileError, match="not in the code page of its language"):
        doc_text._word6_characters(bytes(word) + body, 0)


def _style_sheet(styles: list[tuple[int, int] | None]) -> bytes:
    """An STSH: Stshi (cstd, cbSTDBaseInFile 10) then one STD per (sti, base) or an empty slot."""
    out = struct.pack("<H", 18) + struct.pack("<HH", len(styles), 10) + b"\x00" * 14
    for style in styles:
        if style is None:
            out += struct.pack("<H", 0)
            continue
        sti, base = style
        std = (
            struct.pack("<HHHHH", sti, base << 4, 0, 0, 0)
            + struct.pack("<H", 1)
            + "x\0".encode("utf-16-le")
        )
        out += struct.pack("<H", len(std)) + std
    return out


def _papx_page(runs: list[tuple[int, int, int]]) -> bytes:
    """A PapxFkp: paragraph runs (first file offset, end, style index)."""
    page = bytearray(512)
    crun = len(runs)
    fcs = [r[0] for r in runs] + [runs[-1][1]]
    struct.pack_into(f"<{crun + 1}I", page, 0, *fcs)
    at = 480  # the PAPXs from the page's end backwards, 2-byte aligned
    for i, (_, _, istd) in enumerate(runs):
        at -= 4
        page[4 * (crun + 1) + 13 * i] = at // 2
        page[at] = 2  # cb: 2 * 2 - 1 = 3 bytes follow: the istd and one byte
        struct.pack_into("<H", page, at + 1, istd)
    page[511] = crun
    return bytes(page)


def test_heading_and_title_styles_mark_headings_and_contents_entries_are_left_out():
    from qa.ingest import doc_styles

    # styles: 0 Normal, 1 heading 1, 2 heading 2, 3 Title, 4 toc 1, 5 empty, 6 user style on heading 1
    sheet = _style_sheet([(0, 0xFFF), (1, 0), (2, 0), (62, 0), (19, 0), None, (0xFFE, 1)])
    text = "Plan\rContents 1\rFees\rBoats pay.\rNight\rCustom\r"
    istds = [3, 4, 1, 0, 2, 6]
    word, table = _streams([(text, True)], len(text))
    start = 0x400  # the one piece's first byte (compressed): paragraph ranges in file offsets
    runs, at = [], start
    for paragraph, istd in zip(text.split("\r")[:-1], istds, strict=True):
        runs.append((at, at + len(paragraph) + 1, istd))
        at += len(paragraph) + 1
    page_number = len(word) // 512 + 1
    word = bytearray(word + b"\x00" * (page_number * 512 - len(word)) + _papx_page(runs))
    plc = struct.pack("<II", start, at) + struct.pack("<I", page_number)
    table = table + sheet + plc
    struct.pack_into("<II", word, 0xA2, len(table) - len(plc) - len(sheet), len(sheet))
    struct.pack_into("<II", word, 0x102, len(table) - len(plc), len(plc))
    styles = doc_styles.read_styles(word, table)
    assert [s and s.sti for s in styles] == [0, 1, 2, 62, 19, None, 0xFFE]
    pieces = doc_text._pieces(word, table)
    chars = doc_text._characters(word, pieces)
    blocks = doc_text._blocks(chars, doc_text._headings(word, table, pieces))
    assert doc_text.join_blocks(blocks) == (
        "# Plan\n\n## Fees\n\nBoats pay.\n\n### Night\n\n## Custom\n"
    )
    # unreadable style tables: every paragraph is body text
    assert doc_styles.read_styles(word, b"") == []
    assert doc_styles.style_at(doc_styles.paragraph_styles(word, b""), start) == 0


def test_a_damaged_paragraph_page_leaves_its_paragraphs_as_body_text():
    from qa.ingest import doc_styles

    page = bytearray(_papx_page([(0, 10, 1)]))
    page[511] = 255  # more runs than a page holds (a fuzzed file)
    assert doc_styles._page_runs(bytes(page)) == []
    assert doc_styles._page_runs(b"short") == []
