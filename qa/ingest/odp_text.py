"""OpenDocument presentations (.odp: LibreOffice Impress's own format) -> text in the chunker's
shape, as qa.ingest.pptx_text gives PowerPoint's: the first slide's title is the document's
title (``#``), every slide opens with its title as a heading (``##``; "Slide 4" when it has
none), then its frames' paragraphs and its tables' rows (cells joined by " | ") in the order
the slide lists them, and its speaker notes under "Notes". Each slide's first character is a
page start, so a passage carries its slide number as its ``page``. Pictures, charts and master
pages are not read.

content.xml is parsed as qa.ingest.odt_text parses a text document's (size checked, entities
and network off), and a paragraph reads as it does there (spans, spaces, line breaks).
"""

from __future__ import annotations

from qa.ingest.converted import Converted, UnreadableFileError, join_blocks, literal, table_row
from qa.ingest.odt_text import cell_text, content_body, inline_text, paragraphs_of

_NS = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "draw": "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0",
    "presentation": "urn:oasis:names:tc:opendocument:xmlns:presentation:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
}
PRESENTATION, TABLE = (f"{{{_NS[p]}}}" for p in ("presentation", "table"))
_NOTES = PRESENTATION + "notes"


def odp_to_text(data: bytes) -> Converted:
    """The text of an .odp file given as bytes; raises UnreadableFileError naming what is wrong.

    Example: odp_to_text(<a deck: slide 1 "Harbour rules", slide 2 "Fees" / "Ten coins.">).text
    -> '# Harbour rules\\n\\n## Fees\\n\\nTen coins.\\n'
    """
    _, body = content_body(data, ".odp")
    text, pages = "", []
    for number, page in enumerate(body.iterfind("draw:page", _NS), 1):
        title_frame = next(
            (
                f
                for f in page.iter(f"{{{_NS['draw']}}}frame")
                if f.get(PRESENTATION + "class") == "title"
            ),
            None,
        )
        title = _joined(title_frame) if title_frame is not None else ""
        heading = ("# " if number == 1 and title else "## ") + literal(title or f"Slide {number}")
        blocks = [heading, *_body(page, skip=title_frame)]
        notes = page.find("presentation:notes", _NS)
        said = (
            [literal(t) for p in paragraphs_of(notes) if (t := inline_text(p, []))]
            if notes is not None
            else []
        )
        blocks += ["### Notes", *said] if said else []
        text += "\n" if text else ""
        pages.append(len(text))
        text += join_blocks(blocks)
    if not pages:
        raise UnreadableFileError("it has no slides")
    return Converted(text, tuple(pages))


def _joined(frame) -> str:
    """A frame's paragraphs on one line (a title set over two lines is one title)."""
    return " ".join(" ".join(t.split()) for p in paragraphs_of(frame) if (t := inline_text(p, [])))


def _body(page, skip) -> list[str]:
    """The slide's paragraphs and table rows, frame by frame, the title frame and the notes
    aside."""
    blocks: list[str] = []
    for element in page:
        if element is skip or element.tag == _NOTES or not isinstance(element.tag, str):
            continue
        rows = list(element.iter(TABLE + "table-row"))
        if rows:
            for row in rows:
                cells = [cell_text(c, []) for c in row.iterfind("table:table-cell", _NS)]
                blocks.append(table_row(dict.fromkeys(" ".join(c.split()) for c in cells)))
            continue
        blocks += [literal(t) for p in paragraphs_of(element) if (t := inline_text(p, []))]
    return blocks
