"""Word 97-2003 documents (.doc, the binary format Word wrote until 2007 and what many shared
drives still hold) -> text in the chunker's shape: each paragraph a paragraph, each table row a
paragraph (cells joined by " | "), a field's result without its code, the text boxes' paragraphs
after the body, the footnotes and endnotes under "Notes"; a paragraph in a heading or the Title
style is a Markdown heading line (qa.ingest.doc_styles) and a table of contents' entry is left
out. Headers, footers (a page's furniture, said again on every page), comments and pictures are
not read.

The text is found as the format specifies it ([MS-DOC] 2.4.1): the file is an OLE compound
file (read with olefile); its WordDocument stream opens with the FIB, which says which table
stream holds the piece table (Clx) and how many characters each story has (the main text,
footnotes, headers, comments, endnotes, text boxes, in that order); each piece is a run of characters stored as Windows-1252 bytes or as UTF-16. A Word 6 or
Word 95 file keeps its text in one run of bytes in the code page of its language (skipped when
that is Western and the bytes cannot be Western text, as qa.ingest.formats reads a .txt); one
saved with "fast save" (in pieces) is not read.
"""

from __future__ import annotations

import io
import re
import struct
from collections.abc import Callable

from qa.ingest.code_pages import language_code_page
from qa.ingest.converted import (
    Converted,
    UnreadableFileError,
    join_blocks,
    literal,
    require,
    table_row,
)
from qa.ingest.doc_styles import heading_prefix_of, paragraph_styles, read_styles, style_at
from qa.ingest.western import WINDOWS_1252, western_text

_WORD_IDENT, _WORD6_IDENT = 0xA5EC, 0xA5DC
_WORD97 = 193  # nFib of Word 97 and later; Word 6/95 files have another layout
_COMPLEX, _ENCRYPTED, _TABLE_1 = 0x0004, 0x0100, 0x0200  # FIB flags
_WORD6_FC_MIN, _WORD6_CCP_TEXT = 0x18, 0x34  # Word 6/95: where the text starts, its length
_CCP_TEXT = 0x4C  # FibRgLw97: characters of the main text, then of each other story
# the stories in that order (ccpText, ccpFtn, ccpHdd, ccpMcr: unused, ccpAtn, ccpEdn, ccpTxbx)
_STORIES = ("main", "footnotes", "headers", "macros", "comments", "endnotes", "text boxes")
_FC_CLX = 0x1A2  # FibRgFcLcb97: where the piece table is in the table stream, and its size
_FIELD_BEGIN, _FIELD_SEPARATOR, _FIELD_END = "\x13", "\x14", "\x15"
# objects, note and comment marks, optional hyphens and any other control character
_DROPPED = dict.fromkeys(
    (c for c in range(32) if chr(c) not in "\t\n\r\x07\x0b\x0c\x13\x14\x15\x1e"), None
)
_SPACES = {ord("\t"): " ", ord("\x0b"): "\n", ord("\x1e"): "-", ord("\xa0"): " "}


def doc_to_text(data: bytes) -> Converted:
    """The text of a Word 97-2003 .doc file given as bytes; raises UnreadableFileError naming
    what is wrong.

    Example: doc_to_text(<a .doc holding "Rules" and "Dock early.">).text ->
    'Rules\\n\\nDock early.\\n'
    """
    olefile = require("olefile", "olefile")
    if not olefile.isOleFile(io.BytesIO(data)):
        raise UnreadableFileError(
            "not a Word 97-2003 .doc file (no OLE compound file); if it is a .docx or .rtf "
            "renamed, give it that suffix, else open it in Word or LibreOffice and save it as .docx"
        )
    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            text, stories, heading = _read(ole)
    except OSError as e:  # olefile's word for a damaged compound file
        raise UnreadableFileError(
            f"its OLE structure is damaged ({e}); open it in Word or LibreOffice and save it "
            "as .docx"
        ) from None
    main, boxes = (text[slice(*stories[name])] for name in ("main", "text boxes"))
    notes = "".join(text[slice(*stories[name])] for name in ("footnotes", "endnotes"))
    blocks = _blocks(main, heading) + _blocks(boxes) + _notes(notes)
    return Converted(join_blocks(blocks))


