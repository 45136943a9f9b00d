"""OpenDocument presentations (.odp: LibreOffice Impress's own format) and drawings (.odg) ->
text in the chunker's shape, as qa.ingest.pptx_text gives PowerPoint's: the first slide's title is the document's
title (``#``), every slide opens with its title as a heading (``##``; "Slide 4" when it has
none), then its frames' paragraphs and its tables' rows (cells joined by " | ") in the order
the slide lists them, and its speaker notes under "Notes"; an untitled slide someone named
("Timeline") opens with its name. Each slide's first character is a page start, so a passage
carries its slide number as its ``page``. Pictures, charts and master pages are not read.
Drawings (.odg, LibreOffice Draw) are read the same way, page by page.

content.xml is parsed as qa.ingest.odt_text parses a text document's (size checked, entities
and network off), and a paragraph reads as it does there (spans, spaces, line breaks).
"""

from __future__ import annotations

import re

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
_DEFAULT_NAME = re.compile(r"(page|slide|seite|diapositive)\s*\d*", re.IGNORECASE)


def odp_to_text(data: bytes) -> Converted:
    """The text of an .odp file given as bytes; raises UnreadableFileError naming what is wrong.

    Example: odp_to_text(<a deck: slide 1 "Harbour rules", slide 2 "Fees" / "Ten coins.">).text
    -> '# Harbour rules\\n\\n## Fees\\n\\nTen coins.\\n'
    """
    return _pages_text(data, ".odp", "Slide")


def odg_to_text(data: bytes) -> Converted:
    """The text of an .odg drawing (LibreOffice Draw: an organisation chart, a process diagram,
    a poster) given as bytes, page by page as a deck is read: a page opens with its name when
    someone named it ("Org chart"), else "Page N", then its shapes' paragraphs in the order
    the page lists them; raises UnreadableFileError naming what is wrong.

    Example: odg_to_text(<a drawing: page "Org chart", shapes "Board" and "Harbour master">).text
    -> '## Org chart\\n\\nBoard\\n\\nHarbour master\\n'
    """
    return _pages_text(data, ".odg", "Page")


def _pages_text(data: bytes, suffix: str, page_word: str) -> Converted:
    _, body = content_body(data, suffix)
    text, pages, filled = "", [], False
    for number, page in enumerate(body.iterfind("draw:page", _NS), 1):
        title_frame = next(
            (
                f
                for f in page.iter(f"{{{_NS['draw']}}}frame")
                if f.get(PRESENTATION + "class") == "title"
            ),
            None,
        )
        title = _joined(title_frame) if title_frame is not None else _given_name(page)
        heading = ("# " if number == 1 and title else "## ") + literal(
            title or f"{page_word} {number}"
        )
        blocks = [heading, *_body(page, skip=title_frame)]
        notes = page.find("presentation:notes", _NS)
        said = (
            [literal(t) for p in paragraphs_of(notes) if (t := inline_text(p, []))]
            if notes is not None
            else []
        )
        blocks += ["### Notes", *said] if said else []
        filled = filled or bool(title) or len(blocks) > 1
        text += "\n" if text else ""
        pages.append(len(text))
        text += join_blocks(blocks)
    if not pages:
        raise UnreadableFileError(f"it has no {page_word.lower()}s")
    if not filled:
        raise UnreadableFileError(f"its {page_word.lower()}s hold no text (pictures only?)")
    return Converted(text, tuple(pages))


def _given_name(page) -> str:
    """A drawing page's name when someone gave it one: not LibreOffice's "page1", "page2"."""
    name = " ".join((page.get(f"{{{_NS['draw']}}}name") or "").split())
    return "" if _DEFAULT_NAME.fullmatch(name) else name


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
