"""Word (.docx) -> text with python-docx: the Title style and heading styles ("Heading 1", ...,
or any style with an outline level) become Markdown heading lines (``#`` for the title, ``##`` for Heading 1, ...), every other paragraph a paragraph, each table row a paragraph (cells joined by
" | "), in document order, as Word shows them (tracked insertions in, deletions out, content
controls' blocks in: qa.ingest.docx_runs); the footnotes and endnotes follow under "Notes"
(qa.ingest.docx_notes)."""

from __future__ import annotations

import io
import re
import zipfile

from qa.ingest.converted import (
    Converted,
    UnreadableFileError,
    join_blocks,
    literal,
    require,
    table_row,
)
from qa.ingest.docx_notes import document_notes
from qa.ingest.docx_runs import (
    W,
    body_blocks,
    outline_level,
    paragraph_text,
    paragraphs_text,
    text_boxes,
)
from qa.ingest.ooxml_strict import transitional

_HEADING_STYLE = re.compile(r"heading\s*(\d)", re.I)


def heading_prefix(style_name: str) -> str:
    """'# ' for "Title", '## ' for "Heading 1", '### ' for "Heading 2", '' for body styles
    (the title ranks above the headings, so a heading path starts with it).

    Example: heading_prefix("Heading 3") -> '#### '
    """
    if m := _HEADING_STYLE.fullmatch(style_name.strip()):
        return "#" * min(max(int(m.group(1)), 1) + 1, 6) + " "
    return "# " if style_name.strip().lower() == "title" else ""


def docx_to_text(data: bytes) -> Converted:
    docx = require("docx", "python-docx")
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(transitional(data)))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as e:
        raise UnreadableFileError(
            f"not a readable Word .docx file ({type(e).__name__}: {e}); open it in Word or "
            "LibreOffice and save it again as .docx (an old Word 97-2003 file: name it .doc)"
        ) from None
    blocks: list[str] = []
    add_blocks(blocks, document.element.body, document)
    if notes := document_notes(document):
        blocks += ["## Notes", *(literal(note) for note in notes)]
    return Converted(join_blocks(blocks))


def add_blocks(blocks: list[str], container, document) -> None:
    """The paragraphs and tables of ``container`` as blocks, each paragraph followed by the
    text boxes it anchors."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for element in body_blocks(container):
        if element.tag == W + "p":
            style = Paragraph(element, document).style  # looked up through the document's part
            text = paragraph_text(element)
            prefix = heading_prefix(style.name if style is not None else "")
            if not prefix and (level := outline_level(element, style)) is not None:
                prefix = "#" * min(level + 2, 6) + " "  # level 0 ranks as "Heading 1"
            blocks.append(prefix + (text if prefix else literal(text)) if text else "")
            for box in text_boxes(element):
                add_blocks(blocks, box, document)
        else:
            # python-docx's rows give a merged cell in every row and column it spans
            for row in Table(element, document).rows:
                cells = [paragraphs_text(c._tc) for c in row.cells]
                blocks.append(table_row(dict.fromkeys(cells)))