# The heading prefix of the paragraph whose mark is at a character position ('' for body
# text, None for a table of contents' entry): qa.ingest.doc_styles.heading_prefix_of
Heading = Callable[[int], "str | None"]


# where each story read is among the document's characters: (start, end) by name
Stories = dict[str, tuple[int, int]]


def _read(ole) -> tuple[str, Stories, Heading | None]:
    """Every character of the document, where its stories are among them, and the
    paragraphs' headings (None: not known, a Word 6/95 file)."""
    if not ole.exists("WordDocument"):
        raise UnreadableFileError(
            "an Office file without a WordDocument stream (a spreadsheet or presentation "
            "named .doc?); save it as the kind it is"
        )
    word = ole.openstream("WordDocument").read()
    ident, nfib, flags = _fib_base(word)
    if ident not in (_WORD_IDENT, _WORD6_IDENT):
        raise UnreadableFileError("its WordDocument stream is not a Word document's")
    if flags & _ENCRYPTED:
        raise UnreadableFileError(
            "it is encrypted with a password; save a copy without the password"
        )
    if ident == _WORD6_IDENT or nfib < _WORD97:
        return (*_word6_characters(word, flags), None)
    table_name = "1Table" if flags & _TABLE_1 else "0Table"
    if not ole.exists(table_name):
        raise UnreadableFileError(f"its {table_name} stream is missing: the file is damaged")
    table = ole.openstream(table_name).read()
    pieces = _pieces(word, table)
    return _characters(word, pieces), _stories(word), _headings(word, table, pieces)


def _word6_characters(word: bytes, flags: int) -> tuple[str, Stories]:
    """A Word 6/95 file's text: one run of bytes from fcMin, in its language's code page."""
    if flags & _COMPLEX:
        raise UnreadableFileError(
            "a Word 6 or Word 95 document saved with fast save (its text in pieces), which is "
            "not read here; open it in Word or LibreOffice and save it as .docx"
        )
    (lid,) = struct.unpack_from("<H", word, 0x06)
    (start,) = struct.unpack_from("<I", word, _WORD6_FC_MIN)
    main, notes = (max(n, 0) for n in struct.unpack_from("<ii", word, _WORD6_CCP_TEXT))
    code_page = language_code_page(lid)
    body = word[start : start + main + notes]
    if code_page == WINDOWS_1252 and western_text(body) is None:
        # Word 6 in English with Russian fonts, say: the language says Western, the text is not
        raise UnreadableFileError(
            "a Word 6 or Word 95 document whose text is not in the code page of its language "
            "(Western), and no other is guessed; open it in Word or LibreOffice and save it as .docx"
        )
    # a position counts bytes here (a Chinese or Japanese character takes two): decoded apart
    text = body[:main].decode(code_page, "replace")
    note_text = body[main:].decode(code_page, "replace")
    end = len(text) + len(note_text)
    stories = {"main": (0, len(text)), "footnotes": (len(text), end)}
    return text + note_text, {**stories, "endnotes": (end, end), "text boxes": (end, end)}


def _fib_base(word: bytes) -> tuple[int, int, int]:
    if len(word) < _FC_CLX + 8:
        raise UnreadableFileError("its WordDocument stream is cut short: the file is damaged")
    ident, nfib = struct.unpack_from("<HH", word, 0)
    return ident, nfib, struct.unpack_from("<H", word, 0x0A)[0]


def _stories(word: bytes) -> Stories:
    """Where the main text, footnotes, endnotes and text boxes are (Word 97 and later): the
    stories follow each other in the order of their counts in FibRgLw97 ([MS-DOC] 2.4.1);
    headers, footers and comments are passed over."""
    counts = struct.unpack_from(f"<{len(_STORIES)}i", word, _CCP_TEXT)
    stories, start = {}, 0
    for name, count in zip(_STORIES, counts, strict=True):
        stories[name] = (start, start + max(count, 0))
        start += max(count, 0)
    return stories


def _characters(word: bytes, pieces: list[tuple[int, int, int]]) -> str:
    """Every character of the document, piece by piece, in character-position order."""
    out = []
    for start, end, fc in pieces:
        count = end - start
        if fc & 0x40000000:  # compressed: one Windows-1252 byte a character
            at = (fc & 0x3FFFFFFF) // 2
            out.append(word[at : at + count].decode("cp1252", "replace"))
        else:
            out.append(word[fc : fc + 2 * count].decode("utf-16-le", "replace"))
    return "".join(out)


