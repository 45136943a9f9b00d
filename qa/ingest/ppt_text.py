"""PowerPoint 97-2003 presentations (.ppt: the binary format PowerPoint wrote until 2007, and
what archives of briefings still hold) -> text in the chunker's shape, as qa.ingest.pptx_text
gives the newer format's: the first slide's title is the document's title (``#``), every slide
opens with its title as a heading (``##``; "Slide 4" when it has none), then its placeholders'
paragraphs, its text boxes' and its tables' rows (cells joined by " | "), then its speaker notes under
"Notes"; each slide's first character is a page start, so a passage carries its slide number
as its ``page``. Masters, pictures and charts are not read.

The text is found as [MS-PPT] lays it out: the file is an OLE compound file (olefile); its
"Current User" stream points at the last edit, whose persist directory (with the edits before
it) maps object ids to offsets in the "PowerPoint Document" stream; the document's slide list
(SlideListWithText) names the slides in order and holds their placeholders' text, and each
slide's drawing holds its text boxes' text. Every record is read within its parent's bounds,
so a damaged or fuzzed file is skipped with a reason, never read past its end.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field

from qa.ingest.converted import (
    Converted,
    UnreadableFileError,
    join_blocks,
    literal,
    require,
    table_row,
)
from qa.ingest.sheet_rows import MAX_TEXT_CHARS

_DOCUMENT, _SLIDE, _SLIDE_LIST, _SLIDE_PERSIST = 0x03E8, 0x03EE, 0x0FF0, 0x03F3
_SLIDE_ATOM, _NOTES = 0x03EF, 0x03F0
_TEXT_HEADER, _TEXT_CHARS, _TEXT_BYTES = 0x0F9F, 0x0FA0, 0x0FA8
_USER_EDIT, _PERSIST_DIRECTORY = 0x0FF5, 0x1772
# OfficeArt (drawing) records: a group of shapes, a shape, a shape's tertiary properties, a
# shape's place within its group; groupShape.tableProperties (bit 0 set: the group is a table)
_GROUP, _SHAPE, _TERTIARY_OPT, _CHILD_ANCHOR = 0xF003, 0xF004, 0xF122, 0xF00F
_TABLE_PROPERTIES = 0x039F
_TITLE_TYPES = (0, 6)  # TextHeaderAtom's textType: a title, a centred (title slide's) title
_BODY_TYPE, _NOTES_TYPE = 1, 2
# CurrentUserAtom's headerToken: a presentation as saved, or encrypted with a password
_PLAIN_TOKEN, _ENCRYPTED_TOKEN = 0xE391C05F, 0xF3D1C4DF
_MAX_DEPTH = 32  # containers inside containers: a fuzzed file may nest them endlessly
_MAX_EDITS = 1000  # edits followed back through offsetLastEdit


@dataclass
class _Slide:
    title: str = ""
    paragraphs: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def ppt_to_text(data: bytes) -> Converted:
    """The text of a .ppt file given as bytes; raises UnreadableFileError naming what is wrong.

    Example: ppt_to_text(<a deck: slide 1 "Harbour rules", slide 2 "Fees" / "Ten coins.">).text
    -> '# Harbour rules\\n\\n## Fees\\n\\nTen coins.\\n'
    """
    olefile = require("olefile", "olefile")
    if not olefile.isOleFile(io.BytesIO(data)):
        raise UnreadableFileError(
            "not a PowerPoint 97-2003 .ppt file (no OLE compound file); if it is a .pptx "
            "renamed, give it that suffix, else open it in PowerPoint or LibreOffice and save it "
            "as .pptx"
        )
    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            if not ole.exists("PowerPoint Document") or not ole.exists("Current User"):
                raise UnreadableFileError(
                    "an Office file without PowerPoint 97-2003's streams (a presentation from "
                    "PowerPoint 95 or older, or a document or workbook named .ppt?); open it "
                    "in PowerPoint or LibreOffice and save it as .pptx"
                )
            if ole.exists("EncryptedSummary"):
                raise _encrypted()
            stream = ole.openstream("PowerPoint Document").read()
            user = ole.openstream("Current User").read()
    except OSError as e:  # olefile's word for a damaged compound file
        raise UnreadableFileError(
            f"its OLE structure is damaged ({e}); open it in PowerPoint or LibreOffice and save "
            "it as .pptx"
        ) from None
    try:
        slides = _slides(stream, user)
    except (struct.error, KeyError, ValueError, RecursionError) as e:
        raise UnreadableFileError(
            f"its slides cannot be found ({type(e).__name__}: {e}); the file is damaged: open it "
            "in PowerPoint or LibreOffice and save it as .pptx"
        ) from None
    return _text(slides)


def _encrypted() -> UnreadableFileError:
    return UnreadableFileError(
        "it is protected by a password; save a copy without the password and index that"
    )


def _text(slides: list[_Slide]) -> Converted:
    text, pages = "", []
    for number, slide in enumerate(slides, 1):
        heading = ("# " if number == 1 and slide.title else "## ") + literal(
            slide.title or f"Slide {number}"
        )
        text += "\n" if text else ""
        pages.append(len(text))
        notes = ["### Notes", *map(literal, slide.notes)] if slide.notes else []
        text += join_blocks([heading, *map(literal, slide.paragraphs), *notes])
        if len(text) > MAX_TEXT_CHARS:
            raise UnreadableFileError(
                f"its slides hold more than {MAX_TEXT_CHARS:,} characters of text, the limit for "
                "one document; split the presentation"
            )
    if not any(s.title or s.paragraphs or s.notes for s in slides):
        raise UnreadableFileError("its slides hold no text (pictures or charts only)")
    return Converted(text, tuple(pages))


def _slides(stream: bytes, user: bytes) -> list[_Slide]:
    """The slides in order, each with its title and paragraphs."""
    token = struct.unpack_from("<I", user, 12)[0] if len(user) >= 20 else None
    if token == _ENCRYPTED_TOKEN:
        raise _encrypted()
    edit = struct.unpack_from("<I", user, 16)[0] if token == _PLAIN_TOKEN else None
    try:
        offsets, document_id = _persist_offsets(stream, edit)
    except (ValueError, struct.error):  # a Current User stream gone wrong: the stream's last edit
        edits = [
            start - 8
            for kind, _, start, _ in _children(stream, 0, len(stream))
            if kind == _USER_EDIT
        ]
        if not edits:
            raise UnreadableFileError(
                "no PowerPoint 97-2003 edit record in it (a presentation from PowerPoint 95 or "
                "older?); open it in PowerPoint or LibreOffice and save it as .pptx"
            ) from None
        offsets, document_id = _persist_offsets(stream, edits[-1])
    document = _record_at(stream, offsets[document_id], _DOCUMENT)
    slides: list[_Slide] = []
    slide_ids: list[int] = []
    notes_persist: dict[int, int] = {}  # a notes page's id -> its persist id
    for kind, instance, start, end in _children(stream, *document):
        if kind == _SLIDE_LIST and instance == 2:  # the notes pages
            for child, _, body, stop in _children(stream, start, end):
                if child == _SLIDE_PERSIST and stop - body >= 16:
                    persist_id, _, _, notes_id = struct.unpack_from("<IIII", stream, body)
                    notes_persist[notes_id] = persist_id
        if kind != _SLIDE_LIST or instance != 0:  # instance 1: masters
            continue
        current: _Slide | None = None
        text_type = -1
        for child, _, body, stop in _children(stream, start, end):
            if child == _SLIDE_PERSIST:
                current = _Slide()
                slides.append(current)
                slide_ids.append(struct.unpack_from("<I", stream, body)[0])
            elif child == _TEXT_HEADER:
                text_type = struct.unpack_from("<I", stream, body)[0]
            elif child in (_TEXT_CHARS, _TEXT_BYTES) and current is not None:
                _add(current, text_type, _atom_text(stream, child, body, stop))
    for slide, persist_id in zip(slides, slide_ids, strict=True):
        try:
            drawing = _record_at(stream, offsets[persist_id], _SLIDE)
        except (KeyError, ValueError):
            continue  # its drawing is lost: the slide keeps its placeholders' text
        seen = set(slide.paragraphs) | {slide.title}
        for text_type, text in _texts(stream, *drawing):
            if text not in seen:
                _add(slide, text_type, text)
        slide.notes = _notes(stream, offsets, notes_persist, drawing)
    return slides


def _notes(
    stream: bytes, offsets: dict[int, int], notes_persist: dict[int, int], drawing
) -> list[str]:
    """The speaker notes of a slide: its SlideAtom names its notes page, whose drawing holds
    them ([] when it has none or it is lost)."""
    atom = next(
        (
            (body, stop)
            for kind, _, body, stop in _children(stream, *drawing)
            if kind == _SLIDE_ATOM
        ),
        None,
    )
    if atom is None or atom[1] - atom[0] < 20:
        return []
    (notes_id,) = struct.unpack_from("<I", stream, atom[0] + 16)  # after the layout and master
    try:
        page = _record_at(stream, offsets[notes_persist[notes_id]], _NOTES)
    except (KeyError, ValueError):
        return []
    said = _Slide()
    for text_type, text in _texts(stream, *page):
        if text_type == _NOTES_TYPE:
            _add(said, _BODY_TYPE, text)
    return said.paragraphs


def _add(slide: _Slide, text_type: int, text: str) -> None:
    """A text atom's text to the slide: its first title, or paragraphs ("\\r" ends one, a
    vertical tab breaks a line within one)."""
    if text_type == _NOTES_TYPE:
        return
    if text_type in _TITLE_TYPES and not slide.title:
        slide.title = " ".join(text.split())
        return
    for paragraph in text.split("\r"):
        lines = (" ".join(line.split()) for line in paragraph.split("\x0b"))
        if block := "\n".join(line for line in lines if line):
            slide.paragraphs.append(block)


def _texts(stream: bytes, start: int, end: int, depth: int = 0) -> Iterator[tuple[int, str]]:
    """Every text atom inside a record, with the type its last TextHeaderAtom gave."""
    if depth > _MAX_DEPTH:
        raise ValueError("records nest too deep")
    text_type = -1
    for kind, _, body, stop in _children(stream, start, end):
        if kind == _TEXT_HEADER and stop - body >= 4:
            text_type = struct.unpack_from("<I", stream, body)[0]
        elif kind in (_TEXT_CHARS, _TEXT_BYTES):
            yield text_type, _atom_text(stream, kind, body, stop)
        elif kind == _GROUP and _is_table(stream, body, stop):
            for row in _table_rows(stream, body, stop, depth + 1):
                yield _BODY_TYPE, row
        elif _is_container(stream, body - 8):
            yield from _texts(stream, body, stop, depth + 1)


def _is_table(stream: bytes, start: int, end: int) -> bool:
    """Whether a group of shapes is a table: its own shape (the first) says so in its tertiary
    properties (6 bytes each: the property's number in the low 14 bits, then its value)."""
    first = next(_children(stream, start, end), None)
    if first is None or first[0] != _SHAPE:
        return False
    for kind, count, body, stop in _children(stream, first[2], first[3]):
        if kind != _TERTIARY_OPT:
            continue
        for at in range(body, min(stop, body + 6 * count) - 5, 6):
            number, value = struct.unpack_from("<Hi", stream, at)
            if number & 0x3FFF == _TABLE_PROPERTIES and value & 1:
                return True
    return False


def _table_rows(stream: bytes, start: int, end: int, depth: int) -> list[str]:
    """A table's rows, cells joined by " | " as other converters write them: a table is a group
    of cells, each a shape placed by its anchor in the group, so the cells sharing a top edge
    are a row, read left to right (a merged cell is in the row it starts in)."""
    cells: list[tuple[int, int, str]] = []
    for kind, _, body, stop in list(_children(stream, start, end))[1:]:
        anchor = next(
            (
                b
                for k, _, b, s in _children(stream, body, stop)
                if k == _CHILD_ANCHOR and s - b >= 16
            ),
            None,
        )
        if kind != _SHAPE or anchor is None:
            continue
        left, top = struct.unpack_from("<ii", stream, anchor)
        text = " ".join(" ".join(t.split()) for _, t in _texts(stream, body, stop, depth))
        cells.append((top, left, text.strip()))
    rows: dict[int, list[tuple[int, str]]] = {}
    for top, left, text in sorted(cells):
        rows.setdefault(top, []).append((left, text))
    return [row for cells in rows.values() if (row := table_row(t for _, t in cells))]


def _atom_text(stream: bytes, kind: int, start: int, end: int) -> str:
    raw = stream[start:end]
    return raw.decode("utf-16-le", "replace") if kind == _TEXT_CHARS else raw.decode("latin-1")


def _persist_offsets(stream: bytes, edit: int | None) -> tuple[dict[int, int], int]:
    """Object id -> offset of its record, from the last edit back to the first (the newest
    offset of an id wins), and the document's id."""
    offsets: dict[int, int] = {}
    document_id = None
    seen: set[int] = set()
    while edit and edit not in seen and len(seen) < _MAX_EDITS:
        seen.add(edit)
        start, _ = _record_at(stream, edit, _USER_EDIT)
        last_edit, directory, doc_id = struct.unpack_from("<III", stream, start + 8)
        document_id = doc_id if document_id is None else document_id
        body, end = _record_at(stream, directory, _PERSIST_DIRECTORY)
        while body + 4 <= end:
            (entry,) = struct.unpack_from("<I", stream, body)
            first, count = entry & 0xFFFFF, entry >> 20
            body += 4
            for i in range(count):
                if body + 4 > end:
                    break
                offsets.setdefault(first + i, struct.unpack_from("<I", stream, body)[0])
                body += 4
        edit = last_edit
    if document_id is None:
        raise ValueError("no edit record")
    return offsets, document_id


def _record_at(stream: bytes, offset: int, kind: int) -> tuple[int, int]:
    """The body (start, end) of the record of type ``kind`` at ``offset``."""
    if offset + 8 > len(stream):
        raise ValueError(f"offset {offset} is past the stream's end")
    _, found, length = struct.unpack_from("<HHI", stream, offset)
    if found != kind or offset + 8 + length > len(stream):
        raise ValueError(f"no record of type {kind:#06x} at offset {offset}")
    return offset + 8, offset + 8 + length


def _children(stream: bytes, start: int, end: int) -> Iterator[tuple[int, int, int, int]]:
    """The records inside [start, end): type, instance, body start, body end; stops at one
    that would run past ``end``."""
    pos = start
    while pos + 8 <= end:
        version_instance, kind, length = struct.unpack_from("<HHI", stream, pos)
        stop = pos + 8 + length
        if stop > end:
            return
        yield kind, version_instance >> 4, pos + 8, stop
        pos = stop


def _is_container(stream: bytes, header: int) -> bool:
    return stream[header] & 0x0F == 0x0F
