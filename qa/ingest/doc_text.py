"""Word 97-2003 documents (.doc, the binary format Word wrote until 2007 and what many shared
drives still hold) -> text in the chunker's shape: each paragraph a paragraph, each table row a
paragraph (cells joined by " | "), a field's result without its code, the footnotes under
"Notes". Headings are not marked (their styles sit in tables this reader does not parse): the
chunker still finds numbered ones ("1. Definitions"). Text boxes, headers, footers, comments
and pictures are not read.

The text is found as the format specifies it ([MS-DOC] 2.4.1): the file is an OLE compound
file (read with olefile); its WordDocument stream opens with the FIB, which says which table
stream holds the piece table (Clx) and how many characters the main text and the footnotes
have; each piece is a run of characters stored as Windows-1252 bytes or as UTF-16.
"""

from __future__ import annotations

import io
import re
import struct

from qa.ingest.converted import Converted, UnreadableFileError, join_blocks, literal, require

_WORD_IDENT = 0xA5EC
_WORD97 = 193  # nFib of Word 97 and later; Word 6/95 files have another layout
_ENCRYPTED, _TABLE_1 = 0x0100, 0x0200  # FibBase flags: fEncrypted, fWhichTblStm
_CCP_TEXT, _CCP_FOOTNOTE = 0x4C, 0x50  # FibRgLw97: characters of the main text, the footnotes
_FC_CLX = 0x1A2  # FibRgFcLcb97: where the piece table is in the table stream, and its size
_FIELD = re.compile(r"\x13[^\x13\x14\x15]*(?:\x14([^\x13\x14\x15]*))?\x15")
_DROPPED = dict.fromkeys(map(ord, "\x01\x02\x03\x04\x05\x08\x1f"), None)  # objects, marks
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
    with olefile.OleFileIO(io.BytesIO(data)) as ole:
        if not ole.exists("WordDocument"):
            raise UnreadableFileError(
                "an Office file without a WordDocument stream (a spreadsheet or presentation "
                "named .doc?); save it as the kind it is"
            )
        word = ole.openstream("WordDocument").read()
        ident, nfib, flags = _fib_base(word)
        if ident != _WORD_IDENT:
            raise UnreadableFileError("its WordDocument stream is not a Word document's")
        if flags & _ENCRYPTED:
            raise UnreadableFileError(
                "it is encrypted with a password; save a copy without the password"
            )
        if nfib < _WORD97:
            raise UnreadableFileError(
                "a Word 6 or Word 95 document, older than the Word 97-2003 format read here; "
                "open it in Word or LibreOffice and save it as .docx"
            )
        table_name = "1Table" if flags & _TABLE_1 else "0Table"
        if not ole.exists(table_name):
            raise UnreadableFileError(f"its {table_name} stream is missing: the file is damaged")
        table = ole.openstream(table_name).read()
    text = _characters(word, table)
    main, notes = _counts(word)
    return Converted(join_blocks(_blocks(text[:main]) + _notes(text[main : main + notes])))


def _fib_base(word: bytes) -> tuple[int, int, int]:
    if len(word) < _FC_CLX + 8:
        raise UnreadableFileError("its WordDocument stream is cut short: the file is damaged")
    ident, nfib = struct.unpack_from("<HH", word, 0)
    return ident, nfib, struct.unpack_from("<H", word, 0x0A)[0]


def _counts(word: bytes) -> tuple[int, int]:
    main, notes = struct.unpack_from("<ii", word, _CCP_TEXT)
    return max(main, 0), max(notes, 0)


def _characters(word: bytes, table: bytes) -> str:
    """Every character of the document, piece by piece, in character-position order."""
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
        count = max(cps[i + 1] - cps[i], 0)
        if fc & 0x40000000:  # compressed: one Windows-1252 byte a character
            start = (fc & 0x3FFFFFFF) // 2
            out.append(word[start : start + count].decode("cp1252", "replace"))
        else:
            out.append(word[fc : fc + 2 * count].decode("utf-16-le", "replace"))
    return "".join(out)


def _plain(text: str) -> str:
    """Fields as their results ("HYPERLINK ..." code dropped), objects and marks dropped."""
    previous = None
    while previous != text:  # fields nest: the innermost first
        previous, text = text, _FIELD.sub(lambda m: m.group(1) or "", text)
    return text.translate(_DROPPED).translate(_SPACES)


def _blocks(text: str) -> list[str]:
    """Paragraphs (ended by \\r or a page or section break) and table rows: a cell's text ends
    with \\x07, and its row with one more (an empty cell's \\x07 ends a row too, so a row with
    an empty cell reads as two)."""
    blocks = []
    for paragraph in re.split(r"[\r\x0c]", _plain(text)):
        if "\x07" not in paragraph:
            blocks.append(literal(paragraph))
            continue
        *rows, after = paragraph.split("\x07\x07")  # after the last row: a paragraph
        for row in rows if "\x07" not in after else [*rows, after]:
            cells = [" ".join(c.split()) for c in row.split("\x07")]
            blocks.append(literal(" | ".join(c for c in cells if c)))
        if "\x07" not in after:
            blocks.append(literal(after))
    return blocks


def _notes(text: str) -> list[str]:
    notes = [literal(" ".join(n.split())) for n in re.split(r"[\r\x0c]", _plain(text))]
    notes = [n for n in notes if n]
    return ["## Notes", *notes] if notes else []