def _pieces(word: bytes, table: bytes) -> list[tuple[int, int, int]]:
    """(first character position, end, stored file offset) of each piece of the piece table."""
    fc_clx, lcb_clx = struct.unpack_from("<II", word, _FC_CLX)
    clx = table[fc_clx : fc_clx + lcb_clx]
    at = 0
    while at < len(clx) and clx[at] == 0x01:  # Prc: formatting the pieces share, skipped
        (size,) = struct.unpack_from("<h", clx, at + 1)
        at += 3 + max(size, 0)
    if at + 5 > len(clx) or clx[at] != 0x02:
        raise UnreadableFileError("its piece table is missing or damaged: the file is damaged")
    (size,) = struct.unpack_from("<I", clx, at + 1)
    plc = clx[at + 5 : at + 5 + size]
    pieces = (len(plc) - 4) // 12
    if pieces <= 0:
        raise UnreadableFileError("its piece table is empty: the file is damaged")
    cps = struct.unpack_from(f"<{pieces + 1}I", plc, 0)
    out = []
    for i in range(pieces):
        (fc,) = struct.unpack_from("<I", plc, 4 * (pieces + 1) + 8 * i + 2)
        out.append((cps[i], max(cps[i + 1], cps[i]), fc))
    return out


def _headings(word: bytes, table: bytes, pieces: list[tuple[int, int, int]]) -> Heading:
    """Each paragraph's heading prefix, from the style of the paragraph its mark ends."""
    styles, runs = read_styles(word, table), paragraph_styles(word, table)

    def heading(cp: int) -> str | None:
        for start, end, fc in pieces:  # the mark's file offset, as the paragraph pages count
            if start <= cp < end:
                if fc & 0x40000000:
                    at = (fc & 0x3FFFFFFF) // 2 + cp - start
                else:
                    at = fc + 2 * (cp - start)
                return heading_prefix_of(styles, style_at(runs, at))
        return ""

    return heading


def _plain(text: str) -> tuple[str, list[int]]:
    """The text as shown, and each of its characters' position in ``text``: fields as their
    results (a "HYPERLINK ..." code dropped; fields nest), objects and marks dropped."""
    out, where = [], []
    fields: list[bool] = []  # per open field: showing its result yet?
    for i, c in enumerate(text):
        if c == _FIELD_BEGIN:
            fields.append(False)
        elif c == _FIELD_SEPARATOR and fields:
            fields[-1] = True
        elif c == _FIELD_END and fields:
            fields.pop()
        elif all(fields):
            c = c.translate(_DROPPED).translate(_SPACES)
            if c:
                out.append(c)
                where.extend([i] * len(c))
    return "".join(out), where


def _blocks(text: str, heading: Heading | None = None) -> list[str]:
    """Paragraphs (ended by \\r or a page or section break), headings marked, and table rows: a
    cell's text ends with \\x07, and its row with one more (an empty cell's \\x07 ends a row
    too, so a row with an empty cell reads as two)."""
    plain, where = _plain(text)
    blocks, start = [], 0
    for m in re.finditer(r"[\r\x0c]|\Z", plain):
        paragraph, start = plain[start : m.start()], m.end()
        prefix = heading(where[m.start()]) if heading and m.group() else ""
        if prefix is None:  # an entry of a table of contents
            continue
        if "\x07" not in paragraph:
            words = " ".join(paragraph.split())
            blocks.append(prefix + words if prefix and words else literal(paragraph))
            continue
        *rows, after = paragraph.split("\x07\x07")  # after the last row: a paragraph
        for row in rows if "\x07" not in after else [*rows, after]:
            cells = [" ".join(c.split()) for c in row.split("\x07")]
            blocks.append(table_row(cells))
        if "\x07" not in after:
            blocks.append(literal(after))
        if m.end() == len(plain):
            break
    return blocks


def _notes(text: str) -> list[str]:
    notes = [literal(" ".join(n.split())) for n in re.split(r"[\r\x0c]", _plain(text)[0])]
    notes = [n for n in notes if n]
    return ["## Notes", *notes] if notes else []
