"""OpenDocument text (.odt: LibreOffice's own format, and the one the UK government and many
European administrations publish in) -> text in the chunker's shape, as docx_text gives Word's:
the title (a paragraph in the "Title" style) and the headings (``text:h``, by outline level)
become Markdown heading lines (``#`` for the title, ``##`` for a level-1 heading, ...), every
other paragraph and list item a paragraph, each table row a paragraph (cells joined by " | "),
in document order, a text box after the paragraph that anchors it; the footnotes and endnotes
follow under "Notes". A table of contents, the text of tracked deletions and pictures'
alternative text are not read.

An .odt file is a zip of XML parts; content.xml is parsed with lxml (python-docx's own parser,
so no package is added) with entities and network access off, after its size is checked.
"""

from __future__ import annotations

import io
import zipfile
import zlib

from qa.ingest.converted import (
    Converted,
    UnreadableFileError,
    join_blocks,
    literal,
    require,
    table_row,
)

_NS = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "draw": "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0",
}
TEXT, TABLE, STYLE, DRAW = (f"{{{_NS[p]}}}" for p in ("text", "table", "style", "draw"))
MAX_CONTENT_BYTES = 100_000_000  # content.xml unpacked: a zip bomb is refused before it is read
_SKIPPED = {TEXT + "table-of-content", TEXT + "tracked-changes", TEXT + "sequence-decls"}
_NOT_TEXT = {TEXT + "note", TEXT + "tracked-changes"}  # inside a paragraph: read apart or not


def odt_to_text(data: bytes) -> Converted:
    """The text of an .odt file given as bytes; raises UnreadableFileError naming what is wrong.

    Example: odt_to_text(<an .odt with a "Rules" heading and one paragraph>).text ->
    '## Rules\\n\\nDock early.\\n'
    """
    root, body = content_body(data, ".odt")
    titles = _title_styles(root)
    blocks: list[str] = []
    notes: list[str] = []
    _add_blocks(blocks, notes, body, titles)
    if notes:
        blocks += ["## Notes", *(literal(note) for note in notes)]
    return Converted(join_blocks(blocks))


# office:body's child in each kind of OpenDocument file: its suffix and what it holds
_BODIES = {
    "text": (".odt", "a text document"),
    "spreadsheet": (".ods", "a spreadsheet"),
    "presentation": (".odp", "a presentation"),
    "drawing": (".odg", "a drawing"),
}


def content_body(data: bytes, suffix: str):
    """The parsed content.xml and its body of the kind ``suffix`` names (.odt, .ods, .odp);
    raises UnreadableFileError saying what the file holds instead, when it is another kind.

    Example: content_body(<a spreadsheet named .odt>, ".odt") raises "it is an OpenDocument
    file holding a spreadsheet, not a text document; give it the suffix .ods"
    """
    root = content_root(data, suffix)
    kind = next(tag for tag, (own, _) in _BODIES.items() if own == suffix)
    body = root.find(f"office:body/office:{kind}", _NS)
    if body is None:
        found = root.find("office:body/*", _NS)
        tag = (
            found.tag.rpartition("}")[2] if found is not None and isinstance(found.tag, str) else ""
        )
        what = _BODIES[kind][1]
        if tag in _BODIES:
            other, held = _BODIES[tag]
            raise UnreadableFileError(
                f"it is an OpenDocument file holding {held}, not {what}; "
                f"give it the suffix {other}"
            )
        raise UnreadableFileError(
            f"it is an OpenDocument file without {what}'s body; open it in LibreOffice and save "
            f"it again as {suffix}"
        )
    return root, body


def safe_parser():
    """lxml's parser with entities, DTDs and network access off (untrusted files)."""
    etree = require("lxml.etree", "lxml")
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def content_root(data: bytes, suffix: str):
    """The parsed content.xml of an OpenDocument package (``suffix``: .odt, .ods); raises
    UnreadableFileError when it cannot be read (content_xml) or is not well-formed."""
    etree = require("lxml.etree", "lxml")
    try:
        return etree.fromstring(content_xml(data, suffix), safe_parser())
    except etree.XMLSyntaxError as e:
        raise UnreadableFileError(
            f"its content.xml is not well-formed XML ({e}); open it in LibreOffice and save "
            f"it again as {suffix}"
        ) from None


def content_xml(data: bytes, suffix: str = ".odt") -> bytes:
    """content.xml of an OpenDocument package (``suffix``: .odt, .ods), refused when the file is
    no zip or a damaged one, is encrypted, or unpacks to more than MAX_CONTENT_BYTES."""
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
        info = package.getinfo("content.xml")
        if _part(package, "META-INF/manifest.xml").find(b"encryption-data") >= 0:
            raise UnreadableFileError(
                "it is protected by a password; save a copy without the password and index that"
            )
        if info.file_size > MAX_CONTENT_BYTES:
            raise UnreadableFileError(
                f"its text part unpacks to {info.file_size:,} bytes, over the "
                f"{MAX_CONTENT_BYTES:,}-byte limit; split the document"
            )
        return package.read(info)
    except (
        zipfile.BadZipFile,
        KeyError,
        EOFError,
        zlib.error,
        RuntimeError,
        NotImplementedError,
    ) as e:
        raise UnreadableFileError(  # not a zip, no content.xml, a damaged or encrypted entry
            f"not a readable OpenDocument {suffix} file ({type(e).__name__}: {e}); open it in "
            f"LibreOffice and save it again as {suffix}"
        ) from None


def _part(package: zipfile.ZipFile, name: str, limit: int = 1_000_000) -> bytes:
    """A small part of the package (b"" when it is missing or larger than ``limit``)."""
    try:
        info = package.getinfo(name)
    except KeyError:
        return b""
    return package.read(info) if info.file_size <= limit else b""


def _title_styles(root) -> set[str]:
    """The paragraph styles that are the document title: "Title", and the automatic styles
    LibreOffice derives from it ("P1" with parent "Title")."""
    titles = {"Title"}
    for style in root.iterfind("office:automatic-styles/style:style", _NS):
        if style.get(STYLE + "parent-style-name") in titles:
            titles.add(style.get(STYLE + "name"))
    return titles


def _add_blocks(blocks: list[str], notes: list[str], container, titles: set[str]) -> None:
    """The headings, paragraphs, list items and table rows under ``container``, in order."""
    for element in container:
        tag = element.tag
        if tag in _SKIPPED or not isinstance(tag, str):
            continue
        boxes: list = []  # the text boxes a paragraph anchors: blocks of their own, after it
        if tag == TEXT + "h":
            level = int(element.get(TEXT + "outline-level") or 1)
            text = inline_text(element, notes, boxes)
            blocks.append("#" * min(max(level, 1) + 1, 6) + " " + text if text else "")
        elif tag == TEXT + "p":
            text = inline_text(element, notes, boxes)
            title = element.get(TEXT + "style-name") in titles
            blocks.append(("# " + text if title else literal(text)) if text else "")
        elif tag == TABLE + "table-row":
            cells = [cell_text(cell, notes) for cell in element.iterfind("table:table-cell", _NS)]
            blocks.append(table_row(dict.fromkeys(cells)))
        else:  # lists, sections, tables and their row groups: what they hold, in order
            _add_blocks(blocks, notes, element, titles)
        for box in boxes:
            _add_blocks(blocks, notes, box, titles)


def cell_text(cell, notes: list[str]) -> str:
    """A table cell's paragraphs (in lists too), one line each."""
    return "\n".join(t for p in paragraphs_of(cell) if (t := inline_text(p, notes)))


def paragraphs_of(container):
    """The paragraphs and headings under ``container``, in order, not those of a note's body
    (a note is read where it is cited)."""
    for element in container:
        if element.tag in (TEXT + "p", TEXT + "h"):
            yield element
        elif isinstance(element.tag, str) and element.tag not in _NOT_TEXT:
            yield from paragraphs_of(element)


def inline_text(element, notes: list[str], boxes: list | None = None) -> str:
    """A paragraph's text as it shows: spans and links read through, ``text:s`` as its count of
    spaces, a tab as a space, a line break as a new line; a note's citation left out of the
    sentence and its body added to ``notes``; a text box it anchors (a callout, a box of key
    figures) added to ``boxes``, to be read after it as Word's are (None: not read)."""
    parts = [element.text or ""]
    for child in element:
        tag = child.tag
        if tag == TEXT + "s":
            parts.append(" " * int(child.get(TEXT + "c") or 1))
        elif tag == TEXT + "tab":
            parts.append(" ")
        elif tag == TEXT + "line-break":
            parts.append("\n")
        elif tag == TEXT + "note":
            body = child.find("text:note-body", _NS)
            if body is not None:
                note = " ".join(inline_text(p, notes) for p in paragraphs_of(body))
                notes.append(" ".join(note.split()))
        elif tag == DRAW + "frame":  # a picture (its alt text is not read) or a text box
            if boxes is not None:
                boxes.extend(child.iterfind("draw:text-box", _NS))
        elif isinstance(tag, str) and tag.startswith(TEXT) and tag not in _NOT_TEXT:
            parts.append(inline_text(child, notes, boxes))  # a span, a link
        parts.append(child.tail or "")
    return "".join(parts).strip()
